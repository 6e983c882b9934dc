package embedded

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"stemgap/data"
	"stemgap/data/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRefusesAnotherSchemaVersion(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeJSON(metaFile, meta{SchemaVersion: SchemaVersion + 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Error("a data directory of another schema version should be refused")
	}
}

func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) func() data.Store {
		dir := t.TempDir()
		return func() data.Store {
			s, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

// files lists the regular files under the data directory, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func synthetic(source string, ids ...string) data.Ingest {
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindPrograms, Source: source, SHA256: strings.Join(ids, "")}}
	for i, id := range ids {
		in.Programs = append(in.Programs, data.Program{ID: id, Source: source, Location: orb.Point{-90.2 + 0.01*float64(i), 38.6}, Capacity: 1, Ref: "line 2"})
	}
	return in
}

// What a writer killed mid-write leaves — temporary files, and objects and run files no manifest
// names — is removed when the store is next opened (issue 12 item 9); what the manifest names
// stays.
func TestOpenRemovesWhatAKilledWriterLeft(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ingest(context.Background(), synthetic("one.csv", "p1", "p2")); err != nil {
		t.Fatal(err)
	}
	kept := files(t, dir)
	for _, name := range []string{".manifest.json.tmp-123", "objects/.abc.gob.tmp-9", "objects/" + strings.Repeat("0", 64) + ".gob",
		"runs/.aaaa.1234.gob.tmp-77", "runs/aaaa.1234.gob"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("left by a killed writer"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); !slices.Equal(got, kept) {
		t.Errorf("after opening again the directory holds %v, want %v", got, kept)
	}
	progs, err := s.Programs(context.Background())
	if err != nil || len(progs) != 2 {
		t.Errorf("programs after the clean-up: %v, %v", progs, err)
	}
}

// A writer in another process holds the lock while its files are in flight: opening the store
// then leaves them alone.
func TestOpenLeavesAWritersFilesAlone(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	inFlight := filepath.Join(dir, "objects", ".abc.gob.tmp-1")
	err = s.locked(func() error {
		if err := os.WriteFile(inFlight, []byte("being written"), 0o644); err != nil {
			return err
		}
		// Another handle, as another process would have: the lock is taken, so it cleans nothing.
		_, err := Open(dir)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(inFlight); err != nil {
		t.Errorf("opening the store removed a file another writer had in flight: %v", err)
	}
}

// Inputs a run names outlive the ingests that replace them, and go once no run names them.
func TestRunsKeepTheirObjects(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ingest(ctx, synthetic("one.csv", "p1", "p2")); err != nil {
		t.Fatal(err)
	}
	first, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	firstObject := filepath.Join("objects", data.DigestPrograms(first.Programs)+".gob")
	run := &data.Run{RunInfo: data.RunInfo{ID: "aaaa000000000001"}}
	if err := s.SaveRun(ctx, run, first); err != nil {
		t.Fatal(err)
	}
	// The same inputs again: one copy.
	if err := s.SaveRun(ctx, &data.Run{RunInfo: data.RunInfo{ID: "bbbb000000000002"}}, first); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 6 || !slices.Contains(got, firstObject) {
		t.Fatalf("two runs of one input: %v", got)
	}
	if err := s.Ingest(ctx, synthetic("one.csv", "p3")); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(files(t, dir), firstObject) {
		t.Fatal("the programs two runs name were removed by a later ingest")
	}
	now, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"aaaa000000000001", "bbbb000000000002"} {
		if err := s.SaveRun(ctx, &data.Run{RunInfo: data.RunInfo{ID: id}}, now); err != nil {
			t.Fatal(err)
		}
	}
	got := files(t, dir)
	if slices.Contains(got, firstObject) || len(got) != 6 {
		t.Errorf("once no run names the first programs they should be gone: %v", got)
	}
}

// Runs that stores wrote before the columnar format, as gob files, are read as they are.
func TestReadsGobRunsOfEarlierStores(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ingest(ctx, synthetic("one.csv", "p1")); err != nil {
		t.Fatal(err)
	}
	in, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := h3.LatLngToCell(h3.LatLng{Lat: 38.6, Lng: -90.2}, 9)
	run := &data.Run{RunInfo: data.RunInfo{ID: "aaaa000000000001", ContentAreas: []data.ContentArea{{Setting: "all", Name: "all"}}},
		Cells: data.CellTable{H3: []h3.Cell{c}, Lat: []float64{38.6}, Lng: []float64{-90.2}, Demand: []float64{4}, Area: []int32{0}, Need: []float64{0.5},
			Urban: []bool{true}, Measures: []data.CellMeasures{{Nearest: []float64{1}, Count: []int32{2}, Access: []float64{3}, Unmet: []float64{0}, Gap: []float64{0}, Desert: []int8{0}}}},
		Areas: []data.AreaResult{{ID: "29510000100"}}}
	if err := s.SaveRun(ctx, run, in); err != nil {
		t.Fatal(err)
	}
	err = s.commit(func(m *manifest) error {
		m.Runs[0].File = "aaaa000000000001.00000000.gob"
		return s.writeGob(filepath.Join(runsDir, m.Runs[0].File), run)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, run.ID)
	if err != nil || !reflect.DeepEqual(got, run) {
		t.Fatalf("gob run read back: %v\n%+v", err, got)
	}
	if got := files(t, s.dir); !slices.Contains(got, "runs/aaaa000000000001.00000000.gob") || len(got) != 5 {
		t.Errorf("files after the swap: %v", got)
	}
}
