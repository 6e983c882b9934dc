package analysis

import (
	"context"
	"math"
)

// weightFunc is a distance-decay function W(c) for a cost c within the catchment.
type weightFunc func(c float64) float64

// decayWeight returns the decay chosen by the parameters. Gravity has its own power decay; the
// binary catchment of 2SFCA and cumulative counts weigh every reachable program 1. The stepped
// zones are Luo and Qi's (2009) E2SFCA; the Gaussian is the later continuous variant (Dai 2010),
// as the kernel of PySAL access's weights.gaussian rather than Dai's form, which falls to 0 at d0.
func decayWeight(m MeasureParams) weightFunc {
	switch {
	case m.Kind == MeasureGravity:
		return func(c float64) float64 { return math.Pow(math.Max(c, m.MinCost), -m.Beta) }
	case m.Kind == Measure2SFCA || m.Kind == MeasureCumulative || m.Decay == DecayNone:
		return func(float64) float64 { return 1 }
	case m.Decay == DecayGaussian:
		twoSigma2 := 2 * m.Sigma * m.Sigma
		return func(c float64) float64 { return math.Exp(-c * c / twoSigma2) }
	case m.Decay == DecayLinear:
		return func(c float64) float64 { return math.Max(0, 1-c/m.Catchment) }
	default: // stepped
		return func(c float64) float64 {
			for _, s := range m.Steps {
				if c <= s.Upto {
					return s.Weight
				}
			}
			return 0
		}
	}
}

// accessInputs are what one content area's measure reads.
type accessInputs struct {
	g        *grid
	reach    *reach    // pairs within the catchment, every program, with their weights
	programs []int32   // the content area's programs
	supply   []float64 // seats per program (all programs)
}

// counts returns, per cell, how many of the programs reach it within the catchment.
func (in *accessInputs) counts() []int32 {
	out := make([]int32, len(in.g.cells))
	for _, j := range in.programs {
		cells, _ := in.reach.of(j)
		for _, i := range cells {
			out[i]++
		}
	}
	return out
}

// cumulative is the seats reachable within the catchment: A_i = Σ_j S_j [c_ij ≤ d0].
func cumulative(in *accessInputs) []float64 {
	out := make([]float64, len(in.g.cells))
	for _, j := range in.programs {
		cells, _ := in.reach.of(j)
		for _, i := range cells {
			out[i] += in.supply[j]
		}
	}
	return out
}

// twoStep is the two-step floating catchment family (2SFCA, E2SFCA, gravity):
// R_j = S_j / Σ_i P_i·W(c_ij), A_i = Σ_j R_j·W(c_ij), per 1,000 people of demand. A program whose
// catchment holds no demand has R_j = 0.
func twoStep(in *accessInputs) []float64 {
	out := make([]float64, len(in.g.cells))
	for _, j := range in.programs {
		cells, weights := in.reach.weighted(j)
		den := 0.0
		for k, i := range cells {
			den += in.g.demandOrZero(int(i)) * weights[k]
		}
		if den == 0 {
			continue
		}
		r := in.supply[j] / den
		for k, i := range cells {
			out[i] += r * weights[k]
		}
	}
	for i := range out {
		out[i] *= 1000
	}
	return out
}

// threeStep is 3SFCA (Wan, Zou and Sternberg 2012): a selection weight G_ij = W_ij / Σ_k W_ik
// shares each cell's demand among the programs it can reach, then R_j = S_j / Σ_i G_ij·P_i·W_ij and
// A_i = Σ_j G_ij·R_j·W_ij, per 1,000 people of demand. Wan et al. sum the selection weights over
// the programs within the catchment. PySAL access sums them over every pair of its cost table,
// within the catchment or not, and counts a pair in the two steps only when its cost is below the
// catchment, not equal to it; the pysal variant does both, with every pair tr knows a cost for
// as the cost table.
func threeStep(ctx context.Context, in *accessInputs, m MeasureParams, tr travel) ([]float64, error) {
	n := len(in.g.cells)
	inside := func(cost float64) bool { return true }
	var totalW []float64
	if m.Variant == VariantPySAL {
		inside = func(cost float64) bool { return cost < m.Catchment }
		// Only cells some program reaches take part; the others' sums are never read.
		var reached []int32
		seen := make([]bool, n)
		for _, j := range in.programs {
			cells, costs := in.reach.of(j)
			for k, i := range cells {
				if !seen[i] && inside(costs[k]) {
					seen[i] = true
					reached = append(reached, i)
				}
			}
		}
		var err error
		if totalW, err = tr.weightSums(ctx, reached, in.programs, decayWeight(m)); err != nil {
			return nil, err
		}
	} else {
		totalW = make([]float64, n)
		for _, j := range in.programs {
			cells, weights := in.reach.weighted(j)
			for k, i := range cells {
				totalW[i] += weights[k]
			}
		}
	}
	out := make([]float64, n)
	for _, j := range in.programs {
		cells, weights := in.reach.weighted(j)
		_, costs := in.reach.of(j)
		den := 0.0
		for k, i := range cells {
			if w := weights[k]; w > 0 && inside(costs[k]) {
				den += (w / totalW[i]) * in.g.demandOrZero(int(i)) * w
			}
		}
		if den == 0 {
			continue
		}
		r := in.supply[j] / den
		for k, i := range cells {
			if w := weights[k]; w > 0 && inside(costs[k]) {
				out[i] += (w / totalW[i]) * r * w
			}
		}
	}
	for i := range out {
		out[i] *= 1000
	}
	return out, nil
}

// demandWeightedMean is Σ P_i·v_i / Σ P_i over cells with a demand figure and a finite value.
func demandWeightedMean(g *grid, v []float64) float64 {
	var w weightedSum
	w.add(g, v)
	return w.mean()
}

// weightedSum is demandWeightedMean added up a run of cells at a time, in cell order.
type weightedSum struct{ num, den float64 }

// add adds the cells of g, whose values are v.
func (w *weightedSum) add(g *grid, v []float64) {
	for i, x := range v {
		if g.known(i) && !math.IsNaN(x) && !math.IsInf(x, 0) {
			w.num += g.demand[i] * x
			w.den += g.demand[i]
		}
	}
}

func (w weightedSum) mean() float64 {
	if w.den == 0 {
		return math.NaN()
	}
	return w.num / w.den
}
