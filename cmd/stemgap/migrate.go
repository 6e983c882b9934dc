package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"stemgap/data/postgis"
)

func migrateCommand() command {
	return command{
		name:    "migrate",
		summary: "apply pending PostGIS schema migrations (every command also does so on start)",
		usage:   "--db URL",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("migrate takes no arguments")
				}
				url := env.databaseURL()
				if url == "" {
					return errors.New("migrate needs a PostGIS URL: --db URL or $DATABASE_URL (the embedded store needs no migrations)")
				}
				log, err := env.logger()
				if err != nil {
					return err
				}
				// Open applies pending migrations, logging each.
				s, err := postgis.Open(ctx, url, log)
				if err != nil {
					return err
				}
				defer s.Close()
				fmt.Fprintln(env.stdout, "schema is up to date")
				return nil
			}
		},
	}
}
