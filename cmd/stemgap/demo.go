package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"stemgap/data/stlouis"
)

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "load the St. Louis data, analyse it and serve the map (the README's first command)",
		usage:   "[--inputs DIR] [--no-serve] [serve flags] [analysis flags]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			inputs := fs.String("inputs", filepath.Join("..", "shared", "data"), "folder holding stl/ with the St. Louis files")
			sf := registerServeFlags(fs)
			noServe := fs.Bool("no-serve", false, "load and analyse, then exit without serving")
			f := registerAnalysisFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("demo takes no arguments")
				}
				if _, err := os.Stat(filepath.Join(*inputs, stlouis.Tracts)); err != nil {
					return fmt.Errorf("St. Louis data not found under %s (want %s): pass --inputs DIR", *inputs, stlouis.Tracts)
				}
				if err := loadDemo(ctx, env, *inputs); err != nil {
					return err
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
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

func loadDemo(ctx context.Context, env *environment, dir string) error {
	for _, f := range stlouis.Files(dir) {
		if err := ingestFile(ctx, env, f.Kind, f.Path, f.Options); err != nil {
			return err
		}
	}
	return nil
}
