package main

import (
	"bufio"
	"context"
	"flag"
	"io"

	"stemgap/data"
	"stemgap/report"
	"stemgap/server"
)

func reportCommand() command {
	return command{
		name:    "report",
		summary: "write a tract report (html, json, md) or the region report (html, csv, md)",
		usage:   "tract ID --format html|json|md | region --format html|csv|md [--sort gap|unmet|desert|access] [-o FILE] [--run ID] [--setting GROUP] [--content AREA] [--base-url URL]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			format := fs.String("format", "html", "html, json or md for a tract; html, csv or md for the region")
			out := fs.String("o", "", "output file (written atomically); default stdout")
			runID := fs.String("run", "", "run id (default: the latest run)")
			setting := fs.String("setting", "", "setting group, e.g. out_of_school or all (default: the run's first group)")
			content := fs.String("content", "", "content area the map, histogram and ranking show (default: all programs)")
			sortBy := fs.String("sort", "gap", "region: rank tracts by gap, unmet, desert or access")
			baseURL := fs.String("base-url", "", "address the reports' links and citation point at, e.g. https://stemgap.example.org (default: relative links)")
			return func(ctx context.Context, args []string) error {
				opt := report.Options{Setting: *setting, Content: *content, BaseURL: *baseURL, Sort: *sortBy}
				var write func(w io.Writer, run data.RunTables, in *data.Inputs) error
				page := report.Page{InlineCSS: server.ReportStylesheet()}
				switch {
				case len(args) == 2 && args[0] == "tract":
					if *format != "html" && *format != "json" && *format != "md" {
						return usagef("--format %q: a tract report is html, json or md", *format)
					}
					id := args[1]
					write = func(w io.Writer, run data.RunTables, in *data.Inputs) error {
						t, err := report.BuildTract(ctx, run, in, id, opt)
						if err != nil {
							return err
						}
						switch *format {
						case "json":
							return t.WriteJSON(w)
						case "md":
							return t.WriteMarkdown(w)
						}
						return t.WriteHTML(w, page)
					}
				case len(args) == 1 && args[0] == "region":
					if *format != "html" && *format != "csv" && *format != "md" {
						return usagef("--format %q: the region report is html, csv or md", *format)
					}
					if err := report.CheckSort(*sortBy); err != nil {
						return usagef("%v", err)
					}
					write = func(w io.Writer, run data.RunTables, in *data.Inputs) error {
						r, err := report.BuildRegion(ctx, run, in, opt)
						if err != nil {
							return err
						}
						switch *format {
						case "csv":
							return r.WriteCSV(w)
						case "md":
							return r.WriteMarkdown(w)
						}
						return r.WriteHTML(w, page)
					}
				default:
					return usagef("want tract ID or region")
				}
				run, in, done, err := env.openRun(ctx, *runID, true)
				if err != nil {
					return err
				}
				defer done()
				bw := bufio.NewWriter(env.stdout)
				if err := writeOutput(bw, *out, func(w io.Writer) error { return write(w, run, in) }, nil); err != nil {
					return err
				}
				if err := bw.Flush(); err != nil {
					return err
				}
				if *out != "" {
					log, err := env.logger()
					if err != nil {
						return err
					}
					log.Info("report written", "report", args[0], "format", *format, "run", run.Info().ID, "file", *out)
				}
				return nil
			}
		},
	}
}
