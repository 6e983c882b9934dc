package analysis

import (
	"context"
	"math"
)

// RAAM iteration settings, as in PySAL access's raam(): 150 cycles, a step of 20% of a cell's
// demand halving every 50 cycles down to 0.5%, and damping of crowding for the first 20 cycles.
const (
	raamCycles       = 150
	raamInitialStep  = 0.2
	raamMinStep      = 0.005
	raamHalfLife     = 50
	raamLimitInitial = 20
)

// raam is the Rational Agent Access Model (Saxon and Snow 2020): every cell's demand chooses
// programs to minimise travel cost/τ plus congestion — the demand at a program over its seats
// scaled by the regional ratio ρ = ΣP/ΣS — and RAAM_i is the average total cost paid by cell i's
// demand. Lower is better. Each cell chooses among the programs within the catchment, or its
// nearest program when none is; programs without seats are no choice. The stemgap variant moves
// fractions of people and reports the costs after the last move; the pysal variant is PySAL
// access's raam() step for step (raamWholePeople).
func raam(ctx context.Context, in *accessInputs, m MeasureParams, nearest []int32, nearestCost []float64) ([]float64, error) {
	out := make([]float64, len(in.g.cells))
	for i := range out {
		out[i] = math.NaN()
	}
	r := newRAAMProblem(in, m.Tau, nearest, nearestCost)
	if r == nil {
		return out, nil
	}
	iterate := r.fractions
	if m.Variant == VariantPySAL {
		iterate = r.wholePeople
	}
	assigned, load, err := iterate(ctx)
	if err != nil {
		return nil, err
	}
	for i, options := range r.cand {
		if len(options) == 0 {
			continue
		}
		if x := assigned[i]; x != nil {
			cost, people := 0.0, 0.0
			for k, o := range options {
				cost += r.total(o, load) * x[k]
				people += x[k]
			}
			out[i] = cost / people
			continue
		}
		// A cell without demand: the cost its first young person would face.
		best := math.Inf(1)
		for _, o := range options {
			best = math.Min(best, r.total(o, load))
		}
		out[i] = best
	}
	return out, nil
}

type raamOption struct {
	program int32
	travel  float64 // cost/τ
}

// raamProblem is one content area's RAAM: the programs each cell may choose and the seats.
type raamProblem struct {
	demand  []float64
	cand    [][]raamOption // per cell, in program order
	origins []int32        // cells with demand that have a choice
	scaled  []float64      // seats × ρ, per program
}

// newRAAMProblem gathers the choices; nil when the content area has no seats at all.
func newRAAMProblem(in *accessInputs, tau float64, nearest []int32, nearestCost []float64) *raamProblem {
	n := len(in.g.cells)
	r := &raamProblem{demand: in.g.demand, cand: make([][]raamOption, n)}
	supplyTotal := 0.0
	for _, j := range in.programs {
		if in.supply[j] <= 0 {
			continue
		}
		supplyTotal += in.supply[j]
		cells, costs := in.reach.of(j)
		for k, i := range cells {
			r.cand[i] = append(r.cand[i], raamOption{j, costs[k] / tau})
		}
	}
	if supplyTotal == 0 {
		return nil
	}
	demandTotal := 0.0
	for i := range r.cand {
		if len(r.cand[i]) == 0 && nearest[i] >= 0 && in.supply[nearest[i]] > 0 {
			r.cand[i] = []raamOption{{nearest[i], nearestCost[i] / tau}}
		}
		if len(r.cand[i]) > 0 && in.g.known(i) && in.g.demand[i] > 0 {
			r.origins = append(r.origins, int32(i))
			demandTotal += in.g.demand[i]
		}
	}
	rho := demandTotal / supplyTotal
	r.scaled = make([]float64, len(in.supply))
	for _, j := range in.programs {
		r.scaled[j] = in.supply[j] * rho
	}
	return r
}

func (r *raamProblem) total(o raamOption, load []float64) float64 {
	return load[o.program]/r.scaled[o.program] + o.travel
}

// start puts each cell's whole demand at its program of least travel cost (the first on a tie).
func (r *raamProblem) start() ([][]float64, []float64) {
	assigned := make([][]float64, len(r.cand))
	load := make([]float64, len(r.scaled))
	for _, i := range r.origins {
		best := 0
		for k, o := range r.cand[i] {
			if o.travel < r.cand[i][best].travel {
				best = k
			}
		}
		assigned[i] = make([]float64, len(r.cand[i]))
		assigned[i][best] = r.demand[i]
		load[r.cand[i][best].program] += r.demand[i]
	}
	return assigned, load
}

// choice finds cell i's costliest program among those holding some of its demand (hi), its
// cheapest program (lo) — the first on a tie — and the demand at lo that would make the two
// cost the same, other cells' demand staying put.
func (r *raamProblem) choice(i int32, x, load []float64) (hi, lo int, target float64) {
	options := r.cand[i]
	hi = -1
	var hiCost, loCost float64
	for k, o := range options {
		t := r.total(o, load)
		if x[k] != 0 && (hi < 0 || t > hiCost) {
			hi, hiCost = k, t
		}
		if k == 0 || t < loCost {
			lo, loCost = k, t
		}
	}
	if hi == lo {
		return hi, lo, 0
	}
	pl, ph := options[lo].program, options[hi].program
	sl, sh := r.scaled[pl], r.scaled[ph]
	otherLo, otherHi := load[pl]-x[lo], load[ph]-x[hi]
	target = (sl * sh / (sl + sh)) * ((options[hi].travel - options[lo].travel) + (x[lo]+x[hi]+otherHi)/sh - otherLo/sl)
	return hi, lo, target
}

func raamStep(cycle int) float64 {
	return math.Max(raamInitialStep*math.Pow(0.5, float64(cycle)/raamHalfLife), raamMinStep)
}

// fractions is stemgap's iteration: it moves any fraction of a person, stops when nothing moves,
// and returns the assignment with the loads after the last move.
func (r *raamProblem) fractions(ctx context.Context) ([][]float64, []float64, error) {
	assigned, load := r.start()
	type move struct {
		cell     int32
		from, to int
		delta    float64
	}
	moves := make([]move, 0, len(r.origins))
	inflow := make([]float64, len(load))
	for cycle := 0; cycle < raamCycles; cycle++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		step := raamStep(cycle)
		moves = moves[:0]
		for _, i := range r.origins {
			x := assigned[i]
			hi, lo, target := r.choice(i, x, load)
			if hi == lo {
				continue
			}
			delta := math.Min(math.Min(target-x[lo], x[hi]), step*r.demand[i])
			if delta > 0 {
				moves = append(moves, move{i, hi, lo, delta})
			}
		}
		if cycle < raamLimitInitial {
			// Keep an attractive program from being mobbed by every cell at once.
			clear(inflow)
			for _, m := range moves {
				inflow[r.cand[m.cell][m.to].program] += m.delta
			}
			for k := range moves {
				j := r.cand[moves[k].cell][moves[k].to].program
				moves[k].delta /= math.Max(inflow[j]/r.scaled[j], 1)
			}
		}
		if len(moves) == 0 {
			break
		}
		for _, m := range moves {
			assigned[m.cell][m.to] += m.delta
			assigned[m.cell][m.from] -= m.delta
			load[r.cand[m.cell][m.to].program] += m.delta
			load[r.cand[m.cell][m.from].program] -= m.delta
		}
	}
	return assigned, load, nil
}

// wholePeople is PySAL access's iterate_raam as raam() calls it: every one of the 150 cycles
// runs; each cell moves a whole number of people — its move truncated toward zero — and in the
// first 20 cycles a program drawing more than its scaled seats has every move into it divided by
// the excess and rounded half to even; the loads are summed afresh each cycle; and the costs
// returned are those at the start of the last cycle, weighted by the assignment after it.
func (r *raamProblem) wholePeople(ctx context.Context) ([][]float64, []float64, error) {
	assigned, load := r.start()
	delta := make([]float64, len(r.origins))
	from, to := make([]int, len(r.origins)), make([]int, len(r.origins))
	inflow := make([]float64, len(load))
	for cycle := 0; cycle < raamCycles; cycle++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		clear(load)
		for _, i := range r.origins {
			for k, o := range r.cand[i] {
				load[o.program] += assigned[i][k]
			}
		}
		step := raamStep(cycle)
		for n, i := range r.origins {
			x := assigned[i]
			hi, lo, target := r.choice(i, x, load)
			d := 0.0
			if hi != lo {
				d = math.Min(target-x[lo], x[hi])
			}
			delta[n], from[n], to[n] = math.Trunc(math.Min(d, step*r.demand[i])), hi, lo
		}
		if cycle < raamLimitInitial {
			clear(inflow)
			for n, i := range r.origins {
				inflow[r.cand[i][to[n]].program] += delta[n]
			}
			for n, i := range r.origins {
				j := r.cand[i][to[n]].program
				delta[n] = math.RoundToEven(delta[n] / math.Max(inflow[j]/r.scaled[j], 1))
			}
		}
		for n, i := range r.origins {
			assigned[i][to[n]] += delta[n]
			assigned[i][from[n]] -= delta[n]
		}
	}
	return assigned, load, nil
}
