// Package embedded is the default store: plain files in a data directory, for one person on one
// machine, with no database to install.
package embedded

import (
	"bufio"
	"context"
	"encoding/gob"
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
	"sync"
	"syscall"

	"stemgap/data"
)

// SchemaVersion is the layout of the data directory. A directory written by another version is
// refused rather than misread.
const SchemaVersion = 1

const (
	metaFile         = "stemgap.json"
	areasFile        = "areas.gob"
	demographicsFile = "demographics.gob"
	programsFile     = "programs.gob"
	ingestsFile      = "ingests.json"
	runsDir          = "runs"
	runIndexFile     = "index.json"
	lockFile         = ".lock"
)

// Store keeps everything under one directory. Every file is replaced atomically; a lock file
// keeps two processes from interleaving their changes.
type Store struct {
	dir string
	mu  sync.Mutex // serialises writers within this process; the lock file does so across processes
}

type meta struct {
	SchemaVersion int `json:"schema_version"`
}

// Open opens (creating when needed) the data directory.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, runsDir), 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
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
	return s, nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) Close() error { return nil }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// locked runs fn holding both the in-process mutex and an exclusive lock on the lock file.
func (s *Store) locked(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path(lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("lock %s: %w", s.dir, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", s.dir, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

func (s *Store) Ingest(ctx context.Context, in data.Ingest) error {
	if err := data.CheckIngest(in); err != nil {
		return err
	}
	if in.DryRun {
		return nil
	}
	return s.locked(func() error {
		records, err := s.Ingests(ctx)
		if err != nil {
			return err
		}
		if unchanged(records, in.Record) {
			return nil
		}
		switch in.Record.Kind {
		case data.KindAreas:
			if err := s.writeGob(areasFile, in.Areas); err != nil {
				return err
			}
			records = slices.DeleteFunc(records, func(r data.IngestRecord) bool { return r.Kind == data.KindAreas })
		case data.KindDemographics:
			records, err = s.replaceDemographics(ctx, in, records)
			if err != nil {
				return err
			}
		case data.KindPrograms:
			programs, err := s.Programs(ctx)
			if err != nil {
				return err
			}
			if err := checkOwnership(programs, in); err != nil {
				return err
			}
			programs = slices.DeleteFunc(programs, func(p data.Program) bool { return p.Source == in.Record.Source })
			programs = append(programs, in.Programs...)
			if err := s.writeGob(programsFile, programs); err != nil {
				return err
			}
			records = slices.DeleteFunc(records, func(r data.IngestRecord) bool {
				return r.Kind == data.KindPrograms && r.Source == in.Record.Source
			})
		}
		records = append(records, in.Record)
		sortRecords(records)
		return s.writeJSON(ingestsFile, records)
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

func (s *Store) replaceDemographics(ctx context.Context, in data.Ingest, records []data.IngestRecord) ([]data.IngestRecord, error) {
	values, err := s.Demographics(ctx)
	if err != nil {
		return nil, err
	}
	values, records = data.ApplyDemographics(values, records, in)
	return records, s.writeGob(demographicsFile, values)
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

func (s *Store) Areas(ctx context.Context) ([]data.Area, error) {
	var areas []data.Area
	return areas, s.readGob(areasFile, &areas)
}

func (s *Store) Demographics(ctx context.Context) ([]data.DemographicValue, error) {
	var values []data.DemographicValue
	return values, s.readGob(demographicsFile, &values)
}

func (s *Store) Programs(ctx context.Context) ([]data.Program, error) {
	var programs []data.Program
	return programs, s.readGob(programsFile, &programs)
}

func (s *Store) Ingests(ctx context.Context) ([]data.IngestRecord, error) {
	var records []data.IngestRecord
	err := s.readJSON(ingestsFile, &records)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return records, err
}

func (s *Store) SaveRun(ctx context.Context, run *data.Run) error {
	if run.ID == "" {
		return errors.New("save run: the run has no id")
	}
	return s.locked(func() error {
		if err := s.writeGob(filepath.Join(runsDir, run.ID+".gob"), run); err != nil {
			return err
		}
		index, err := s.Runs(ctx)
		if err != nil {
			return err
		}
		index = slices.DeleteFunc(index, func(r data.RunInfo) bool { return r.ID == run.ID })
		index = append(index, run.RunInfo)
		sort.SliceStable(index, func(i, j int) bool { return index[i].CreatedAt.After(index[j].CreatedAt) })
		return s.writeJSON(filepath.Join(runsDir, runIndexFile), index)
	})
}

func (s *Store) Run(ctx context.Context, id string) (*data.Run, error) {
	if id == "" {
		index, err := s.Runs(ctx)
		if err != nil {
			return nil, err
		}
		if len(index) == 0 {
			return nil, fmt.Errorf("no analysis run yet (run stemgap analyze): %w", data.ErrNotFound)
		}
		id = index[0].ID
	}
	if !data.ValidRunID(id) {
		return nil, fmt.Errorf("run %q: %w", id, data.ErrNotFound)
	}
	name := filepath.Join(runsDir, id+".gob")
	if _, err := os.Stat(s.path(name)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", id, data.ErrNotFound)
	}
	run := new(data.Run)
	return run, s.readGob(name, run)
}

func (s *Store) Runs(ctx context.Context) ([]data.RunInfo, error) {
	var index []data.RunInfo
	err := s.readJSON(filepath.Join(runsDir, runIndexFile), &index)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return index, err
}

func (s *Store) writeGob(name string, v any) error {
	return data.WriteFileAtomic(s.path(name), func(w *bufio.Writer) error { return gob.NewEncoder(w).Encode(v) })
}

// readGob leaves v empty when the file does not exist yet: nothing loaded is not an error.
func (s *Store) readGob(name string, v any) error {
	f, err := os.Open(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
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
