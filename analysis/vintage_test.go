package analysis

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// oneVintage is the synthetic region with every figure of one vintage, whose run notes no
// mixing of either kind.
func oneVintage(t *testing.T) Inputs {
	t.Helper()
	in := syntheticRegion(3, 20)
	for i := range in.Demographics {
		in.Demographics[i].Vintage = "SYNTHETIC census"
	}
	run, err := Analyze(context.Background(), in, DefaultParams(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(run.Notes, func(n string) bool {
		return strings.Contains(n, "mixes vintages") || strings.Contains(n, "figures beside it")
	}) {
		t.Errorf("one vintage, yet a note: %v", run.Notes)
	}
	return in
}

// A demand variable whose figures come from two vintages gets a note naming both, with counts.
func TestRunNotesMixedDemandVintages(t *testing.T) {
	in := oneVintage(t)
	youth := 0
	for i, d := range in.Demographics {
		if d.Variable == "youth_pop" {
			if youth%3 == 0 {
				in.Demographics[i].Vintage = "SYNTHETIC survey"
			}
			youth++
		}
	}
	// 30 of 31 areas have youth: areas 0, 3, …, 27 (10) from the survey, 20 from the census.
	run, err := Analyze(context.Background(), in, DefaultParams(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "youth_pop mixes vintages: 20 areas from SYNTHETIC census; 10 areas from SYNTHETIC survey"
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
		t.Errorf("notes %v; want one beginning %q", run.Notes, want)
	}
}

// Figures set beside the demand — equity groups, their references, need components and what a
// derived component is derived from — of a vintage the demand never has get a note naming them.
func TestRunNotesFiguresBesideDemandOfOtherVintages(t *testing.T) {
	in := oneVintage(t)
	later := map[string]bool{}
	for i, d := range in.Demographics {
		if d.Variable != "youth_pop" {
			in.Demographics[i].Vintage = "SYNTHETIC survey"
			later[d.Variable] = true
		}
	}
	p := DefaultParams()
	p.Equity = []EquityGroup{{Name: "all youth", Variable: "youth_pop", Reference: "youth_pop"}}
	p.Need.Components = []NeedComponent{{Variable: "poc_pct", Weight: 1}}
	run, err := Analyze(context.Background(), in, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// poc_pct is derived from total_pop and the white counts; only those loaded are named.
	var want []string
	for _, v := range []string{"total_pop", "white_nh", "race_white"} {
		if later[v] {
			want = append(want, v)
		}
	}
	if len(want) == 0 {
		t.Fatal("the synthetic region has none of poc_pct's sources: the test compares nothing")
	}
	note := "youth_pop and the figures beside it differ in vintage: " + strings.Join(want, ", ") + " from SYNTHETIC survey."
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.HasPrefix(n, note) }) {
		t.Errorf("notes %v; want one beginning %q", run.Notes, note)
	}
}

// Labels that name one census differently describe one date; the first year or span a label
// names is the date its figures describe, later years being the publications that carried them.
func TestSameDate(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"2010 Census via USDA Food Access Research Atlas 2015 (Missouri tracts)", "2010 Census, all ages (Missouri tracts only)", true},
		{"ACS 2010–2014 5-year, table B01001", "ACS 2010-2014 via USDA FARA 2015", true},
		{"ACS 2010 - 2014", "ACS 2010–2014 5-year", true},
		{"ACS 2010–2014 5-year", "ACS 2015–2019 5-year", false},
		{"ACS 2014–2018 5-year", "2010 Census, all ages", false},
		{"ACS 2010–2014", "ACS 2010", false},
		{"ACS 5-year, year not recorded by the source", "ACS 2014–2018 5-year", false},
		{"SYNTHETIC census", "SYNTHETIC survey", false},
		{"SYNTHETIC census", "SYNTHETIC census", true},
		{"", "2010 Census", false},
	} {
		if got := sameDate(c.a, c.b); got != c.same {
			t.Errorf("sameDate(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

// The St. Louis demo's youth and race counts are all from the 2010 Census, labelled by the two
// files that carried them: the run says nothing of mixed dates between them.
func TestRunNotesNoMixForOneCensusLabelledTwice(t *testing.T) {
	in := oneVintage(t)
	for i, d := range in.Demographics {
		if d.Variable == "youth_pop" {
			in.Demographics[i].Vintage = "2010 Census via USDA Food Access Research Atlas 2015"
		} else {
			in.Demographics[i].Vintage = "2010 Census, all ages"
		}
	}
	p := DefaultParams()
	p.Need.Components = []NeedComponent{{Variable: "poc_pct", Weight: 1}}
	run, err := Analyze(context.Background(), in, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "differ in vintage") }) {
		t.Errorf("one census, yet a note: %v", run.Notes)
	}
	for i, d := range in.Demographics {
		if d.Variable != "youth_pop" {
			in.Demographics[i].Vintage = "ACS 2014–2018 5-year"
		}
	}
	if run, err = Analyze(context.Background(), in, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "differ in vintage") }) {
		t.Errorf("census youth beside ACS figures, yet no note: %v", run.Notes)
	}
}
