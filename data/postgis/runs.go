package postgis

import (
	"bufio"
	"context"
	"os"
	"time"

	"errors"
	"fmt"
	"stemgap/data/runfile"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// partitionResolution is the H3 resolution of the parent that keys cells and tract_results for
// distribution: res-3 cells are about 12,000 km², a few per metropolitan region.
const partitionResolution = 3

// SaveRun writes a run — its row, content areas, equity, cells and tract results — and the input
// sets it names in one transaction, replacing a run with the same id. Run writers take a lock
// that serialises them, so that removing the sets no run names any more never races a run that
// is about to name one.
func (s *Store) SaveRun(ctx context.Context, run *data.Run, inputs *data.Inputs) error {
	if inputs == nil {
		return fmt.Errorf("save run %s: the inputs it was computed from are missing", run.ID)
	}
	return s.SaveRunStream(ctx, inputs, func(w data.CellWriter) (*data.Run, error) {
		return run, w.WriteCells(&run.Cells)
	})
}

// SaveRunStream writes the run file to a temporary file as compute gives its cells, then as
// SaveRun, its cells copied to the database block by block from that file.
func (s *Store) SaveRunStream(ctx context.Context, inputs *data.Inputs, compute func(data.CellWriter) (*data.Run, error)) error {
	if inputs == nil {
		return errors.New("save run: the inputs it was computed from are missing")
	}
	f, run, err := stageRunFile(compute)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	cells, err := runfile.NewReader(f, st.Size(), nil)
	if err != nil {
		return fmt.Errorf("save run %s: %w", run.ID, err)
	}
	defer cells.Close()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext('runs'))", lockSpace); err != nil {
		return err
	}
	sets, err := putInputSets(ctx, tx, inputs)
	if err != nil {
		return fmt.Errorf("save run %s inputs: %w", run.ID, err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM analysis_runs WHERE id = $1", run.ID); err != nil {
		return err
	}
	r := &run.RunInfo
	records := inputs.Records
	if records == nil {
		records = []data.IngestRecord{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO analysis_runs (id, created_at, software, resolution, demand, demand_sources, measure,
		access_unit, cost_unit, params, params_text, inputs, notes, setting_groups, input_records, areas_set, demographics_set, programs_set)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $10::text, $11, $12, $13, $14, $15, $16, $17)`,
		r.ID, r.CreatedAt, r.Software, r.Resolution, r.Demand, nonNil(r.DemandSource), r.Measure, r.AccessUnit, r.CostUnit,
		string(r.Params), nonNilRecords(r.Inputs), nonNil(r.Notes), r.SettingGroups, records, sets[0], sets[1], sets[2]); err != nil {
		return fmt.Errorf("save run %s: %w", r.ID, err)
	}
	if err := copyRows(ctx, tx, "run_content_areas", []string{"run_id", "idx", "setting", "name", "programs", "too_few", "min_programs",
		"mean_access", "target", "demand_total", "desert_demand", "desert_share", "desert_areas"}, len(r.ContentAreas), func(i int) ([]any, error) {
		c := r.ContentAreas[i]
		return []any{r.ID, i + 1, c.Setting, c.Name, c.Programs, c.TooFew, c.MinPrograms, c.MeanAccess, c.Target, c.DemandTotal,
			c.DesertYouth, c.DesertShare, c.DesertAreas}, nil
	}); err != nil {
		return fmt.Errorf("save run %s content areas: %w", r.ID, err)
	}
	if err := copyRows(ctx, tx, "run_equity", []string{"run_id", "ord", "setting", "content_area", "grp", "variable", "total", "in_desert",
		"share", "region_share", "ratio", "difference", "areas"}, len(run.Equity), func(i int) ([]any, error) {
		e := run.Equity[i]
		return []any{r.ID, i, e.Setting, e.ContentArea, e.Group, e.Variable, e.Total, e.InDesert, e.Share, e.Reference, e.Ratio, e.Difference, e.Areas}, nil
	}); err != nil {
		return fmt.Errorf("save run %s equity: %w", r.ID, err)
	}
	partitions, err := s.copyCells(ctx, tx, cells)
	if err != nil {
		return fmt.Errorf("save run %s cells: %w", r.ID, err)
	}
	if err := copyTractResults(ctx, tx, run, partitions); err != nil {
		return fmt.Errorf("save run %s tract results: %w", r.ID, err)
	}
	if err := saveRunFile(ctx, tx, run.ID, f, st.Size(), runFilePiece); err != nil {
		return fmt.Errorf("save run %s file: %w", r.ID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM input_sets s WHERE NOT EXISTS (SELECT 1 FROM analysis_runs r
		WHERE s.digest IN (r.areas_set, r.demographics_set, r.programs_set))`); err != nil {
		return fmt.Errorf("save run %s: removing input sets no run names: %w", r.ID, err)
	}
	return tx.Commit(ctx)
}

// stageRunFile writes the run file to an unnamed temporary file as compute gives its cells, its
// time kept to the microsecond as timestamptz keeps it in analysis_runs, so that the run file
// and the list of runs agree. It returns the file and the run without its cells.
func stageRunFile(compute func(data.CellWriter) (*data.Run, error)) (*os.File, *data.Run, error) {
	f, err := os.CreateTemp("", "stemgap-run-*")
	if err != nil {
		return nil, nil, fmt.Errorf("save run: %w", err)
	}
	os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := runfile.NewWriter(bw)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	run, err := compute(w)
	if err != nil {
		w.Abandon()
		f.Close()
		return nil, nil, err
	}
	kept := &data.Run{RunInfo: run.RunInfo, Areas: run.Areas, Equity: run.Equity}
	kept.CreatedAt = run.CreatedAt.Truncate(time.Microsecond)
	if err := w.Close(kept); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("save run %s file: %w", run.ID, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("save run %s file: %w", run.ID, err)
	}
	return f, kept, nil
}

func nonNilRecords(r []data.IngestRecord) []data.IngestRecord {
	if r == nil {
		return []data.IngestRecord{}
	}
	return r
}

// putInputSets writes each kind of input as a set named by its content digest, unless a run
// stored it already, and returns the three digests (nil for a kind without rows).
func putInputSets(ctx context.Context, tx pgx.Tx, in *data.Inputs) ([3]any, error) {
	d := in.Digests()
	var out [3]any
	kinds := []struct {
		kind, digest, table string
		rows                int
		columns             []string
		row                 func(i int) ([]any, error)
	}{
		{data.KindAreas, d.Areas, "input_tracts", len(in.Areas), []string{"id", "name", "county", "land_km2", "ref", "geom"}, func(i int) ([]any, error) {
			a := in.Areas[i]
			g, err := ewkbOf(a.Geometry)
			return []any{a.ID, a.Name, a.County, a.LandKm2, a.Ref, g}, err
		}},
		{data.KindDemographics, d.Demographics, "input_demographics", len(in.Demographics),
			[]string{"area_id", "variable", "value", "moe", "vintage", "source", "ref"}, func(i int) ([]any, error) {
				v := in.Demographics[i]
				return []any{v.AreaID, v.Variable, v.Value, nullable(v.MOE), v.Vintage, v.Source, v.Ref}, nil
			}},
		{data.KindPrograms, d.Programs, "input_programs", len(in.Programs),
			[]string{"id", "name", "provider", "content_areas", "setting", "capacity", "source", "extra", "ref", "geom"}, func(i int) ([]any, error) {
				p := in.Programs[i]
				g, err := ewkbOf(p.Location)
				return []any{p.ID, p.Name, p.Provider, nonNil(p.ContentAreas), p.Setting, nullable(p.Capacity), p.Source, nonNilMap(p.Extra), p.Ref, g}, err
			}},
	}
	for k, set := range kinds {
		if set.digest == "" {
			continue
		}
		out[k] = set.digest
		tag, err := tx.Exec(ctx, "INSERT INTO input_sets (digest, kind, rows) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING",
			set.digest, set.kind, set.rows)
		if err != nil {
			return out, err
		}
		if tag.RowsAffected() == 0 {
			continue
		}
		err = copyRows(ctx, tx, set.table, append([]string{"set_digest", "ord"}, set.columns...), set.rows, func(i int) ([]any, error) {
			row, err := set.row(i)
			return append([]any{set.digest, i}, row...), err
		})
		if err != nil {
			return out, fmt.Errorf("%s: %w", set.table, err)
		}
	}
	return out, nil
}

// copyCells copies a run's cells from its file, a block at a time, and returns each area's
// partition: that of its first cell.
func (s *Store) copyCells(ctx context.Context, tx pgx.Tx, cells data.RunTables) ([]int64, error) {
	// The areas' ids from the file's footer: their rollups need not be decoded.
	info, areaIDs := cells.Info(), cells.AreaIDs()
	k := len(info.ContentAreas)
	areaKey := make([]int64, len(areaIDs))
	for i := range areaKey {
		areaKey[i] = -1
	}
	blocks, series := cells.Blocks(), info.AllSeries()
	n := 0
	for _, b := range blocks {
		n += b.Len
	}
	var (
		t  *data.CellTable
		at = -1 // the block t holds
		bi int  // the block of the next row
	)
	cols := []string{"run_id", "h3_r3", "h3", "ord", "lat", "lng", "youth", "area_id", "need", "urban",
		"nearest", "count", "access", "unmet", "gap", "desert", "overstated", "geom"}
	err := copyRows(ctx, tx, "cells", cols, n, func(i int) ([]any, error) {
		for i >= blocks[bi].Start+blocks[bi].Len {
			bi++
		}
		if at != bi {
			var err error
			if t, err = cells.Cells(ctx, bi, series); err != nil {
				return nil, err
			}
			at = bi
		}
		j := i - blocks[bi].Start
		c := t.H3[j]
		parent, err := c.Parent(partitionResolution)
		if err != nil {
			return nil, fmt.Errorf("cell %s: %w", c, err)
		}
		if a := t.Area[j]; areaKey[a] < 0 {
			areaKey[a] = int64(parent)
		}
		poly, err := geo.CellPolygon(c)
		if err != nil {
			return nil, err
		}
		g, err := ewkbOf(poly)
		if err != nil {
			return nil, err
		}
		nearest, access, unmet, gap := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
		count, desert := make([]int32, k), make([]int16, k)
		var overstated []bool // NULL when the run does not record it
		for s, m := range t.Measures {
			nearest[s], access[s], unmet[s], gap[s] = m.Nearest[j], m.Access[j], m.Unmet[j], m.Gap[j]
			count[s], desert[s] = m.Count[j], int16(m.Desert[j])
			if m.Overstated != nil {
				overstated = append(overstated, m.Overstated[j])
			}
		}
		return []any{info.ID, int64(parent), int64(c), i, t.Lat[j], t.Lng[j], nullable(t.Demand[j]), areaIDs[t.Area[j]],
			nullable(t.Need[j]), t.Urban[j], nearest, count, access, unmet, gap, desert, overstated, g}, nil
	})
	return areaKey, err
}

func copyTractResults(ctx context.Context, tx pgx.Tx, run *data.Run, partitions []int64) error {
	k := len(run.ContentAreas)
	cols := []string{"run_id", "h3_r3", "area_id", "ord", "name", "demand", "need", "urban", "urban_basis", "cells",
		"access", "nearest", "unmet", "gap", "desert_demand", "desert_share", "desert", "reason", "rank", "percentile"}
	return copyRows(ctx, tx, "tract_results", cols, len(run.Areas), func(i int) ([]any, error) {
		a := run.Areas[i]
		access, nearest, unmet, gap := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
		desertDemand, desertShare, percentile := make([]float64, k), make([]float64, k), make([]float64, k)
		desert, reason, rank := make([]bool, k), make([]string, k), make([]int32, k)
		for j, m := range a.Measures {
			access[j], nearest[j], unmet[j], gap[j] = m.Access, m.Nearest, m.Unmet, m.Gap
			desertDemand[j], desertShare[j], percentile[j] = m.DesertYouth, m.DesertShare, m.Percentile
			desert[j], reason[j], rank[j] = m.Desert, m.Reason, int32(m.Rank)
		}
		return []any{run.ID, partitions[i], a.ID, i, a.Name, nullable(a.Demand), nullable(a.Need), a.Urban, a.UrbanWhy, a.Cells,
			access, nearest, unmet, gap, desertDemand, desertShare, desert, reason, rank, percentile}, nil
	})
}

const runColumns = `id, created_at, software, resolution, demand, demand_sources, measure, access_unit, cost_unit, params_text, inputs, notes, setting_groups`

func scanRunInfo(row pgx.Row) (data.RunInfo, error) {
	var r data.RunInfo
	var params string
	err := row.Scan(&r.ID, &r.CreatedAt, &r.Software, &r.Resolution, &r.Demand, &r.DemandSource, &r.Measure, &r.AccessUnit,
		&r.CostUnit, &params, &r.Inputs, &r.Notes, &r.SettingGroups)
	r.Params = []byte(params)
	r.CreatedAt = r.CreatedAt.UTC()
	for i := range r.Inputs {
		r.Inputs[i].LoadedAt = r.Inputs[i].LoadedAt.UTC()
	}
	return r, err
}

// contentAreas reads the series of the runs named (all runs for nil), by run id.
func (s *Store) contentAreas(ctx context.Context, runIDs []string) (map[string][]data.ContentArea, error) {
	rows, err := s.pool.Query(ctx, `SELECT run_id, setting, name, programs, too_few, min_programs, mean_access, target, demand_total,
		desert_demand, desert_share, desert_areas FROM run_content_areas WHERE $1::text[] IS NULL OR run_id = ANY($1) ORDER BY run_id, idx`, runIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]data.ContentArea{}
	for rows.Next() {
		var id string
		var c data.ContentArea
		if err := rows.Scan(&id, &c.Setting, &c.Name, &c.Programs, &c.TooFew, &c.MinPrograms, &c.MeanAccess, &c.Target, &c.DemandTotal,
			&c.DesertYouth, &c.DesertShare, &c.DesertAreas); err != nil {
			return nil, err
		}
		out[id] = append(out[id], c)
	}
	return out, rows.Err()
}

// Runs lists runs newest first, without their tables, in two queries however many there are:
// the server asks for the latest every second while it serves.
func (s *Store) Runs(ctx context.Context) ([]data.RunInfo, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+runColumns+" FROM analysis_runs ORDER BY created_at DESC, id")
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (data.RunInfo, error) { return scanRunInfo(row) })
	if err != nil {
		return nil, err
	}
	series, err := s.contentAreas(ctx, nil)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].ContentAreas = series[list[i].ID]
	}
	return list, nil
}

// Run loads a whole run; the empty id means the latest.
func (s *Store) Run(ctx context.Context, id string) (*data.Run, error) {
	return data.LoadRun(ctx, s.OpenRun, id)
}

// legacyRun assembles a run stored before run_files from its tables.
func (s *Store) legacyRun(ctx context.Context, id string) (*data.Run, error) {
	q := "SELECT " + runColumns + " FROM analysis_runs WHERE id = $1"
	args := []any{id}
	if id == "" {
		q, args = "SELECT "+runColumns+" FROM analysis_runs ORDER BY created_at DESC, id LIMIT 1", nil
	}
	info, err := scanRunInfo(s.pool.QueryRow(ctx, q, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	run := &data.Run{RunInfo: info}
	series, err := s.contentAreas(ctx, []string{run.ID})
	if err != nil {
		return nil, err
	}
	run.ContentAreas = series[run.ID]
	if run.Equity, err = s.equity(ctx, run.ID); err != nil {
		return nil, err
	}
	if err := s.readTractResults(ctx, run); err != nil {
		return nil, err
	}
	if err := s.readCells(ctx, run); err != nil {
		return nil, err
	}
	return run, nil
}

func (s *Store) equity(ctx context.Context, runID string) ([]data.EquityRow, error) {
	rows, err := s.pool.Query(ctx, `SELECT setting, content_area, grp, variable, total, in_desert, share, region_share, ratio, difference, areas
		FROM run_equity WHERE run_id = $1 ORDER BY ord`, runID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (data.EquityRow, error) {
		var e data.EquityRow
		err := row.Scan(&e.Setting, &e.ContentArea, &e.Group, &e.Variable, &e.Total, &e.InDesert, &e.Share, &e.Reference, &e.Ratio, &e.Difference, &e.Areas)
		return e, err
	})
}

func (s *Store) readTractResults(ctx context.Context, run *data.Run) error {
	rows, err := s.pool.Query(ctx, `SELECT area_id, name, demand, need, urban, urban_basis, cells, access, nearest, unmet, gap,
		desert_demand, desert_share, desert, reason, rank, percentile FROM tract_results WHERE run_id = $1 ORDER BY ord`, run.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a data.AreaResult
		var demand, need *float64
		var access, nearest, unmet, gap, desertDemand, desertShare, percentile []float64
		var desert []bool
		var reason []string
		var rank []int32
		if err := rows.Scan(&a.ID, &a.Name, &demand, &need, &a.Urban, &a.UrbanWhy, &a.Cells, &access, &nearest, &unmet, &gap,
			&desertDemand, &desertShare, &desert, &reason, &rank, &percentile); err != nil {
			return err
		}
		a.Demand, a.Need = orNaN(demand), orNaN(need)
		a.Measures = make([]data.AreaMeasures, len(access))
		for j := range a.Measures {
			a.Measures[j] = data.AreaMeasures{Access: access[j], Nearest: nearest[j], Unmet: unmet[j], Gap: gap[j],
				DesertYouth: desertDemand[j], DesertShare: desertShare[j], Desert: desert[j], Reason: reason[j],
				Rank: int(rank[j]), Percentile: percentile[j]}
		}
		run.Areas = append(run.Areas, a)
	}
	return rows.Err()
}

func (s *Store) readCells(ctx context.Context, run *data.Run) error {
	areaIndex := make(map[string]int32, len(run.Areas))
	for i, a := range run.Areas {
		areaIndex[a.ID] = int32(i)
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM cells WHERE run_id = $1", run.ID).Scan(&n); err != nil {
		return err
	}
	k := len(run.ContentAreas)
	t := &run.Cells
	t.H3, t.Lat, t.Lng, t.Demand = make([]h3.Cell, 0, n), make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)
	t.Area, t.Need, t.Urban = make([]int32, 0, n), make([]float64, 0, n), make([]bool, 0, n)
	t.Measures = make([]data.CellMeasures, k)
	for j := range t.Measures {
		t.Measures[j] = data.CellMeasures{Nearest: make([]float64, 0, n), Count: make([]int32, 0, n), Access: make([]float64, 0, n),
			Unmet: make([]float64, 0, n), Gap: make([]float64, 0, n), Desert: make([]int8, 0, n)}
	}
	rows, err := s.pool.Query(ctx, `SELECT h3, lat, lng, youth, area_id, need, urban, nearest, count, access, unmet, gap, desert, overstated
		FROM cells WHERE run_id = $1 ORDER BY ord`, run.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var nearest, access, unmet, gap []float64
	var count []int32
	var desert []int16
	var overstated []bool
	for rows.Next() {
		var c int64
		var lat, lng float64
		var youth, need *float64
		var areaID string
		var urban bool
		if err := rows.Scan(&c, &lat, &lng, &youth, &areaID, &need, &urban, &nearest, &count, &access, &unmet, &gap, &desert, &overstated); err != nil {
			return err
		}
		a, ok := areaIndex[areaID]
		if !ok {
			return fmt.Errorf("run %s: cell %x belongs to area %s, which has no result", run.ID, c, areaID)
		}
		t.H3, t.Lat, t.Lng = append(t.H3, h3.Cell(c)), append(t.Lat, lat), append(t.Lng, lng)
		t.Demand, t.Area, t.Need, t.Urban = append(t.Demand, orNaN(youth)), append(t.Area, a), append(t.Need, orNaN(need)), append(t.Urban, urban)
		for j := range t.Measures {
			m := &t.Measures[j]
			m.Nearest, m.Count, m.Access = append(m.Nearest, nearest[j]), append(m.Count, count[j]), append(m.Access, access[j])
			m.Unmet, m.Gap, m.Desert = append(m.Unmet, unmet[j]), append(m.Gap, gap[j]), append(m.Desert, int8(desert[j]))
			if overstated != nil {
				m.Overstated = append(m.Overstated, overstated[j])
			}
		}
	}
	return rows.Err()
}
