package analysis

import (
	"math"

	"stemgap/data"
)

// lowerIsBetter reports measures where a smaller value means better access: a distance, a cost.
func lowerIsBetter(kind string) bool { return kind == MeasureNearest || kind == MeasureRAAM }

// perCapita reports measures in seats per 1,000 people of demand, the unit unmet seats are
// counted in.
func perCapita(kind string) bool {
	return kind == Measure2SFCA || kind == MeasureE2SFCA || kind == Measure3SFCA || kind == MeasureGravity
}

// contentResult is one content area's work: the raw figures, then the scored columns.
type contentResult struct {
	setting  string // the setting group
	name     string
	programs []int32
	set      *programSet // shared with every series of the same programs
	tooFew   bool        // fewer programs than min_programs: measured, not judged
	nearest  []float64
	count    []int32
	raw      []float64 // access before normalisation
	// overstated flags the cells whose access is overstated by demand left unknown.
	overstated []bool
	mean       float64 // demand-weighted regional mean of raw
	target     float64 // raw access that counts as enough
	cells      data.CellMeasures
	summary    data.ContentArea
}

// cellContext is what scoring a cell needs besides the content area's figures.
type cellContext struct {
	g     *grid
	p     Params
	need  []float64 // per cell
	urban []bool    // per cell
}

// distanceThreshold is the desert distance for a cell: farther than this from every program is
// too far.
func (c *cellContext) distanceThreshold(i int) float64 {
	if c.urban[i] {
		return c.p.Desert.UrbanCost
	}
	return c.p.Desert.RuralCost
}

// score turns raw access into the reported columns: access (normalised if asked), unmet seats,
// the gap score and the desert flag, for every cell with a demand figure.
func (c *cellContext) score(cr *contentResult) {
	cr.mean = demandWeightedMean(c.g, cr.raw)
	cr.target = c.targetFor(cr.mean)
	var t demandTally
	cr.cells = c.scoreCells(cr, &t)
	c.summarize(cr, t)
}

// demandTally is the demand of a series' cells, and of its desert cells, summed in cell order.
type demandTally struct{ total, desert float64 }

// scoreCells scores the cells of c's grid — the region's, or a partition's with cr's columns its
// own — against cr's mean and target, adding their demand to t.
func (c *cellContext) scoreCells(cr *contentResult, t *demandTally) data.CellMeasures {
	g := c.g
	n := len(g.cells)
	m := data.CellMeasures{
		Nearest: cr.nearest, Count: cr.count, Overstated: cr.overstated,
		Access: make([]float64, n), Unmet: make([]float64, n), Gap: make([]float64, n), Desert: make([]int8, n),
	}
	for i := 0; i < n; i++ {
		c.scoreCell(cr, &m, i)
		if !g.known(i) {
			continue
		}
		t.total += g.demand[i]
		if m.Desert[i] == data.DesertYes {
			t.desert += g.demand[i]
		}
	}
	return m
}

// summarize writes a scored series' summary for the region.
func (c *cellContext) summarize(cr *contentResult, t demandTally) {
	p := c.p
	reported := cr.mean
	reportedTarget := cr.target
	if p.Measure.Normalize {
		reported, reportedTarget = 1, cr.target/cr.mean
	}
	cr.summary = data.ContentArea{
		Setting: cr.setting, Name: cr.name, Programs: len(cr.programs), TooFew: cr.tooFew, MinPrograms: p.MinPrograms,
		MeanAccess: reported, Target: reportedTarget,
		DemandTotal: t.total, DesertYouth: t.desert, DesertShare: safeDiv(t.desert, t.total),
	}
	if cr.tooFew {
		cr.summary.DesertYouth, cr.summary.DesertShare = math.NaN(), math.NaN()
	}
}

// targetFor is the raw access that counts as enough in a series whose demand-weighted regional
// mean of raw access is mean: what its cells are judged against, with the mean.
func (c *cellContext) targetFor(mean float64) float64 {
	p := c.p
	if p.Gap.Target > 0 {
		if p.Measure.Normalize {
			return p.Gap.Target * mean
		}
		return p.Gap.Target
	}
	return mean
}

// view is the context of the region's cells lo to hi: a partition's, to score with its own
// columns. Its grid has the cells and demand only.
func (c *cellContext) view(lo, hi int) cellContext {
	g := &grid{cells: c.g.cells[lo:hi:hi], demand: c.g.demand[lo:hi:hi]}
	return cellContext{g: g, p: c.p, need: c.need[lo:hi:hi], urban: c.urban[lo:hi:hi]}
}

// scoreCell fills cell i's access, unmet seats, gap score and desert flag from its raw access and
// nearest cost, judged against the series' mean and target as they stand in cr.
func (c *cellContext) scoreCell(cr *contentResult, m *data.CellMeasures, i int) {
	p, g := c.p, c.g
	kind := p.Measure.Kind
	if !g.known(i) {
		m.Access[i], m.Unmet[i], m.Gap[i], m.Desert[i] = math.NaN(), math.NaN(), math.NaN(), data.DesertNoData
		return
	}
	lambda := p.Gap.NeedWeight
	ratio := p.Desert.AccessRatio
	a := cr.raw[i]
	m.Access[i] = a
	if p.Measure.Normalize {
		m.Access[i] = a / cr.mean
	}
	threshold := c.distanceThreshold(i)
	far := cr.nearest[i] > threshold
	var met float64 // how much of the target is met: 1 or more is enough
	low := false
	switch {
	case kind == MeasureNearest:
		met = threshold / a
	case math.IsNaN(a): // RAAM with no program reachable
		met, low = 0, true
	case lowerIsBetter(kind):
		met = cr.target / a
		low = ratio > 0 && a > cr.mean/ratio
	default:
		met = a / cr.target
		low = a < ratio*cr.mean
	}
	if math.IsNaN(met) { // 0/0: no target and no access
		met = 1
	}
	shortfall := math.Max(0, 1-met)
	m.Unmet[i] = math.NaN()
	if perCapita(kind) {
		m.Unmet[i] = g.demand[i] * math.Max(0, cr.target-a) / 1000
	}
	switch {
	case lambda == 0:
		m.Gap[i] = shortfall
	case math.IsNaN(c.need[i]):
		m.Gap[i] = math.NaN()
	default:
		m.Gap[i] = shortfall * ((1 - lambda) + lambda*c.need[i])
	}
	switch {
	case cr.tooFew:
		m.Unmet[i], m.Gap[i], m.Desert[i] = math.NaN(), math.NaN(), data.DesertNoData
	case g.demand[i] == 0:
		// No one lives here, so no one lacks access: never a desert.
		m.Desert[i] = data.DesertNo
	case far || low:
		m.Desert[i] = data.DesertYes
	default:
		m.Desert[i] = data.DesertNo
	}
}

// shareWork gives a series the mean, target and summary of the series that was measured and
// scored for its program set: with the same programs, every figure is the same. Its cells are
// not shared here: they were scored partition by partition, written out, and never kept.
func (cr *contentResult) shareWork() {
	rep := cr.set.rep
	if rep == cr {
		return
	}
	cr.mean, cr.target = rep.mean, rep.target
	cr.summary = rep.summary
	cr.summary.Setting, cr.summary.Name = cr.setting, cr.name
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
