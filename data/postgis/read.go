package postgis

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"stemgap/data"
)

func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

func (s *Store) Areas(ctx context.Context) ([]data.Area, error) {
	rows, err := s.pool.Query(ctx, "SELECT id, name, county, land_km2, ref, geom FROM tracts ORDER BY id")
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

func (s *Store) Demographics(ctx context.Context) ([]data.DemographicValue, error) {
	rows, err := s.pool.Query(ctx, "SELECT area_id, variable, value, moe, vintage, source, ref FROM demographics ORDER BY area_id, variable")
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

func (s *Store) Programs(ctx context.Context) ([]data.Program, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, provider, content_areas, setting, capacity, source, extra, ref, geom
		FROM programs ORDER BY id`)
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

func (s *Store) Ingests(ctx context.Context) ([]data.IngestRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, source, sha256, rows, vintage, variables, options, loaded_at FROM ingests
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
