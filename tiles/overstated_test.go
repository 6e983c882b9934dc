package tiles

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"
)

// The synthetic run leaves one tract (SYN05) without a youth figure: programs reaching it
// overstate access around it. A hexagon is flagged where one of its children with a figure is.
func TestOverstatedCellsReachTheTiles(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, NewCache(1<<20), NewDataCache(64<<20))
	k := run.SeriesIndex("", "math")
	m := run.Cells.Measures[k]
	if len(m.Overstated) != run.Cells.Len() {
		t.Fatalf("the run records %d flags for %d cells", len(m.Overstated), run.Cells.Len())
	}
	for _, res := range []int{run.Resolution, run.Resolution - 2, minCellResolution} {
		want := map[h3.Cell]bool{}
		for i, c := range run.Cells.H3 {
			p, _ := c.Parent(res)
			want[p] = want[p] || m.Overstated[i] && !math.IsNaN(run.Cells.Demand[i])
		}
		flagged := 0
		for cell, w := range want {
			f, err := set.Cell(context.Background(), "", "math", cell)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Recorded || f.Overstated != w {
				t.Errorf("res %d cell %s: overstated %v (recorded %v), by hand %v", res, cell, f.Overstated, f.Recorded, w)
			}
			if w {
				flagged++
			}
		}
		if res == run.Resolution && (flagged == 0 || flagged == len(want)) {
			t.Errorf("%d of %d cells flagged: the case tells nothing", flagged, len(want))
		}
	}
	// The tile that draws the run's own cells carries the flag on each cell with data.
	var z maptile.Zoom
	for z = 0; resolutionForZoom(z, run.Resolution, set.lat) < run.Resolution; z++ {
	}
	tile := maptile.At(orb.Point{-90.23, 38.63}, z)
	seen := 0
	for _, f := range decode(t, mustSeriesTile(t, set, LayerCells, "", "math", tile))[0].Features {
		c := h3.CellFromString(f.Properties["h3"].(string))
		i := -1
		for j, x := range run.Cells.H3 {
			if x == c {
				i = j
			}
		}
		o, has := f.Properties["overstated"]
		switch {
		case math.IsNaN(run.Cells.Demand[i]):
			if has {
				t.Errorf("cell %s has no data, yet carries overstated", c)
			}
		case o != m.Overstated[i]:
			t.Errorf("cell %s: tile says overstated %v, the run %v", c, o, m.Overstated[i])
		default:
			seen++
		}
	}
	if seen == 0 {
		t.Error("no cell checked")
	}
}
