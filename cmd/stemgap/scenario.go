package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
)

func scenarioCommand() command {
	return command{
		name:    "scenario",
		summary: "what if programs were added, removed or resized: the change against a run, computed where it reaches",
		usage:   "FILE [--run ID] [--format text|json|csv|geojson] [--layer series|tracts|cells|groups] [--setting GROUP] [--content AREA] [-o FILE]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			runID := fs.String("run", "", "the run to change (default: the file's \"run\", else the latest run)")
			format := fs.String("format", "text", "text, json, csv or geojson")
			layer := fs.String("layer", export.CompareTracts, "with csv or geojson: series, tracts, cells or groups of the change (series and groups as csv only)")
			setting := fs.String("setting", "", "setting group of the tracts and cells written (default: the run's first group)")
			content := fs.String("content", "all", "content area of the tracts and cells written")
			out := fs.String("o", "", "output file (written atomically; a CSV gets FILE-metadata.json beside it); default stdout")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("want one scenario file (JSON: {\"add\": [{\"lat\", \"lng\", \"content_areas\", \"setting\", \"capacity\"}], \"remove\": [ID], \"resize\": [{\"id\", \"capacity\"}]})")
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				fileRun, sc, err := analysis.DecodeScenario(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if *runID == "" {
					*runID = fileRun
				}
				log, err := env.logger()
				if err != nil {
					return err
				}
				run, inputs, m, err := runModel(ctx, env, *runID)
				if err != nil {
					return err
				}
				start := time.Now()
				res, err := m.Scenario(ctx, sc)
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				log.Info("scenario", "id", res.Run.ID, "cells", res.Cells, "areas", res.Areas, "took", time.Since(start).Round(time.Microsecond))
				write := func(w io.Writer) error { return writeScenario(w, res, run, labels.DemandNoun(run.Demand)) }
				var metadata func(io.Writer, string) error
				if *format != "text" {
					cmp, err := analysis.Compare(run, res.Run, analysis.CompareOptions{Setting: *setting, Content: *content})
					if err != nil {
						return err
					}
					prov := export.ComparisonProvenanceOf(cmp, &run.RunInfo, &res.Run.RunInfo)
					if *format == "json" {
						write = func(w io.Writer) error {
							enc := json.NewEncoder(w)
							enc.SetIndent("", "  ")
							return enc.Encode(struct {
								Scenario   string                      `json:"scenario"`
								Cells      int                         `json:"cells_recomputed"`
								Areas      int                         `json:"areas_recomputed"`
								Changes    []data.SeriesChange         `json:"changes"`
								Notes      []string                    `json:"notes"`
								Provenance export.ComparisonProvenance `json:"provenance"`
							}{res.Run.ID, res.Cells, res.Areas, res.Changes, res.Notes, prov})
						}
					} else {
						table, err := export.ComparisonTable(*layer, cmp, run, res.Run, inputs.Areas)
						if err != nil {
							return usagef("%v", err)
						}
						write = func(w io.Writer) error { return export.WriteTable(w, *format, table, prov) }
						if *format == export.FormatCSV {
							metadata = func(w io.Writer, csvName string) error { return export.WriteTableMetadata(w, table, prov, csvName) }
						}
					}
				}
				return writeOutput(env.stdout, *out, write, metadata)
			}
		},
	}
}

// writeScenario says in words what a scenario changes.
func writeScenario(w io.Writer, res *analysis.ScenarioResult, base *data.Run, noun string) error {
	fmt.Fprintf(w, "Scenario %s against run %s: %d cells and %d areas recomputed\n", res.Run.ID, base.ID, res.Cells, res.Areas)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintln(w, "\nBy series the changes reach:")
	for _, c := range res.Changes {
		fmt.Fprintf(w, "  - %s\n", analysis.ComparisonSummary(c, noun))
	}
	_, err := fmt.Fprintln(w)
	return err
}
