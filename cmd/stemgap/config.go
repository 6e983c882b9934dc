package main

import (
	"context"
	"flag"

	"stemgap/analysis"
)

func configCommand() command {
	return command{
		name:    "config",
		summary: "print the analysis parameters: the defaults, or a config file over them",
		usage:   "print [--config FILE]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			config := fs.String("config", "", "config file to read over the defaults")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 || args[0] != "print" {
					return usagef("want: config print")
				}
				p := analysis.DefaultParams()
				if *config != "" {
					var err error
					if p, err = analysis.LoadParams(*config, p); err != nil {
						return err
					}
				}
				if err := p.Resolved().Validate(); err != nil {
					return err
				}
				// Unresolved: what derives from the catchment prints as null and keeps following
				// it when the printed file is edited.
				_, err := env.stdout.Write(p.JSON())
				return err
			}
		},
	}
}
