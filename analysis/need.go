package analysis

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// percentileRanks ranks values the way the CDC SVI does (Excel's PERCENTRANK.INC): the share of
// the other values strictly below each, (count below)/(n−1), so the lowest is 0 and the highest 1.
// Tied values share a rank. NaN stays NaN; with fewer than two values nothing can be ranked.
func percentileRanks(values []float64) []float64 {
	var sorted []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			sorted = append(sorted, v)
		}
	}
	sort.Float64s(sorted)
	out := make([]float64, len(values))
	for i, v := range values {
		if math.IsNaN(v) || len(sorted) < 2 {
			out[i] = math.NaN()
			continue
		}
		below := sort.SearchFloat64s(sorted, v)
		out[i] = float64(below) / float64(len(sorted)-1)
	}
	return out
}

// needIndex is an SVI-style vulnerability index per area: each component variable is ranked as a
// percentile across the areas that have it (reversed where lower is needier), an area's score is
// the weighted mean of the ranks it has, and the scores are ranked again so need runs 0–1 (1 =
// most vulnerable in the region). An area with no component has unknown need (NaN).
func needIndex(figs []figures, comps []NeedComponent) ([]float64, []string) {
	n := len(figs)
	sum, weight := make([]float64, n), make([]float64, n)
	var notes []string
	var used, missing []string
	for _, c := range comps {
		if c.Weight == 0 {
			continue
		}
		vals := make([]float64, n)
		have := 0
		bases := map[string]int{} // derivation → areas
		for a, f := range figs {
			v, basis, ok := f.derive(c.Variable)
			if ok && basis != "" {
				bases[basis]++
			}
			switch {
			case !ok:
				vals[a] = math.NaN()
			case c.LowerIsNeedier:
				vals[a], have = -v, have+1
			default:
				vals[a], have = v, have+1
			}
		}
		if have < 2 {
			missing = append(missing, c.Variable)
			continue
		}
		used = append(used, fmt.Sprintf("%s (%d areas)", c.Variable, have))
		if len(bases) > 0 {
			notes = append(notes, derivedNote(c.Variable, bases))
		}
		for a, r := range percentileRanks(vals) {
			if !math.IsNaN(r) {
				sum[a] += c.Weight * r
				weight[a] += c.Weight
			}
		}
	}
	score := make([]float64, n)
	for a := range score {
		score[a] = math.NaN()
		if weight[a] > 0 {
			score[a] = sum[a] / weight[a]
		}
	}
	if len(used) > 0 {
		notes = append(notes, "need index ranks "+strings.Join(used, ", ")+"; an area missing a component is ranked on the rest")
	}
	if len(missing) > 0 {
		notes = append(notes, "need index: no figures for "+strings.Join(missing, ", ")+" (left out)")
	}
	return percentileRanks(score), notes
}

// urbanAreas decides, per area, whether the urban or the rural desert distance applies, and says
// on what basis.
func urbanAreas(figs []figures, landKm2 []float64, d DesertParams) ([]bool, []string) {
	urban := make([]bool, len(figs))
	basis := make([]string, len(figs))
	for a, f := range figs {
		if d.UrbanRule != UrbanDensity {
			if v, ok := f["urban"]; ok {
				urban[a], basis[a] = v == 1, "urban flag"
				continue
			}
			if d.UrbanRule == UrbanFlag {
				urban[a], basis[a] = false, "no urban flag: rural"
				continue
			}
		}
		pop, ok := f["total_pop"]
		if !ok || !(landKm2[a] > 0) {
			// Without a way to tell, the stricter urban distance applies: a desert is not missed
			// for want of a density.
			urban[a], basis[a] = true, "no density: treated as urban"
			continue
		}
		density := pop / landKm2[a]
		urban[a] = density >= d.UrbanDensityKm2
		basis[a] = fmt.Sprintf("density %.0f/km²", density)
	}
	return urban, basis
}

// derivedNote says how a need component was derived, and for how many areas each way.
func derivedNote(variable string, bases map[string]int) string {
	keys := make([]string, 0, len(bases))
	for b := range bases {
		keys = append(keys, b)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for k, b := range keys {
		noun := "areas"
		if bases[b] == 1 {
			noun = "area"
		}
		parts[k] = fmt.Sprintf("%s in %d %s", b, bases[b], noun)
	}
	return "need index: " + variable + " = " + strings.Join(parts, "; ")
}
