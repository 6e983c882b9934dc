package analysis

import (
	"maps"
	"math"
	"slices"

	"stemgap/data"
)

// figures are one area's demographic values by canonical variable.
type figures map[string]float64

// derivation computes a variable from others where the data lacks it directly, and says from
// which, in words, for the run's notes.
type derivation func(f figures) (value float64, basis string, ok bool)

// derived is how a variable is derived: from lists the variables derive may read, so that the
// vintages of a derived figure's sources can be told (see VintagesBesideDemand).
type derived struct {
	from   []string
	derive derivation
}

// derivations are stated in METHOD.md; a value given directly always wins.
var derivations = map[string]derived{
	// Share of people of colour: everyone but non-Hispanic white people where that count is
	// loaded, else everyone but white people of any ethnicity, always out of the total population:
	// dividing by the race columns that happen to be loaded would drop everyone else.
	"poc_pct": {from: []string{"total_pop", "white_nh", "race_white"}, derive: func(f figures) (float64, string, bool) {
		t, ok := f["total_pop"]
		if !ok || t <= 0 {
			return 0, "", false
		}
		if w, ok := f["white_nh"]; ok {
			return clampPct(100 * (t - w) / t), "1 − white_nh/total_pop", true
		}
		if w, ok := f["race_white"]; ok {
			return clampPct(100 * (t - w) / t), "1 − race_white/total_pop (no white_nh: Hispanic white people count as white)", true
		}
		return 0, "", false
	}},
	"no_vehicle_pct": {from: []string{"hh_no_vehicle", "households"}, derive: func(f figures) (float64, string, bool) {
		n, ok1 := f["hh_no_vehicle"]
		h, ok2 := f["households"]
		if !ok1 || !ok2 || h <= 0 {
			return 0, "", false
		}
		return clampPct(100 * n / h), "hh_no_vehicle/households", true
	}},
	"poverty_pct": {from: []string{"poverty_pop", "total_pop"}, derive: func(f figures) (float64, string, bool) {
		n, ok1 := f["poverty_pop"]
		t, ok2 := f["total_pop"]
		if !ok1 || !ok2 || t <= 0 {
			return 0, "", false
		}
		return clampPct(100 * n / t), "poverty_pop/total_pop", true
	}},
	// Children without a computer with broadband at home, out of the children in households that
	// the same ACS table counts (B28005): the home side of learning to compute.
	"youth_no_computer_broadband_pct": {from: []string{"youth_no_computer_broadband", "youth_in_households"}, derive: func(f figures) (float64, string, bool) {
		n, ok1 := f["youth_no_computer_broadband"]
		c, ok2 := f["youth_in_households"]
		if !ok1 || !ok2 || c <= 0 {
			return 0, "", false
		}
		return clampPct(100 * n / c), "youth_no_computer_broadband/youth_in_households", true
	}},
	"poverty_pop": {from: []string{"poverty_pct", "total_pop"}, derive: func(f figures) (float64, string, bool) {
		p, ok1 := f["poverty_pct"]
		t, ok2 := f["total_pop"]
		if !ok1 || !ok2 {
			return 0, "", false
		}
		return p * t / 100, "poverty_pct × total_pop", true
	}},
}

// derivedNames lists, sorted, the variables that exist only by derivation: those the data never
// gives directly.
func derivedNames() []string {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(derivations)) {
		if _, ok := data.LookupVariable(name); !ok {
			names = append(names, name)
		}
	}
	return names
}

func isDerived(name string) bool { _, ok := derivations[name]; return ok }

// value returns an area's figure for a variable, given or derived.
func (f figures) value(name string) (float64, bool) {
	v, _, ok := f.derive(name)
	return v, ok
}

// derive is value with its basis: empty for a figure given directly, else the derivation used.
func (f figures) derive(name string) (float64, string, bool) {
	if v, ok := f[name]; ok {
		return v, "", true
	}
	if d, ok := derivations[name]; ok {
		return d.derive(f)
	}
	return 0, "", false
}

func clampPct(v float64) float64 { return math.Max(0, math.Min(100, v)) }
