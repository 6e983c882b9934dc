// Package labels is stemgap's one table of words: what content areas, setting groups, measures and
// demographic variables are called, their units, and how each number is written. The map (served
// as JSON at /api/labels), the reports and the exports' metadata all read it, so that a figure
// reads the same everywhere.
package labels

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"stemgap/data"
)

// contentAreas names the content areas the inputs use today; any other label is humanised.
var contentAreas = map[string]string{
	data.AllContentAreas: "All programs",
	"science":            "Science",
	"technology":         "Technology",
	"engineering":        "Engineering",
	"math":               "Math",
	"computing":          "Computing",
	"robotics":           "Robotics",
	"digital_access":     "Digital access",
	"digital_media":      "Digital media",
	"early_stem_play":    "Early STEM play",
	"life_science":       "Life science",
	"natural_history":    "Natural history",
	"environment":        "Environment",
	"making":             "Making",
	"design":             "Design",
	"k12":                "K–12 schooling",
	"postsecondary":      "Postsecondary",
	"secondary":          "Secondary schooling",
	"general":            "General programming",
}

// settings names the setting groups and program settings.
var settings = map[string]string{
	"out_of_school": "Out-of-school",
	"all":           "All settings",
	"in_school":     "In school",
	"work_based":    "Work-based",
	"online":        "Online",
}

// ContentArea is a content area's name as people read it: "Digital access" for digital_access.
func ContentArea(name string) string { return wordsFor(contentAreas, name) }

// Setting is a setting group's (or a program setting's) name as people read it.
func Setting(name string) string { return wordsFor(settings, name) }

// wordsFor is a name's entry in a table, or the name humanised.
func wordsFor(table map[string]string, name string) string {
	if l, ok := table[name]; ok {
		return l
	}
	return Humanise(name)
}

// Humanise turns a normalised label into words: "marine_biology" → "Marine biology".
func Humanise(name string) string {
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// Variable is a demographic variable's label and format.
type Variable struct {
	Label  string `json:"label"`
	Format Format `json:"format"`
}

// Variables gives every canonical variable its label and format: dollars as money, 0–100 shares as
// percentages, the urban flag as a count (0 or 1), everything else as a count of people or
// households.
func Variables() map[string]Variable {
	out := map[string]Variable{}
	for _, v := range data.Variables() {
		f := Format{Style: StyleCount}
		switch {
		case v.Percent:
			f.Style = StylePercent
		case strings.Contains(v.Description, "dollars"):
			f.Style = StyleMoney
		}
		label := strings.TrimSuffix(v.Description, " (dollars)")
		if override, ok := variableLabels[v.Name]; ok {
			label = override
		}
		out[v.Name] = Variable{Label: Humanise(label), Format: f}
	}
	return out
}

// variableLabels shortens the descriptions that read too long as a label.
var variableLabels = map[string]string{
	"youth_pop": "youth (ages 0–17)",
	"urban":     "urban (1) or rural (0)",
}

// Measure is one figure of the map, the reports and the exports: its key (the tile property and
// export column stem), its label with the unit, a short label, and how it is written.
type Measure struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Short  string `json:"short"`
	Unit   string `json:"unit,omitempty"`
	Help   string `json:"help,omitempty"`
	Format Format `json:"format"`
	// LowerIsBetter marks figures where a low value is the better one: distance, RAAM cost, unmet
	// seats, the gap and the share in deserts. The map draws the worse end dark by it.
	LowerIsBetter bool `json:"lower_is_better,omitempty"`
}

// measureNames says what each access measure is.
var measureNames = map[string]string{
	"nearest":    "distance to the nearest program",
	"cumulative": "seats within the catchment (cumulative opportunities)",
	"2sfca":      "two-step floating catchment area (2SFCA)",
	"e2sfca":     "enhanced two-step floating catchment area (E2SFCA)",
	"3sfca":      "three-step floating catchment area (3SFCA)",
	"gravity":    "gravity model",
	"raam":       "rational agent access model (RAAM)",
}

// MeasureName says in words which access measure a run used.
func MeasureName(kind string) string { return wordsFor(measureNames, kind) }

// Measures lists the figures of a run in the order a reader meets them, their words taken from the
// run's own units (access unit, cost unit, catchment, demand variable).
func Measures(info *data.RunInfo) []Measure {
	var params struct {
		Measure struct {
			Catchment float64 `json:"catchment"`
		} `json:"measure"`
	}
	_ = json.Unmarshal(info.Params, &params) // a run without recorded parameters reads "the catchment"
	within := "within the catchment"
	if c := params.Measure.Catchment; c > 0 {
		within = fmt.Sprintf("within %s", Format{Style: StyleNumber, Suffix: " " + info.CostUnit}.Format(c))
	}
	demand := Humanise(info.Demand)
	if v, ok := Variables()[info.Demand]; ok {
		demand = v.Label
	}
	noun := DemandNoun(info.Demand)
	costLabel := "Distance"
	if info.CostUnit != "km" {
		costLabel = "Travel cost"
	}
	lowerIsBetter := info.Measure == "nearest" || info.Measure == "raam"
	return []Measure{
		{Key: "demand", Label: demand, Short: Humanise(noun), Format: Format{Style: StyleCount}},
		{Key: "access", Label: "Access — " + info.AccessUnit, Short: "Access", Unit: info.AccessUnit,
			Help: "measured as the " + MeasureName(info.Measure), Format: Format{Style: StyleNumber}, LowerIsBetter: lowerIsBetter},
		{Key: "nearest", Label: costLabel + " to the nearest program — " + info.CostUnit, Short: "Nearest program", Unit: info.CostUnit,
			Format: Format{Style: StyleNumber, Suffix: " " + info.CostUnit}, LowerIsBetter: true},
		{Key: "count", Label: "Programs " + within, Short: "Programs nearby", Format: Format{Style: StyleCount}},
		{Key: "unmet", Label: "Unmet seats", Short: "Unmet seats", Help: "seats missing to bring access up to the target", Format: Format{Style: StyleNumber},
			LowerIsBetter: true},
		{Key: "gap", Label: "Gap score (0–1)", Short: "Gap", Help: "0 = at or above the target access, 1 = no access; weighted by need",
			Format: Format{Style: StyleScore}, LowerIsBetter: true},
		{Key: "desert", Label: "Share of " + noun + " in STEM deserts", Short: "In a desert", Format: Format{Style: StyleShare}, LowerIsBetter: true},
		{Key: "desert_share", Label: "Share of " + noun + " in STEM deserts", Short: "In a desert", Format: Format{Style: StyleShare}, LowerIsBetter: true},
		{Key: "need", Label: "Need (percentile of the region)", Short: "Need", Help: NeedWords(info) + ", ranked",
			Format: Format{Style: StylePercentile}},
		{Key: "rank", Label: "Access rank (1 = lowest access)", Short: "Rank", Format: Format{Style: StyleCount}},
		{Key: "percentile", Label: "Access percentile (0 = lowest access)", Short: "Access percentile", Format: Format{Style: StylePercentile}},
		{Key: "capacity", Label: "Seats", Short: "Seats", Format: Format{Style: StyleCount}},
	}
}

// needWords says what each need component measures, in a phrase.
var needWords = map[string]string{
	"poverty_pct":                     "poverty",
	"poc_pct":                         "people of colour",
	"no_vehicle_pct":                  "no vehicle",
	"no_internet_pct":                 "no internet",
	"median_hh_income":                "low income",
	"youth_no_computer_broadband_pct": "children without a computer and broadband at home",
}

// NeedWords says what a run's need index is made of, from the components its parameters
// record: "poverty, people of colour, no vehicle, no internet and low income" by default,
// "children without a computer and broadband at home" in the Chicago demo.
func NeedWords(info *data.RunInfo) string {
	var p struct {
		Need struct {
			Components []struct {
				Variable string  `json:"variable"`
				Weight   float64 `json:"weight"`
			} `json:"components"`
		} `json:"need"`
	}
	var parts []string
	if json.Unmarshal(info.Params, &p) == nil {
		for _, c := range p.Need.Components {
			if c.Weight == 0 {
				continue
			}
			w, ok := needWords[c.Variable]
			if !ok {
				w = c.Variable
			}
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		return "the need variables"
	}
	return JoinWords(parts)
}

// JoinWords joins words as a sentence does: "a", "a and b", "a, b and c".
func JoinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// DemandNoun is how the demand variable's people are called in a sentence: "youth" for youth_pop.
func DemandNoun(variable string) string {
	switch variable {
	case "youth_pop":
		return "youth"
	case "youth_female":
		return "girls"
	case "youth_male":
		return "boys"
	case "youth_poc":
		return "youth of colour"
	case "total_pop":
		return "people"
	}
	return variable
}

// Table is the whole table for one run, as /api/labels serves it.
type Table struct {
	ContentAreas map[string]string   `json:"content_areas"`
	Settings     map[string]string   `json:"settings"`
	Measures     map[string]Measure  `json:"measures"`
	Variables    map[string]Variable `json:"variables"`
	MeasureName  string              `json:"measure_name,omitempty"`
}

// ForRun gives the table with every name the run uses; with a nil run, only the fixed words.
func ForRun(info *data.RunInfo) Table {
	t := Table{ContentAreas: map[string]string{}, Settings: map[string]string{}, Measures: map[string]Measure{}, Variables: Variables()}
	for k, v := range contentAreas {
		t.ContentAreas[k] = v
	}
	for k, v := range settings {
		t.Settings[k] = v
	}
	if info == nil {
		return t
	}
	for _, c := range info.ContentAreas {
		t.ContentAreas[c.Name] = ContentArea(c.Name)
	}
	for _, m := range Measures(info) {
		t.Measures[m.Key] = m
	}
	t.MeasureName = MeasureName(info.Measure)
	return t
}
