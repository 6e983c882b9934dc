package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"stemgap/data"
	"stemgap/data/export"
	"stemgap/tiles"
)

func exportCommand() command {
	return command{
		name:    "export",
		summary: "write a run's layers as CSV, GeoJSON, a GeoPackage or a PMTiles archive, with its provenance",
		usage:   "geojson|csv --layer cells|tracts|programs|equity [-o FILE] | gpkg -o FILE | pmtiles -o FILE [--maxzoom Z]  [--run ID] [--setting GROUP] [--content a,b]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			layer := fs.String("layer", "", "csv and geojson: cells, tracts, programs or equity (csv only)")
			out := fs.String("o", "", "output file (written atomically; a CSV gets FILE-metadata.json and FILE.csvt beside it); default stdout (csv and geojson)")
			maxZoom := fs.Int("maxzoom", -1, "pmtiles: the deepest zoom (default: the zoom of the run's own hexagons, resolution + 3)")
			runID := fs.String("run", "", "run id (default: the latest run)")
			content := fs.String("content", "", "comma-separated content areas to export (default: all)")
			setting := fs.String("setting", "", "setting group the figures are measured within, e.g. out_of_school or all (default: the run's first group)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("want a format: csv, geojson, gpkg or pmtiles")
				}
				var selection export.Selection
				if *content != "" {
					selection = strings.Split(*content, ",")
				}
				format := args[0]
				if format == export.FormatGeoPackage || format == formatPMTiles {
					if *out == "" {
						return usagef("%s writes a file: give -o FILE", format)
					}
					if *layer != "" {
						return usagef("%s holds every layer: leave out --layer", format)
					}
				}
				req := export.Request{Format: format, Layer: *layer, Setting: *setting, Content: selection}
				if format != export.FormatGeoPackage && format != formatPMTiles {
					if err := req.Check(); err != nil {
						return usagef("%v", err)
					}
				}
				log, err := env.logger()
				if err != nil {
					return err
				}
				// The cells are read a block at a time as they are written; the run's inputs only
				// for the layers drawn from them.
				cellsOnly := req.Layer == export.LayerCells || req.Layer == export.LayerEquity
				run, inputs, done, err := env.openRun(ctx, *runID, !cellsOnly)
				if err != nil {
					return err
				}
				defer done()
				info := run.Info()
				if err := (export.Request{Format: export.FormatCSV, Layer: export.LayerCells, Setting: *setting, Content: selection}).CheckRun(info); err != nil {
					return err
				}
				areas, programs := inputs.Areas, inputs.Programs
				switch format {
				case export.FormatGeoPackage:
					progress := func(layer string, written int) {
						log.Info("writing the GeoPackage", "layer", layer, "features", written)
					}
					if err := export.WriteGeoPackage(ctx, *out, export.GeoPackageRequest{Setting: *setting, Content: selection, Progress: progress}, run, areas, programs); err != nil {
						return err
					}
				case formatPMTiles:
					if err := writePMTiles(ctx, log, *out, run, inputs, *setting, selection, *maxZoom); err != nil {
						return err
					}
				default:
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
					if req.Format == export.FormatCSV {
						// GDAL reads a CSV's column types from FILE.csvt beside FILE.csv.
						csvt := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".csvt"
						if err := data.WriteFileAtomic(csvt, func(w *bufio.Writer) error { return export.WriteCSVT(ctx, w, req, run, areas, programs) }); err != nil {
							return err
						}
					}
				}
				log.Info("exported", "layer", req.Layer, "format", format, "run", info.ID, "file", *out)
				return nil
			}
		},
	}
}

// formatPMTiles names the PMTiles export: every tile layer of one series in one archive.
const formatPMTiles = "pmtiles"

// writePMTiles writes the tiles of one series, every layer in each tile, as a PMTiles archive.
func writePMTiles(ctx context.Context, log *slog.Logger, path string, run data.RunTables, in *data.Inputs, setting string, content export.Selection, maxZoom int) error {
	if len(content) > 1 {
		return usagef("a PMTiles archive holds one content area: give --content once")
	}
	series := data.AllContentAreas
	if len(content) == 1 {
		series = content[0]
	}
	if maxZoom < 0 {
		maxZoom = tiles.ArchiveMaxZoom(run.Info().Resolution)
	}
	// Neighbouring tiles draw from the same blocks: a data cache reads each once.
	set := tiles.NewSet(run, in.Areas, in.Programs, nil, tiles.NewDataCache(512<<20))
	info := run.Info()
	prov := export.ProvenanceFor(info, setting)
	meta := map[string]any{
		"name":        fmt.Sprintf("stemgap %s, %s settings, run %s", series, prov.Setting, info.ID),
		"description": fmt.Sprintf("Access (%s, %s) to %s programs in setting group %s, for %s; layers cells, tracts, programs, counties.", info.Measure, info.AccessUnit, series, prov.Setting, info.Demand),
		"attribution": "stemgap; data: see stemgap.inputs",
		"stemgap":     prov,
	}
	a, err := set.Archive(ctx, setting, series, maxZoom, meta, func(z, n int) { log.Info("tiling", "zoom", z, "tiles", n) })
	if err != nil {
		return err
	}
	return data.WriteFileAtomic(path, func(w *bufio.Writer) error {
		_, err := a.WriteTo(w)
		return err
	})
}
