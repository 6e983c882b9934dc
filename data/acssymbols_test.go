package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A synthetic American FactFinder table with the Census Bureau's symbols where figures would be:
// total population (HD01_VD01, margin HD02_VD01), two youth age groups (VD03, VD04) and a median
// income (INC_E, margin INC_M, paired by the …E/…M naming).
const affSymbols = `GEO.id2,HD01_VD01,HD02_VD01,HD01_VD03,HD02_VD03,HD01_VD04,HD02_VD04,INC_E,INC_M
17031000100,4000,*****,120,30,140,40,"250,000+",***
17031000200,3000,*****,-,**,100,20,"2,500-",***
17031000300,2000,*****,N,N,(X),(X),(X),(X)
17031000400,1000,80,50,**,60,10,41250,5000
`

var affSymbolColumns = map[string]string{"total_pop": "HD01_VD01", "youth_pop": "sum(HD01_VD03,HD01_VD04)", "median_hh_income": "INC_E"}

func TestACSSymbols(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ACS_SYNTHETIC_with_ann.csv")
	if err := os.WriteFile(path, []byte(affSymbols), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := LoadFile(KindDemographics, path, LoadOptions{IDField: "GEO.id2", Columns: affSymbolColumns}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]DemographicValue{}
	for _, v := range in.Demographics {
		got[v.AreaID[8:]+"/"+v.Variable] = v
	}
	type want struct {
		value, moe float64 // moe NaN: no margin
	}
	nan := math.NaN()
	for key, w := range map[string]want{
		// ***** is a controlled estimate: its margin is 0, not missing.
		"100/total_pop": {4000, 0}, "100/youth_pop": {120 + 140, 50}, // √(30²+40²)
		// A top-coded median keeps its bound; *** in its margin is no margin.
		"100/median_hh_income": {250000, nan},
		"200/total_pop":        {3000, 0}, "200/median_hh_income": {2500, nan},
		"300/total_pop": {2000, 0},
		// ** in a margin leaves the sum standing without a margin.
		"400/total_pop": {1000, 80}, "400/youth_pop": {110, nan}, "400/median_hh_income": {41250, 5000},
	} {
		v, ok := got[key]
		switch {
		case !ok:
			t.Errorf("%s: no figure; want %v", key, w.value)
		case v.Value != w.value || (math.IsNaN(w.moe) != math.IsNaN(v.MOE)) || (!math.IsNaN(w.moe) && v.MOE != w.moe):
			t.Errorf("%s: %v ± %v; want %v ± %v", key, v.Value, v.MOE, w.value, w.moe)
		}
	}
	// "-", "N" and "(X)" in an estimate are no figure: never 0.
	for _, key := range []string{"200/youth_pop", "300/youth_pop", "300/median_hh_income"} {
		if v, ok := got[key]; ok {
			t.Errorf("%s read as %v; the file has no figure", key, v.Value)
		}
	}
	if len(in.Demographics) != 9 {
		t.Errorf("%d figures, want the 9 above", len(in.Demographics))
	}
	note := in.Record.Options[optionACSSymbols]
	for _, part := range []string{
		"HD02_VD01: ***** (estimate controlled: margin read as 0) in 3 rows, first line 2",
		"INC_E: N+ (median in the open top interval: kept as its lower bound) in 1 rows, first line 2",
		"INC_E: N- (median in the open bottom interval: kept as its upper bound) in 1 rows, first line 3",
	} {
		if !strings.Contains(note, part) {
			t.Errorf("ingest record's %s %q does not say %q", optionACSSymbols, note, part)
		}
	}
}

// Anything else that is not a figure is still an error naming the file, line and column, and so
// is a symbol in the kind of column it does not belong to.
func TestACSSymbolsOutOfPlace(t *testing.T) {
	header := "GEO.id2,HD01_VD01,HD02_VD01,INC_E,INC_M\n"
	for name, c := range map[string]struct{ row, column, reason string }{
		"four stars":                {"17031000100,4000,****,5,1\n", "column HD02_VD01", `"****" is not a number`},
		"controlled estimate":       {"17031000100,*****,0,5,1\n", "column HD01_VD01", "controlled estimate"},
		"open interval in a margin": {"17031000100,4000,10,5,\"1,000+\"\n", "column INC_M", "open-ended interval"},
		"suffix on words":           {"17031000100,4000,10,lots+,1\n", "column INC_E", `"lots" is not a number`},
		"bare plus":                 {"17031000100,4000,10,+,1\n", "column INC_E", `"+" is not a number`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadDemographics(strings.NewReader(header+c.row), "aff.csv", DemographicOptions{IDField: "GEO.id2",
				Columns: map[string]string{"total_pop": "HD01_VD01", "median_hh_income": "INC_E"}})
			wantError(t, err, "aff.csv: line 2", c.column, c.reason)
		})
	}
}
