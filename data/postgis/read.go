package postgis

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"stemgap/data"
)

// querier is the pool or a transaction: reads take whichever gives the snapshot they need.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// The loaded inputs, and where a run's kept inputs are (input_sets, in the order they were read).
const (
	areasNow        = "SELECT id, name, county, land_km2, ref, geom FROM tracts ORDER BY id"
	areasOfSet      = "SELECT id, name, county, land_km2, ref, geom FROM input_tracts WHERE set_digest = $1 ORDER BY ord"
	demographicsNow = "SELECT area_id, variable, value, moe, vintage, source, ref FROM demographics ORDER BY area_id, variable"
	demographicsSet = "SELECT area_id, variable, value, moe, vintage, source, ref FROM input_demographics WHERE set_digest = $1 ORDER BY ord"
	programsNow     = "SELECT id, name, provider, content_areas, setting, capacity, source, extra, ref, geom FROM programs ORDER BY id"
	programsOfSet   = "SELECT id, name, provider, content_areas, setting, capacity, source, extra, ref, geom FROM input_programs WHERE set_digest = $1 ORDER BY ord"
)

func readAreas(ctx context.Context, q querier, query string, args ...any) ([]data.Area, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Area
	for rows.Next() {
		var a data.Area
		var g []byte
		if err := rows.Scan(&a.ID, &a.Name, &a.County, &a.LandKm2, &a.Ref, &g); err != nil {
			return nil, err
		}
		t, err := orbOf(g)
		if err != nil {
			return nil, fmt.Errorf("tract %s: %w", a.ID, err)
		}
		mp, ok := t.(orb.MultiPolygon)
		if !ok {
			return nil, fmt.Errorf("tract %s: geometry is %T", a.ID, t)
		}
		a.Geometry = mp
		out = append(out, a)
	}
	return out, rows.Err()
}

func readDemographics(ctx context.Context, q querier, query string, args ...any) ([]data.DemographicValue, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.DemographicValue
	for rows.Next() {
		var d data.DemographicValue
		var moe *float64
		if err := rows.Scan(&d.AreaID, &d.Variable, &d.Value, &moe, &d.Vintage, &d.Source, &d.Ref); err != nil {
			return nil, err
		}
		d.MOE = orNaN(moe)
		out = append(out, d)
	}
	return out, rows.Err()
}

func readPrograms(ctx context.Context, q querier, query string, args ...any) ([]data.Program, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Program
	for rows.Next() {
		var p data.Program
		var capacity *float64
		var g []byte
		if err := rows.Scan(&p.ID, &p.Name, &p.Provider, &p.ContentAreas, &p.Setting, &capacity, &p.Source, &p.Extra, &p.Ref, &g); err != nil {
			return nil, err
		}
		p.Capacity = orNaN(capacity)
		t, err := orbOf(g)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", p.ID, err)
		}
		pt, ok := t.(orb.Point)
		if !ok {
			return nil, fmt.Errorf("program %s: geometry is %T", p.ID, t)
		}
		p.Location = pt
		out = append(out, p)
	}
	return out, rows.Err()
}

func readIngests(ctx context.Context, q querier) ([]data.IngestRecord, error) {
	rows, err := q.Query(ctx, `SELECT kind, source, sha256, rows, vintage, variables, options, loaded_at FROM ingests
		ORDER BY CASE kind WHEN 'tracts' THEN 0 WHEN 'demographics' THEN 1 WHEN 'programs' THEN 2 ELSE 3 END, source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.IngestRecord
	for rows.Next() {
		var r data.IngestRecord
		if err := rows.Scan(&r.Kind, &r.Source, &r.SHA256, &r.Rows, &r.Vintage, &r.Variables, &r.Options, &r.LoadedAt); err != nil {
			return nil, err
		}
		if len(r.Variables) == 0 {
			r.Variables = nil
		}
		if len(r.Options) == 0 {
			r.Options = nil
		}
		r.LoadedAt = r.LoadedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) Areas(ctx context.Context) ([]data.Area, error) {
	return readAreas(ctx, s.pool, areasNow)
}

func (s *Store) Demographics(ctx context.Context) ([]data.DemographicValue, error) {
	return readDemographics(ctx, s.pool, demographicsNow)
}

func (s *Store) Programs(ctx context.Context) ([]data.Program, error) {
	return readPrograms(ctx, s.pool, programsNow)
}

func (s *Store) Ingests(ctx context.Context) ([]data.IngestRecord, error) {
	return readIngests(ctx, s.pool)
}

// snapshot runs fn in a read-only REPEATABLE READ transaction: every query in it sees the
// database as of its first, whatever commits meanwhile.
func (s *Store) snapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Snapshot reads every loaded input in one REPEATABLE READ transaction.
func (s *Store) Snapshot(ctx context.Context) (*data.Inputs, error) {
	in := new(data.Inputs)
	err := s.snapshot(ctx, func(tx pgx.Tx) (err error) {
		if in.Areas, err = readAreas(ctx, tx, areasNow); err != nil {
			return err
		}
		if in.Demographics, err = readDemographics(ctx, tx, demographicsNow); err != nil {
			return err
		}
		if in.Programs, err = readPrograms(ctx, tx, programsNow); err != nil {
			return err
		}
		in.Records, err = readIngests(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// RunInputs reads the input sets a run names.
func (s *Store) RunInputs(ctx context.Context, id string) (*data.Inputs, error) {
	in := new(data.Inputs)
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		q := "SELECT id, input_records, areas_set, demographics_set, programs_set FROM analysis_runs WHERE id = $1"
		args := []any{id}
		if id == "" {
			q, args = "SELECT id, input_records, areas_set, demographics_set, programs_set FROM analysis_runs ORDER BY created_at DESC, id LIMIT 1", nil
		}
		var runID string
		var records *[]data.IngestRecord
		var areas, demographics, programs *string
		err := tx.QueryRow(ctx, q, args...).Scan(&runID, &records, &areas, &demographics, &programs)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		if records == nil {
			return fmt.Errorf("run %s was stored before runs kept their inputs; run stemgap analyze again: %w", runID, data.ErrNotFound)
		}
		in.Records = *records
		for i := range in.Records {
			in.Records[i].LoadedAt = in.Records[i].LoadedAt.UTC()
		}
		if areas != nil {
			if in.Areas, err = readAreas(ctx, tx, areasOfSet, *areas); err != nil {
				return err
			}
		}
		if demographics != nil {
			if in.Demographics, err = readDemographics(ctx, tx, demographicsSet, *demographics); err != nil {
				return err
			}
		}
		if programs != nil {
			if in.Programs, err = readPrograms(ctx, tx, programsOfSet, *programs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// notFound is the error for a run that is not stored; the empty id means the latest.
func notFound(id string) error {
	if id == "" {
		return fmt.Errorf("no analysis run yet (run stemgap analyze): %w", data.ErrNotFound)
	}
	return fmt.Errorf("run %q: %w", id, data.ErrNotFound)
}
