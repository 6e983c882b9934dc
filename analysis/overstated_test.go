package analysis

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/geo"
)

// overstatedRegion is SYNTHETIC (not real data): four tracts 0.05° (4.3 km) wide in a row at
// 38.6° N — A, B with no youth figure, C, and D some 40 km east — and three programs: math at
// A's west side (3.5 km from B, 8.3 km from C), math at D's centre (40 km from anything else)
// and science at C's centre (2.2 km from B, 6.5 km from A's east edge).
func overstatedRegion() Inputs {
	var in Inputs
	for _, t := range []struct {
		id  string
		lng float64
	}{{"SYNA", -90.60}, {"SYNB", -90.55}, {"SYNC", -90.50}, {"SYND", -90.00}} {
		x, y := t.lng, 38.60
		in.Areas = append(in.Areas, data.Area{ID: t.id, LandKm2: 24,
			Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.05, y}, {x + 0.05, y + 0.05}, {x, y + 0.05}, {x, y}}}}})
		if t.id != "SYNB" {
			in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: t.id, Variable: "youth_pop", Value: 500, MOE: math.NaN()})
		}
	}
	for _, p := range []struct {
		id, content string
		at          orb.Point
	}{{"math-a", "math", orb.Point{-90.595, 38.625}}, {"math-d", "math", orb.Point{-89.975, 38.625}}, {"science-c", "science", orb.Point{-90.475, 38.625}}} {
		in.Programs = append(in.Programs, data.Program{ID: p.id, Name: p.id, Location: p.at, Capacity: 30, ContentAreas: []string{p.content}, Setting: "out_of_school"})
	}
	return in
}

func TestOverstatedAccessByHand(t *testing.T) {
	in := overstatedRegion()
	p := testParams()
	p.Measure.Catchment = 8
	whole := analyze(t, in, p)
	split, err := Analyze(t.Context(), in, p, Options{PartitionResolution: 6})
	if err != nil {
		t.Fatal(err)
	}
	tract := func(run *data.Run, i int) string { return run.Areas[run.Cells.Area[i]].ID }
	// Worked by hand: which tracts' cells are overstated in each series (science flags only some
	// of A's, whose east part lies within 8 km of the science program).
	want := map[string]map[string]string{
		"math":    {"SYNA": "all", "SYNB": "none", "SYNC": "none", "SYND": "none"},
		"science": {"SYNA": "some", "SYNB": "none", "SYNC": "all", "SYND": "none"},
		"all":     {"SYNA": "all", "SYNB": "none", "SYNC": "all", "SYND": "none"},
	}
	for _, run := range []*data.Run{whole, split} {
		for content, byTract := range want {
			k := run.SeriesIndex("", content)
			m := run.Cells.Measures[k]
			if len(m.Overstated) != run.Cells.Len() {
				t.Fatalf("%s: %d flags for %d cells", content, len(m.Overstated), run.Cells.Len())
			}
			flagged, cells := map[string]int{}, map[string]int{}
			for i, o := range m.Overstated {
				cells[tract(run, i)]++
				if o {
					flagged[tract(run, i)]++
				}
				// By brute force: a program of the series within 8 km of the cell that is also within
				// 8 km of a cell without a youth figure.
				if math.IsNaN(run.Cells.Demand[i]) {
					if o {
						t.Errorf("%s: cell %d has no youth figure, yet is flagged", content, i)
					}
					continue
				}
				at := orb.Point{run.Cells.Lng[i], run.Cells.Lat[i]}
				brute := false
				for _, pr := range in.Programs {
					if !pr.Offers(content) || geo.DistanceKm(pr.Location, at) > 8 {
						continue
					}
					for u := range run.Cells.H3 {
						if math.IsNaN(run.Cells.Demand[u]) && geo.DistanceKm(pr.Location, orb.Point{run.Cells.Lng[u], run.Cells.Lat[u]}) <= 8 {
							brute = true
						}
					}
				}
				if o != brute {
					t.Errorf("%s: cell %s of %s flagged %v, by brute force %v", content, run.Cells.H3[i], tract(run, i), o, brute)
				}
			}
			for id, w := range byTract {
				got := "some"
				switch flagged[id] {
				case 0:
					got = "none"
				case cells[id]:
					got = "all"
				}
				if got != w || cells[id] == 0 {
					t.Errorf("%s: %d of %s's %d cells flagged; want %s", content, flagged[id], id, cells[id], w)
				}
			}
		}
	}
	// Distance to the nearest program shares no seats: nothing is overstated.
	p.Measure.Kind = MeasureNearest
	for k, m := range analyze(t, in, p).Cells.Measures {
		for i, o := range m.Overstated {
			if o {
				t.Fatalf("nearest, series %d: cell %d flagged", k, i)
			}
		}
	}
}
