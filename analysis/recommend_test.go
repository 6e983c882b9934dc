package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"stemgap/data"
)

// randomCoverProblem is a SYNTHETIC instance of the covering problem: cells with random demand,
// access and need weights around a target, and sites whose catchments are random sets of cells
// with random decay weights; disjoint catchments when asked.
func randomCoverProblem(r *rand.Rand, nCells, nSites int, capacity float64, disjoint bool) *coverProblem {
	cp := &coverProblem{demand: make([]float64, nCells), access: make([]float64, nCells), count: make([]int32, nCells),
		weight: make([]float64, nCells), area: make([]int32, nCells), target: 1 + r.Float64()*4, capacity: capacity, sites: nSites}
	for i := range nCells {
		cp.demand[i] = float64(r.IntN(400))
		cp.access[i] = r.Float64() * 2 * cp.target
		cp.weight[i] = 0.5 + r.Float64()/2
		cp.count[i] = int32(r.IntN(2))
	}
	cells, weights := make([][]int32, nSites), make([][]float64, nSites)
	order := r.Perm(nCells)
	for s := range nSites {
		for i := range nCells {
			inside := r.IntN(3) == 0
			if disjoint {
				inside = order[i]%nSites == s
			}
			if inside {
				cells[s] = append(cells[s], int32(i))
				weights[s] = append(weights[s], 0.1+0.9*r.Float64())
			}
		}
	}
	cp.reach = func(s int) ([]int32, []float64) { return cells[s], weights[s] }
	return cp
}

// value is the need-weighted unmet seats a set of sites closes, computed afresh on a copy.
func (cp *coverProblem) value(sites []int) float64 {
	c := *cp
	c.access, c.count = slices.Clone(cp.access), slices.Clone(cp.count)
	for _, s := range sites {
		c.add(s)
	}
	v := 0.0
	for i, p := range cp.demand {
		v += cp.weight[i] * p * (math.Min(cp.target, c.access[i]) - math.Min(cp.target, cp.access[i])) / 1000
	}
	return v
}

// best is the brute-force optimum over every set of k sites.
func (cp *coverProblem) best(k int) float64 {
	best := 0.0
	var walk func(from int, chosen []int)
	walk = func(from int, chosen []int) {
		if len(chosen) == k {
			best = math.Max(best, cp.value(chosen))
			return
		}
		for s := from; s < cp.sites; s++ {
			walk(s+1, append(chosen, s))
		}
	}
	walk(0, nil)
	return best
}

func runGreedy(t *testing.T, cp *coverProblem, k int) ([]int, float64) {
	t.Helper()
	c := *cp
	c.access, c.count = slices.Clone(cp.access), slices.Clone(cp.count)
	picks, err := c.greedy(context.Background(), k, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sites []int
	sum := 0.0
	for _, pk := range picks {
		sites = append(sites, pk.site)
		sum += pk.gain
	}
	return sites, sum
}

// The greedy choice against brute force over every set of sites: never below 1 − 1/e of the
// best, and equal to it where greedy is provably optimal — one site, and sites whose catchments
// do not overlap (the value is then a sum over sites).
func TestGreedyAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	bound := 1 - 1/math.E
	worst := math.Inf(1)
	for trial := range 300 {
		disjoint := trial%3 == 0
		capacity := []float64{0.2, 1, 5, 1e6}[trial%4]
		cp := randomCoverProblem(r, 8+r.IntN(10), 4+r.IntN(5), capacity, disjoint)
		for _, k := range []int{1, 2, 3} {
			sites, got := runGreedy(t, cp, k)
			if v := cp.value(sites); math.Abs(v-got) > 1e-9*math.Max(1, v) {
				t.Fatalf("trial %d, k %d: the picks' gains add up to %v, their set is worth %v", trial, k, got, v)
			}
			opt := cp.best(k)
			if got < bound*opt-1e-12 {
				t.Fatalf("trial %d, k %d: greedy %v below (1 − 1/e)·%v", trial, k, got, opt)
			}
			if (k == 1 || disjoint) && math.Abs(got-opt) > 1e-9*math.Max(1, opt) {
				t.Fatalf("trial %d, k %d (disjoint %v): greedy %v, optimum %v", trial, k, disjoint, got, opt)
			}
			if opt > 0 {
				worst = math.Min(worst, got/opt)
			}
		}
	}
	t.Logf("worst greedy/optimum ratio over the instances: %.4f (bound %.4f)", worst, bound)
}

// Lazy re-weighing chooses exactly the sites that weighing every site every round chooses.
func TestLazyGreedyChoosesAsPlainGreedy(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for trial := range 200 {
		cp := randomCoverProblem(r, 30, 12, []float64{0.5, 3, 40}[trial%3], false)
		lazy, _ := runGreedy(t, cp, 5)
		c := *cp
		c.access, c.count = slices.Clone(cp.access), slices.Clone(cp.count)
		var plain []int
		for len(plain) < 5 {
			best, bestGain := -1, 0.0
			for s := range c.sites {
				if slices.Contains(plain, s) {
					continue
				}
				if g := c.evaluate(s, false).gain; g > bestGain {
					best, bestGain = s, g
				}
			}
			if best < 0 {
				break
			}
			plain = append(plain, best)
			c.add(best)
		}
		if !slices.Equal(lazy, plain) {
			t.Fatalf("trial %d: lazy greedy picked %v, plain greedy %v", trial, lazy, plain)
		}
	}
}

// With seats enough to close every unmet seat a program reaches, the problem is the classical
// maximal covering location problem (Church and ReVelle 1974; spopt's MCLP): a cell counts its
// need-weighted unmet seats once it is covered by any chosen site.
func TestLargeCapacityIsTheMaximalCoveringProblem(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	for trial := range 100 {
		cp := randomCoverProblem(r, 14, 7, 1e12, false)
		for _, k := range []int{1, 2, 3} {
			mclp := 0.0
			var walk func(from int, chosen []int)
			walk = func(from int, chosen []int) {
				if len(chosen) == k {
					covered := map[int32]bool{}
					for _, s := range chosen {
						cells, _ := cp.reach(s)
						for _, i := range cells {
							covered[i] = true
						}
					}
					v := 0.0
					for i := range covered {
						v += cp.weight[i] * cp.demand[i] * math.Max(0, cp.target-cp.access[i]) / 1000
					}
					mclp = math.Max(mclp, v)
					return
				}
				for s := from; s < cp.sites; s++ {
					walk(s+1, append(chosen, s))
				}
			}
			walk(0, nil)
			if opt := cp.best(k); math.Abs(opt-mclp) > 1e-9*math.Max(1, mclp) {
				t.Fatalf("trial %d, k %d: optimum %v, maximal covering optimum %v", trial, k, opt, mclp)
			}
		}
	}
}

// modelOf analyses the inputs and rebuilds the run's model from them.
func modelOf(t *testing.T, in Inputs, p Params) (*data.Run, *Model) {
	t.Helper()
	run := analyze(t, in, p)
	m, err := NewModel(context.Background(), run, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs})
	if err != nil {
		t.Fatal(err)
	}
	return run, m
}

// A recommendation states what analysing the inputs with its program added shows: the unmet
// seats closed against the baseline's target, and the youth who had no program within the
// catchment; and the second pick's figures are those of adding it after the first.
func TestRecommendationsMatchReanalysis(t *testing.T) {
	for _, kind := range []string{MeasureE2SFCA, Measure2SFCA, MeasureGravity} {
		in := syntheticRegion(21, 12)
		p := testParams()
		p.Measure.Kind = kind
		p.Measure.Catchment = 3
		run, m := modelOf(t, in, p)
		const capacity = 40
		rec, err := m.Recommend(context.Background(), RecommendRequest{Setting: "all", Content: "science", Capacity: capacity, Count: 2, CellResolution: 8})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Sites) != 2 {
			t.Fatalf("%s: %d sites recommended, want 2", kind, len(rec.Sites))
		}
		k := run.SeriesIndex("all", "science")
		target := run.ContentAreas[k].Target
		before := run
		for n, site := range rec.Sites {
			in.Programs = append(in.Programs, data.Program{ID: fmt.Sprintf("zz-new-%d", n), Location: site.Site.Location,
				ContentAreas: []string{"science"}, Setting: "out_of_school", Capacity: capacity})
			after := analyze(t, in, p)
			k2 := after.SeriesIndex("all", "science")
			var closed, newly, gain float64
			for i := range after.Cells.H3 {
				d := after.Cells.Demand[i]
				if math.IsNaN(d) {
					continue
				}
				a0, a1 := before.Cells.Measures[k].Access[i], after.Cells.Measures[k2].Access[i]
				c := d * (math.Max(0, target-a0) - math.Max(0, target-a1)) / 1000
				closed += c
				gain += m.needWeight(i) * c
				if before.Cells.Measures[k].Count[i] == 0 && after.Cells.Measures[k2].Count[i] > 0 {
					newly += d
				}
			}
			for _, check := range []struct {
				what      string
				got, want float64
			}{{"unmet closed", site.UnmetClosed, closed}, {"youth newly in reach", site.NewlyInReach, newly}, {"need-weighted gain", site.NeedWeightedGain, gain}} {
				if math.Abs(check.got-check.want) > 1e-9*math.Max(1, check.want) {
					t.Errorf("%s, site %d: %s %v, re-analysis %v", kind, n+1, check.what, check.got, check.want)
				}
			}
			if site.UnmetClosed <= 0 || site.Reason == "" || len(site.Areas) == 0 {
				t.Errorf("%s, site %d: closes %v seats, reason %q, %d areas", kind, n+1, site.UnmetClosed, site.Reason, len(site.Areas))
			}
			before, k = after, k2
		}
	}
}

// The model refuses inputs that are not the run's own: it would otherwise recommend on another
// region's programs under this run's name.
func TestModelRefusesOtherInputs(t *testing.T) {
	in := syntheticRegion(22, 12)
	run := analyze(t, in, testParams())
	other := data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: slices.Clone(in.Programs)}
	other.Programs[3].Capacity = other.Programs[3].Capacity*2 + 7
	m, err := NewModel(context.Background(), run, &other)
	if err == nil {
		_, err = m.Recommend(context.Background(), RecommendRequest{Setting: "all", Content: "all", Count: 1})
	}
	if err == nil {
		t.Fatal("a program's capacity changed, and the model still recommends on the run")
	}
	other.Programs = in.Programs[1:]
	if _, err := NewModel(context.Background(), run, &other); err == nil {
		t.Fatal("a program is missing, and the model was still built")
	}
}
