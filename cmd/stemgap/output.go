package main

import (
	"bufio"
	"context"
	"io"
	"path/filepath"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
)

// writeOutput writes to stdout when file is empty, else atomically to file; metadata, when set,
// writes the file's CSV on the Web metadata to FILE-metadata.json beside it, given the CSV's name.
func writeOutput(stdout io.Writer, file string, write func(io.Writer) error, metadata func(w io.Writer, csvName string) error) error {
	if file == "" {
		return write(stdout)
	}
	if err := data.WriteFileAtomic(file, func(w *bufio.Writer) error { return write(w) }); err != nil {
		return err
	}
	if metadata == nil {
		return nil
	}
	return data.WriteFileAtomic(file+"-metadata.json", func(w *bufio.Writer) error { return metadata(w, filepath.Base(file)) })
}

// checkFormat accepts the formats recommend, compare and scenario write.
func checkFormat(format string) error {
	switch format {
	case "text", "json", export.FormatCSV, export.FormatGeoJSON:
		return nil
	}
	return usagef("--format %q: want text, json, csv or geojson", format)
}

// runModel reads a run ("" for the latest) and the inputs it was computed from, and rebuilds its
// access model, for recommend and scenario.
func runModel(ctx context.Context, env *environment, runID string) (*data.Run, *data.Inputs, *analysis.Model, error) {
	log, err := env.logger()
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := env.openStore(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	defer store.Close()
	run, err := store.Run(ctx, runID)
	if err != nil {
		return nil, nil, nil, err
	}
	inputs, err := store.RunInputs(ctx, run.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	log.Info("rebuilding the run's model", "run", run.ID)
	m, err := analysis.NewModel(ctx, run, inputs)
	return run, inputs, m, err
}
