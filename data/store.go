package data

import (
	"context"
	"errors"
)

// ErrNotFound is returned for a run or record that does not exist.
var ErrNotFound = errors.New("not found")

// ErrReplaced is returned when an opened run's tables were replaced since (the same analysis saved
// again): open the run again to read it.
var ErrReplaced = errors.New("replaced since it was opened")

// Store keeps inputs and analysis runs. The embedded store (files in a data directory) serves one
// person on one machine; the PostGIS store serves an organisation. Both pass storetest.
//
// Every write becomes visible in one step, or not at all, even when the process is killed: a
// reader sees the state before an ingest or the state after it, never a mix. Writers of one kind
// are serialised, so two ingests never both pass a check that only one of them may pass.
type Store interface {
	// Ingest stores a validated file. Loading areas replaces the areas; loading demographics
	// replaces the variables the file maps, or with the merge option only the file's own earlier
	// figures and the areas it gives figures for (exactly as ApplyDemographics says); loading
	// programs replaces the programs of the same source. Loading the same file again changes
	// nothing. With DryRun nothing is written.
	Ingest(ctx context.Context, in Ingest) error
	// Snapshot reads every loaded input as of one committed state: what an analysis reads, so
	// that the digests a run records name the data it used.
	Snapshot(ctx context.Context) (*Inputs, error)
	// Areas, Demographics, Programs and Ingests each read one kind of input as loaded now.
	Areas(ctx context.Context) ([]Area, error)
	Demographics(ctx context.Context) ([]DemographicValue, error)
	Programs(ctx context.Context) ([]Program, error)
	// Ingests lists the records of the inputs currently loaded.
	Ingests(ctx context.Context) ([]IngestRecord, error)

	// SaveRun stores a run with the inputs it was computed from, replacing a run with the same
	// id. The inputs are kept as long as the run, whatever is loaded later; runs of the same
	// inputs share one copy.
	SaveRun(ctx context.Context, run *Run, inputs *Inputs) error
	// SaveRunStream is SaveRun for a run whose cells are written as they are computed, so that
	// they are never all in memory: compute writes them to the writer in order and returns the
	// rest of the run (its cell table is not read).
	SaveRunStream(ctx context.Context, inputs *Inputs, compute func(CellWriter) (*Run, error)) error
	// Run loads a whole run by id; the empty id means the latest run.
	Run(ctx context.Context, id string) (*Run, error)
	// OpenRun opens a run to read its tables block by block, as tiles and exports do: the cells
	// stay in the store until asked for. The empty id means the latest run. Close it when done.
	OpenRun(ctx context.Context, id string) (RunTables, error)
	// RunInputs returns the inputs a run was computed from, exactly as SaveRun was given them:
	// what its exports, tiles and reports draw on. The empty id means the latest run.
	RunInputs(ctx context.Context, id string) (*Inputs, error)
	// Runs lists stored runs, newest first.
	Runs(ctx context.Context) ([]RunInfo, error)

	Close() error
}

// CellWriter takes a run's cells as they are computed: each call the next rows of its cell
// table, in order, with every series' figures. It may keep the slices it is given.
type CellWriter interface {
	WriteCells(t *CellTable) error
}
