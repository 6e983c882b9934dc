package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
)

func recommendCommand() command {
	return command{
		name:    "recommend",
		summary: "rank the sites where new programs would close the most need-weighted unmet demand",
		usage:   "--content AREA [--setting GROUP] [--capacity SEATS] [--count N] [--candidates FILE|sites] [--cell-res N] [--run ID] [--format text|json|csv|geojson] [-o FILE]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			content := fs.String("content", "all", "content area of the new programs")
			setting := fs.String("setting", "", "setting group they count in (default: the run's first group)")
			capacity := fs.Float64("capacity", 0, "seats of each new program (default: the run's default_capacity)")
			count := fs.Int("count", 5, fmt.Sprintf("how many sites to choose, 1–%d", analysis.MaxRecommendations))
			candidates := fs.String("candidates", "", "candidate sites: a CSV (id,name,lat,lng) or GeoJSON of points, or \"sites\" for the run's own program sites (default: H3 cells)")
			cellRes := fs.Int("cell-res", 0, "resolution of the candidate H3 cells (default: two coarser than the run's)")
			runID := fs.String("run", "", "run id (default: the latest run)")
			format := fs.String("format", "text", "text, json, csv or geojson")
			out := fs.String("o", "", "output file (written atomically; a CSV gets FILE-metadata.json beside it); default stdout")
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("recommend takes no arguments")
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				log, err := env.logger()
				if err != nil {
					return err
				}
				run, inputs, m, err := runModel(ctx, env, *runID)
				if err != nil {
					return err
				}
				req := analysis.RecommendRequest{Setting: *setting, Content: *content, Capacity: *capacity, Count: *count, CellResolution: *cellRes,
					Progress: func(done, total int) { log.Debug("weighing candidate sites", "done", done, "total", total) }}
				if req.Sites, req.SitesLabel, err = candidateSites(*candidates, inputs); err != nil {
					return err
				}
				rec, err := m.Recommend(ctx, req)
				if err != nil {
					return err
				}
				var metadata func(io.Writer, string) error
				if *format == export.FormatCSV {
					metadata = func(w io.Writer, csvName string) error {
						return export.WriteTableMetadata(w, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, &run.RunInfo), csvName)
					}
				}
				write := func(w io.Writer) error { return writeRecommendations(w, *format, rec, &run.RunInfo) }
				if err := writeOutput(env.stdout, *out, write, metadata); err != nil {
					return err
				}
				log.Debug("recommended", "run", run.ID, "sites", len(rec.Sites), "file", *out)
				return nil
			}
		},
	}
}

// candidateSites reads --candidates: nil for H3 cells, the run's own program sites for "sites",
// else a file of points in the programs layout.
func candidateSites(arg string, inputs *data.Inputs) ([]data.CandidateSite, string, error) {
	switch arg {
	case "":
		return nil, "", nil
	case "sites":
		sites, label := analysis.SitesOf(inputs.Programs, "the run's own program sites")
		return sites, label, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	programs, err := data.ReadPrograms(f, filepath.Base(arg), data.ProgramOptions{})
	if err != nil {
		return nil, "", err
	}
	sites, label := analysis.SitesOf(programs, filepath.Base(arg))
	return sites, label, nil
}

func writeRecommendations(w io.Writer, format string, rec *data.Recommendations, info *data.RunInfo) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Provenance export.Provenance     `json:"provenance"`
			Result     *data.Recommendations `json:"recommendations"`
		}{export.ProvenanceFor(info, rec.Setting), rec})
	case export.FormatCSV, export.FormatGeoJSON:
		return export.WriteTable(w, format, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, info))
	}
	num := labels.Format{Style: labels.StyleNumber}
	count := labels.Format{Style: labels.StyleCount}
	fmt.Fprintf(w, "Where %s %s programs of %s seats would close the most need-weighted unmet demand (run %s)\n",
		labels.Setting(rec.Setting), labels.ContentArea(rec.Content), num.Format(rec.Capacity), rec.Run)
	fmt.Fprintf(w, "Candidates: %s (%s). Target: %s %s. Unmet seats in the region: %s before, %s after.\n\n",
		rec.Candidates, count.Format(float64(rec.CandidateCount)), num.Format(rec.Target), rec.AccessUnit, num.Format(rec.UnmetBefore), num.Format(rec.UnmetAfter))
	for _, s := range rec.Sites {
		name := s.Site.ID
		if s.Site.Name != "" {
			name = s.Site.Name + " (" + s.Site.ID + ")"
		}
		if s.AreaName != "" {
			name += ", in " + s.AreaName
		}
		fmt.Fprintf(w, "%d. %s at %.5f, %.5f\n   %s\n", s.Rank, name, s.Lat, s.Lng, s.Reason)
	}
	for _, n := range rec.Notes {
		fmt.Fprintf(w, "\nNote: %s", n)
	}
	_, err := fmt.Fprintln(w)
	return err
}
