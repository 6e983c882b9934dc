// Package analysis scores access to STEM learning for every H3 cell of a region: it allocates
// demand to cells, measures access to programs by content area, weighs need, flags gaps and
// deserts, and rolls the results up to areas and demographic groups. It takes plain inputs and
// returns a plain data.Run; it never touches a store. Same inputs and parameters, same bytes out.
package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"stemgap/data"
	"stemgap/geo"
)

// Params holds every parameter of a run. The JSON form is the config file (stemgap analyze
// --config FILE; stemgap config print shows the defaults) and is recorded with every run.
type Params struct {
	Resolution int    `json:"resolution"` // H3 resolution of the cells
	Demand     string `json:"demand"`     // canonical variable counted as demand
	// DefaultCapacity stands in for a program's seats when the inventory gives none.
	DefaultCapacity float64 `json:"default_capacity"`
	// Settings are the setting groups each content area is measured within, the one the map
	// opens on first.
	Settings []data.SettingGroup `json:"setting_groups"`
	// MinPrograms is the fewest programs a series needs before it is judged: below it a series
	// gets no desert flags, gap scores or ranks (METHOD.md says why 10).
	MinPrograms int           `json:"min_programs"`
	Costs       CostParams    `json:"costs"`
	Measure     MeasureParams `json:"measure"`
	Need        NeedParams    `json:"need"`
	Gap         GapParams     `json:"gap"`
	Desert      DesertParams  `json:"desert"`
	Equity      []EquityGroup `json:"equity_groups"`
}

// CostParams chooses how travel cost between a cell and a program is measured.
type CostParams struct {
	// Matrix is an origin–destination cost CSV (origin,program,minutes|km|cost); empty means
	// great-circle km. Its cost column names the unit of the catchment and desert thresholds.
	Matrix string `json:"matrix"`
}

// Measure kinds.
const (
	MeasureNearest    = "nearest"
	MeasureCumulative = "cumulative"
	Measure2SFCA      = "2sfca"
	MeasureE2SFCA     = "e2sfca"
	Measure3SFCA      = "3sfca"
	MeasureGravity    = "gravity"
	MeasureRAAM       = "raam"
)

// Variants of 3SFCA and RAAM.
const (
	VariantStemgap = "stemgap"
	VariantPySAL   = "pysal"
)

var measureKinds = []string{MeasureNearest, MeasureCumulative, Measure2SFCA, MeasureE2SFCA, Measure3SFCA, MeasureGravity, MeasureRAAM}

// Decay kinds for the floating-catchment measures.
const (
	DecayGaussian = "gaussian"
	DecayStepped  = "stepped"
	DecayLinear   = "linear"
	DecayNone     = "none"
)

// MeasureParams chooses the access measure and its parameters.
type MeasureParams struct {
	Kind string `json:"kind"`
	// Catchment is d0, the largest cost at which a program counts, in the cost unit. A cost equal
	// to it counts as inside.
	Catchment float64 `json:"catchment"`
	Decay     string  `json:"decay"`
	Beta      float64 `json:"beta"` // gravity: f(d) = max(d, min_cost)^−β
	MinCost   float64 `json:"min_cost"`
	// Normalize divides access by its demand-weighted regional mean, so 1.0 is average access.
	Normalize bool `json:"normalize"`
	// Variant chooses how 3SFCA and RAAM are computed: stemgap's own form, or exactly as PySAL
	// access computes them (METHOD.md §4 says where the two differ).
	Variant string `json:"variant"`

	// The parameters below derive from the catchment unless set: left unset (0, or null in a
	// config file) they follow it, so a config that changes only the catchment keeps them in
	// proportion. Resolved fills them in; a run records the values it computed with.
	Steps []Step  `json:"steps"` // stepped zones (Luo & Qi 2009); thirds of the catchment weighted 1, 0.68, 0.22
	Sigma float64 `json:"sigma"` // Gaussian width; catchment/2
	Tau   float64 `json:"tau"`   // RAAM: the travel cost equivalent to congestion at the regional ratio; the catchment
}

// MarshalJSON writes unset derived parameters (σ, τ; steps is then nil) as null rather than 0, so
// that a printed config says they follow the catchment and reads back the same way.
func (m MeasureParams) MarshalJSON() ([]byte, error) {
	type plain MeasureParams
	return json.Marshal(struct {
		plain
		Sigma *float64 `json:"sigma"`
		Tau   *float64 `json:"tau"`
	}{plain(m), setOrNil(m.Sigma), setOrNil(m.Tau)})
}

func setOrNil(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return &v
}

// Step is one stepped-decay zone: costs up to Upto (inclusive) weigh Weight.
type Step struct {
	Upto   float64 `json:"upto"`
	Weight float64 `json:"weight"`
}

// NeedParams configures the vulnerability index.
type NeedParams struct {
	Components []NeedComponent `json:"components"`
}

// NeedComponent is one variable of the need index, ranked across areas as a percentile.
type NeedComponent struct {
	Variable string  `json:"variable"`
	Weight   float64 `json:"weight"`
	// LowerIsNeedier ranks low values as high need (income).
	LowerIsNeedier bool `json:"lower_is_needier,omitempty"`
}

// GapParams configures unmet seats and the gap score.
type GapParams struct {
	// Target is the access that counts as enough, in the measure's unit; 0 means the region's
	// demand-weighted mean for each content area.
	Target float64 `json:"target"`
	// NeedWeight λ blends need into the gap score: gap = shortfall × ((1−λ) + λ·need).
	NeedWeight float64 `json:"need_weight"`
}

// Urban rules.
const (
	UrbanAuto    = "auto"    // the area's urban flag where loaded, else density
	UrbanFlag    = "flag"    // the urban variable only; areas without it count as rural
	UrbanDensity = "density" // population density only
)

// DesertParams holds the desert rules.
type DesertParams struct {
	UrbanRule       string  `json:"urban_rule"`
	UrbanDensityKm2 float64 `json:"urban_density_km2"` // people per km² from which an area is urban
	UrbanCost       float64 `json:"urban_cost"`        // an urban cell farther than this from any program is a desert
	RuralCost       float64 `json:"rural_cost"`
	// AccessRatio flags a cell whose access is below this share of the regional mean.
	AccessRatio float64 `json:"access_ratio"`
	// An area is a desert when at least MinDemand of its demand, or MinShare of it, lives in
	// desert cells: adapted from the Food Access Research Atlas's "at least 500 people or at least
	// 33 percent of the population", which counts everyone where stemgap counts the demand.
	MinDemand float64 `json:"min_demand"`
	MinShare  float64 `json:"min_share"`
}

// EquityGroup is a demographic group whose exposure to deserts is compared with the region's.
type EquityGroup struct {
	Name     string `json:"name"`
	Variable string `json:"variable"`
	// Reference is the population the group is part of: the demand variable for youth groups,
	// total_pop for groups counted at all ages.
	Reference string `json:"reference"`
}

// DefaultParams returns the defaults. Each is explained in METHOD.md.
func DefaultParams() Params {
	return Params{
		Resolution:      9,
		Demand:          "youth_pop",
		DefaultCapacity: 1,
		Settings: []data.SettingGroup{
			{Name: "out_of_school", Settings: []string{"out_of_school"}},
			{Name: data.AllSettings},
		},
		MinPrograms: 10,
		Measure: MeasureParams{
			Kind:      MeasureE2SFCA,
			Catchment: 8,
			Decay:     DecayGaussian,
			Beta:      1,
			MinCost:   0.5,
			Variant:   VariantStemgap,
		},
		Need: NeedParams{Components: []NeedComponent{
			{Variable: "poverty_pct", Weight: 1},
			{Variable: "poc_pct", Weight: 1},
			{Variable: "no_vehicle_pct", Weight: 1},
			{Variable: "no_internet_pct", Weight: 1},
			{Variable: "median_hh_income", Weight: 1, LowerIsNeedier: true},
		}},
		Gap: GapParams{NeedWeight: 0.5},
		Desert: DesertParams{
			UrbanRule:       UrbanAuto,
			UrbanDensityKm2: 386.1, // 1,000 people per square mile
			UrbanCost:       1.609344,
			RuralCost:       16.09344,
			AccessRatio:     0.5,
			MinDemand:       500,
			MinShare:        0.33, // the Atlas's 33 percent, as it states it
		},
		Equity: []EquityGroup{
			{Name: "all youth", Variable: "youth_pop", Reference: "youth_pop"},
			{Name: "girls", Variable: "youth_female", Reference: "youth_pop"},
			{Name: "boys", Variable: "youth_male", Reference: "youth_pop"},
			{Name: "youth of colour", Variable: "youth_poc", Reference: "youth_pop"},
			{Name: "white", Variable: "race_white", Reference: "total_pop"},
			{Name: "Black", Variable: "race_black", Reference: "total_pop"},
			{Name: "Asian", Variable: "race_asian", Reference: "total_pop"},
			{Name: "Hispanic or Latino", Variable: "hispanic", Reference: "total_pop"},
			{Name: "people in poverty", Variable: "poverty_pop", Reference: "total_pop"},
			{Name: "households without a vehicle", Variable: "hh_no_vehicle", Reference: "households"},
		},
	}
}

// LoadParams reads a config file over base (the defaults, or a region's): keys it leaves out
// keep base's values.
// Unknown keys are errors, so a misspelt parameter is never silently ignored.
func LoadParams(path string, base Params) (Params, error) {
	p := base
	f, err := os.Open(path)
	if err != nil {
		return p, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if err := DecodeParams(f, &p); err != nil {
		return p, fmt.Errorf("config %s: %w", path, err)
	}
	return p, nil
}

// DecodeParams reads parameters in the config-file form over p: keys it leaves out keep p's
// values; unknown keys are errors.
func DecodeParams(r io.Reader, p *Params) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("invalid JSON at byte %d: %w", syn.Offset, err)
		}
		return err
	}
	return nil
}

// Resolved fills the parameters that derive from the catchment (σ, steps, τ) where they are unset,
// so that the recorded parameters state exactly what was computed.
func (p Params) Resolved() Params {
	m := &p.Measure
	if m.Kind == Measure2SFCA {
		m.Decay = DecayNone
	}
	if m.Sigma == 0 {
		m.Sigma = m.Catchment / 2
	}
	if len(m.Steps) == 0 {
		m.Steps = []Step{{Upto: m.Catchment / 3, Weight: 1}, {Upto: 2 * m.Catchment / 3, Weight: 0.68}, {Upto: m.Catchment, Weight: 0.22}}
	}
	if m.Tau == 0 {
		m.Tau = m.Catchment
	}
	p.Need.Components = slices.Clone(p.Need.Components)
	p.Equity = slices.Clone(p.Equity)
	p.Settings = slices.Clone(p.Settings)
	for i, g := range p.Settings {
		p.Settings[i].Settings = slices.Clone(g.Settings)
		for k, s := range g.Settings {
			p.Settings[i].Settings[k] = data.NormalizeSetting(s)
		}
	}
	return p
}

// Validate rejects parameters that cannot be computed, naming the parameter.
func (p Params) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := geo.CheckResolution(p.Resolution); err != nil {
		bad("resolution: %v", err)
	}
	if _, ok := data.LookupVariable(p.Demand); !ok {
		bad("demand: %v", unknownDemand(p.Demand))
	}
	if !(p.DefaultCapacity > 0) {
		bad("default_capacity must be positive, not %v", p.DefaultCapacity)
	}
	if len(p.Settings) == 0 {
		bad("setting_groups: name at least one group (e.g. {\"name\": \"all\", \"settings\": []} for every program)")
	}
	groupNames := map[string]bool{}
	for i, g := range p.Settings {
		switch {
		case g.Name == "" || data.NormalizeLabel(g.Name) != g.Name:
			bad("setting_groups[%d].name %q must be a label of lower-case letters, digits and _", i, g.Name)
		case groupNames[g.Name]:
			bad("setting_groups[%d].name %q repeats", i, g.Name)
		}
		groupNames[g.Name] = true
		for k, s := range g.Settings {
			if s == "" {
				bad("setting_groups[%d].settings[%d] is empty", i, k)
			}
		}
	}
	if p.MinPrograms < 0 {
		bad("min_programs must not be negative, not %d", p.MinPrograms)
	}
	m := p.Measure
	if !slices.Contains(measureKinds, m.Kind) {
		bad("measure.kind %q is not one of %s", m.Kind, strings.Join(measureKinds, ", "))
	}
	if !(m.Catchment > 0) {
		bad("measure.catchment must be positive, not %v", m.Catchment)
	}
	if !slices.Contains([]string{DecayGaussian, DecayStepped, DecayLinear, DecayNone}, m.Decay) {
		bad("measure.decay %q is not one of gaussian, stepped, linear, none", m.Decay)
	}
	if m.Sigma < 0 || m.Beta < 0 || m.MinCost < 0 || m.Tau < 0 {
		bad("measure.sigma, beta, min_cost and tau must not be negative")
	}
	if m.Kind == MeasureGravity && !(m.MinCost > 0) {
		bad("measure.min_cost must be positive for gravity: a cost of 0 would weigh infinitely")
	}
	if !slices.Contains([]string{VariantStemgap, VariantPySAL}, m.Variant) {
		bad("measure.variant %q is not one of %s, %s", m.Variant, VariantStemgap, VariantPySAL)
	}
	if m.Variant == VariantPySAL && m.Kind != Measure3SFCA && m.Kind != MeasureRAAM {
		bad("measure.variant %s applies to 3sfca and raam only, not %s", VariantPySAL, m.Kind)
	}
	for i, s := range m.Steps {
		if !(s.Upto > 0) || s.Weight < 0 || (i > 0 && s.Upto <= m.Steps[i-1].Upto) {
			bad("measure.steps[%d]: zones need increasing positive upto and non-negative weights", i)
		}
		if s.Upto > m.Catchment {
			bad("measure.steps[%d].upto %g lies beyond measure.catchment %g: leave measure.steps unset (null) to derive the zones from the catchment", i, s.Upto, m.Catchment)
		}
	}
	// A program counts up to the catchment; zones ending short of it would weigh the costs
	// between 0 while the catchment still counts them in.
	if n := len(m.Steps); n > 0 && m.Steps[n-1].Upto < m.Catchment {
		bad("measure.steps end at %g, short of measure.catchment %g: costs between would weigh 0; leave measure.steps unset (null) to derive the zones from the catchment", m.Steps[n-1].Upto, m.Catchment)
	}
	for i, c := range p.Need.Components {
		if c.Weight < 0 {
			bad("need.components[%d]: weight must not be negative", i)
		}
		if _, ok := data.LookupVariable(c.Variable); !ok && !isDerived(c.Variable) {
			bad("need.components[%d]: %v", i, unknownDemand(c.Variable))
		}
	}
	if p.Gap.NeedWeight < 0 || p.Gap.NeedWeight > 1 {
		bad("gap.need_weight must lie in 0–1, not %v", p.Gap.NeedWeight)
	}
	if p.Gap.Target < 0 {
		bad("gap.target must not be negative")
	}
	d := p.Desert
	if !slices.Contains([]string{UrbanAuto, UrbanFlag, UrbanDensity}, d.UrbanRule) {
		bad("desert.urban_rule %q is not one of auto, flag, density", d.UrbanRule)
	}
	if d.UrbanCost < 0 || d.RuralCost < 0 || d.AccessRatio < 0 || d.MinDemand < 0 || d.MinShare < 0 || d.MinShare > 1 || d.UrbanDensityKm2 < 0 {
		bad("desert thresholds must not be negative (and min_share at most 1)")
	}
	for i, g := range p.Equity {
		for _, v := range []string{g.Variable, g.Reference} {
			if _, ok := data.LookupVariable(v); !ok && !isDerived(v) {
				bad("equity_groups[%d]: %v", i, unknownDemand(v))
			}
		}
	}
	return errors.Join(errs...)
}

func unknownDemand(name string) error {
	names := []string{}
	for _, v := range data.Variables() {
		names = append(names, v.Name)
	}
	names = append(names, derivedNames()...)
	return fmt.Errorf("unknown variable %q (known: %s)", name, strings.Join(names, ", "))
}

// JSON renders the parameters as the config file format.
func (p Params) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		panic(err) // Params holds only plain values; encoding cannot fail
	}
	return b.Bytes()
}
