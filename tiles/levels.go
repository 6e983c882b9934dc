package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// minCellResolution is the coarsest H3 resolution the cells layer aggregates to. It is finer than
// the partitions (resolution 3), so every cell the layer draws lies within one partition.
const minCellResolution = 4

// The cells layer draws each zoom at the H3 resolution whose hexagons come nearest targetCellPx
// across on screen (in log terms). A resolution is √7 ≈ 2.65 times finer than the one before, a
// zoom twice as close, so the width stays within a factor √2.65 ≈ 1.63 of the target — about
// 12–33 px — wherever neither the coarsest level nor the run's own resolution bounds it.
const targetCellPx = 20

// minReadableCellPx is the narrowest hexagon worth drawing: below it (the coarsest level at low
// zooms) the cells are specks, and the map shows tracts instead (CellsMinZoom).
const minReadableCellPx = 8

// tilePx is how wide MapLibre draws a vector tile: its zoom z shows the world 512·2^z px wide.
const tilePx = 512

// cellWidthPx is how wide, in screen pixels, a hexagon of resolution res draws at zoom z and
// latitude lat: √3 times H3's mean edge length (the width across flats) over Web Mercator's
// ground resolution there.
func cellWidthPx(res int, z maptile.Zoom, lat float64) float64 {
	edgeKm, err := h3.HexagonEdgeLengthAvgKm(res)
	if err != nil {
		return math.NaN() // res is always a valid resolution here
	}
	const earthRadiusM = 6378137
	metresPerPx := 2 * math.Pi * earthRadiusM * math.Cos(lat*math.Pi/180) / (tilePx * math.Exp2(float64(z)))
	return math.Sqrt(3) * edgeKm * 1000 / metresPerPx
}

// resolutionForZoom picks the resolution drawn at zoom z for a run of resolution runRes at
// latitude lat: the one nearest targetCellPx across, from minCellResolution to runRes.
func resolutionForZoom(z maptile.Zoom, runRes int, lat float64) int {
	best, bestOff := minCellResolution, math.Inf(1)
	for r := minCellResolution; r <= runRes; r++ {
		if off := math.Abs(math.Log(cellWidthPx(r, z, lat) / targetCellPx)); off < bestOff {
			best, bestOff = r, off
		}
	}
	return best
}

// zoomTable is what the cells layer draws at each zoom, 0 to MaxZoom, for a run of resolution
// runRes at latitude lat — the resolution, by resolutionForZoom — and the first zoom from which
// those hexagons are at least minReadableCellPx across (MaxZoom if none is).
func zoomTable(runRes int, lat float64) (resolutions []int, minZoom int) {
	resolutions = make([]int, MaxZoom+1)
	minZoom = -1
	for z := range resolutions {
		resolutions[z] = resolutionForZoom(maptile.Zoom(z), runRes, lat)
		if minZoom < 0 && cellWidthPx(resolutions[z], maptile.Zoom(z), lat) >= minReadableCellPx {
			minZoom = z
		}
	}
	if minZoom < 0 {
		minZoom = MaxZoom
	}
	return resolutions, minZoom
}

// resolutionAt is the resolution the cells layer draws at zoom z: from the set's table, worked
// out afresh only past MaxZoom, which no served tile has.
func (s *Set) resolutionAt(z maptile.Zoom) int {
	if int(z) < len(s.resolutions) {
		return s.resolutions[z]
	}
	return resolutionForZoom(z, s.info.Resolution, s.lat)
}

// piece is what the tiles read and aggregate at once, only when a tile over it is asked for, and
// keep in the data cache: at the run's own resolution a block, since its cells are drawn as they
// are; below it a whole partition (an H3 resolution-3 cell), since every parent they draw lies
// within one.
type piece struct {
	key    h3.Cell // the partition
	blocks []int
	bound  orb.Bound
	cells  int
}

// Units of pieces, for cache keys.
const (
	unitPartition = iota
	unitBlock
)

// partitionsOf groups a run's blocks by partition, in the run's order.
func partitionsOf(blocks []data.CellBlock) []piece {
	var out []piece
	index := map[h3.Cell]int{}
	for b, block := range blocks {
		i, ok := index[block.Partition]
		if !ok {
			i = len(out)
			index[block.Partition] = i
			out = append(out, piece{key: block.Partition, bound: block.Bound})
		}
		out[i].blocks = append(out[i].blocks, b)
		out[i].bound = out[i].bound.Union(block.Bound)
		out[i].cells += block.Len
	}
	return out
}

// blocksOf makes each block a piece of its own.
func blocksOf(blocks []data.CellBlock) []piece {
	out := make([]piece, len(blocks))
	for b, block := range blocks {
		out[b] = piece{key: block.Partition, blocks: []int{b}, bound: block.Bound, cells: block.Len}
	}
	return out
}

// pieces are the pieces the tiles read at a resolution, and their unit.
func (s *Set) pieces(res int) ([]piece, int) {
	if res == s.info.Resolution {
		return s.blocks, unitBlock
	}
	return s.parts, unitPartition
}

// baseCells are a partition's cells at the run's resolution, in the run's order: what every level
// of the partition is aggregated from.
type baseCells struct {
	cells  []h3.Cell
	demand []float64 // NaN: no data
	need   []float64
	area   []int32
}

func (b *baseCells) size() int { return len(b.cells) * (8 + 8 + 8 + 4) }

// level is one partition's cells at one resolution: the run's own, or parents aggregated from
// them. Cell shapes are not kept: a tile computes those it draws, and finds its cells through
// H3 itself (tileCells), so building a level touches no cell's boundary.
type level struct {
	res      int
	cells    []h3.Cell // sorted
	demand   []float64 // NaN: no data
	need     []float64
	parentOf []int32   // each base cell's row here
	weight   []float64 // demand with data, per row
	own      bool      // the run's own resolution: each row one base cell
}

func (lv *level) size() int { return len(lv.cells)*(8+8+8+8) + len(lv.parentOf)*4 }

// levelMeasures are one series' figures at a level of a partition. Parents carry demand-weighted
// means, unmet seats summed, and the share of their demand living in desert cells.
type levelMeasures struct {
	nearest, count, access, unmet, gap, desertShare []float64
	// overstated: a child with a demand figure has its access overstated (nil when the run does
	// not record it).
	overstated []bool
}

func (m *levelMeasures) size() int { return 6*8*len(m.nearest) + len(m.overstated) }

// seriesSize is the bytes of one series' figures for a base cell.
const seriesSize = 8*4 + 4 + 1 + 1

// buildLevel aggregates a partition's base cells to resolution res; runRes copies them.
func buildLevel(base *baseCells, res, runRes int) (*level, error) {
	n := len(base.cells)
	lv := &level{res: res, parentOf: make([]int32, n)}
	if res == runRes {
		lv.own = true
		lv.cells = base.cells
		for i := range lv.parentOf {
			lv.parentOf[i] = int32(i)
		}
	} else {
		parents := make([]h3.Cell, n)
		for i, c := range base.cells {
			p, err := c.Parent(res)
			if err != nil {
				return nil, fmt.Errorf("parent of %s at resolution %d: %w", c, res, err)
			}
			parents[i] = p
		}
		lv.cells = slices.Clone(parents)
		slices.Sort(lv.cells)
		lv.cells = slices.Compact(lv.cells)
		for i, p := range parents {
			k, _ := slices.BinarySearch(lv.cells, p)
			lv.parentOf[i] = int32(k)
		}
	}
	m := len(lv.cells)
	lv.weight = make([]float64, m)
	known := make([]int, m) // children with data
	lv.demand = fill(m, math.NaN())
	for i := 0; i < n; i++ {
		if d := base.demand[i]; !math.IsNaN(d) {
			k := lv.parentOf[i]
			if known[k] == 0 {
				lv.demand[k] = 0
			}
			lv.demand[k] += d
			lv.weight[k] += d
			known[k]++
		}
	}
	lv.need = lv.mean(base, base.need, false)
	return lv, nil
}

// mean is each row's demand-weighted mean of its children's values; withData leaves out children
// without a demand figure. A row whose children with data hold no one averages them plainly. At
// the run's own resolution each row is its one cell, whose value is given as it is: (d·v)/d need
// not be v to the last bit.
func (lv *level) mean(base *baseCells, values []float64, withData bool) []float64 {
	m := len(lv.cells)
	if lv.own {
		out := make([]float64, m)
		for i, v := range values {
			out[i] = v
			if math.IsNaN(v) || math.IsInf(v, 0) || (withData && math.IsNaN(base.demand[i])) {
				out[i] = math.NaN()
			}
		}
		return out
	}
	sum, den := make([]float64, m), make([]float64, m)
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) || (withData && math.IsNaN(base.demand[i])) {
			continue
		}
		k := lv.parentOf[i]
		w := 1.0
		if lv.weight[k] > 0 {
			if math.IsNaN(base.demand[i]) {
				continue
			}
			w = base.demand[i]
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

// total is each row's sum of its children's values; NaN when none has one.
func (lv *level) total(values []float64) []float64 {
	out := fill(len(lv.cells), math.NaN())
	for i, v := range values {
		if !math.IsNaN(v) {
			k := lv.parentOf[i]
			if math.IsNaN(out[k]) {
				out[k] = 0
			}
			out[k] += v
		}
	}
	return out
}

// measuresOf aggregates one series' base figures to the level.
func (lv *level) measuresOf(base *baseCells, cm *data.CellMeasures) *levelMeasures {
	n := len(base.cells)
	count := make([]float64, n)
	desert := make([]float64, n)
	for i := 0; i < n; i++ {
		count[i] = float64(cm.Count[i])
		desert[i] = math.NaN()
		if cm.Desert[i] != data.DesertNoData {
			desert[i] = float64(cm.Desert[i])
		}
	}
	return &levelMeasures{
		nearest: lv.mean(base, cm.Nearest, false), count: lv.mean(base, count, false), access: lv.mean(base, cm.Access, true),
		unmet: lv.total(cm.Unmet), gap: lv.mean(base, cm.Gap, true), desertShare: lv.mean(base, desert, true),
		overstated: lv.any(base, cm.Overstated),
	}
}

// any is whether each row has a child with a demand figure whose flag is set; nil without flags.
func (lv *level) any(base *baseCells, flags []bool) []bool {
	if flags == nil {
		return nil
	}
	out := make([]bool, len(lv.cells))
	for i, f := range flags {
		if f && !math.IsNaN(base.demand[i]) {
			out[lv.parentOf[i]] = true
		}
	}
	return out
}

// tileCells lists the cells at res whose hexagons may meet a tile's bound — a superset, each
// checked against its own shape when drawn — or reports false when the bound holds more cells
// than are worth listing (low zooms, where a partition's level is smaller than the tile's share
// of the sphere and is better scanned whole).
func tileCells(bound orb.Bound, res, atMost int) ([]h3.Cell, bool, error) {
	area, err := h3.HexagonAreaAvgKm2(res)
	if err != nil {
		return nil, false, err
	}
	const kmPerDegree = 111.2
	width := bound.Max[0] - bound.Min[0]
	spanKm2 := width * kmPerDegree * math.Cos(bound.Center()[1]*math.Pi/180) * (bound.Max[1] - bound.Min[1]) * kmPerDegree
	if width > 90 || spanKm2/area > float64(atMost) {
		return nil, false, nil
	}
	loop := h3.GeoLoop{{Lat: bound.Min[1], Lng: bound.Min[0]}, {Lat: bound.Min[1], Lng: bound.Max[0]},
		{Lat: bound.Max[1], Lng: bound.Max[0]}, {Lat: bound.Max[1], Lng: bound.Min[0]}}
	cells, err := h3.PolygonToCellsExperimental(h3.GeoPolygon{GeoLoop: loop}, res, h3.ContainmentOverlappingBbox)
	if err != nil {
		return nil, false, err
	}
	slices.Sort(cells)
	return cells, true, nil
}

// rowsOf finds the level's rows of the given cells (sorted), or all its rows when cells is nil.
func (lv *level) rowsOf(cells []h3.Cell, listed bool) []int {
	var out []int
	if !listed {
		for i := range lv.cells {
			out = append(out, i)
		}
		return out
	}
	for _, c := range cells {
		if i, ok := slices.BinarySearch(lv.cells, c); ok {
			out = append(out, i)
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

// Cache kinds of what a set builds from a partition.
const (
	kindBase = iota
	kindSeries
	kindLevel
	kindMeasures
)

// base reads a piece's cells.
func (s *Set) base(ctx context.Context, unit, p int) (*baseCells, error) {
	pc := s.piece(unit, p)
	v, err := s.data.load(dataKey{run: s.info.ID, kind: kindBase, unit: unit, part: p}, func() (any, int, error) {
		b := &baseCells{cells: make([]h3.Cell, 0, pc.cells), demand: make([]float64, 0, pc.cells),
			need: make([]float64, 0, pc.cells), area: make([]int32, 0, pc.cells)}
		for _, block := range pc.blocks {
			t, err := s.tables.Base(ctx, block)
			if err != nil {
				return nil, 0, err
			}
			b.cells, b.demand = append(b.cells, t.H3...), append(b.demand, t.Demand...)
			b.need, b.area = append(b.need, t.Need...), append(b.area, t.Area...)
		}
		return b, b.size(), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*baseCells), nil
}

func (s *Set) piece(unit, p int) *piece {
	if unit == unitBlock {
		return &s.blocks[p]
	}
	return &s.parts[p]
}

// series reads one series' figures over a piece's cells.
func (s *Set) series(ctx context.Context, unit, p, k int) (*data.CellMeasures, error) {
	pc := s.piece(unit, p)
	v, err := s.data.load(dataKey{run: s.info.ID, kind: kindSeries, unit: unit, part: p, series: k}, func() (any, int, error) {
		n := pc.cells
		m := &data.CellMeasures{Nearest: make([]float64, 0, n), Count: make([]int32, 0, n), Access: make([]float64, 0, n),
			Unmet: make([]float64, 0, n), Gap: make([]float64, 0, n), Desert: make([]int8, 0, n)}
		for _, block := range pc.blocks {
			b, err := s.tables.Series(ctx, block, k)
			if err != nil {
				return nil, 0, err
			}
			m.Nearest, m.Count, m.Access = append(m.Nearest, b.Nearest...), append(m.Count, b.Count...), append(m.Access, b.Access...)
			m.Unmet, m.Gap, m.Desert = append(m.Unmet, b.Unmet...), append(m.Gap, b.Gap...), append(m.Desert, b.Desert...)
			if b.Overstated != nil { // a run records it for every block or none
				m.Overstated = append(m.Overstated, b.Overstated...)
			}
		}
		return m, seriesSize * len(m.Nearest), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*data.CellMeasures), nil
}

// level builds a piece's level at resolution res.
func (s *Set) level(ctx context.Context, unit, p, res int) (*level, error) {
	v, err := s.data.load(dataKey{run: s.info.ID, kind: kindLevel, unit: unit, part: p, res: res}, func() (any, int, error) {
		base, err := s.base(ctx, unit, p)
		if err != nil {
			return nil, 0, err
		}
		lv, err := buildLevel(base, res, s.info.Resolution)
		if err != nil {
			return nil, 0, err
		}
		return lv, lv.size(), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*level), nil
}

// measures aggregates a series over a piece's level at resolution res.
func (s *Set) measures(ctx context.Context, unit, p, res, k int) (*level, *levelMeasures, error) {
	lv, err := s.level(ctx, unit, p, res)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.data.load(dataKey{run: s.info.ID, kind: kindMeasures, unit: unit, part: p, res: res, series: k}, func() (any, int, error) {
		base, err := s.base(ctx, unit, p)
		if err != nil {
			return nil, 0, err
		}
		cm, err := s.series(ctx, unit, p, k)
		if err != nil {
			return nil, 0, err
		}
		m := lv.measuresOf(base, cm)
		return m, m.size(), nil
	})
	if err != nil {
		return nil, nil, err
	}
	return lv, v.(*levelMeasures), nil
}
