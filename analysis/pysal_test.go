package analysis

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// matrixRegion is areas of one H3 cell each (demand per area), programs with seats, all offering
// math, and a cost matrix by area — the shape of PySAL access's own examples.
func matrixRegion(t *testing.T, demand, seats []float64, costs string) Inputs {
	t.Helper()
	var in Inputs
	for a, d := range demand {
		x := -90.3 + 0.1*float64(a)
		in.Areas = append(in.Areas, data.Area{ID: fmt.Sprintf("AREA%d", a+1), LandKm2: 1,
			Geometry: orb.MultiPolygon{{{{x, 38.6}, {x + 0.0005, 38.6}, {x + 0.0005, 38.6005}, {x, 38.6005}, {x, 38.6}}}}})
		in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: in.Areas[a].ID, Variable: "youth_pop", Value: d})
	}
	for j, s := range seats {
		in.Programs = append(in.Programs, data.Program{ID: fmt.Sprintf("P%d", j+1), Location: orb.Point{-90.3, 38.7 + 0.01*float64(j)},
			Capacity: s, ContentAreas: []string{"math"}})
	}
	m, err := data.ReadCostMatrix(strings.NewReader(costs), "costs.csv")
	if err != nil {
		t.Fatal(err)
	}
	in.Costs = m
	return in
}

func areaAccess(t *testing.T, in Inputs, p Params) []float64 {
	t.Helper()
	run := analyze(t, in, p)
	k := run.SeriesIndex(data.AllSettings, "math")
	out := make([]float64, len(run.Areas))
	for a := range run.Areas {
		out[a] = run.Areas[a].Measures[k].Access
	}
	return out
}

// PySAL access's hospital example (access/tests/test_hospital_example.py): tracts 1, 2, 3 with
// 100, 50 and 10 people and 15, 20 and 100 doctors; its fourth cost scenario — 1 within a tract,
// 20 between the city (3) and each suburb, 40 across — with no distance decay and a 30-minute
// catchment, so the 40-minute pairs are outside the catchment but in the cost table.
func TestThreeSFCAReproducesPySALHospitalExample(t *testing.T) {
	costs := "origin,program,minutes\n" +
		"AREA1,P1,1\nAREA2,P2,1\nAREA3,P3,1\n" +
		"AREA1,P3,20\nAREA2,P3,20\nAREA3,P1,20\nAREA3,P2,20\n" +
		"AREA1,P2,40\nAREA2,P1,40\n"
	in := matrixRegion(t, []float64{100, 50, 10}, []float64{15, 20, 100}, costs)
	p := testParams()
	p.Measure.Kind, p.Measure.Decay, p.Measure.Catchment = Measure3SFCA, DecayNone, 30

	// PySAL: every tract's selection weights share its demand over all three hospitals of the
	// table, G = 1/3 everywhere. D_1 = (100 + 10)/3, D_2 = (50 + 10)/3, D_3 = 160/3, so
	// R = 9/22, 1, 15/8 doctors per person, and A_1 = (9/22 + 15/8)/3 = 201/264 = 0.7614,
	// A_2 = (1 + 15/8)/3 = 23/24 = 0.9583, A_3 = (9/22 + 1 + 15/8)/3 = 289/264 = 1.0947.
	p.Measure.Variant = VariantPySAL
	closeTo(t, "3SFCA pysal", areaAccess(t, in, p), []float64{1000 * 201.0 / 264, 1000 * 23.0 / 24, 1000 * 289.0 / 264})

	// Wan et al.: the selection weights come from the hospitals within the catchment, so tracts
	// 1 and 2 split between two (G = 1/2) and tract 3 among three (G = 1/3). D_1 = 50 + 10/3,
	// D_2 = 25 + 10/3, D_3 = 50 + 25 + 10/3, so R = 45/160, 60/85, 300/235 and
	// A = 0.7789, 0.9912, 0.7546.
	p.Measure.Variant = VariantStemgap
	r1, r2, r3 := 45.0/160, 60.0/85, 300.0/235
	closeTo(t, "3SFCA stemgap", areaAccess(t, in, p), []float64{1000 * (r1 + r3) / 2, 1000 * (r2 + r3) / 2, 1000 * (r1 + r2 + r3) / 3})
}

// With great-circle costs the pysal variant's table is every cell–program pair: compare with a
// brute force over all of them, a Gaussian weighing even the pairs beyond the catchment.
func TestThreeSFCAPySALMatchesBruteForce(t *testing.T) {
	in := syntheticRegion(5, 20)
	p := testParams()
	p.Resolution = 8
	p.Measure.Kind, p.Measure.Variant, p.Measure.Catchment = Measure3SFCA, VariantPySAL, 3
	run := analyze(t, in, p)
	p.Measure.Variant = VariantStemgap
	wan := analyze(t, in, p)
	p.Measure.Variant = VariantPySAL
	differ := false
	w := decayWeight(p.Resolved().Measure)
	cells := &run.Cells
	n := cells.Len()
	for k, c := range run.ContentAreas {
		mine, dist := programDistances(run, in.Programs, c)
		totalW := make([]float64, n)
		for j := range mine {
			for i := range totalW {
				totalW[i] += w(dist[j][i])
			}
		}
		want := make([]float64, n)
		for j, pr := range mine {
			den := 0.0
			for i := 0; i < n; i++ {
				if d := dist[j][i]; d < p.Measure.Catchment && !math.IsNaN(cells.Demand[i]) {
					den += w(d) / totalW[i] * cells.Demand[i] * w(d)
				}
			}
			if den == 0 {
				continue
			}
			for i := 0; i < n; i++ {
				if d := dist[j][i]; d < p.Measure.Catchment {
					want[i] += 1000 * w(d) / totalW[i] * seats(pr, p) / den * w(d)
				}
			}
		}
		for i := 0; i < n; i++ {
			if got := cells.Measures[k].Access[i]; !math.IsNaN(cells.Demand[i]) && math.Abs(got-want[i]) > 1e-9*math.Max(1, want[i]) {
				t.Fatalf("%s cell %d: 3SFCA pysal %v, brute force %v", c.Name, i, got, want[i])
			}
			differ = differ || math.Abs(cells.Measures[k].Access[i]-wan.Cells.Measures[k].Access[i]) > 1e-6
		}
	}
	if !differ {
		t.Error("the pysal and stemgap variants agree everywhere: the region does not test the selection weights beyond the catchment")
	}
}

// raamOneCell is one cell of the given demand choosing among programs at the given costs.
func raamOneCell(t *testing.T, demand, tau float64, seats, costs []float64, variant string) float64 {
	t.Helper()
	g := &grid{cells: make([]h3.Cell, 1), demand: []float64{demand}}
	rc := &reach{start: []int32{0}}
	programs := make([]int32, len(seats))
	nearest := int32(0)
	for j, c := range costs {
		rc.cell, rc.cost = append(rc.cell, 0), append(rc.cost, c)
		rc.start = append(rc.start, int32(len(rc.cell)))
		programs[j] = int32(j)
		if c < costs[nearest] {
			nearest = int32(j)
		}
	}
	in := &accessInputs{g: g, reach: rc, programs: programs, supply: seats}
	got, err := raam(context.Background(), in, MeasureParams{Tau: tau, Variant: variant}, []int32{nearest}, []float64{costs[nearest]})
	if err != nil {
		t.Fatal(err)
	}
	return got[0]
}

// PySAL access's own RAAM test (access/tests/test_raam.py): a 5 × 5 grid of locations one unit
// apart with one seat each, and one person at one of them, euclidean costs, τ = 60 (raam()'s
// default). ρ = 1/25, so the person's own location costs 1/(1·ρ) = 25 and its neighbours 1/60.
// The person would move to a neighbour, but the first step is 20% of one person, which truncates
// to nobody, and no later step is larger: the person stays and RAAM = 25, the total seats.
func TestRAAMReproducesPySALTest(t *testing.T) {
	var seats, costs []float64
	for x := 0; x < 5; x++ {
		for y := 0; y < 5; y++ {
			seats = append(seats, 1)
			costs = append(costs, math.Hypot(float64(x-2), float64(y-1))) // the person is at (2, 1)
		}
	}
	if got := raamOneCell(t, 1, 60, seats, costs, VariantPySAL); got != 25 {
		t.Errorf("RAAM pysal = %v, want 25 as PySAL's test expects", got)
	}
	// stemgap moves fractions of the person, spreading them over the grid: far below 25.
	if got := raamOneCell(t, 1, 60, seats, costs, VariantStemgap); !(got < 5) {
		t.Errorf("RAAM stemgap = %v; fractions of the person should spread over the grid", got)
	}
}

// Whole people, worked by hand. Ten people between X (5 seats, cost 0) and Y (5 seats, cost 1),
// τ = 1, ρ = 1. All start at X (cost 10/5 = 2; Y costs 0 + 1). Costs equalise with 7.5 at X;
// stemgap gets there (RAAM 1.5). PySAL's first step moves min(2.5, 20% of 10) = 2 people (X 1.6,
// Y 2/5 + 1 = 1.4); the next would move 0.5 people, which truncates to none, so it stays at 8
// and 2: RAAM = (8·1.6 + 2·1.4)/10 = 1.56. Four people at two seats each never move at all —
// 20% of 4 is 0.8, truncated to 0 — and pay 4/2 = 2 where stemgap's settle at 3 and 1 (1.5).
func TestRAAMWholePeopleHandWorked(t *testing.T) {
	for _, c := range []struct {
		demand, seats, pysal, stemgap float64
	}{{10, 5, 1.56, 1.5}, {4, 2, 2, 1.5}} {
		seats, costs := []float64{c.seats, c.seats}, []float64{0, 1}
		closeTo(t, fmt.Sprintf("%g people pysal", c.demand), []float64{raamOneCell(t, c.demand, 1, seats, costs, VariantPySAL)}, []float64{c.pysal})
		closeTo(t, fmt.Sprintf("%g people stemgap", c.demand), []float64{raamOneCell(t, c.demand, 1, seats, costs, VariantStemgap)}, []float64{c.stemgap})
	}
}

// The variant travels from the parameters through the whole analysis.
func TestRAAMVariantThroughAnalysis(t *testing.T) {
	in := matrixRegion(t, []float64{10}, []float64{5, 5}, "origin,program,minutes\nAREA1,P1,0\nAREA1,P2,1\n")
	p := testParams()
	p.Measure.Kind, p.Measure.Tau = MeasureRAAM, 1
	closeTo(t, "RAAM stemgap", areaAccess(t, in, p), []float64{1.5})
	p.Measure.Variant = VariantPySAL
	closeTo(t, "RAAM pysal", areaAccess(t, in, p), []float64{1.56})
}
