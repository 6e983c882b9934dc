package analysis

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// A demand variable whose figures come from two vintages gets a note naming both, with counts.
func TestRunNotesMixedDemandVintages(t *testing.T) {
	in := syntheticRegion(3, 20)
	for i := range in.Demographics {
		in.Demographics[i].Vintage = "SYNTHETIC census"
	}
	run, err := Analyze(context.Background(), in, DefaultParams(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(run.Notes, func(n string) bool { return strings.Contains(n, "mixes vintages") }) {
		t.Errorf("one vintage, yet a note: %v", run.Notes)
	}
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
	run, err = Analyze(context.Background(), in, DefaultParams(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "youth_pop mixes vintages: 20 areas from SYNTHETIC census; 10 areas from SYNTHETIC survey"
	if !slices.ContainsFunc(run.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
		t.Errorf("notes %v; want one beginning %q", run.Notes, want)
	}
}
