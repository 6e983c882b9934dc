package tiles

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// countingTables counts the blocks a set reads.
type countingTables struct {
	data.RunTables
	cells, series atomic.Int64
	blocks        sync.Map // block → true
}

func (c *countingTables) Base(ctx context.Context, b int) (*data.CellTable, error) {
	c.cells.Add(1)
	c.blocks.Store(b, true)
	return c.RunTables.Base(ctx, b)
}

func (c *countingTables) Series(ctx context.Context, b, k int) (*data.CellMeasures, error) {
	c.series.Add(1)
	c.blocks.Store(b, true)
	return c.RunTables.Series(ctx, b, k)
}

// corner is a vertex shared by three resolution-3 cells in SYNTHETIC country near St. Louis.
func corner(t *testing.T) orb.Point {
	t.Helper()
	c, _ := h3.LatLngToCell(h3.LatLng{Lat: 38.6, Lng: -90.2}, 3)
	b, err := h3.CellToBoundary(c)
	if err != nil {
		t.Fatal(err)
	}
	return orb.Point{b[0].Lng, b[0].Lat}
}

// straddlingRun is a SYNTHETIC run (not real data) of resolution-9 cells around a corner of
// three partitions, with figures worked from each cell's index so that any cell's can be checked.
func straddlingRun(t *testing.T, rings int) *data.Run {
	t.Helper()
	at := corner(t)
	center, _ := h3.LatLngToCell(h3.LatLng{Lat: at[1], Lng: at[0]}, 9)
	cells, err := center.GridDisk(rings)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cells)
	run := &data.Run{RunInfo: data.RunInfo{ID: "5a5a000000000001", Resolution: 9, Measure: "e2sfca", CostUnit: "km",
		SettingGroups: []data.SettingGroup{{Name: data.AllSettings}}, ContentAreas: []data.ContentArea{{Setting: data.AllSettings, Name: data.AllContentAreas}}},
		Areas: []data.AreaResult{{ID: "29510000100", Demand: 1, Measures: make([]data.AreaMeasures, 1)}}}
	tab := &run.Cells
	m := data.CellMeasures{}
	for _, c := range cells {
		p, _ := geo.CellCenter(c)
		tab.H3, tab.Lat, tab.Lng = append(tab.H3, c), append(tab.Lat, p[1]), append(tab.Lng, p[0])
		tab.Demand, tab.Area, tab.Need, tab.Urban = append(tab.Demand, 2), append(tab.Area, 0), append(tab.Need, 0.5), append(tab.Urban, true)
		v := float64(uint64(c)%1000) / 10
		m.Nearest, m.Count, m.Access = append(m.Nearest, v), append(m.Count, 3), append(m.Access, v+1)
		m.Unmet, m.Gap, m.Desert = append(m.Unmet, 0), append(m.Gap, 0.25), append(m.Desert, data.DesertNo)
	}
	tab.Measures = []data.CellMeasures{m}
	return run
}

// A tile over the corner of three partitions draws the cells of all three — every cell whose
// hexagon meets the tile, found by brute force — each with its own figures.
func TestTilesJoinPartitions(t *testing.T) {
	run := straddlingRun(t, 60)
	tables := tablesOf(t, run)
	set := NewSet(tables, nil, nil, nil, NewDataCache(64<<20))
	if len(set.parts) < 3 {
		t.Fatalf("the run spans %d partitions; want 3", len(set.parts))
	}
	tile := maptile.At(corner(t), 14)
	bound := bufferedBound(tile)
	want := map[string]float64{}
	for i, c := range run.Cells.H3 {
		poly, _ := geo.CellPolygon(c)
		if poly.Bound().Intersects(bound) {
			want[c.String()] = run.Cells.Measures[0].Access[i]
		}
	}
	layers := decode(t, mustTile(t, set, LayerCells, "all", tile))
	// Hexagons that only graze the tile's buffer clip to slivers the encoder drops; every one
	// whose center is in the tile itself is drawn.
	inTile := tile.Bound()
	got := map[string]float64{}
	partitions := map[h3.Cell]bool{}
	for _, f := range layers[0].Features {
		id := f.Properties["h3"].(string)
		got[id] = f.Properties["access"].(float64)
		c := h3.CellFromString(id)
		p, _ := c.Parent(3)
		partitions[p] = true
	}
	if len(partitions) < 3 {
		t.Fatalf("the tile draws cells of %d partitions", len(partitions))
	}
	for id, v := range got {
		if w, ok := want[id]; !ok || math.Abs(w-v) > 1e-9 {
			t.Errorf("cell %s: access %v in the tile; in the run %v (meets the tile: %v)", id, v, w, ok)
		}
	}
	centered := 0
	for id := range want {
		if p, _ := geo.CellCenter(h3.CellFromString(id)); inTile.Contains(p) {
			centered++
			if _, ok := got[id]; !ok {
				t.Errorf("cell %s, centered in the tile, is not drawn", id)
			}
		}
	}
	if centered < 20 {
		t.Errorf("only %d cells centered in the tile", centered)
	}
}

// A tile at the run's resolution reads only the blocks it meets, and one at a coarser resolution
// only the partitions it meets; concurrent requests for one tile read them once.
func TestTilesReadOnlyWhatTheyDraw(t *testing.T) {
	run := straddlingRun(t, 150)
	tables, err := data.TablesOf(run)
	if err != nil {
		t.Fatal(err)
	}
	counting := &countingTables{RunTables: tables}
	set := NewSet(counting, nil, nil, NewCache(1<<20), NewDataCache(64<<20))
	// A z14 tile well inside one partition: over its cell farthest from the corner.
	var inside orb.Point
	far := 0.0
	for _, c := range run.Cells.H3 {
		p, _ := geo.CellCenter(c)
		if part, _ := c.Parent(3); part == set.parts[0].key {
			if d := geo.DistanceKm(p, corner(t)); d > far {
				inside, far = p, d
			}
		}
	}
	tile := maptile.At(inside, 14)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := set.Tile(context.Background(), LayerCells, "", "all", tile); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var want []int
	for b, block := range tables.Blocks() {
		if block.Bound.Intersects(bufferedBound(tile)) {
			want = append(want, b)
		}
	}
	check := func(what string, want []int) {
		t.Helper()
		var read []int
		counting.blocks.Range(func(b, _ any) bool {
			read = append(read, b.(int))
			return true
		})
		slices.Sort(read)
		if !slices.Equal(read, want) || counting.cells.Load() != int64(len(want)) || counting.series.Load() != int64(len(want)) {
			t.Errorf("%s read blocks %v (%d cells, %d series reads); want %v once each", what, read, counting.cells.Load(), counting.series.Load(), want)
		}
	}
	check("16 requests for a z14 tile", want)
	if len(want) >= len(set.parts[0].blocks) {
		t.Fatalf("the z14 tile meets %d of its partition's %d blocks; want fewer", len(want), len(set.parts[0].blocks))
	}
	// A z10 tile over the same place draws resolution 7: whole partitions are read.
	counting.blocks.Clear()
	counting.cells.Store(0)
	counting.series.Store(0)
	if _, err := set.Tile(context.Background(), LayerCells, "", "all", maptile.At(inside, 10)); err != nil {
		t.Fatal(err)
	}
	var parts []int
	for _, p := range set.parts {
		if p.bound.Intersects(bufferedBound(maptile.At(inside, 10))) {
			parts = append(parts, p.blocks...)
		}
	}
	slices.Sort(parts)
	check("a z10 tile", parts)
}

// The data cache holds no more than its budget, however much is asked of it.
func TestDataCacheKeepsToItsBudget(t *testing.T) {
	run := straddlingRun(t, 100)
	budget := 1 << 20
	cache := NewDataCache(budget)
	set := NewSet(tablesOf(t, run), nil, nil, nil, cache)
	for i := 0; i < run.Cells.Len(); i += 4001 {
		p, _ := geo.CellCenter(run.Cells.H3[i])
		for z := maptile.Zoom(8); z <= 14; z += 3 {
			if _, err := set.Tile(context.Background(), LayerCells, "", "all", maptile.At(p, z)); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := cache.Stats()
	if st.Bytes > budget || st.Limit != budget || st.Evictions == 0 || st.Entries == 0 {
		t.Errorf("cache after many tiles: %+v (budget %d)", st, budget)
	}
}
