package analysis

import (
	"strings"
	"testing"
)

// The share of people of colour is out of the total population, and the run says on which basis
// each area's share was derived.
func TestPeopleOfColourOutOfTotalPopulation(t *testing.T) {
	figs := []figures{
		// Only white, Black and Asian loaded: 1 − 600/2000, not 1 − 600/1000.
		{"race_white": 600, "race_black": 300, "race_asian": 100, "total_pop": 2000},
		// Non-Hispanic white people where counted: 1 − 500/1000.
		{"race_white": 800, "white_nh": 500, "total_pop": 1000},
		{"white_nh": 900, "total_pop": 1000},
		// Without a total there is no share.
		{"race_white": 10, "race_black": 10},
	}
	want := []float64{70, 50, 10}
	for a, w := range want {
		if got, ok := figs[a].value("poc_pct"); !ok || got != w {
			t.Errorf("area %d: poc_pct %v (%v), want %v", a, got, ok, w)
		}
	}
	if _, ok := figs[3].value("poc_pct"); ok {
		t.Error("poc_pct without total_pop")
	}
	_, notes := needIndex(figs, []NeedComponent{{Variable: "poc_pct", Weight: 1}})
	note := "need index: poc_pct = 1 − race_white/total_pop (no white_nh: Hispanic white people count as white) in 1 area; 1 − white_nh/total_pop in 2 areas"
	if !strings.Contains(strings.Join(notes, "\n"), note) {
		t.Errorf("notes %q lack %q", notes, note)
	}
}
