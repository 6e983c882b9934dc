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

// raam is the Rational Agent Access Model (Saxon and Snow 2019) as PySAL access computes it:
// every cell's demand chooses programs to minimise travel cost/τ plus congestion — the demand at a
// program over its seats scaled by the regional ratio ρ = ΣP/ΣS — and RAAM_i is the average total
// cost of cell i's demand once the choices settle. Lower is better. Each cell chooses among the
// programs within the catchment, or its nearest program when none is. PySAL moves whole people
// between programs; cells hold fractions of people, so stemgap moves fractions.
func raam(ctx context.Context, in *accessInputs, tau float64, nearest []int32, nearestCost []float64) ([]float64, error) {
	n := len(in.g.cells)
	// Candidates per cell, by program order: the transpose of the catchments.
	type option struct {
		program int32
		travel  float64
	}
	cand := make([][]option, n)
	for _, j := range in.programs {
		cells, costs := in.reach.of(j)
		for k, i := range cells {
			cand[i] = append(cand[i], option{j, costs[k] / tau})
		}
	}
	for i := range cand {
		if len(cand[i]) == 0 && nearest[i] >= 0 {
			cand[i] = []option{{nearest[i], nearestCost[i] / tau}}
		}
	}

	supplyTotal, demandTotal := 0.0, 0.0
	for _, j := range in.programs {
		supplyTotal += in.supply[j]
	}
	var origins []int32
	for i := range cand {
		if len(cand[i]) > 0 && in.g.known(i) && in.g.demand[i] > 0 {
			origins = append(origins, int32(i))
			demandTotal += in.g.demand[i]
		}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	if supplyTotal == 0 {
		return out, nil
	}
	rho := demandTotal / supplyTotal
	scaled := func(j int32) float64 { return in.supply[j] * rho }

	load := make([]float64, len(in.supply)) // demand assigned to each program
	assigned := make([][]float64, n)
	for _, i := range origins {
		best := 0
		for k, o := range cand[i] {
			if o.travel < cand[i][best].travel {
				best = k
			}
		}
		assigned[i] = make([]float64, len(cand[i]))
		assigned[i][best] = in.g.demand[i]
		load[cand[i][best].program] += in.g.demand[i]
	}
	total := func(o option) float64 {
		s := scaled(o.program)
		if s == 0 {
			return math.Inf(1)
		}
		return load[o.program]/s + o.travel
	}

	type move struct {
		cell     int32
		from, to int
		delta    float64
	}
	moves := make([]move, 0, len(origins))
	inflow := make([]float64, len(in.supply))
	for cycle := 0; cycle < raamCycles; cycle++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := math.Max(raamInitialStep*math.Pow(0.5, float64(cycle)/raamHalfLife), raamMinStep)
		moves = moves[:0]
		for _, i := range origins {
			x := assigned[i]
			hi, lo := -1, 0
			for k, o := range cand[i] {
				t := total(o)
				if x[k] > 0 && (hi < 0 || t > total(cand[i][hi])) {
					hi = k
				}
				if t < total(cand[i][lo]) {
					lo = k
				}
			}
			if hi == lo {
				continue
			}
			pl, ph := cand[i][lo].program, cand[i][hi].program
			sl, sh := scaled(pl), scaled(ph)
			both := x[lo] + x[hi]
			otherLo, otherHi := load[pl]-x[lo], load[ph]-x[hi]
			// The share at lo that equalises the two programs' total costs.
			target := (sl * sh / (sl + sh)) * ((cand[i][hi].travel - cand[i][lo].travel) + (both+otherHi)/sh - otherLo/sl)
			delta := math.Min(target-x[lo], x[hi])
			delta = math.Min(delta, step*in.g.demand[i])
			if delta > 0 {
				moves = append(moves, move{i, hi, lo, delta})
			}
		}
		if cycle < raamLimitInitial {
			// Keep an attractive program from being mobbed by every cell at once.
			clear(inflow)
			for _, m := range moves {
				inflow[cand[m.cell][m.to].program] += m.delta
			}
			for k := range moves {
				j := cand[moves[k].cell][moves[k].to].program
				moves[k].delta /= math.Max(inflow[j]/scaled(j), 1)
			}
		}
		if len(moves) == 0 {
			break
		}
		for _, m := range moves {
			assigned[m.cell][m.to] += m.delta
			assigned[m.cell][m.from] -= m.delta
			load[cand[m.cell][m.to].program] += m.delta
			load[cand[m.cell][m.from].program] -= m.delta
		}
	}

	for i := range cand {
		if len(cand[i]) == 0 {
			continue
		}
		if x := assigned[i]; x != nil {
			sum := 0.0
			for k, o := range cand[i] {
				sum += total(o) * x[k]
			}
			out[i] = sum / in.g.demand[i]
			continue
		}
		// A cell without demand: the cost its first young person would face.
		best := math.Inf(1)
		for _, o := range cand[i] {
			best = math.Min(best, total(o))
		}
		out[i] = best
	}
	return out, nil
}
