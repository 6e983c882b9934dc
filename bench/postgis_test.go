package bench

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/postgis"
	"stemgap/data/postgis/pgtest"
	"stemgap/data/region"
	"stemgap/tiles"
)

// cellsMVT is the tile a PostGIS-only server would make: ST_AsMVT over the stored cells of a run
// at the run's resolution, with the same properties as the tiles package's cells layer.
const cellsMVT = `
WITH env AS (SELECT ST_TileEnvelope($3, $4, $5) AS merc,
                    ST_Transform(ST_TileEnvelope($3, $4, $5, margin => 64.0 / 4096), 4326) AS wgs),
     area AS (SELECT idx FROM run_content_areas WHERE run_id = $1 AND setting = 'all' AND name = $2)
SELECT ST_AsMVT(t, 'cells', 4096, 'geom') FROM (
  SELECT to_hex(c.h3) AS h3, c.nearest[area.idx] AS nearest, c.count[area.idx] AS count, c.need,
         c.youth AS demand, NULLIF(c.access[area.idx], 'NaN') AS access, NULLIF(c.gap[area.idx], 'NaN') AS gap,
         NULLIF(c.desert[area.idx], -1) AS desert,
         ST_AsMVTGeom(ST_Transform(c.geom, 3857), env.merc, 4096, 64, true) AS geom
  FROM cells c, area, env
  WHERE c.run_id = $1 AND c.geom && env.wgs) t`

// stLouis opens a PostGIS schema holding the St. Louis demo's run, and the run itself.
func stLouis(b testing.TB) (*postgis.Store, *data.Run, []data.Area, []data.Program) {
	b.Helper()
	ctx := context.Background()
	ins, err := loadStLouis()
	if err != nil {
		b.Skipf("St. Louis data not beside the project: %v", err)
	}
	s, err := postgis.Open(ctx, pgtest.FreshSchema(b), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for _, in := range ins {
		if err := s.Ingest(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	snap, err := s.Snapshot(ctx)
	if err != nil {
		b.Fatal(err)
	}
	run, err := analysis.Analyze(ctx, analysis.Inputs{Areas: snap.Areas, Demographics: snap.Demographics, Programs: snap.Programs, Records: snap.Records},
		analysis.DefaultParams(), analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SaveRun(ctx, run, snap); err != nil {
		b.Fatal(err)
	}
	return s, run, snap.Areas, snap.Programs
}

// memoryTables gives a run held in memory the shape tile sets read.
func memoryTables(t testing.TB, run *data.Run) data.RunTables {
	t.Helper()
	tables, err := data.TablesOf(run)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func loadStLouis() ([]data.Ingest, error) {
	m, err := region.Builtin("stlouis")
	if err != nil {
		return nil, err
	}
	return m.Ingests(filepath.Join("..", "..", "shared", "data"), time.Now())
}

// A z13 tile over downtown St. Louis shows the run's own resolution-9 cells.
var downtownZ13 = maptile.At(orb.Point{-90.1994, 38.6270}, 13)

// The two ways of making the tile agree on what it holds, so their times compare like with like.
func TestPostGISTileMatchesMemoryTile(t *testing.T) {
	s, run, areas, programs := stLouis(t)
	var fromDB []byte
	err := s.Pool().QueryRow(context.Background(), cellsMVT, run.ID, "all", int(downtownZ13.Z), int(downtownZ13.X), int(downtownZ13.Y)).Scan(&fromDB)
	if err != nil {
		t.Fatal(err)
	}
	db, err := mvt.Unmarshal(fromDB)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := tiles.NewSet(memoryTables(t, run), areas, programs, nil, tiles.NewDataCache(256<<20)).Tile(context.Background(), tiles.LayerCells, data.AllSettings, "all", downtownZ13)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := mvt.UnmarshalGzipped(gz)
	if err != nil {
		t.Fatal(err)
	}
	// ST_AsMVTGeom keeps slivers in the tile buffer that orb drops below a pixel; the cells they
	// share must carry the same figures.
	byH3 := map[string]float64{}
	for _, f := range db[0].Features {
		byH3[f.Properties["h3"].(string)], _ = f.Properties["access"].(float64)
	}
	if n, m := len(db[0].Features), len(mem[0].Features); m < 100 || n < m || n > m+m/20 {
		t.Fatalf("PostGIS tile has %d cells, memory tile %d", n, m)
	}
	for _, f := range mem[0].Features {
		access, _ := f.Properties["access"].(float64)
		// ST_AsMVT writes doubles through PostgreSQL's 15-digit text form.
		if got, ok := byH3[f.Properties["h3"].(string)]; !ok || math.Abs(got-access) > 1e-12*math.Max(1, access) {
			t.Fatalf("cell %v: memory access %v, PostGIS %v (present: %v)", f.Properties["h3"], access, got, ok)
		}
	}
}

// BenchmarkCellsTileFromPostGIS encodes the downtown z13 cells tile in the database.
func BenchmarkCellsTileFromPostGIS(b *testing.B) {
	s, run, _, _ := stLouis(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		var tile []byte
		if err := s.Pool().QueryRow(ctx, cellsMVT, run.ID, "all", int(downtownZ13.Z), int(downtownZ13.X), int(downtownZ13.Y)).Scan(&tile); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCellsTileFromMemory encodes the same tile from the run in memory, uncached (the
// server would cache it after the first time).
func BenchmarkCellsTileFromMemory(b *testing.B) {
	_, run, areas, programs := stLouis(b)
	set := tiles.NewSet(memoryTables(b, run), areas, programs, nil, tiles.NewDataCache(256<<20))
	ctx := context.Background()
	if _, err := set.Tile(ctx, tiles.LayerCells, data.AllSettings, "all", downtownZ13); err != nil { // build the level once
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := set.Tile(ctx, tiles.LayerCells, data.AllSettings, "all", downtownZ13); err != nil {
			b.Fatal(err)
		}
	}
}
