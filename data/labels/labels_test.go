package labels

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"stemgap/data"
)

// formatCases are the hand-worked cases in testdata/formats.json; the browser's formatter
// (server/web/format.js) is held to the same file by the browser test.
func formatCases(t *testing.T) []struct {
	Style  Style    `json:"style"`
	Value  *float64 `json:"value"`
	Suffix string   `json:"suffix"`
	Want   string   `json:"want"`
} {
	raw, err := os.ReadFile("testdata/formats.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Style  Style    `json:"style"`
			Value  *float64 `json:"value"`
			Suffix string   `json:"suffix"`
			Want   string   `json:"want"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file.Cases
}

func TestFormatWritesNumbersAsPeopleDo(t *testing.T) {
	cases := formatCases(t)
	if len(cases) < 30 {
		t.Fatalf("only %d cases read", len(cases))
	}
	for _, c := range cases {
		v := math.NaN()
		if c.Value != nil {
			v = *c.Value
		}
		if got := (Format{Style: c.Style, Suffix: c.Suffix}).Format(v); got != c.Want {
			t.Errorf("%s %v: got %q, want %q", c.Style, v, got, c.Want)
		}
	}
	if got := (Format{Style: StyleNumber}).Format(math.Inf(1)); got != NoData {
		t.Errorf("+Inf: got %q", got)
	}
}

func TestNamesReadAsWords(t *testing.T) {
	for name, want := range map[string]string{
		"digital_access": "Digital access", "early_stem_play": "Early STEM play", "science": "Science",
		"marine_biology": "Marine biology", "all": "All programs", "física": "Física",
	} {
		if got := ContentArea(name); got != want {
			t.Errorf("ContentArea(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{
		"out_of_school": "Out-of-school", "all": "All settings", "in_school": "In school", "work_based": "Work-based",
		"online": "Online", "after_school_club": "After school club",
	} {
		if got := Setting(name); got != want {
			t.Errorf("Setting(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestVariablesFormatMoneyAndPercentages(t *testing.T) {
	v := Variables()
	if got := v["median_hh_income"].Format.Format(81710); got != "$81,710" {
		t.Errorf("income: %q", got)
	}
	if got := v["poverty_pct"].Format.Format(23.4); got != "23%" {
		t.Errorf("poverty_pct: %q", got)
	}
	if got := v["youth_pop"]; got.Label != "Youth (ages 0–17)" || got.Format.Format(1234) != "1,234" {
		t.Errorf("youth_pop: %+v", got)
	}
	if len(v) != len(data.Variables()) {
		t.Errorf("%d variables labelled, %d known", len(v), len(data.Variables()))
	}
}

func TestMeasuresTakeTheRunsUnits(t *testing.T) {
	info := &data.RunInfo{Measure: "e2sfca", AccessUnit: "seats per 1,000 youth", CostUnit: "km", Demand: "youth_pop",
		Params:       json.RawMessage(`{"measure":{"catchment":8}}`),
		ContentAreas: []data.ContentArea{{Name: "early_stem_play"}, {Name: "all"}}}
	table := ForRun(info)
	want := map[string]string{
		"access":  "Access — seats per 1,000 youth",
		"nearest": "Distance to the nearest program — km",
		"count":   "Programs within 8 km",
		"desert":  "Share of youth in STEM deserts",
		"demand":  "Youth (ages 0–17)",
	}
	for key, label := range want {
		if got := table.Measures[key].Label; got != label {
			t.Errorf("%s: got %q, want %q", key, got, label)
		}
	}
	if got := table.Measures["nearest"].Format.Format(1.234); got != "1.23 km" {
		t.Errorf("nearest formats as %q", got)
	}
	if table.ContentAreas["early_stem_play"] != "Early STEM play" || table.Settings["out_of_school"] != "Out-of-school" {
		t.Errorf("names: %v %v", table.ContentAreas, table.Settings)
	}
	if table.Measures["access"].LowerIsBetter || !ForRun(&data.RunInfo{Measure: "nearest"}).Measures["access"].LowerIsBetter {
		t.Error("only distance-like access measures are lower-is-better")
	}
	// More unmet seats, a higher gap, more youth in deserts, a longer way: each is worse.
	for _, key := range []string{"unmet", "gap", "desert", "desert_share", "nearest"} {
		if !table.Measures[key].LowerIsBetter {
			t.Errorf("%s is not marked lower-is-better", key)
		}
	}
	if table.Measures["count"].LowerIsBetter {
		t.Error("more programs nearby is better, not worse")
	}
	info.CostUnit = "min"
	if got := ForRun(info).Measures["count"].Label; got != "Programs within 8 min" {
		t.Errorf("count with a cost matrix in minutes: %q", got)
	}
}

func TestAreaTitleNamesTractCountyOrState(t *testing.T) {
	for _, c := range []struct {
		area data.Area
		want string
	}{
		{data.Area{ID: "29510101100", County: "St. Louis city, MO"}, "Census Tract 1011, St. Louis city, MO"},
		{data.Area{ID: "29189211002", County: "St. Louis County, MO"}, "Census Tract 2110.02, St. Louis County, MO"},
		{data.Area{ID: "17031720200"}, "Census Tract 7202, Illinois"},
		{data.Area{ID: "60614", Name: "ZCTA 60614"}, "ZCTA 60614"},
		{data.Area{ID: "north-side"}, "north-side"},
	} {
		if got := AreaTitle(c.area); got != c.want {
			t.Errorf("%s: got %q, want %q", c.area.ID, got, c.want)
		}
	}
}

// The need index is described by the components the run recorded, not by a fixed list.
func TestNeedWordsFollowTheRunsComponents(t *testing.T) {
	for params, want := range map[string]string{
		`{"need":{"components":[{"variable":"youth_no_computer_broadband_pct","weight":1}]}}`:                                                          "children without a computer and broadband at home",
		`{"need":{"components":[{"variable":"poverty_pct","weight":1},{"variable":"poc_pct","weight":0},{"variable":"median_hh_income","weight":2}]}}`: "poverty and low income",
		`{"need":{"components":[]}}`: "the need variables",
	} {
		if got := NeedWords(&data.RunInfo{Params: []byte(params)}); got != want {
			t.Errorf("%s: %q; want %q", params, got, want)
		}
	}
}
