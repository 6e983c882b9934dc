package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"stemgap/data"
)

// areaContext is what rolling cells up to areas needs.
type areaContext struct {
	cellContext
	areas      []data.Area
	areaDemand []float64
	areaNeed   []float64
	areaUrban  []bool
	urbanBasis []string
	noun       string // what demand counts, e.g. "youth"
	unit       string // the cost unit
}

// areaTally is one area's desert arithmetic for one content area.
type areaTally struct {
	cells, desert, far, low int
}

// rollup summarises one series for every area. An area's demand is spread equally over its
// cells, so its demand-weighted means are plain means over those cells. Only areas where someone
// lives, in a series with enough programs, are judged and ranked.
func (c *areaContext) rollup(cr *contentResult) ([]data.AreaMeasures, []areaTally) {
	sums := make([]areaSums, len(c.areas))
	for a := range c.areas {
		sums[a] = c.sumArea(cr, a)
	}
	return c.rollupSums(cr, sums)
}

// rollupSums is rollup from each area's sums, however they were gathered.
func (c *areaContext) rollupSums(cr *contentResult, sums []areaSums) ([]data.AreaMeasures, []areaTally) {
	out := make([]data.AreaMeasures, len(c.areas))
	tallies := make([]areaTally, len(c.areas))
	for a := range c.areas {
		out[a], tallies[a] = c.areaResult(cr, a, &sums[a])
	}
	if !cr.tooFew {
		rankAreas(out, lowerIsBetter(c.p.Measure.Kind), c.areas, c.areaDemand)
	}
	return out, tallies
}

// rollupShared is rollup, done once per program set from the sums gathered as its cells were
// scored: the series a set stands for is rolled up, and the others take its figures, with the
// reasons that name a series naming theirs.
func (c *areaContext) rollupShared(cr *contentResult) ([]data.AreaMeasures, []areaTally) {
	set := cr.set
	if set.rep == cr {
		set.areas, set.tallies = c.rollupSums(cr, set.sums)
		set.sums = nil
		return set.areas, set.tallies
	}
	out := slices.Clone(set.areas)
	if theirs, ours := set.rep.summary.TooFewNote(), cr.summary.TooFewNote(); theirs != ours {
		for a := range out {
			if out[a].Reason == theirs {
				out[a].Reason = ours
			}
		}
	}
	return out, set.tallies
}

// areaSums gathers one series' figures over one area's cells, added in cell order, for its
// rollup: the region's cells at once, or a partition's at a time.
type areaSums struct {
	access, nearest, gap meanSum
	unmet                float64
	tally                areaTally // desert, far and low; cells is set by areaResult
}

// meanSum is the mean of the finite values added.
type meanSum struct {
	sum float64
	n   int
}

func (m *meanSum) add(x float64) {
	if !math.IsNaN(x) && !math.IsInf(x, 0) {
		m.sum += x
		m.n++
	}
}

func (m meanSum) mean() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.sum / float64(m.n)
}

// addCell adds region cell i, one of area a's, with its figures in series cr.
func (c *areaContext) addCell(s *areaSums, cr *contentResult, a, i int, raw, nearest, access, gap float64, desert int8) {
	s.access.add(access)
	s.nearest.add(nearest)
	s.gap.add(gap)
	if desert == data.DesertYes {
		s.tally.desert++
		if nearest > c.distanceThreshold(i) {
			s.tally.far++
		} else {
			s.tally.low++
		}
	}
	if perCapita(c.p.Measure.Kind) {
		share := c.areaDemand[a] / float64(len(c.g.areaCells[a]))
		s.unmet += share * math.Max(0, cr.target-raw) / 1000
	}
}

// rollupArea summarises one series for area a, unranked.
func (c *areaContext) rollupArea(cr *contentResult, a int) (data.AreaMeasures, areaTally) {
	s := c.sumArea(cr, a)
	return c.areaResult(cr, a, &s)
}

// sumArea sums series cr's figures over area a's cells, in cell order, from its whole columns.
func (c *areaContext) sumArea(cr *contentResult, a int) (s areaSums) {
	for _, i := range c.g.areaCells[a] {
		c.addCell(&s, cr, a, int(i), cr.raw[i], cr.nearest[i], cr.cells.Access[i], cr.cells.Gap[i], cr.cells.Desert[i])
	}
	return s
}

// areaResult is area a's rollup of one series from the sums over its cells, unranked.
func (c *areaContext) areaResult(cr *contentResult, a int, s *areaSums) (data.AreaMeasures, areaTally) {
	p := c.p
	cells := len(c.g.areaCells[a])
	var am data.AreaMeasures
	demand := c.areaDemand[a]
	if math.IsNaN(demand) {
		return data.AreaMeasures{Access: math.NaN(), Nearest: s.nearest.mean(), Unmet: math.NaN(), Gap: math.NaN(),
			DesertYouth: math.NaN(), DesertShare: math.NaN(), Percentile: math.NaN(), Reason: fmt.Sprintf("no figure for %s: not assessed", p.Demand)}, areaTally{}
	}
	am.Access = s.access.mean()
	am.Nearest = s.nearest.mean()
	am.Percentile = math.NaN()
	switch {
	case cr.tooFew:
		am.Unmet, am.Gap, am.DesertYouth, am.DesertShare = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		am.Reason = cr.summary.TooFewNote()
		return am, areaTally{}
	case demand == 0:
		am.Gap = s.gap.mean()
		am.DesertShare = math.NaN()
		am.Reason = fmt.Sprintf("no %s live here: not assessed", c.noun)
		return am, areaTally{}
	}
	share := demand / float64(cells)
	t := s.tally
	t.cells = cells
	unmet := s.unmet
	if !perCapita(p.Measure.Kind) {
		unmet = math.NaN()
	}
	am.Unmet = unmet
	am.Gap = s.gap.mean()
	am.DesertYouth = share * float64(t.desert)
	am.DesertShare = am.DesertYouth / demand
	am.Desert = am.DesertYouth >= p.Desert.MinDemand && p.Desert.MinDemand > 0 || am.DesertShare >= p.Desert.MinShare && t.desert > 0
	am.Reason = c.reason(a, &am, t, share)
	return am, t
}

func (c *areaContext) reason(a int, am *data.AreaMeasures, t areaTally, share float64) string {
	d := c.p.Desert
	threshold := d.RuralCost
	setting := "rural"
	if c.areaUrban[a] {
		threshold, setting = d.UrbanCost, "urban"
	}
	verdict := "not a desert"
	if am.Desert {
		verdict = "desert"
	}
	s := fmt.Sprintf("%s: %.0f of %.0f %s (%.0f%%) live in desert cells", verdict, am.DesertYouth, c.areaDemand[a], c.noun, 100*am.DesertShare)
	if t.desert > 0 {
		s += fmt.Sprintf(" — %.0f beyond %.2g %s of the nearest program (%s, %s)", share*float64(t.far), threshold, c.unit, setting, c.urbanBasis[a])
		if t.low > 0 {
			s += fmt.Sprintf(", %.0f nearer but with access below %.0f%% of the regional mean", share*float64(t.low), 100*d.AccessRatio)
		}
	}
	return s + fmt.Sprintf("; an area is a desert from %.0f %s or %.4g%% of them (a rule adapted from the USDA Food Access Research Atlas)", d.MinDemand, c.noun, 100*d.MinShare)
}

// rankAreas ranks assessed areas — those where someone lives and access is known — from the
// worst access (rank 1) to the best; ties are broken by area id. Percentile is the share of the
// other ranked areas with worse access: 0 is the worst in the region, 1 the best.
func rankAreas(out []data.AreaMeasures, lowerBetter bool, areas []data.Area, demand []float64) {
	var ranked []int
	for a := range out {
		if demand[a] > 0 && !math.IsNaN(out[a].Access) {
			ranked = append(ranked, a)
		}
	}
	worse := func(x, y float64) bool { // x is worse access than y
		if lowerBetter {
			return x > y
		}
		return x < y
	}
	sort.SliceStable(ranked, func(i, j int) bool {
		x, y := out[ranked[i]].Access, out[ranked[j]].Access
		if x != y {
			return worse(x, y)
		}
		return areas[ranked[i]].ID < areas[ranked[j]].ID
	})
	values := make([]float64, len(ranked))
	for k, a := range ranked {
		out[a].Rank = k + 1
		values[k] = out[a].Access
		if lowerBetter {
			values[k] = -values[k]
		}
	}
	for k, pr := range percentileRanks(values) {
		out[ranked[k]].Percentile = pr
	}
}

// equity compares each group's share living in desert cells with its reference population's
// share, over the areas that have figures for both.
func (c *areaContext) equity(cr *contentResult, tallies []areaTally, figs []figures) ([]data.EquityRow, []string) {
	if cr.tooFew {
		return nil, nil
	}
	var rows []data.EquityRow
	var notes []string
	for _, grp := range c.p.Equity {
		row := data.EquityRow{Setting: cr.setting, ContentArea: cr.name, Group: grp.Name, Variable: grp.Variable}
		refTotal, refIn := 0.0, 0.0
		for a, f := range figs {
			if math.IsNaN(c.areaDemand[a]) || tallies[a].cells == 0 {
				continue
			}
			gv, ok1 := f.value(grp.Variable)
			rv, ok2 := f.value(grp.Reference)
			if grp.Reference == c.p.Demand {
				rv, ok2 = c.areaDemand[a], true
			}
			if !ok1 || !ok2 {
				continue
			}
			frac := float64(tallies[a].desert) / float64(tallies[a].cells)
			row.Total += gv
			row.InDesert += gv * frac
			refTotal += rv
			refIn += rv * frac
			row.Areas++
		}
		if row.Areas == 0 || row.Total == 0 || refTotal == 0 {
			notes = append(notes, fmt.Sprintf("equity: no figures for %s (%s)", grp.Name, grp.Variable))
			continue
		}
		row.Share = row.InDesert / row.Total
		row.Reference = refIn / refTotal
		row.Ratio = safeDiv(row.Share, row.Reference)
		row.Difference = row.Share - row.Reference
		rows = append(rows, row)
	}
	return rows, notes
}
