package postgis

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"stemgap/data"
	"stemgap/data/postgis/pgtest"
	"stemgap/data/storetest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openFresh(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.FreshSchema(t), quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return openFresh(t) })
}

func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) func() data.Store {
		url := pgtest.FreshSchema(t)
		return func() data.Store {
			s, err := Open(context.Background(), url, quietLog())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

func TestMigrationsAreRecordedAndIdempotent(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	applied, err := s.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migration applied %v, %v", applied, err)
	}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(all) {
		t.Fatalf("%d migrations recorded of %d, %v", n, len(all), err)
	}
	// Every geometry column has a GiST index.
	var missing []string
	rows, err := s.pool.Query(context.Background(), `SELECT c.relname || '.' || a.attname FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.atttypid = 'geometry'::regtype
		AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
			WHERE i.indrelid = c.oid AND am.amname = 'gist' AND a.attnum = ANY(i.indkey))`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var col string
		rows.Scan(&col)
		missing = append(missing, col)
	}
	if len(missing) > 0 {
		t.Errorf("geometry columns without a GiST index: %v", missing)
	}
}

// Runs of the same inputs share one copy of each set; a set goes once no run names it.
func TestInputSetsAreSharedAndCollected(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	ctx := context.Background()
	run, inputs := syntheticWideRun(t)
	sets := func() (n int) {
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM input_sets").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := s.SaveRun(ctx, run, inputs); err != nil {
		t.Fatal(err)
	}
	other := *run
	other.ID = "ffff000000000001"
	if err := s.SaveRun(ctx, &other, inputs); err != nil {
		t.Fatal(err)
	}
	if n := sets(); n != 3 {
		t.Errorf("two runs of one set of inputs keep %d sets, want 3", n)
	}
	fewer := *inputs
	fewer.Programs = fewer.Programs[1:]
	if err := s.SaveRun(ctx, &other, &fewer); err != nil {
		t.Fatal(err)
	}
	if n := sets(); n != 4 {
		t.Errorf("with the second run's programs changed there are %d sets, want 4", n)
	}
	if err := s.SaveRun(ctx, run, &fewer); err != nil {
		t.Fatal(err)
	}
	if n := sets(); n != 3 {
		t.Errorf("once no run names the first programs there are %d sets, want 3", n)
	}
	var rows int
	s.pool.QueryRow(ctx, "SELECT count(*) FROM input_programs").Scan(&rows)
	if rows != len(fewer.Programs) {
		t.Errorf("%d program rows kept, want %d", rows, len(fewer.Programs))
	}
}

// savedWideRun is a fresh store holding the synthetic wide run.
func savedWideRun(t *testing.T) (*Store, *data.Run) {
	t.Helper()
	s := openFresh(t)
	t.Cleanup(func() { s.Close() })
	run, inputs := syntheticWideRun(t)
	if err := s.SaveRun(context.Background(), run, inputs); err != nil {
		t.Fatal(err)
	}
	return s, run
}

// Runs stored before run_files are read from their tables.
func TestReadsRunsStoredBeforeRunFiles(t *testing.T) {
	s, run := savedWideRun(t)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, "DELETE FROM run_files"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gobBytes(t, got.Cells), gobBytes(t, run.Cells)) || !bytes.Equal(gobBytes(t, got.Areas), gobBytes(t, run.Areas)) {
		t.Error("a run read from its tables differs from the run saved")
	}
}

// A run file goes to the database in pieces and comes back whole: here in pieces of 1,000 bytes
// (a run's are megabytes), the last one short.
func TestRunFilesGoUpInPieces(t *testing.T) {
	s, run := savedWideRun(t)
	ctx := context.Background()
	var file []byte
	if err := s.pool.QueryRow(ctx, "SELECT data FROM run_files WHERE run_id = $1", run.ID).Scan(&file); err != nil {
		t.Fatal(err)
	}
	if len(file) < 3000 || len(file)%1000 == 0 {
		t.Fatalf("a file of %d bytes tests no short last piece", len(file))
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "DELETE FROM run_files"); err != nil {
		t.Fatal(err)
	}
	if err := saveRunFile(ctx, tx, run.ID, bytes.NewReader(file), int64(len(file)), 1000); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var again []byte
	var objects int
	if err := s.pool.QueryRow(ctx, "SELECT data, (SELECT count(*) FROM pg_largeobject_metadata) FROM run_files WHERE run_id = $1", run.ID).Scan(&again, &objects); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, file) {
		t.Errorf("the file stored in pieces (%d bytes) differs from the file (%d bytes)", len(again), len(file))
	}
	if objects != 0 {
		t.Errorf("%d large objects left behind", objects)
	}
}
