package data

import (
	"context"
	"errors"
)

// ErrNotFound is returned for a run or record that does not exist.
var ErrNotFound = errors.New("not found")

// Store keeps inputs and analysis runs. The embedded store (files in a data directory) serves one
// person on one machine; the PostGIS store serves an organisation. Both pass storetest.
type Store interface {
	// Ingest stores a validated file. Loading areas replaces the areas; loading demographics
	// replaces the variables the file maps, or with the merge option only the file's own earlier
	// figures and the areas it gives figures for (exactly as ApplyDemographics says); loading
	// programs replaces the programs of the same source. Loading the same file again changes
	// nothing. With DryRun nothing is written.
	Ingest(ctx context.Context, in Ingest) error
	Areas(ctx context.Context) ([]Area, error)
	Demographics(ctx context.Context) ([]DemographicValue, error)
	Programs(ctx context.Context) ([]Program, error)
	// Ingests lists the records of the inputs currently loaded.
	Ingests(ctx context.Context) ([]IngestRecord, error)

	// SaveRun stores a run, replacing a run with the same id.
	SaveRun(ctx context.Context, run *Run) error
	// Run loads a run by id; the empty id means the latest run.
	Run(ctx context.Context, id string) (*Run, error)
	// Runs lists stored runs, newest first.
	Runs(ctx context.Context) ([]RunInfo, error)

	Close() error
}
