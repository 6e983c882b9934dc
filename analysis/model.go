package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// RunParams reads the parameters a run recorded: resolved, as it computed with them.
func RunParams(info *data.RunInfo) (Params, error) {
	p := DefaultParams()
	if err := DecodeParams(bytes.NewReader(info.Params), &p); err != nil {
		return p, fmt.Errorf("run %s: its recorded parameters: %w", info.ID, err)
	}
	return p, nil
}

// ErrNotLocal is returned for a run whose access model cannot be changed one program at a time:
// RAAM and 3SFCA move demand between programs, and a travel-time matrix has no costs from a new
// site.
var ErrNotLocal = errors.New("the run's access model cannot be changed one program at a time")

// ErrRequest is returned for a request the model cannot answer as asked: a count, capacity or
// program that is out of bounds.
var ErrRequest = errors.New("invalid request")

// Model is a stored run's access model rebuilt from the run and the inputs it was computed from:
// its cells with their demand, need and urban flag, its programs and their seats, and per series
// the raw access those seats give. Recommendations and scenarios work on copies of its columns;
// the run itself is never altered. A Model is safe for concurrent use.
type Model struct {
	run       *data.Run
	p         Params
	ac        *areaContext // cells, areas, need and urban flags: what scoring and rollups read
	figs      []figures
	sites     []geo.Site        // cell centers on the sphere
	cellIndex *geo.NearestIndex // over the cell centers: the cells within reach of a point
	programs  []data.Program    // the run's own, in the order Analyze measured them
	programAt map[string]int32  // program id → index in programs
	supply    []float64
	// blocks group the cells by an H3 parent three resolutions up, a few hundred each, so that a
	// search for the cells a program may be nearest to passes over whole blocks far from it.
	blocks []cellBlock
	// sharedCells lists, for the few cells that hold the demand of more than one area (an area
	// too small to hold a cell center shares its interior point's cell), the other areas.
	sharedCells map[int32][]int32
	weight      weightFunc

	series []*seriesState // aligned with run.ContentAreas
}

// seriesState is one series' baseline, measured on first use.
type seriesState struct {
	once sync.Once
	cr   *contentResult
	err  error
	// areas and tallies are the series' rollup; farthest is the largest nearest cost, the farthest
	// a program can change a nearest cost from (+Inf when some cell has no program to reach).
	areas   []data.AreaMeasures
	tallies []areaTally
	// farthest is, per block, the largest nearest cost of its cells: a program farther from all
	// of them than that changes none of their nearest costs.
	farthest []float64
	// meanSums are Σ P_i·A_i and Σ P_i over the cells counted in the regional mean.
	meanSums weightedSum
}

// cellBlock is a run of the sorted cells sharing an H3 parent: cells[lo:hi], within radius km of
// center.
type cellBlock struct {
	lo, hi int32
	center geo.Site
	radius float64
}

// NewModel rebuilds a run's access model from the run and its own inputs (data.Store.RunInputs),
// and checks that the two agree: the inputs must give the run's cells and series.
func NewModel(ctx context.Context, run *data.Run, in *data.Inputs) (*Model, error) {
	p, err := RunParams(&run.RunInfo)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Costs.Matrix != "":
		return nil, fmt.Errorf("run %s measured travel with the cost matrix %s, which gives no cost from a site it does not list: %w", run.ID, p.Costs.Matrix, ErrNotLocal)
	case p.Measure.Kind == MeasureRAAM || p.Measure.Kind == Measure3SFCA:
		return nil, fmt.Errorf("run %s measures %s, under which a program changes how demand is shared among all programs around it; analyse the changed inputs and compare the runs instead: %w", run.ID, labels.MeasureName(p.Measure.Kind), ErrNotLocal)
	}
	areas := slices.Clone(in.Areas)
	sort.Slice(areas, func(i, j int) bool { return areas[i].ID < areas[j].ID })
	programs := slices.Clone(in.Programs)
	sort.Slice(programs, func(i, j int) bool { return programs[i].ID < programs[j].ID })
	if len(areas) != len(run.Areas) {
		return nil, fmt.Errorf("run %s has %d areas but its inputs %d: they are not its own inputs", run.ID, len(run.Areas), len(areas))
	}
	figs, _ := areaFigures(areas, in.Demographics)
	areaDemand, _, err := demandByArea(areas, figs, in.Demographics, p.Demand)
	if err != nil {
		return nil, err
	}
	g, err := buildGrid(ctx, areas, areaDemand, p.Resolution)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(g.cells, run.Cells.H3) {
		return nil, fmt.Errorf("run %s: its inputs give other cells than it holds (%d against %d): they are not its own inputs", run.ID, len(g.cells), run.Cells.Len())
	}
	m := &Model{run: run, p: p, figs: figs, programs: programs, supply: make([]float64, len(programs)), weight: decayWeight(p.Measure),
		programAt: make(map[string]int32, len(programs)), sharedCells: map[int32][]int32{}}
	for a, cells := range g.areaCells {
		for _, i := range cells {
			if g.area[i] != int32(a) {
				m.sharedCells[i] = append(m.sharedCells[i], int32(a))
			}
		}
	}
	for j, pr := range programs {
		m.programAt[pr.ID] = int32(j)
		m.supply[j] = pr.Capacity
		if math.IsNaN(pr.Capacity) {
			m.supply[j] = p.DefaultCapacity
		}
	}
	areaNeed, areaUrban, urbanBasis := make([]float64, len(areas)), make([]bool, len(areas)), make([]string, len(areas))
	for a, ar := range run.Areas {
		if ar.ID != areas[a].ID {
			return nil, fmt.Errorf("run %s: area %d is %s in the run and %s in its inputs: they are not its own inputs", run.ID, a+1, ar.ID, areas[a].ID)
		}
		areaNeed[a], areaUrban[a], urbanBasis[a] = ar.Need, ar.Urban, ar.UrbanWhy
	}
	cc := cellContext{g: g, p: p, need: run.Cells.Need, urban: run.Cells.Urban}
	m.ac = &areaContext{cellContext: cc, areas: areas, areaDemand: areaDemand, areaNeed: areaNeed, areaUrban: areaUrban,
		urbanBasis: urbanBasis, noun: labels.DemandNoun(p.Demand), unit: run.CostUnit}

	series := seriesOf(programs, p.Settings, p.MinPrograms)
	if len(series) != len(run.ContentAreas) {
		return nil, fmt.Errorf("run %s has %d series but its inputs give %d: they are not its own inputs", run.ID, len(run.ContentAreas), len(series))
	}
	for k, cr := range series {
		if c := run.ContentAreas[k]; c.Setting != cr.setting || c.Name != cr.name || c.Programs != len(cr.programs) {
			return nil, fmt.Errorf("run %s: series %s/%s has %d programs in the run and %s/%s %d in its inputs: they are not its own inputs", run.ID, c.Setting, c.Name, c.Programs, cr.setting, cr.name, len(cr.programs))
		}
		m.series = append(m.series, &seriesState{cr: cr})
	}
	centers := make([]orb.Point, len(g.centers))
	copy(centers, g.centers)
	m.sites = make([]geo.Site, len(centers))
	for i, c := range centers {
		m.sites[i] = geo.NewSite(c)
	}
	m.cellIndex = geo.NewNearestIndex(centers)
	if m.blocks, err = m.blocksOf(g.cells, max(0, p.Resolution-3)); err != nil {
		return nil, err
	}
	return m, nil
}

// blocksOf groups the sorted cells by their parent at res: H3 orders cells digit by digit, so a
// parent's children lie together.
func (m *Model) blocksOf(cells []h3.Cell, res int) ([]cellBlock, error) {
	var blocks []cellBlock
	var parent h3.Cell
	for i, c := range cells {
		pc, err := c.Parent(res)
		if err != nil {
			return nil, fmt.Errorf("parent of cell %s: %w", c, err)
		}
		if i == 0 || pc != parent {
			parent = pc
			blocks = append(blocks, cellBlock{lo: int32(i), center: m.sites[i]})
		}
		b := &blocks[len(blocks)-1]
		b.hi = int32(i + 1)
		b.radius = math.Max(b.radius, b.center.DistanceKm(m.sites[i]))
	}
	return blocks, nil
}

// nearerCells calls fn with every cell that lies no farther from site than the largest nearest
// cost of its block (farthest, per block) — a superset of the cells whose nearest cost a program
// at site could equal or beat — and its distance from site.
func (m *Model) nearerCells(site geo.Site, farthest []float64, fn func(i int32, d float64)) {
	for b, bl := range m.blocks {
		// The margin keeps rounding from passing over a cell the exact test would take.
		if site.DistanceKm(bl.center)-bl.radius > farthest[b]*(1+1e-9)+1e-9 {
			continue
		}
		for i := bl.lo; i < bl.hi; i++ {
			fn(i, site.DistanceKm(m.sites[i]))
		}
	}
}

// Run is the baseline run the model was built from.
func (m *Model) Run() *data.Run { return m.run }

// reachOf returns the cells within the catchment of a site, ascending, with their costs: the
// same pairs, to the bit, that the analysis finds for a program standing there.
func (m *Model) reachOf(site geo.Site) ([]int32, []float64) {
	limit := m.p.Measure.Catchment
	chordLimit := geo.ChordSquaredForKm(limit) * (1 + 1e-9)
	near := m.cellIndex.Within(site, limit, nil)
	cells, costs := near[:0], make([]float64, 0, len(near))
	for _, i := range near {
		c2 := site.ChordSquared(m.sites[i])
		if c2 > chordLimit {
			continue
		}
		if d := geo.KmForChordSquared(c2); d <= limit {
			cells = append(cells, i)
			costs = append(costs, d)
		}
	}
	return cells, costs
}

// reachOfPrograms gathers the catchments of the given programs (of m.programs) in the analysis's
// compressed rows; the other programs' rows are empty.
func (m *Model) reachOfPrograms(programs []int32) *reach {
	rows := make([][]int32, len(m.programs))
	costs := make([][]float64, len(m.programs))
	for _, j := range programs {
		rows[j], costs[j] = m.reachOf(geo.NewSite(m.programs[j].Location))
	}
	rc := &reach{start: make([]int32, 1, len(m.programs)+1)}
	for j := range m.programs {
		rc.cell = append(rc.cell, rows[j]...)
		rc.cost = append(rc.cost, costs[j]...)
		rc.start = append(rc.start, int32(len(rc.cell)))
	}
	rc.weigh(m.weight)
	return rc
}

// baseline returns series k measured on the model: counts and raw access recomputed from the
// programs' catchments, nearest costs as the run holds them, scored afresh. It checks the
// recomputation against the run, so that nothing is built on a run its inputs do not reproduce.
func (m *Model) baseline(k int) (*contentResult, error) {
	if k < 0 || k >= len(m.series) {
		return nil, fmt.Errorf("series %d: %w", k, data.ErrUnknownSeries)
	}
	st := m.series[k]
	st.once.Do(func() {
		cr := st.cr
		rc := m.reachOfPrograms(cr.programs)
		in := &accessInputs{g: m.ac.g, reach: rc, programs: cr.programs, supply: m.supply}
		cr.count = in.counts()
		cr.nearest = m.run.Cells.Measures[k].Nearest
		switch m.p.Measure.Kind {
		case MeasureNearest:
			cr.raw = cr.nearest
		case MeasureCumulative:
			cr.raw = cumulative(in)
		default:
			cr.raw = twoStep(in)
		}
		m.ac.score(cr)
		if st.err = m.agrees(k, cr); st.err != nil {
			return
		}
		m.takeStored(k, cr)
		_, st.tallies = m.ac.rollup(cr)
		st.areas = make([]data.AreaMeasures, len(m.run.Areas))
		for a, ar := range m.run.Areas {
			st.areas[a] = ar.Measures[k]
		}
		st.meanSums.add(m.ac.g, cr.raw)
		st.farthest = make([]float64, len(m.blocks))
		for b, bl := range m.blocks {
			for _, d := range cr.nearest[bl.lo:bl.hi] {
				st.farthest[b] = math.Max(st.farthest[b], d)
			}
		}
	})
	return st.cr, st.err
}

// takeStored makes the run's own figures the baseline, now that the model agrees with them to
// rounding: what a scenario leaves alone is then the run's, to the bit, and a change is nothing
// but the change. The run's columns are shared, never written: a scenario copies what it changes.
func (m *Model) takeStored(k int, cr *contentResult) {
	stored := m.run.Cells.Measures[k]
	cr.cells = stored
	cr.summary = m.run.ContentAreas[k]
	if m.p.Measure.Normalize {
		return // the run holds access over its mean, not the raw access a change adds to
	}
	raw := slices.Clone(cr.raw)
	for i, a := range stored.Access {
		if !math.IsNaN(a) {
			raw[i] = a
		}
	}
	cr.raw = raw
	cr.mean, cr.target = cr.summary.MeanAccess, cr.summary.Target
}

// agrees checks a series measured on the model against the run: the same counts, and the same
// access to 1e-9 (the rounding of sums taken in another order).
func (m *Model) agrees(k int, cr *contentResult) error {
	stored := m.run.Cells.Measures[k]
	c := m.run.ContentAreas[k]
	for i := range cr.count {
		if cr.count[i] != stored.Count[i] {
			return fmt.Errorf("run %s, %s/%s: cell %s has %d programs within the catchment in the run and %d by its inputs: the run was computed otherwise (software %s)", m.run.ID, c.Setting, c.Name, m.run.Cells.H3[i], stored.Count[i], cr.count[i], m.run.Software)
		}
		if a, b := cr.cells.Access[i], stored.Access[i]; !agreesTo1e9(a, b) {
			return fmt.Errorf("run %s, %s/%s: cell %s has access %v in the run and %v by its inputs: the run was computed otherwise (software %s)", m.run.ID, c.Setting, c.Name, m.run.Cells.H3[i], b, a, m.run.Software)
		}
	}
	return nil
}

// agreesTo1e9 compares two figures to 1e-9, relative to the larger; two missing figures agree.
func agreesTo1e9(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// needWeight is how much a seat closed in cell i counts: (1 − λ) + λ·need, as in the gap score.
// Where need is unknown the cell counts as the least needy, so a gain never rests on a guess.
func (m *Model) needWeight(i int) float64 {
	lambda := m.p.Gap.NeedWeight
	need := m.ac.need[i]
	if math.IsNaN(need) {
		need = 0
	}
	return (1 - lambda) + lambda*need
}
