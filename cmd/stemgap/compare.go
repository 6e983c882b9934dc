package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
)

func compareCommand() command {
	return command{
		name:    "compare",
		summary: "say where access rose or fell between two runs, per series, tract and demographic group",
		usage:   "RUN_A RUN_B [--setting GROUP] [--content AREA] [--format text|json|csv|geojson] [--layer series|tracts|cells|groups] [-o FILE]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			setting := fs.String("setting", "", "setting group of the tracts and cells listed (default: run A's first group)")
			content := fs.String("content", "all", "content area of the tracts and cells listed")
			format := fs.String("format", "text", "text, json, csv or geojson")
			layer := fs.String("layer", export.CompareTracts, "with csv or geojson: series, tracts, cells or groups (series and groups as csv only)")
			out := fs.String("o", "", "output file (written atomically; a CSV gets FILE-metadata.json beside it); default stdout")
			return func(ctx context.Context, args []string) error {
				if len(args) != 2 {
					return usagef("want two run ids: RUN_A RUN_B (stemgap compare A B says what changed from A to B)")
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				var runs [2]*data.Run
				for n, id := range args {
					if runs[n], err = store.Run(ctx, id); err != nil {
						return fmt.Errorf("run %s: %w", id, err)
					}
				}
				a, b := runs[0], runs[1]
				cmp, err := analysis.Compare(a, b, analysis.CompareOptions{Setting: *setting, Content: *content})
				if err != nil {
					return err
				}
				prov := export.ComparisonProvenanceOf(cmp, &a.RunInfo, &b.RunInfo)
				var table export.Table
				var metadata func(io.Writer, string) error
				if *format == export.FormatCSV || *format == export.FormatGeoJSON {
					inputs, err := store.RunInputs(ctx, b.ID)
					if err != nil {
						return err
					}
					if table, err = export.ComparisonTable(*layer, cmp, a, b, inputs.Areas); err != nil {
						return usagef("%v", err)
					}
					if *format == export.FormatCSV {
						metadata = func(w io.Writer, csvName string) error { return export.WriteTableMetadata(w, table, prov, csvName) }
					}
				}
				write := func(w io.Writer) error {
					switch *format {
					case "json":
						enc := json.NewEncoder(w)
						enc.SetIndent("", "  ")
						return enc.Encode(struct {
							Provenance export.ComparisonProvenance `json:"provenance"`
							Comparison *data.Comparison            `json:"comparison"`
						}{prov, cmp})
					case "text":
						return writeComparison(w, cmp, labels.DemandNoun(b.Demand))
					}
					return export.WriteTable(w, *format, table, prov)
				}
				return writeOutput(env.stdout, *out, write, metadata)
			}
		},
	}
}

// writeComparison says what changed in words: what differs, each series, the groups whose share
// in deserts moved.
func writeComparison(w io.Writer, c *data.Comparison, noun string) error {
	fmt.Fprintf(w, "What changed from run %s (A) to run %s (B)\n", c.A, c.B)
	if len(c.Differences) == 0 {
		fmt.Fprintln(w, "\nThe runs have the same parameters, inputs and software.")
	} else {
		fmt.Fprintln(w, "\nBesides their figures, the runs differ:")
		for _, d := range c.Differences {
			fmt.Fprintf(w, "  - %s\n", d)
		}
	}
	fmt.Fprintln(w, "\nBy series:")
	unchanged := map[string][]string{}
	var groups []string
	for _, s := range c.Series {
		if analysis.Unchanged(s) {
			if _, ok := unchanged[s.Setting]; !ok {
				groups = append(groups, s.Setting)
			}
			unchanged[s.Setting] = append(unchanged[s.Setting], labels.ContentArea(s.Name))
			continue
		}
		fmt.Fprintf(w, "  - %s\n", analysis.ComparisonSummary(s, noun))
	}
	for _, g := range groups {
		fmt.Fprintf(w, "  - %s, nothing changed in: %s.\n", labels.Setting(g), strings.Join(unchanged[g], ", "))
	}
	share := labels.Format{Style: labels.StyleShare}
	var moved []string
	for _, g := range c.Groups {
		if g.Changed {
			moved = append(moved, fmt.Sprintf("  - %s, %s, %s: %s → %s in deserts", labels.Setting(g.Setting), labels.ContentArea(g.ContentArea), g.Group, share.Format(g.ShareA), share.Format(g.ShareB)))
		}
	}
	if len(moved) > 0 {
		fmt.Fprintln(w, "\nDemographic groups whose share in deserts changed:")
		for _, m := range moved {
			fmt.Fprintln(w, m)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}
