package data

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
)

// PartitionResolution is the H3 resolution of the parent that partitions a run's cells: res-3
// cells are about 12,000 km², a few per metropolitan region. Stores file cells by it (PostGIS's
// h3_r3), and every coarser figure the tiles aggregate lies within one partition, since an H3
// cell's descendants share its ancestors.
const PartitionResolution = 3

// BlockCells bounds the cells of one block: what a reader decodes at once.
const BlockCells = 1 << 14

// CellBlock is a run of consecutive cells, in the run's cell order, that share one partition.
type CellBlock struct {
	Partition h3.Cell // the resolution-3 parent of every cell in the block
	Start     int     // the block's first row in the run's cell table
	Len       int
	Bound     orb.Bound // of the cells' hexagons
}

// RunTables gives a stored run's tables without holding them: its provenance, rollups and
// equity at once, its cells block by block, each read only when asked for. Serving and exports
// read runs this way, so their memory follows what is asked, not the size of the region.
type RunTables interface {
	Info() *RunInfo
	Areas() []AreaResult
	// AreaIDs are the areas' ids, indexed as CellTable.Area indexes Areas: what a cell needs of
	// its area, without the rollups, whose size grows with the region's.
	AreaIDs() []string
	Equity() []EquityRow
	Blocks() []CellBlock
	// Cells reads one block's cells with the figures of the given series (indexes into
	// RunInfo.ContentAreas); the table's Measures stay aligned with ContentAreas, and the series
	// not asked for are left empty.
	Cells(ctx context.Context, block int, series []int) (*CellTable, error)
	// Base reads one block's cells without their centers (Lat and Lng are left empty) or any
	// series: what tiles need, for less work than Cells.
	Base(ctx context.Context, block int) (*CellTable, error)
	// Series reads one series' figures of one block, without the cells' own columns.
	Series(ctx context.Context, block, k int) (*CellMeasures, error)
	Close() error
}

// PartitionOf is the partition holding a cell.
func PartitionOf(c h3.Cell) (h3.Cell, error) {
	if c.Resolution() <= PartitionResolution {
		return c, nil
	}
	p, err := c.Parent(PartitionResolution)
	if err != nil {
		return 0, fmt.Errorf("partition of cell %s: %w", c, err)
	}
	return p, nil
}

// SplitBlocks cuts a cell order into blocks: a new block starts where the partition changes or a
// block is full. Cells sorted by index (as the analysis writes them) keep each partition whole.
func SplitBlocks(cells []h3.Cell) ([]CellBlock, error) {
	var out []CellBlock
	for i, c := range cells {
		p, err := PartitionOf(c)
		if err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].Partition != p || out[n-1].Len == BlockCells {
			out = append(out, CellBlock{Partition: p, Start: i})
		}
		out[len(out)-1].Len++
	}
	return out, nil
}

// Slice copies rows [lo, hi) of a table, with the given series' figures only.
func (t *CellTable) Slice(lo, hi int, series []int) *CellTable {
	out := &CellTable{
		H3: t.H3[lo:hi:hi], Lat: t.Lat[lo:hi:hi], Lng: t.Lng[lo:hi:hi], Demand: t.Demand[lo:hi:hi],
		Area: t.Area[lo:hi:hi], Need: t.Need[lo:hi:hi], Urban: t.Urban[lo:hi:hi],
		Measures: make([]CellMeasures, len(t.Measures)),
	}
	for _, k := range series {
		m := &t.Measures[k]
		out.Measures[k] = CellMeasures{Nearest: m.Nearest[lo:hi:hi], Count: m.Count[lo:hi:hi], Access: m.Access[lo:hi:hi],
			Unmet: m.Unmet[lo:hi:hi], Gap: m.Gap[lo:hi:hi], Desert: m.Desert[lo:hi:hi]}
		if m.Overstated != nil {
			out.Measures[k].Overstated = m.Overstated[lo:hi:hi]
		}
	}
	return out
}

// AllSeries lists every series of a run, for readers that want them all.
func (r *RunInfo) AllSeries() []int {
	out := make([]int, len(r.ContentAreas))
	for i := range out {
		out[i] = i
	}
	return out
}

// memoryTables serves a run held in memory as RunTables.
type memoryTables struct {
	run    *Run
	blocks []CellBlock
}

// TablesOf gives a run held in memory the shape of a stored one: for runs that are computed
// rather than read, and for runs a store kept in an older form.
func TablesOf(run *Run) (RunTables, error) {
	blocks, err := SplitBlocks(run.Cells.H3)
	if err != nil {
		return nil, err
	}
	for i := range blocks {
		b := &blocks[i]
		if b.Bound, err = CellsBound(run.Cells.H3[b.Start : b.Start+b.Len]); err != nil {
			return nil, err
		}
	}
	return &memoryTables{run: run, blocks: blocks}, nil
}

func (m *memoryTables) Info() *RunInfo      { return &m.run.RunInfo }
func (m *memoryTables) Areas() []AreaResult { return m.run.Areas }
func (m *memoryTables) Equity() []EquityRow { return m.run.Equity }
func (m *memoryTables) AreaIDs() []string   { return AreaIDsOf(m.run.Areas) }
func (m *memoryTables) Blocks() []CellBlock { return m.blocks }
func (m *memoryTables) Close() error        { return nil }

// AreaIDsOf lists the areas' ids in their order.
func AreaIDsOf(areas []AreaResult) []string {
	ids := make([]string, len(areas))
	for i, a := range areas {
		ids[i] = a.ID
	}
	return ids
}

func (m *memoryTables) Cells(ctx context.Context, block int, series []int) (*CellTable, error) {
	if block < 0 || block >= len(m.blocks) {
		return nil, fmt.Errorf("run %s has no block %d", m.run.ID, block)
	}
	b := m.blocks[block]
	return m.run.Cells.Slice(b.Start, b.Start+b.Len, series), nil
}

func (m *memoryTables) Base(ctx context.Context, block int) (*CellTable, error) {
	t, err := m.Cells(ctx, block, nil)
	if err != nil {
		return nil, err
	}
	t.Lat, t.Lng = nil, nil
	return t, nil
}

func (m *memoryTables) Series(ctx context.Context, block, k int) (*CellMeasures, error) {
	if k < 0 || k >= len(m.run.ContentAreas) {
		return nil, fmt.Errorf("run %s has no series %d", m.run.ID, k)
	}
	t, err := m.Cells(ctx, block, []int{k})
	if err != nil {
		return nil, err
	}
	return &t.Measures[k], nil
}

// CellsBoundOfCenters is CellsBound for cells whose H3 centers are given (lat[i], lng[i] of
// cells[i]), drawing only the cells that can hold the bound's corners: those whose centers lie
// within three times the first cell's reach (center to farthest corner, in each axis) of the
// centers' own bound. A corner beyond the centers' bound belongs to a cell within its own reach
// of it, and neighbouring cells differ in size by far less than threefold, so the bound is the
// same as drawing every cell. Blocks near a pole or across the antimeridian, where degrees
// stretch, draw every cell.
func CellsBoundOfCenters(cells []h3.Cell, lat, lng []float64) (orb.Bound, error) {
	if len(cells) < 64 {
		return CellsBound(cells)
	}
	centers := orb.Bound{Min: orb.Point{lng[0], lat[0]}, Max: orb.Point{lng[0], lat[0]}}
	for i := range cells {
		centers = centers.Extend(orb.Point{lng[i], lat[i]})
	}
	if centers.Max[0]-centers.Min[0] > 90 || math.Max(math.Abs(centers.Min[1]), math.Abs(centers.Max[1])) > 80 {
		return CellsBound(cells)
	}
	first, err := h3.CellToBoundary(cells[0])
	if err != nil {
		return orb.Bound{}, fmt.Errorf("boundary of cell %s: %w", cells[0], err)
	}
	var reachLat, reachLng float64
	for _, v := range first {
		reachLat, reachLng = math.Max(reachLat, math.Abs(v.Lat-lat[0])), math.Max(reachLng, math.Abs(v.Lng-lng[0]))
	}
	if reachLng > 1 { // a cell wider than a degree: not a block of small cells
		return CellsBound(cells)
	}
	mLat, mLng := 3*reachLat, 3*reachLng
	var edge []h3.Cell
	for i, c := range cells {
		if lat[i] <= centers.Min[1]+mLat || lat[i] >= centers.Max[1]-mLat || lng[i] <= centers.Min[0]+mLng || lng[i] >= centers.Max[0]-mLng {
			edge = append(edge, c)
		}
	}
	return CellsBound(edge)
}

// CellsBound is the bound of the cells' hexagons.
func CellsBound(cells []h3.Cell) (orb.Bound, error) {
	var b orb.Bound
	for i, c := range cells {
		boundary, err := h3.CellToBoundary(c)
		if err != nil {
			return b, fmt.Errorf("boundary of cell %s: %w", c, err)
		}
		for j, v := range boundary {
			p := orb.Point{v.Lng, v.Lat}
			if i == 0 && j == 0 {
				b = orb.Bound{Min: p, Max: p}
			} else {
				b = b.Extend(p)
			}
		}
	}
	return b, nil
}

// LoadRun opens a stored run and reads the whole of it: how stores answer Store.Run.
func LoadRun(ctx context.Context, open func(ctx context.Context, id string) (RunTables, error), id string) (*Run, error) {
	t, err := open(ctx, id)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return ReadRun(ctx, t)
}

// ReadRun reads a whole run from its tables.
func ReadRun(ctx context.Context, t RunTables) (*Run, error) {
	cells, err := ReadAllCells(ctx, t)
	if err != nil {
		return nil, err
	}
	return &Run{RunInfo: *t.Info(), Cells: cells, Areas: t.Areas(), Equity: t.Equity()}, nil
}

// ReadAllCells reads every block of a run back into one table, in the run's cell order.
func ReadAllCells(ctx context.Context, t RunTables) (CellTable, error) {
	info := t.Info()
	series := info.AllSeries()
	n := 0
	for _, b := range t.Blocks() {
		n += b.Len
	}
	out := CellTable{H3: make([]h3.Cell, 0, n), Lat: make([]float64, 0, n), Lng: make([]float64, 0, n), Demand: make([]float64, 0, n),
		Area: make([]int32, 0, n), Need: make([]float64, 0, n), Urban: make([]bool, 0, n), Measures: make([]CellMeasures, len(series))}
	for k := range out.Measures {
		out.Measures[k] = CellMeasures{Nearest: make([]float64, 0, n), Count: make([]int32, 0, n), Access: make([]float64, 0, n),
			Unmet: make([]float64, 0, n), Gap: make([]float64, 0, n), Desert: make([]int8, 0, n)}
	}
	for b := range t.Blocks() {
		part, err := t.Cells(ctx, b, series)
		if err != nil {
			return out, err
		}
		out.Append(part)
	}
	return out, nil
}

// Append adds another table's rows, with every series' figures. Series whose columns are the
// same slices in part — series of one program set, as the analysis scores them — stay sharing
// them in t when they did before.
func (t *CellTable) Append(part *CellTable) {
	t.H3, t.Lat, t.Lng = append(t.H3, part.H3...), append(t.Lat, part.Lat...), append(t.Lng, part.Lng...)
	t.Demand, t.Area = append(t.Demand, part.Demand...), append(t.Area, part.Area...)
	t.Need, t.Urban = append(t.Need, part.Need...), append(t.Urban, part.Urban...)
	if t.Measures == nil {
		t.Measures = make([]CellMeasures, len(part.Measures))
	}
	shares := make([]int, len(t.Measures))  // the earlier series whose columns k shares, or k
	detach := make([]bool, len(t.Measures)) // k shares columns in t that part gives apart
	for k := range t.Measures {
		shares[k] = k
		for j := range k {
			if !sameColumns(&t.Measures[j], &t.Measures[k]) {
				continue
			}
			if sameColumns(&part.Measures[j], &part.Measures[k]) {
				shares[k] = j
				break
			}
			detach[k] = t.Measures[k].Access != nil
		}
	}
	for k := range t.Measures {
		m, p := &t.Measures[k], &part.Measures[k]
		if j := shares[k]; j != k {
			*m = t.Measures[j]
			continue
		}
		if detach[k] { // appending to shared arrays would write over the other series' rows
			m.Nearest, m.Count, m.Access = slices.Clone(m.Nearest), slices.Clone(m.Count), slices.Clone(m.Access)
			m.Unmet, m.Gap, m.Desert, m.Overstated = slices.Clone(m.Unmet), slices.Clone(m.Gap), slices.Clone(m.Desert), slices.Clone(m.Overstated)
		}
		m.Nearest, m.Count, m.Access = append(m.Nearest, p.Nearest...), append(m.Count, p.Count...), append(m.Access, p.Access...)
		m.Unmet, m.Gap, m.Desert = append(m.Unmet, p.Unmet...), append(m.Gap, p.Gap...), append(m.Desert, p.Desert...)
		if p.Overstated != nil { // a run records it for every cell or none
			m.Overstated = append(m.Overstated, p.Overstated...)
		}
	}
}

// sameColumns reports whether two series' figures are the same slices (or both empty).
func sameColumns(a, b *CellMeasures) bool {
	if len(a.Access) != len(b.Access) || len(a.Nearest) != len(b.Nearest) {
		return false
	}
	return len(a.Access) == 0 || &a.Access[0] == &b.Access[0] && &a.Nearest[0] == &b.Nearest[0]
}
