package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"stemgap/data"
	"stemgap/data/region"
)

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "load a region's data (St. Louis unless told otherwise), analyse it and serve the map (the README's first command)",
		usage:   "[--region " + strings.Join(region.Names(), "|") + " | --manifest FILE] [--inputs DIR] [--no-serve] [serve flags] [analysis flags]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			regionName := fs.String("region", region.Default, "built-in region: "+strings.Join(region.Names(), ", "))
			manifest := fs.String("manifest", "", "JSON manifest describing your own region (see the README)")
			inputs := fs.String("inputs", "", "folder the manifest's relative paths are read from (default: ../shared/data for a built-in region, the manifest's own folder for --manifest)")
			sf := registerServeFlags(fs)
			noServe := fs.Bool("no-serve", false, "load and analyse, then exit without serving")
			f := registerAnalysisFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("demo takes no arguments")
				}
				set := map[string]bool{}
				fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
				if set["region"] && set["manifest"] {
					return usagef("give --region or --manifest, not both")
				}
				m, base, err := demoRegion(*regionName, *manifest, *inputs)
				if err != nil {
					return err
				}
				// Each region keeps its own store unless told otherwise, so that running one demo
				// after another never mixes their programs.
				if !set["data-dir"] && m.Name != region.Default {
					env.dataDir = "stemgap-data-" + m.Name
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				if err := loadDemo(ctx, env, store, m, base); err != nil {
					return err
				}
				f.region = m
				if err := analyzeStore(ctx, env, store, f); err != nil {
					return err
				}
				if *noServe {
					return nil
				}
				return serve(ctx, env, store, sf)
			}
		},
	}
}

// demoRegion finds the manifest and the folder its relative paths are read from.
func demoRegion(name, manifest, inputs string) (region.Manifest, string, error) {
	if manifest != "" {
		m, err := region.ReadFile(manifest)
		if inputs == "" {
			inputs = filepath.Dir(manifest)
		}
		return m, inputs, err
	}
	m, err := region.Builtin(name)
	if inputs == "" {
		inputs = filepath.Join("..", "shared", "data")
	}
	return m, inputs, err
}

// loadDemo validates every input of the region before writing any, refuses a store that holds
// another region's inputs, and loads them.
func loadDemo(ctx context.Context, env *environment, store data.Store, m region.Manifest, base string) error {
	if areas := m.Files(base)[0].Path; !exists(areas) {
		return fmt.Errorf("%s data not found under %s (want %s): pass --inputs DIR", m.Title, base, areas)
	}
	ins, err := m.Ingests(base, time.Now())
	if err != nil {
		return err
	}
	if err := checkOneRegion(ctx, store, m, ins); err != nil {
		return err
	}
	for _, in := range ins {
		if err := ingestInto(ctx, env, store, in); err != nil {
			return err
		}
	}
	return nil
}

// checkOneRegion refuses a store holding demographics or programs that the region does not
// list: they would count in its analysis and its provenance.
func checkOneRegion(ctx context.Context, store data.Store, m region.Manifest, ins []data.Ingest) error {
	records, err := store.Ingests(ctx)
	if err != nil {
		return err
	}
	var foreign []string
	for _, r := range records {
		if r.Kind == data.KindAreas {
			continue // the region's areas replace them
		}
		if !slices.ContainsFunc(ins, func(in data.Ingest) bool { return in.Record.Kind == r.Kind && in.Record.Source == r.Source }) {
			foreign = append(foreign, r.Kind+" "+r.Source)
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	return fmt.Errorf("the store already holds inputs that are not %s's (%s); they would count in its analysis: run the demo into its own store with --data-dir DIR (or another database with --db)",
		m.Title, strings.Join(foreign, ", "))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
