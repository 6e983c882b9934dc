package main

import (
	"context"
	"flag"
	"io"
	"strings"

	"stemgap/data/export"
)

func exportCommand() command {
	return command{
		name:    "export",
		summary: "write a run's cells, tracts or programs as CSV or GeoJSON, with its provenance",
		usage:   "geojson|csv --layer cells|tracts|programs|equity [-o FILE] [--run ID] [--setting GROUP] [--content a,b]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			layer := fs.String("layer", "", "cells, tracts, programs or equity (csv only)")
			out := fs.String("o", "", "output file (written atomically; a CSV gets FILE-metadata.json beside it); default stdout")
			runID := fs.String("run", "", "run id (default: the latest run)")
			content := fs.String("content", "", "comma-separated content areas to export (default: all)")
			setting := fs.String("setting", "", "setting group the figures are measured within, e.g. out_of_school or all (default: the run's first group)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("want a format: csv or geojson")
				}
				req := export.Request{Format: args[0], Layer: *layer, Setting: *setting}
				if *content != "" {
					req.Content = strings.Split(*content, ",")
				}
				if err := req.Check(); err != nil {
					return usagef("%v", err)
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				// The cells are read a block at a time as they are written.
				run, err := store.OpenRun(ctx, *runID)
				if err != nil {
					return err
				}
				defer run.Close()
				info := run.Info()
				if err := req.CheckRun(info); err != nil {
					return err
				}
				// The run's own inputs: what it was computed from, whatever was loaded since.
				inputs, err := store.RunInputs(ctx, info.ID)
				if err != nil {
					return err
				}
				areas, programs := inputs.Areas, inputs.Programs
				var metadata func(io.Writer, string) error
				if req.Format == export.FormatCSV {
					metadata = func(w io.Writer, csvName string) error {
						return export.WriteCSVMetadata(ctx, w, req, run, areas, programs, csvName)
					}
				}
				write := func(w io.Writer) error { return export.Write(ctx, w, req, run, areas, programs) }
				if err := writeOutput(env.stdout, *out, write, metadata); err != nil {
					return err
				}
				if *out == "" {
					return nil
				}
				log, err := env.logger()
				if err != nil {
					return err
				}
				log.Info("exported", "layer", req.Layer, "format", req.Format, "run", info.ID, "file", *out)
				return nil
			}
		},
	}
}
