package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// Properties checked over random SYNTHETIC regions (not real data).

func withoutLastProgram(in Inputs) Inputs {
	out := in
	out.Programs = in.Programs[:len(in.Programs)-1]
	return out
}

// Adding a program never lowers any cell's access under the measures where seats only add up
// (cumulative, 2SFCA, E2SFCA with every decay, gravity), and never lengthens the distance to the
// nearest program. (3SFCA is left out on purpose: a new program draws demand away from others
// through the selection weights, so a cell's access can fall. METHOD.md says so.)
func TestAddingAProgramNeverLowersAccess(t *testing.T) {
	cases := []struct{ kind, decay string }{
		{MeasureCumulative, DecayNone}, {Measure2SFCA, DecayNone}, {MeasureE2SFCA, DecayGaussian},
		{MeasureE2SFCA, DecayStepped}, {MeasureE2SFCA, DecayLinear}, {MeasureGravity, DecayNone},
	}
	for seed := uint64(0); seed < 4; seed++ {
		in := syntheticRegion(100+seed, 12)
		r := rand.New(rand.NewPCG(seed, 99))
		in.Programs = append(in.Programs, data.Program{ID: "synthetic-new", Capacity: float64(1 + r.IntN(40)),
			ContentAreas: []string{"math"}, Location: orb.Point{-90.40 + 0.12*r.Float64(), 38.55 + 0.1*r.Float64()}})
		for _, c := range cases {
			p := testParams()
			p.Resolution = 8
			p.Measure.Kind, p.Measure.Decay = c.kind, c.decay
			before, after := analyze(t, withoutLastProgram(in), p), analyze(t, in, p)
			for _, name := range []string{"math", data.AllContentAreas} {
				kb, ka := before.SeriesIndex(data.AllSettings, name), after.SeriesIndex(data.AllSettings, name)
				if kb < 0 {
					continue
				}
				mb, ma := before.Cells.Measures[kb], after.Cells.Measures[ka]
				for i := range mb.Access {
					if ma.Nearest[i] > mb.Nearest[i] {
						t.Fatalf("seed %d: the nearest program got farther at cell %d", seed, i)
					}
					if ma.Access[i] < mb.Access[i]*(1-1e-12) {
						t.Fatalf("seed %d %s/%s %s: cell %d access fell from %v to %v", seed, c.kind, c.decay, name, i, mb.Access[i], ma.Access[i])
					}
				}
			}
		}
	}
}

// Doubling every program's capacity doubles E2SFCA everywhere (and every other per-capita ratio).
func TestDoublingCapacityDoublesAccess(t *testing.T) {
	for _, kind := range []string{MeasureE2SFCA, Measure2SFCA, Measure3SFCA, MeasureGravity} {
		in := syntheticRegion(7, 15)
		p := testParams()
		p.Measure.Kind = kind
		base := analyze(t, in, p)
		doubled := in
		doubled.Programs = append([]data.Program(nil), in.Programs...)
		for j := range doubled.Programs {
			c := doubled.Programs[j].Capacity
			if math.IsNaN(c) {
				c = p.DefaultCapacity
			}
			doubled.Programs[j].Capacity = 2 * c
		}
		twice := analyze(t, doubled, p)
		for k := range base.ContentAreas {
			a, b := base.Cells.Measures[k].Access, twice.Cells.Measures[k].Access
			for i := range a {
				if math.IsNaN(a[i]) {
					continue
				}
				if math.Abs(b[i]-2*a[i]) > 1e-9*math.Max(1, a[i]) {
					t.Fatalf("%s: cell %d access %v with doubled capacity %v", kind, i, a[i], b[i])
				}
			}
		}
	}
}

// Every seat that reaches anyone is counted once: under 2SFCA and E2SFCA, Σ P_i·A_i / 1000 over
// all cells equals the seats of the programs whose catchment holds demand.
func TestSeatsAreConserved(t *testing.T) {
	in := syntheticRegion(8, 20)
	for _, kind := range []string{Measure2SFCA, MeasureE2SFCA, Measure3SFCA} {
		p := testParams()
		p.Measure.Kind = kind
		p.Measure.Catchment = 2.5
		run := analyze(t, in, p)
		k := run.SeriesIndex(data.AllSettings, data.AllContentAreas)
		total := 0.0
		for i, a := range run.Cells.Measures[k].Access {
			if d := run.Cells.Demand[i]; !math.IsNaN(d) {
				total += d * a / 1000
			}
		}
		seats := 0.0
		for _, pr := range in.Programs {
			reaches := false
			for i := range run.Cells.H3 {
				if d := run.Cells.Demand[i]; !math.IsNaN(d) && d > 0 && distanceToCell(run, i, pr) <= p.Measure.Catchment {
					reaches = true
					break
				}
			}
			if reaches {
				s := pr.Capacity
				if math.IsNaN(s) {
					s = p.DefaultCapacity
				}
				seats += s
			}
		}
		if math.Abs(total-seats) > 1e-6*seats {
			t.Errorf("%s: demand-weighted access adds to %v seats, programs reaching demand hold %v", kind, total, seats)
		}
	}
}

// Deserts shrink as the thresholds grow: farther distance thresholds and a lower access ratio
// can only take cells and areas out of deserts.
func TestDesertsShrinkAsThresholdsGrow(t *testing.T) {
	in := syntheticRegion(9, 10)
	count := func(p Params) (cells int, areas int) {
		run := analyze(t, in, p)
		k := run.SeriesIndex(data.AllSettings, "math")
		for _, d := range run.Cells.Measures[k].Desert {
			if d == data.DesertYes {
				cells++
			}
		}
		for _, a := range run.Areas {
			if a.Measures[k].Desert {
				areas++
			}
		}
		return
	}
	prevCells, prevAreas := math.MaxInt, math.MaxInt
	first := -1
	for _, scale := range []float64{0.25, 0.5, 1, 2, 4, 8} {
		p := testParams()
		p.Desert.UrbanCost *= scale
		p.Desert.RuralCost *= scale
		p.Desert.AccessRatio = 0.5 / scale
		c, a := count(p)
		if c > prevCells || a > prevAreas {
			t.Fatalf("thresholds ×%v: %d desert cells and %d desert areas, up from %d and %d", scale, c, a, prevCells, prevAreas)
		}
		prevCells, prevAreas = c, a
		if first < 0 {
			first = c
		}
	}
	if first == 0 || prevCells == first {
		t.Fatalf("the synthetic region should go from many desert cells (%d) to fewer (%d)", first, prevCells)
	}
}

func distanceToCell(run *data.Run, i int, p data.Program) float64 {
	return haversineKm(run.Cells.Lng[i], run.Cells.Lat[i], p.Location[0], p.Location[1])
}

// haversineKm is the textbook haversine, written out independently of geo for the tests.
func haversineKm(lng1, lat1, lng2, lat2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Pow(math.Sin(dLng/2), 2)
	return 2 * 6371.0088 * math.Asin(math.Sqrt(h))
}
