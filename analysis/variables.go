package analysis

import (
	"math"
)

// figures are one area's demographic values by canonical variable.
type figures map[string]float64

// derivations compute a variable from others where the data lacks it directly. Each is stated in
// METHOD.md; a value given directly always wins.
var derivations = map[string]func(f figures) (float64, bool){
	// Share of people of colour: everyone but non-Hispanic white; where only race counts exist,
	// everyone but white alone (Hispanic white people then count as white).
	"poc_pct": func(f figures) (float64, bool) {
		if w, ok := f["white_nh"]; ok {
			if t, ok := f["total_pop"]; ok && t > 0 {
				return clampPct(100 * (1 - w/t)), true
			}
		}
		w, ok := f["race_white"]
		if !ok {
			return 0, false
		}
		sum := 0.0
		for _, v := range []string{"race_white", "race_black", "race_asian", "race_aian", "race_nhpi", "race_other", "race_multi"} {
			sum += f[v]
		}
		if sum <= 0 {
			return 0, false
		}
		return clampPct(100 * (1 - w/sum)), true
	},
	"no_vehicle_pct": func(f figures) (float64, bool) {
		n, ok1 := f["hh_no_vehicle"]
		h, ok2 := f["households"]
		if !ok1 || !ok2 || h <= 0 {
			return 0, false
		}
		return clampPct(100 * n / h), true
	},
	"poverty_pct": func(f figures) (float64, bool) {
		n, ok1 := f["poverty_pop"]
		t, ok2 := f["total_pop"]
		if !ok1 || !ok2 || t <= 0 {
			return 0, false
		}
		return clampPct(100 * n / t), true
	},
	"poverty_pop": func(f figures) (float64, bool) {
		p, ok1 := f["poverty_pct"]
		t, ok2 := f["total_pop"]
		if !ok1 || !ok2 {
			return 0, false
		}
		return p * t / 100, true
	},
}

// derivedNames lists the variables that exist only by derivation.
func derivedNames() []string { return []string{"poc_pct"} }

func isDerived(name string) bool { _, ok := derivations[name]; return ok }

// value returns an area's figure for a variable, given or derived.
func (f figures) value(name string) (float64, bool) {
	if v, ok := f[name]; ok {
		return v, true
	}
	if d, ok := derivations[name]; ok {
		return d(f)
	}
	return 0, false
}

func clampPct(v float64) float64 { return math.Max(0, math.Min(100, v)) }
