// Package embedded is the default store: plain files in a data directory, for one person on one
// machine, with no database to install.
//
// The directory holds immutable files and one manifest that names them:
//
//	stemgap.json         the layout's schema version
//	manifest.json        the commit point: the loaded inputs (ingest records and the objects
//	                     holding their rows) and every run (its info, file and inputs)
//	objects/DIGEST.gob   a set of areas, demographics or programs, named by its content digest
//	runs/ID.NONCE.run    a run's tables in the columnar run format (data/runfile); stores
//	                     written before it hold runs/ID.NONCE.gob, read as they are
//	.lock                held while writing
//
// A write puts its new files in place first and then replaces the manifest with one rename, so a
// reader — or a process killed at any point — sees the state before or the state after, never a
// mix. Files the manifest no longer names, and temporary files a killed writer left, are removed
// when the store is opened and after every write. Objects are shared: a run keeps the inputs it
// was computed from simply by naming their objects, so they outlive any later ingest.
package embedded

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"stemgap/data"
	"stemgap/data/runfile"
	"stemgap/geo/repair"
)

// SchemaVersion is the layout of the data directory. A directory written by another version is
// refused rather than misread.
const SchemaVersion = 2

const (
	metaFile     = "stemgap.json"
	manifestFile = "manifest.json"
	objectsDir   = "objects"
	runsDir      = "runs"
	lockFile     = ".lock"
	// tempMark is in the name of every file data.WriteFileAtomic has not yet renamed into place.
	tempMark = ".tmp-"
)

// Store keeps everything under one directory.
type Store struct {
	dir string
	mu  sync.Mutex // serialises writers within this process; the lock file does so across processes
}

type meta struct {
	SchemaVersion int `json:"schema_version"`
}

// manifest is the store's whole visible state.
type manifest struct {
	Inputs inputSet   `json:"inputs"`
	Runs   []runEntry `json:"runs"` // newest first
}

// inputSet names a state of the inputs: the records of the files loaded and the objects holding
// their rows ("" for a kind with no rows).
type inputSet struct {
	Records      []data.IngestRecord `json:"records"`
	Areas        string              `json:"areas,omitempty"`
	Demographics string              `json:"demographics,omitempty"`
	Programs     string              `json:"programs,omitempty"`
}

type runEntry struct {
	Info   data.RunInfo `json:"info"`
	File   string       `json:"file"` // under runs/
	Inputs inputSet     `json:"inputs"`
}

// Open opens (creating when needed) the data directory and removes what a killed writer left.
func Open(dir string) (*Store, error) {
	for _, d := range []string{objectsDir, runsDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", dir, err)
		}
	}
	s := &Store{dir: dir}
	var m meta
	err := s.readJSON(metaFile, &m)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := s.writeJSON(metaFile, meta{SchemaVersion: SchemaVersion}); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case m.SchemaVersion != SchemaVersion:
		return nil, fmt.Errorf("data directory %s has schema version %d; this stemgap reads version %d (re-ingest into a new --data-dir)", dir, m.SchemaVersion, SchemaVersion)
	}
	// A writer in another process holds the lock while its files are in flight; it collects
	// them itself, so there is nothing to wait for.
	if err := s.tryLocked(func() error { return s.collect() }); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) Close() error { return nil }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// locked runs fn holding both the in-process mutex and an exclusive lock on the lock file.
func (s *Store) locked(fn func() error) error {
	return s.lock(syscall.LOCK_EX, fn)
}

// tryLocked runs fn only when the lock is free at once.
func (s *Store) tryLocked(fn func() error) error {
	err := s.lock(syscall.LOCK_EX|syscall.LOCK_NB, fn)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil
	}
	return err
}

func (s *Store) lock(how int, fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path(lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("lock %s: %w", s.dir, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		return fmt.Errorf("lock %s: %w", s.dir, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// errUnchanged tells commit that there is nothing to write.
var errUnchanged = errors.New("unchanged")

// commit changes the manifest under the lock: fn puts the new state's files in place and edits
// the manifest, whose rename then makes the whole change visible at once. Files the new
// manifest no longer names are removed afterwards.
func (s *Store) commit(fn func(m *manifest) error) error {
	return s.locked(func() error {
		m, _, err := s.readManifest()
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			if errors.Is(err, errUnchanged) {
				return nil
			}
			return err
		}
		if err := s.writeJSON(manifestFile, m); err != nil {
			return err
		}
		return s.collect()
	})
}

// read calls fn with the current manifest. A writer may replace the manifest and remove a file
// the old one named between our reading the manifest and opening the file; then fn is tried
// again with the new manifest. A file missing from an unchanged manifest is an error.
func (s *Store) read(fn func(m *manifest) error) error {
	var last []byte
	for {
		m, raw, err := s.readManifest()
		if err != nil {
			return err
		}
		err = fn(m)
		if !errors.Is(err, fs.ErrNotExist) || bytes.Equal(raw, last) {
			return err
		}
		last = raw
	}
}

func (s *Store) readManifest() (*manifest, []byte, error) {
	m := new(manifest)
	raw, err := os.ReadFile(s.path(manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(raw, m); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", s.path(manifestFile), err)
	}
	return m, raw, nil
}

// collect removes every object and run file the manifest does not name, and every temporary
// file: called with the lock held, when no write is in flight.
func (s *Store) collect() error {
	m, _, err := s.readManifest()
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	name := func(set inputSet) {
		for _, d := range []string{set.Areas, set.Demographics, set.Programs} {
			if d != "" {
				keep[objectName(d)] = true
			}
		}
	}
	name(m.Inputs)
	for _, r := range m.Runs {
		name(r.Inputs)
		keep[filepath.Join(runsDir, r.File)] = true
	}
	for _, dir := range []string{".", objectsDir, runsDir} {
		entries, err := os.ReadDir(s.path(dir))
		if err != nil {
			return err
		}
		for _, e := range entries {
			rel := filepath.Join(dir, e.Name())
			stale := strings.Contains(e.Name(), tempMark) || dir != "." && !keep[rel]
			if stale && e.Type().IsRegular() {
				if err := os.Remove(s.path(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
	}
	return nil
}

func objectName(digest string) string { return filepath.Join(objectsDir, digest+".gob") }

// putObject writes a set of rows under its digest unless it is there already.
func (s *Store) putObject(digest string, v any) error {
	if digest == "" {
		return nil
	}
	if _, err := os.Stat(s.path(objectName(digest))); err == nil {
		return nil
	}
	return s.writeGob(objectName(digest), v)
}

// readObject reads a set of rows; the empty digest is the empty set.
func (s *Store) readObject(digest string, v any) error {
	if digest == "" {
		return nil
	}
	return s.readGob(objectName(digest), v)
}

func (s *Store) Ingest(ctx context.Context, in data.Ingest) error {
	// Polygons read with --repair are made valid by GEOS, as PostGIS's ST_MakeValid does.
	if err := data.RepairAreas(&in, repair.MakeValid); err != nil {
		return err
	}
	if err := data.CheckIngest(in); err != nil {
		return err
	}
	if in.DryRun {
		return nil
	}
	return s.commit(func(m *manifest) error {
		set := &m.Inputs
		if unchanged(set.Records, in.Record) {
			return errUnchanged
		}
		switch in.Record.Kind {
		case data.KindAreas:
			set.Areas = data.DigestAreas(in.Areas)
			if err := s.putObject(set.Areas, in.Areas); err != nil {
				return err
			}
			set.Records = slices.DeleteFunc(set.Records, func(r data.IngestRecord) bool { return r.Kind == data.KindAreas })
		case data.KindDemographics:
			if err := s.replaceDemographics(set, in); err != nil {
				return err
			}
		case data.KindPrograms:
			var programs []data.Program
			if err := s.readObject(set.Programs, &programs); err != nil {
				return err
			}
			if err := checkOwnership(programs, in); err != nil {
				return err
			}
			programs = slices.DeleteFunc(programs, func(p data.Program) bool { return p.Source == in.Record.Source })
			programs = append(programs, in.Programs...)
			set.Programs = data.DigestPrograms(programs)
			if err := s.putObject(set.Programs, programs); err != nil {
				return err
			}
			set.Records = slices.DeleteFunc(set.Records, func(r data.IngestRecord) bool {
				return r.Kind == data.KindPrograms && r.Source == in.Record.Source
			})
		default:
			return fmt.Errorf("unknown ingest kind %q", in.Record.Kind)
		}
		set.Records = append(set.Records, in.Record)
		sortRecords(set.Records)
		return nil
	})
}

// checkOwnership rejects programs whose ids another source already loaded: a source replaces
// its own programs, never another's.
func checkOwnership(existing []data.Program, in data.Ingest) error {
	owner := make(map[string]string, len(existing))
	for _, p := range existing {
		owner[p.ID] = p.Source
	}
	var errs []error
	for _, p := range in.Programs {
		if src, ok := owner[p.ID]; ok && src != in.Record.Source {
			errs = append(errs, &data.InputError{File: in.Record.Source, Ref: p.Ref, Reason: fmt.Sprintf("program id %s is already loaded from source %s", p.ID, src)})
		}
	}
	return errors.Join(errs...)
}

// unchanged reports whether the same file was already loaded the same way, so that loading it
// again leaves every record, its load time included, as it was.
func unchanged(records []data.IngestRecord, rec data.IngestRecord) bool {
	for _, r := range records {
		if r.Kind == rec.Kind && r.Source == rec.Source && r.SHA256 == rec.SHA256 && r.Vintage == rec.Vintage &&
			maps.Equal(r.Options, rec.Options) && slices.Equal(r.Variables, rec.Variables) {
			return true
		}
	}
	return false
}

func (s *Store) replaceDemographics(set *inputSet, in data.Ingest) error {
	var values []data.DemographicValue
	if err := s.readObject(set.Demographics, &values); err != nil {
		return err
	}
	values, set.Records = data.ApplyDemographics(values, set.Records, in)
	set.Demographics = data.DigestDemographics(values)
	return s.putObject(set.Demographics, values)
}

func sortRecords(records []data.IngestRecord) {
	order := map[string]int{data.KindAreas: 0, data.KindDemographics: 1, data.KindPrograms: 2}
	sort.SliceStable(records, func(i, j int) bool {
		if order[records[i].Kind] != order[records[j].Kind] {
			return order[records[i].Kind] < order[records[j].Kind]
		}
		return records[i].Source < records[j].Source
	})
}

// readInputs reads the rows an input set names.
func (s *Store) readInputs(set inputSet) (*data.Inputs, error) {
	in := &data.Inputs{Records: set.Records}
	if err := s.readObject(set.Areas, &in.Areas); err != nil {
		return nil, err
	}
	if err := s.readObject(set.Demographics, &in.Demographics); err != nil {
		return nil, err
	}
	if err := s.readObject(set.Programs, &in.Programs); err != nil {
		return nil, err
	}
	return in, nil
}

func (s *Store) Snapshot(ctx context.Context) (in *data.Inputs, err error) {
	err = s.read(func(m *manifest) error {
		in, err = s.readInputs(m.Inputs)
		return err
	})
	return in, err
}

func (s *Store) Areas(ctx context.Context) (areas []data.Area, err error) {
	err = s.read(func(m *manifest) error { areas = nil; return s.readObject(m.Inputs.Areas, &areas) })
	return areas, err
}

func (s *Store) Demographics(ctx context.Context) (values []data.DemographicValue, err error) {
	err = s.read(func(m *manifest) error { values = nil; return s.readObject(m.Inputs.Demographics, &values) })
	return values, err
}

func (s *Store) Programs(ctx context.Context) (programs []data.Program, err error) {
	err = s.read(func(m *manifest) error { programs = nil; return s.readObject(m.Inputs.Programs, &programs) })
	return programs, err
}

func (s *Store) Ingests(ctx context.Context) ([]data.IngestRecord, error) {
	m, _, err := s.readManifest()
	if err != nil {
		return nil, err
	}
	return m.Inputs.Records, nil
}

// SaveRun writes the run's tables to a file of their own and any of its inputs the store does
// not hold yet, then names them all in the manifest.
func (s *Store) SaveRun(ctx context.Context, run *data.Run, inputs *data.Inputs) error {
	if run.ID == "" {
		return errors.New("save run: the run has no id")
	}
	return s.SaveRunStream(ctx, inputs, func(w data.CellWriter) (*data.Run, error) {
		return run, w.WriteCells(&run.Cells)
	})
}

// SaveRunStream writes the run's file as compute gives its cells, then as SaveRun. The store's
// other writers wait for it, since its file is not named in the manifest until the end.
func (s *Store) SaveRunStream(ctx context.Context, inputs *data.Inputs, compute func(data.CellWriter) (*data.Run, error)) error {
	if inputs == nil {
		return errors.New("save run: the inputs it was computed from are missing")
	}
	digests := inputs.Digests()
	set := inputSet{Records: inputs.Records, Areas: digests.Areas, Demographics: digests.Demographics, Programs: digests.Programs}
	return s.commit(func(m *manifest) error {
		for _, o := range []struct {
			digest string
			rows   any
		}{{set.Areas, inputs.Areas}, {set.Demographics, inputs.Demographics}, {set.Programs, inputs.Programs}} {
			if err := s.putObject(o.digest, o.rows); err != nil {
				return err
			}
		}
		var nonce [4]byte
		rand.Read(nonce[:])
		// Named by the nonce while written (the run's id is known at the end), then by the run.
		staged := s.path(filepath.Join(runsDir, hex.EncodeToString(nonce[:])+runExt))
		var run *data.Run
		var computeErr error // the analysis's own, said as it is rather than as the file's
		err := data.WriteFileAtomic(staged, func(bw *bufio.Writer) error {
			w, err := runfile.NewWriter(bw)
			if err != nil {
				return err
			}
			if run, computeErr = compute(w); computeErr != nil {
				w.Abandon()
				return computeErr
			}
			if !data.ValidRunID(run.ID) {
				w.Abandon()
				return fmt.Errorf("save run: %q is not a run id", run.ID)
			}
			return w.Close(run)
		})
		if computeErr != nil {
			return computeErr
		}
		if err != nil {
			return err
		}
		file := run.ID + "." + hex.EncodeToString(nonce[:]) + runExt
		if err := os.Rename(staged, s.path(filepath.Join(runsDir, file))); err != nil {
			os.Remove(staged)
			return err
		}
		// Durable before the manifest names it.
		data.SyncDir(s.path(runsDir))
		m.Runs = slices.DeleteFunc(m.Runs, func(r runEntry) bool { return r.Info.ID == run.ID })
		m.Runs = append(m.Runs, runEntry{Info: run.RunInfo, File: file, Inputs: set})
		sort.SliceStable(m.Runs, func(i, j int) bool { return m.Runs[i].Info.CreatedAt.After(m.Runs[j].Info.CreatedAt) })
		return nil
	})
}

// entry finds a run in the manifest; the empty id is the latest.
func (m *manifest) entry(id string) (*runEntry, error) {
	if id == "" {
		if len(m.Runs) == 0 {
			return nil, fmt.Errorf("no analysis run yet (run stemgap analyze): %w", data.ErrNotFound)
		}
		return &m.Runs[0], nil
	}
	for i := range m.Runs {
		if m.Runs[i].Info.ID == id {
			return &m.Runs[i], nil
		}
	}
	return nil, fmt.Errorf("run %q: %w", id, data.ErrNotFound)
}

// runExt names run files in the columnar format; legacyRunExt the gob files of earlier stores.
const (
	runExt       = ".run"
	legacyRunExt = ".gob"
)

func (s *Store) Run(ctx context.Context, id string) (*data.Run, error) {
	return data.LoadRun(ctx, s.OpenRun, id)
}

// OpenRun opens a run's file and reads its footer; its cells are read block by block as asked.
// The open file stays readable even when a later write replaces the run and removes it.
func (s *Store) OpenRun(ctx context.Context, id string) (t data.RunTables, err error) {
	err = s.read(func(m *manifest) error {
		e, err := m.entry(id)
		if err != nil {
			return err
		}
		path := s.path(filepath.Join(runsDir, e.File))
		if strings.HasSuffix(e.File, legacyRunExt) {
			run := new(data.Run)
			if err := s.readGob(filepath.Join(runsDir, e.File), run); err != nil {
				return err
			}
			t, err = data.TablesOf(run)
			return err
		}
		t, err = runfile.Open(path)
		return err
	})
	return t, err
}

func (s *Store) RunInputs(ctx context.Context, id string) (in *data.Inputs, err error) {
	err = s.read(func(m *manifest) error {
		e, err := m.entry(id)
		if err != nil {
			return err
		}
		in, err = s.readInputs(e.Inputs)
		return err
	})
	return in, err
}

func (s *Store) Runs(ctx context.Context) ([]data.RunInfo, error) {
	m, _, err := s.readManifest()
	if err != nil {
		return nil, err
	}
	list := make([]data.RunInfo, len(m.Runs))
	for i, r := range m.Runs {
		list[i] = r.Info
	}
	return list, nil
}

func (s *Store) writeGob(name string, v any) error {
	return data.WriteFileAtomic(s.path(name), func(w *bufio.Writer) error { return gob.NewEncoder(w).Encode(v) })
}

func (s *Store) readGob(name string, v any) error {
	f, err := os.Open(s.path(name))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(v); err != nil && err != io.EOF {
		return fmt.Errorf("read %s: %w", s.path(name), err)
	}
	return nil
}

func (s *Store) writeJSON(name string, v any) error {
	return data.WriteFileAtomic(s.path(name), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

func (s *Store) readJSON(name string, v any) error {
	b, err := os.ReadFile(s.path(name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", s.path(name), err)
	}
	return nil
}
