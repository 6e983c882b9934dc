package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"

	"stemgap/data"
	"stemgap/data/embedded"
	"stemgap/data/postgis"
)

// environment holds what every command shares: where the data lives and how to log.
type environment struct {
	stdout, stderr io.Writer
	dataDir        string
	db             string
	logLevel       string
	log            *slog.Logger
}

func (e *environment) register(fs *flag.FlagSet) {
	fs.StringVar(&e.dataDir, "data-dir", "stemgap-data", "directory of the embedded store (used without --db)")
	fs.StringVar(&e.db, "db", "", "PostgreSQL/PostGIS URL (default $DATABASE_URL); when set, PostGIS is the store")
	fs.StringVar(&e.logLevel, "log-level", "info", "log level: debug, info, warn, error")
}

// logger builds the structured logger once the flags are parsed.
func (e *environment) logger() (*slog.Logger, error) {
	if e.log == nil {
		l, err := newLogger(e.stderr, e.logLevel)
		if err != nil {
			return nil, err
		}
		e.log = l
	}
	return e.log, nil
}

// databaseURL is --db, else $DATABASE_URL.
func (e *environment) databaseURL() string {
	if e.db != "" {
		return e.db
	}
	return os.Getenv("DATABASE_URL")
}

// openStore opens PostGIS when a database URL is given (applying pending migrations), else the
// embedded store.
func (e *environment) openStore(ctx context.Context) (data.Store, error) {
	log, err := e.logger()
	if err != nil {
		return nil, err
	}
	if url := e.databaseURL(); url != "" {
		return postgis.Open(ctx, url, log)
	}
	s, err := embedded.Open(e.dataDir)
	if err != nil {
		return nil, err
	}
	log.Debug("embedded store", "dir", e.dataDir)
	return s, nil
}

// openRun opens the store and one of its runs (the latest for "") to read block by block, with the
// inputs the run was computed from, whatever was loaded since, when asked for (else none: a
// big region's inputs hold more memory than streaming its cells takes); done closes them.
func (e *environment) openRun(ctx context.Context, id string, withInputs bool) (run data.RunTables, in *data.Inputs, done func(), err error) {
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if run, err = store.OpenRun(ctx, id); err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	in = &data.Inputs{}
	if withInputs {
		if in, err = store.RunInputs(ctx, run.Info().ID); err != nil {
			run.Close()
			store.Close()
			return nil, nil, nil, err
		}
	}
	return run, in, func() { run.Close(); store.Close() }, nil
}
