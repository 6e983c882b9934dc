package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/region"
)

// syntheticRun analyses a SYNTHETIC region (not real data): a 4×4 grid of tracts around downtown
// St. Louis with random youth, one tract without a figure, and random programs.
func syntheticRun(t testing.TB) (*data.Run, []data.Area, []data.Program) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	var in analysis.Inputs
	for row := 0; row < 4; row++ {
		for col := 0; col < 4; col++ {
			x, y := -90.26+0.02*float64(col), 38.60+0.02*float64(row)
			a := data.Area{ID: fmt.Sprintf("SYN%02d", row*4+col), LandKm2: 3.8,
				Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.02, y}, {x + 0.02, y + 0.02}, {x, y + 0.02}, {x, y}}}}}
			in.Areas = append(in.Areas, a)
			if a.ID != "SYN05" {
				in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: a.ID, Variable: "youth_pop", Value: float64(100 + r.IntN(900))})
			}
		}
	}
	for j := 0; j < 12; j++ {
		p := data.Program{ID: fmt.Sprintf("syn-%d", j), Name: "Synthetic", Location: orb.Point{-90.26 + r.Float64()*0.08, 38.60 + r.Float64()*0.08}, Capacity: 20}
		if j%2 == 0 {
			p.ContentAreas = []string{"math"}
		}
		if j%3 == 0 {
			p.Setting = "out_of_school"
		}
		in.Programs = append(in.Programs, p)
	}
	run, err := analysis.Analyze(context.Background(), in, analysis.DefaultParams(), analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run, in.Areas, in.Programs
}

func decode(t *testing.T, b []byte) mvt.Layers {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	layers, err := mvt.UnmarshalGzipped(b)
	if err != nil {
		t.Fatal(err)
	}
	return layers
}

func TestCellTilesDecodeWithMeasures(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, NewCache(1<<20), NewDataCache(64<<20))
	center := orb.Point{-90.22, 38.64}
	for z := maptile.Zoom(11); z <= 14; z++ {
		tile := maptile.At(center, z)
		layers := decode(t, mustTile(t, set, LayerCells, "all", tile))
		if len(layers) != 1 || layers[0].Name != LayerCells || len(layers[0].Features) == 0 {
			t.Fatalf("z%d: want one non-empty cells layer, got %v", z, layers)
		}
		if layers[0].Version != 2 {
			t.Fatalf("z%d: the layer declares vector tile version %d, want 2", z, layers[0].Version)
		}
		res := resolutionForZoom(z, run.Resolution, set.lat)
		withData := 0
		for _, f := range layers[0].Features {
			p := f.Properties
			if int(p["res"].(float64)) != res {
				t.Fatalf("z%d: feature at resolution %v, want %d", z, p["res"], res)
			}
			if _, ok := f.Geometry.(orb.Polygon); !ok {
				t.Fatalf("z%d: cell geometry is %T", z, f.Geometry)
			}
			if p["nodata"] == true {
				if _, has := p["access"]; has {
					t.Fatalf("a no-data cell carries access")
				}
				continue
			}
			withData++
			for _, key := range []string{"demand", "access", "nearest", "count", "gap", "desert"} {
				if _, ok := p[key].(float64); !ok {
					t.Fatalf("z%d: cell %v lacks %s", z, p["h3"], key)
				}
			}
			// Defect 5i: parents averaged their children's counts into fractions of a program.
			if c := p["count"].(float64); c != math.Trunc(c) {
				t.Fatalf("z%d: cell %v counts %v programs", z, p["h3"], c)
			}
		}
		if withData == 0 {
			t.Fatalf("z%d: no cell with data", z)
		}
	}
}

func mustTile(t *testing.T, set *Set, layer, content string, tile maptile.Tile) []byte {
	t.Helper()
	return mustSeriesTile(t, set, layer, data.AllSettings, content, tile)
}

func mustSeriesTile(t *testing.T, set *Set, layer, setting, content string, tile maptile.Tile) []byte {
	t.Helper()
	b, err := set.Tile(context.Background(), layer, setting, content, tile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tablesOf(t testing.TB, run *data.Run) data.RunTables {
	t.Helper()
	tables, err := data.TablesOf(run)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// parentLevel is every partition's level at res, joined, with one series' figures.
func parentLevel(t *testing.T, set *Set, res, k int) (*level, *levelMeasures) {
	t.Helper()
	all, allM := &level{res: res}, &levelMeasures{}
	for p := range set.parts {
		lv, m, err := set.measures(context.Background(), unitPartition, p, res, k)
		if err != nil {
			t.Fatal(err)
		}
		all.cells, all.demand = append(all.cells, lv.cells...), append(all.demand, lv.demand...)
		allM.access = append(allM.access, m.access...)
	}
	return all, allM
}

func TestParentsSumDemandAndWeighAccess(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	k := run.SeriesIndex(data.AllSettings, "all")
	lv, m := parentLevel(t, NewSet(tablesOf(t, run), areas, programs, nil, NewDataCache(64<<20)), run.Resolution-2, k)
	// Brute force: group the run's cells by parent and recompute.
	type sums struct{ demand, weighted, n float64 }
	byParent := map[string]*sums{}
	for i, c := range run.Cells.H3 {
		d := run.Cells.Demand[i]
		if math.IsNaN(d) {
			continue
		}
		p, _ := c.Parent(lv.res)
		s := byParent[p.String()]
		if s == nil {
			s = &sums{}
			byParent[p.String()] = s
		}
		s.demand += d
		s.weighted += d * run.Cells.Measures[k].Access[i]
		s.n++
	}
	checked := 0
	for i, c := range lv.cells {
		s := byParent[c.String()]
		if s == nil {
			if !math.IsNaN(lv.demand[i]) {
				t.Errorf("parent %s has no child with data but demand %v", c, lv.demand[i])
			}
			continue
		}
		if math.Abs(lv.demand[i]-s.demand) > 1e-9 {
			t.Errorf("parent %s demand %v, children sum %v", c, lv.demand[i], s.demand)
		}
		if s.demand > 0 && math.Abs(m.access[i]-s.weighted/s.demand) > 1e-9 {
			t.Errorf("parent %s access %v, demand-weighted mean %v", c, m.access[i], s.weighted/s.demand)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no parents checked")
	}
}

func TestTractAndProgramLayers(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, nil, NewDataCache(64<<20))
	tile := maptile.At(orb.Point{-90.22, 38.64}, 12)
	tracts := decode(t, mustTile(t, set, LayerTracts, "math", tile))
	if len(tracts) != 1 || tracts[0].Name != LayerTracts || len(tracts[0].Features) != 16 {
		t.Fatalf("tracts layer: %v", tracts)
	}
	for _, f := range tracts[0].Features {
		if f.Properties["id"] == "SYN05" && f.Properties["nodata"] != true {
			t.Errorf("tract without a youth figure is not marked no data: %v", f.Properties)
		}
	}
	wide := maptile.At(orb.Point{-90.22, 38.64}, 9)
	all := decode(t, mustTile(t, set, LayerPrograms, "all", wide))
	math := decode(t, mustTile(t, set, LayerPrograms, "math", wide))
	if len(all[0].Features) != 12 || len(math[0].Features) != 6 {
		t.Errorf("programs: %d for all (want 12), %d for math (want 6)", len(all[0].Features), len(math[0].Features))
	}
	// Out of school: programs 0, 3, 6, 9; of them 0 and 6 offer math.
	ostAll := decode(t, mustSeriesTile(t, set, LayerPrograms, "out_of_school", "all", wide))
	ostMath := decode(t, mustSeriesTile(t, set, LayerPrograms, "", "math", wide))
	if len(ostAll[0].Features) != 4 || len(ostMath[0].Features) != 2 {
		t.Errorf("out-of-school programs: %d for all (want 4), %d for math (want 2, the default group)", len(ostAll[0].Features), len(ostMath[0].Features))
	}
	if _, err := set.Tile(context.Background(), LayerPrograms, "in_school", "math", wide); !errors.Is(err, ErrUnknownContent) {
		t.Errorf("a setting group the run lacks: %v", err)
	}
}

func TestBadRequestsAreErrors(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, nil, NewDataCache(64<<20))
	tile := maptile.New(0, 0, 0)
	if _, err := set.Tile(context.Background(), "roads", "", "all", tile); !errors.Is(err, ErrUnknownLayer) {
		t.Errorf("unknown layer: %v", err)
	}
	if _, err := set.Tile(context.Background(), LayerCells, "", "astrology", tile); !errors.Is(err, ErrUnknownContent) {
		t.Errorf("unknown content area: %v", err)
	}
	for _, zxy := range [][3]int{{-1, 0, 0}, {17, 0, 0}, {3, 8, 0}, {3, 0, -1}} {
		if _, err := CheckTile(zxy[0], zxy[1], zxy[2]); !errors.Is(err, ErrBadTile) {
			t.Errorf("tile %v: %v", zxy, err)
		}
	}
	// A tile far from the region is empty, not an error.
	if b := mustTile(t, set, LayerCells, "all", maptile.At(orb.Point{2.35, 48.85}, 12)); len(b) != 0 {
		t.Errorf("tile over Paris holds %d bytes", len(b))
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewCache(10)
	key := func(i uint32) CacheKey {
		return CacheKey{Run: "r", Layer: "cells", Content: "all", Tile: maptile.New(i, 0, 5)}
	}
	c.Put(key(1), make([]byte, 4))
	c.Put(key(2), make([]byte, 4))
	c.Get(key(1)) // 1 is now more recent than 2
	c.Put(key(3), make([]byte, 4))
	if _, ok := c.Get(key(2)); ok {
		t.Error("the least recently used tile should have been evicted")
	}
	if _, ok := c.Get(key(1)); !ok {
		t.Error("a recently used tile was evicted")
	}
	if st := c.Stats(); st.Bytes != 8 || st.Entries != 2 || st.Evictions != 1 {
		t.Errorf("stats %+v", st)
	}
}

// benchmarkTile times encoding one tile, uncached, once the level it needs is built.
func benchmarkTile(b *testing.B, set *Set, tile maptile.Tile) {
	if _, err := set.Tile(context.Background(), LayerCells, "", "all", tile); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := set.Tile(context.Background(), LayerCells, "", "all", tile); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeCellsZ12 encodes a z12 cells tile over the synthetic region.
func BenchmarkEncodeCellsZ12(b *testing.B) {
	run, areas, programs := syntheticRun(b)
	benchmarkTile(b, NewSet(tablesOf(b, run), areas, programs, nil, NewDataCache(64<<20)), maptile.At(orb.Point{-90.22, 38.64}, 12))
}

// BenchmarkEncodeCellsZ12StLouis encodes the z12 cells tile over downtown St. Louis from the
// real demo data (about 600 resolution-9 hexagons).
func BenchmarkEncodeCellsZ12StLouis(b *testing.B) {
	l, err := region.LoadBuiltin("stlouis", filepath.Join("..", "..", "shared", "data"), time.Now())
	if err != nil {
		b.Skipf("St. Louis data: %v", err)
	}
	run, err := analysis.Analyze(context.Background(), analysis.Inputs{Areas: l.Areas, Demographics: l.Demographics, Programs: l.Programs, Records: l.Records},
		analysis.DefaultParams(), analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTile(b, NewSet(tablesOf(b, run), l.Areas, l.Programs, nil, NewDataCache(64<<20)), maptile.At(orb.Point{-90.1994, 38.6270}, 12))
}

// At the run's own resolution a cell's figures are the run's, bit for bit.
func TestOwnResolutionKeepsFiguresExactly(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, nil, NewDataCache(64<<20))
	k := run.SeriesIndex(data.AllSettings, "all")
	checked := 0
	for b := range set.blocks {
		lv, m, err := set.measures(context.Background(), unitBlock, b, run.Resolution, k)
		if err != nil {
			t.Fatal(err)
		}
		start := set.tables.Blocks()[b].Start
		cm := run.Cells.Measures[k]
		for i := range lv.cells {
			j := start + i
			if want := cm.Gap[j]; !math.IsNaN(want) && !math.IsNaN(run.Cells.Demand[j]) {
				if math.Float64bits(m.gap[i]) != math.Float64bits(want) || math.Float64bits(m.access[i]) != math.Float64bits(cm.Access[j]) {
					t.Fatalf("cell %s: gap %v access %v, the run's %v %v", lv.cells[i], m.gap[i], m.access[i], want, cm.Access[j])
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no cell checked")
	}
}
