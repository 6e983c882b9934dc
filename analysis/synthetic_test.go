package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// syntheticRegion builds a SYNTHETIC test region (not real data): a grid of square areas near
// St. Louis with random youth counts, one sliver too small to hold an H3 cell center, one area
// with no youth figure, and programs at random points with random content areas, settings and
// capacities.
func syntheticRegion(seed uint64, nPrograms int) Inputs {
	r := rand.New(rand.NewPCG(seed, seed+1))
	var in Inputs
	const step = 0.02 // degrees: about 1.7 × 2.2 km
	origin := orb.Point{-90.40, 38.55}
	id := 0
	for row := 0; row < 5; row++ {
		for col := 0; col < 6; col++ {
			x, y := origin[0]+float64(col)*step, origin[1]+float64(row)*step
			ring := orb.Ring{{x, y}, {x + step, y}, {x + step, y + step}, {x, y + step}, {x, y}}
			in.Areas = append(in.Areas, data.Area{ID: fmt.Sprintf("SYN%03d", id), Geometry: orb.MultiPolygon{{ring}}, LandKm2: 3.8})
			id++
		}
	}
	// A sliver 40 m wide in the middle of nowhere in particular: no cell center falls inside.
	sx, sy := origin[0]+6*step+0.005, origin[1]+0.01
	in.Areas = append(in.Areas, data.Area{ID: "SYNSLIVER", LandKm2: 0.01,
		Geometry: orb.MultiPolygon{{{{sx, sy}, {sx + 0.0004, sy}, {sx + 0.0004, sy + 0.003}, {sx, sy + 0.003}, {sx, sy}}}}})
	for i, a := range in.Areas {
		if i == 7 {
			continue // no youth figure: "no data"
		}
		in.Demographics = append(in.Demographics,
			data.DemographicValue{AreaID: a.ID, Variable: "youth_pop", Value: float64(r.IntN(2000)), MOE: math.NaN()},
			data.DemographicValue{AreaID: a.ID, Variable: "total_pop", Value: float64(2000 + r.IntN(6000)), MOE: math.NaN()},
			data.DemographicValue{AreaID: a.ID, Variable: "poverty_pct", Value: r.Float64() * 60, MOE: math.NaN()},
		)
	}
	labels := []string{"math", "science", "computing"}
	for j := 0; j < nPrograms; j++ {
		p := data.Program{
			ID:       fmt.Sprintf("synthetic-%03d", j),
			Name:     fmt.Sprintf("Synthetic program %d", j),
			Location: orb.Point{origin[0] - 0.05 + r.Float64()*(6*step+0.1), origin[1] - 0.05 + r.Float64()*(5*step+0.1)},
			Capacity: math.NaN(),
		}
		if r.IntN(3) > 0 {
			p.Capacity = float64(5 + r.IntN(60))
		}
		for _, l := range labels {
			if r.IntN(2) == 0 {
				p.ContentAreas = append(p.ContentAreas, l)
			}
		}
		p.Setting = []string{"out_of_school", "in_school", ""}[r.IntN(3)]
		in.Programs = append(in.Programs, p)
	}
	return in
}

// testParams are the defaults with every series judged however few its programs, for synthetic
// regions with a handful of programs.
func testParams() Params {
	p := DefaultParams()
	p.MinPrograms = 0
	return p
}
