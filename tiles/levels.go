package tiles

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// minCellResolution is the coarsest H3 resolution the cells layer aggregates to.
const minCellResolution = 4

// resolutionForZoom picks the H3 resolution whose hexagons draw at a readable size (about 8–20
// pixels across) at a zoom: resolution r suits zoom r+3 at St. Louis's latitude.
func resolutionForZoom(z maptile.Zoom, runRes int) int {
	r := int(z) - 3
	return max(minCellResolution, min(runRes, r))
}

// bucketZoom is the zoom at which a level's cells are filed: the first zoom that shows the level.
func bucketZoom(res int) maptile.Zoom {
	if res <= minCellResolution {
		return 0
	}
	return maptile.Zoom(res + 3)
}

// level is the run's cells at one resolution: the run's own, or parents aggregated from them.
// Every content area's figures are held column-wise, like the run's own table.
type level struct {
	res      int
	cells    []h3.Cell
	polygons []orb.Polygon
	bounds   []orb.Bound
	demand   []float64 // NaN: no data
	need     []float64
	measures []levelMeasures // aligned with the run's content areas
	buckets  map[maptile.Tile][]int32
	zoom     maptile.Zoom
}

// levelMeasures are one content area's figures at a level. Parents carry demand-weighted means,
// unmet seats summed, and the share of their demand living in desert cells.
type levelMeasures struct {
	nearest, count, access, unmet, gap, desertShare []float64
}

// buildLevel aggregates the run's cells to resolution res (the run's own resolution copies them).
func buildLevel(run *data.Run, res int) (*level, error) {
	t := &run.Cells
	n := t.Len()
	lv := &level{res: res, zoom: bucketZoom(res)}
	// parentOf maps each run cell to its row in the level.
	parentOf := make([]int32, n)
	if res == run.Resolution {
		lv.cells = t.H3
		for i := range parentOf {
			parentOf[i] = int32(i)
		}
	} else {
		index := map[h3.Cell]int32{}
		parents := make([]h3.Cell, n)
		for i, c := range t.H3 {
			p, err := c.Parent(res)
			if err != nil {
				return nil, fmt.Errorf("parent of %s at resolution %d: %w", c, res, err)
			}
			parents[i] = p
			if _, ok := index[p]; !ok {
				index[p] = 0
				lv.cells = append(lv.cells, p)
			}
		}
		sort.Slice(lv.cells, func(i, j int) bool { return lv.cells[i] < lv.cells[j] })
		for k, p := range lv.cells {
			index[p] = int32(k)
		}
		for i, p := range parents {
			parentOf[i] = index[p]
		}
	}
	m := len(lv.cells)
	weight := make([]float64, m) // demand with data, per parent
	known := make([]int, m)      // children with data
	lv.demand = fill(m, math.NaN())
	for i := 0; i < n; i++ {
		if d := t.Demand[i]; !math.IsNaN(d) {
			k := parentOf[i]
			if known[k] == 0 {
				lv.demand[k] = 0
			}
			lv.demand[k] += d
			weight[k] += d
			known[k]++
		}
	}
	// A parent whose children with data hold no one averages them plainly.
	mean := func(values []float64, withData bool) []float64 {
		sum, den := make([]float64, m), make([]float64, m)
		for i := 0; i < n; i++ {
			v := values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) || (withData && math.IsNaN(t.Demand[i])) {
				continue
			}
			k := parentOf[i]
			w := 1.0
			if weight[k] > 0 {
				if math.IsNaN(t.Demand[i]) {
					continue
				}
				w = t.Demand[i]
			}
			sum[k] += w * v
			den[k] += w
		}
		out := make([]float64, m)
		for k := range out {
			out[k] = math.NaN()
			if den[k] > 0 {
				out[k] = sum[k] / den[k]
			}
		}
		return out
	}
	total := func(values []float64) []float64 {
		out := fill(m, math.NaN())
		for i := 0; i < n; i++ {
			if v := values[i]; !math.IsNaN(v) {
				k := parentOf[i]
				if math.IsNaN(out[k]) {
					out[k] = 0
				}
				out[k] += v
			}
		}
		return out
	}
	lv.need = mean(t.Need, false)
	for _, cm := range t.Measures {
		count := make([]float64, n)
		desert := make([]float64, n)
		for i := 0; i < n; i++ {
			count[i] = float64(cm.Count[i])
			desert[i] = math.NaN()
			if cm.Desert[i] != data.DesertNoData {
				desert[i] = float64(cm.Desert[i])
			}
		}
		lv.measures = append(lv.measures, levelMeasures{
			nearest: mean(cm.Nearest, false), count: mean(count, false), access: mean(cm.Access, true),
			unmet: total(cm.Unmet), gap: mean(cm.Gap, true), desertShare: mean(desert, true),
		})
	}
	lv.polygons = make([]orb.Polygon, m)
	lv.bounds = make([]orb.Bound, m)
	lv.buckets = map[maptile.Tile][]int32{}
	for k, c := range lv.cells {
		poly, err := geo.CellPolygon(c)
		if err != nil {
			return nil, err
		}
		lv.polygons[k], lv.bounds[k] = poly, poly.Bound()
		for _, tile := range tilesCovering(lv.bounds[k], lv.zoom) {
			lv.buckets[tile] = append(lv.buckets[tile], int32(k))
		}
	}
	return lv, nil
}

// inTile returns the level's cells whose bounds meet the (buffered) tile bound.
func (lv *level) inTile(t maptile.Tile, bound orb.Bound) []int32 {
	key := t
	if t.Z > lv.zoom {
		key = maptile.New(t.X>>(t.Z-lv.zoom), t.Y>>(t.Z-lv.zoom), lv.zoom)
	}
	var candidates []int32
	if t.Z >= lv.zoom {
		candidates = lv.buckets[key]
	} else {
		for _, tile := range tilesCovering(bound, lv.zoom) {
			candidates = append(candidates, lv.buckets[tile]...)
		}
	}
	var out []int32
	seen := map[int32]bool{}
	for _, k := range candidates {
		if lv.bounds[k].Intersects(bound) && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// tilesCovering lists the tiles at zoom z that a lon/lat bound touches.
func tilesCovering(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z)
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

func fill(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
