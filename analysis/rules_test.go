package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

func TestNeedIndexHandWorked(t *testing.T) {
	// Poverty 10, 20, 30, 40 % ranks 0, 1/3, 2/3, 1. Income 50k, 40k, 30k (lower is needier) ranks
	// 0, ½, 1; the fourth area has no income figure and is ranked on poverty alone. Scores:
	// 0, (1/3+½)/2 = 0.4167, (2/3+1)/2 = 0.8333, 1 — ranked again: 0, 1/3, 2/3, 1.
	figs := []figures{
		{"poverty_pct": 10, "median_hh_income": 50000},
		{"poverty_pct": 20, "median_hh_income": 40000},
		{"poverty_pct": 30, "median_hh_income": 30000},
		{"poverty_pct": 40},
	}
	need, notes := needIndex(figs, []NeedComponent{{Variable: "poverty_pct", Weight: 1}, {Variable: "median_hh_income", Weight: 1, LowerIsNeedier: true}, {Variable: "no_internet_pct", Weight: 1}})
	closeTo(t, "need", need, []float64{0, 1.0 / 3, 2.0 / 3, 1})
	if !strings.Contains(strings.Join(notes, " "), "no figures for no_internet_pct") {
		t.Errorf("notes %q should say which component had no figures", notes)
	}
}

func TestDerivedVariables(t *testing.T) {
	// Only white, Black and Asian counts are loaded: the other 1,000 people are people of colour
	// too, so the share is 1 − 600/2000 out of the total population, not 1 − 600/1000.
	f := figures{"race_white": 600, "race_black": 300, "race_asian": 100, "hh_no_vehicle": 30, "households": 120, "poverty_pct": 25, "total_pop": 2000}
	for name, want := range map[string]float64{"poc_pct": 70, "no_vehicle_pct": 25, "poverty_pop": 500} {
		if got, ok := f.value(name); !ok || math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v (%v), want %v", name, got, ok, want)
		}
	}
	// Non-Hispanic white, where given, defines people of colour: 1 − 1200/2000.
	f["white_nh"] = 1200
	if got, _ := f.value("poc_pct"); got != 40 {
		t.Errorf("poc_pct from white_nh = %v, want 40", got)
	}
}

// cellsByHand are three cells: 100 youth 1 km from a program with access 80 (urban), 50 youth
// 2 km away with access 30 (urban), 200 youth 20 km away with no access (rural).
func cellsByHand() (*cellContext, *contentResult) {
	g := &grid{cells: make([]h3.Cell, 3), demand: []float64{100, 50, 200}, areaCells: [][]int32{{0, 1}, {2}}}
	cc := &cellContext{g: g, p: DefaultParams().Resolved(), need: []float64{0.2, 0.9, 0.5}, urban: []bool{true, true, false}}
	cr := &contentResult{name: "math", nearest: []float64{1, 2, 20}, count: []int32{1, 1, 0}, raw: []float64{80, 30, 0}}
	return cc, cr
}

func TestGapsAndDesertCellsHandWorked(t *testing.T) {
	cc, cr := cellsByHand()
	cc.score(cr)
	// Regional mean = target = (100·80 + 50·30 + 200·0)/350 = 27.142857…
	mean := 9500.0 / 350
	closeTo(t, "mean", []float64{cr.mean, cr.target}, []float64{mean, mean})
	// Cells 0 and 1 meet the target (shortfall 0); cell 2 has none (shortfall 1) and need 0.5, so
	// gap = 1·((1−½) + ½·0.5) = 0.75 and unmet = 200·mean/1000.
	closeTo(t, "gap", cr.cells.Gap, []float64{0, 0, 0.75})
	closeTo(t, "unmet", cr.cells.Unmet, []float64{0, 0, 200 * mean / 1000})
	// Cell 1 is urban and 2 km > 1 mile from the program: a desert. Cell 2 is rural and 20 km >
	// 10 miles away: a desert. Cell 0 is 1 km away with access above half the mean: not.
	if d := cr.cells.Desert; d[0] != data.DesertNo || d[1] != data.DesertYes || d[2] != data.DesertYes {
		t.Errorf("desert flags %v, want [0 1 1]", d)
	}
	closeTo(t, "desert share", []float64{cr.summary.DesertShare}, []float64{250.0 / 350})

	// Normalised, access reads as a multiple of the mean: 80/mean, 30/mean, 0.
	cc.p.Measure.Normalize = true
	cc.score(cr)
	closeTo(t, "normalised", cr.cells.Access, []float64{80 / mean, 30 / mean, 0})
	closeTo(t, "reported mean", []float64{cr.summary.MeanAccess}, []float64{1})
}

func TestAccessRatioRule(t *testing.T) {
	cc, cr := cellsByHand()
	// With the distance rule out of the way, only access below ratio·mean flags a cell:
	// 0.5·27.14 = 13.57 flags cell 2 alone; 1.2·27.14 = 32.57 flags cells 1 and 2.
	cc.p.Desert.UrbanCost, cc.p.Desert.RuralCost = 100, 100
	for _, c := range []struct {
		ratio float64
		want  []int8
	}{{0.5, []int8{0, 0, 1}}, {1.2, []int8{0, 1, 1}}, {0, []int8{0, 0, 0}}} {
		cc.p.Desert.AccessRatio = c.ratio
		cc.score(cr)
		for i := range c.want {
			if cr.cells.Desert[i] != c.want[i] {
				t.Errorf("ratio %v: desert flags %v, want %v", c.ratio, cr.cells.Desert, c.want)
				break
			}
		}
	}
}

func TestTractDesertRuleHandWorked(t *testing.T) {
	cc, cr := cellsByHand()
	cc.score(cr)
	// Area 0 holds cells 0 and 1 (75 youth each); only cell 1 is a desert: 75 youth, half.
	// Area 1 holds cell 2 (200 youth), a desert.
	ac := &areaContext{cellContext: *cc, areas: []data.Area{{ID: "A"}, {ID: "B"}}, areaDemand: []float64{150, 200},
		areaNeed: []float64{0.5, 0.5}, areaUrban: []bool{true, false}, urbanBasis: []string{"urban flag", "density 10/km²"}, noun: "youth", unit: "km"}
	for _, c := range []struct {
		minDemand, minShare float64
		want                []bool
	}{
		{500, 1.0 / 3, []bool{true, true}}, // half of A's youth are in deserts: more than a third
		{500, 0.6, []bool{false, true}},    // A: 75 < 500 and ½ < 0.6
		{60, 0.9, []bool{true, true}},      // A: 75 ≥ 60 youth
	} {
		ac.p.Desert.MinDemand, ac.p.Desert.MinShare = c.minDemand, c.minShare
		out, tallies := ac.rollup(cr)
		for a := range c.want {
			if out[a].Desert != c.want[a] {
				t.Errorf("min %v or %v: area %d desert %v, want %v (%s)", c.minDemand, c.minShare, a, out[a].Desert, c.want[a], out[a].Reason)
			}
		}
		closeTo(t, "desert youth", []float64{out[0].DesertYouth, out[1].DesertYouth}, []float64{75, 200})
		if tallies[0].far != 1 || tallies[0].desert != 1 || tallies[0].cells != 2 {
			t.Errorf("area A tally %+v", tallies[0])
		}
	}
	out, _ := ac.rollup(cr)
	if !strings.Contains(out[0].Reason, "75 of 150 youth (50%)") || !strings.Contains(out[0].Reason, "beyond 1.6 km") {
		t.Errorf("reason %q", out[0].Reason)
	}
	// Area A's access is the mean of its cells, 55; B's is 0, the lowest: rank 1.
	if out[0].Access != 55 || out[1].Rank != 1 || out[0].Rank != 2 || out[1].Percentile != 0 || out[0].Percentile != 1 {
		t.Errorf("rollups %+v %+v", out[0], out[1])
	}

	// Equity: Black residents 100 in A (half in deserts) and 300 in B (all): 350/400 = 0.875,
	// against everyone (total_pop 1000 and 500): 1000/1500. Ratio 1.3125.
	ac.p.Equity = []EquityGroup{{Name: "Black", Variable: "race_black", Reference: "total_pop"}}
	_, tallies := ac.rollup(cr)
	rows, _ := ac.equity(cr, tallies, []figures{{"race_black": 100, "total_pop": 1000}, {"race_black": 300, "total_pop": 500}})
	if len(rows) != 1 {
		t.Fatalf("equity rows %+v", rows)
	}
	closeTo(t, "equity", []float64{rows[0].Share, rows[0].Reference, rows[0].Ratio, rows[0].Difference}, []float64{0.875, 2.0 / 3, 1.3125, 0.875 - 2.0/3})
}

func TestUrbanRule(t *testing.T) {
	figs := []figures{{"urban": 0, "total_pop": 100000}, {"total_pop": 5000}, {"total_pop": 100}, {}}
	land := []float64{1, 2, 2, 2}
	d := DefaultParams().Desert
	urban, basis := urbanAreas(figs, land, d)
	// The flag wins over density; 2,500/km² is urban, 50/km² rural; no data counts as urban.
	if urban[0] || !urban[1] || urban[2] || !urban[3] || basis[0] != "urban flag" || !strings.Contains(basis[3], "treated as urban") {
		t.Errorf("urban %v basis %v", urban, basis)
	}
	d.UrbanRule = UrbanDensity
	if urban, _ := urbanAreas(figs, land, d); !urban[0] {
		t.Error("by density alone, 100,000 people on 1 km² are urban")
	}
}
