package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An American FactFinder download: estimates HD01_…, margins HD02_…, a label column.
const affAges = `"GEO.id","GEO.id2","GEO.display-label","HD01_VD01","HD02_VD01","HD01_VD03","HD02_VD03","HD01_VD04","HD02_VD04","HD01_VD27","HD02_VD27"
"1400000US17163500100",17163500100,"Census Tract 5001, St. Clair County, Illinois",4000,300,120,30,140,40,110,0
"1400000US17163500200",17163500200,"Census Tract 5002, St. Clair County, Illinois",3000,250,100,20,,,90,15
"1400000US17163500300",17163500300,"Census Tract 5003, St. Clair County, Illinois",2000,200,50,-222222222,60,10,70,11
`

func readAFF(t *testing.T, opts DemographicOptions) map[string]DemographicValue {
	t.Helper()
	opts.IDField = "GEO.id2"
	values, err := ReadDemographics(strings.NewReader(affAges), "ACS_14_5YR_B01001_with_ann.csv", opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]DemographicValue{}
	for _, v := range values {
		got[v.AreaID+"/"+v.Variable] = v
	}
	return got
}

func TestColumnSumsWithMarginsByFactFinderNaming(t *testing.T) {
	got := readAFF(t, DemographicOptions{Columns: map[string]string{
		"youth_pop": "sum(HD01_VD03, HD01_VD04,HD01_VD27)", "total_pop": "HD01_VD01"}})
	y := got["17163500100/youth_pop"]
	// 120+140+110, margin √(30²+40²+0²) = 50.
	if y.Value != 370 || y.MOE != 50 || y.Source != "ACS_14_5YR_B01001_with_ann.csv:sum(HD01_VD03, HD01_VD04,HD01_VD27)" {
		t.Errorf("youth_pop %+v; want 370 ± 50", y)
	}
	if v := got["17163500100/total_pop"]; v.Value != 4000 || v.MOE != 300 {
		t.Errorf("a single AFF column takes its HD02_ margin too: %+v", v)
	}
	// An empty summed cell makes the sum no figure: adding the rest would understate it.
	if v, ok := got["17163500200/youth_pop"]; ok {
		t.Errorf("a sum over an empty cell became %+v", v)
	}
	// An annotation in a margin column leaves the estimate standing, without a margin.
	if v := got["17163500300/youth_pop"]; v.Value != 180 || !math.IsNaN(v.MOE) {
		t.Errorf("youth_pop with an annotated margin: %+v; want 180 with no margin", v)
	}
}

func TestColumnSumsWithMarginsGiven(t *testing.T) {
	got := readAFF(t, DemographicOptions{
		Columns: map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD27)"},
		MOE:     map[string]string{"youth_pop": "sum(HD02_VD04,HD02_VD27)"}, // deliberately not the naming pair
	})
	if y := got["17163500100/youth_pop"]; y.Value != 230 || y.MOE != 40 {
		t.Errorf("youth_pop %+v; want 230 ± √(40²+0²)", y)
	}
}

func TestColumnSumErrors(t *testing.T) {
	cases := []struct {
		name      string
		cols, moe map[string]string
		want      []string
	}{
		{"unclosed", map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD04"}, nil, []string{"line 1", "youth_pop", "closing parenthesis"}},
		{"empty term", map[string]string{"youth_pop": "sum(HD01_VD03,,HD01_VD04)"}, nil, []string{"empty column name"}},
		{"repeated term", map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD03)"}, nil, []string{"HD01_VD03 appears twice"}},
		{"missing term", map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD05)"}, nil, []string{"line 1", `no column "HD01_VD05"`, "youth_pop"}},
		{"margins miscounted", map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD04)"}, map[string]string{"youth_pop": "HD02_VD03"}, []string{"sums 2 columns", "names 1"}},
		{"missing margin", map[string]string{"youth_pop": "HD01_VD03"}, map[string]string{"youth_pop": "HD02_VD09"}, []string{`no column "HD02_VD09"`, "margin of error of youth_pop"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadDemographics(strings.NewReader(affAges), "aff.csv", DemographicOptions{IDField: "GEO.id2", Columns: c.cols, MOE: c.moe})
			wantError(t, err, append([]string{"aff.csv"}, c.want...)...)
		})
	}
	bad := strings.Replace(affAges, ",140,40,", ",14O,40,", 1)
	_, err := ReadDemographics(strings.NewReader(bad), "aff.csv", DemographicOptions{IDField: "GEO.id2",
		Columns: map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD04)"}})
	wantError(t, err, "aff.csv: line 2", "column HD01_VD04 (youth_pop)", `"14O" is not a number`)
}

func TestMOEColumnNaming(t *testing.T) {
	header := map[string]bool{"B01001_003E": true, "B01001_003M": true, "TOTAL_E": true, "TOTAL_M": true, "HD01_VD03": true, "HD02_VD03": true, "POP": true, "HD01_VD09": true}
	has := func(c string) bool { return header[c] }
	for est, want := range map[string]string{"B01001_003E": "B01001_003M", "TOTAL_E": "TOTAL_M", "HD01_VD03": "HD02_VD03", "POP": "", "HD01_VD09": ""} {
		if got, ok := MOEColumn(est, has); got != want || ok != (want != "") {
			t.Errorf("MOEColumn(%s) = %q, %v; want %q", est, got, ok, want)
		}
	}
	// One summed column without a margin leaves the whole sum without one.
	c, err := NewColumnSum("sum(HD01_VD03,HD01_VD09)", "", has)
	if err != nil || c.MOEs != nil {
		t.Errorf("%+v %v", c, err)
	}
}

// The Illinois B01001 file sums to the youth figures PROVENANCE.md gives, and to the ones the
// Chicago tract file was computed with elsewhere.
func TestIllinoisYouthBySum(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "data")
	f, err := os.Open(filepath.Join(shared, "il", "ACS_14_5YR_B01001_with_ann.csv"))
	if err != nil {
		t.Skipf("Illinois data not beside the project: %v", err)
	}
	defer f.Close()
	values, err := ReadDemographics(f, "ACS_14_5YR_B01001_with_ann.csv", DemographicOptions{IDField: "GEO.id2",
		Columns: map[string]string{"youth_pop": "sum(HD01_VD03,HD01_VD04,HD01_VD05,HD01_VD06,HD01_VD27,HD01_VD28,HD01_VD29,HD01_VD30)"}})
	if err != nil {
		t.Fatal(err)
	}
	youth := map[string]float64{}
	for _, v := range values {
		youth[v.AreaID] = v.Value
		if !(v.MOE >= 0) {
			t.Fatalf("tract %s has no margin: %+v", v.AreaID, v)
		}
	}
	if len(youth) != 3123 {
		t.Errorf("%d Illinois tracts with youth; want all 3,123", len(youth))
	}
	// The MSA's Illinois counties: Bond, Calhoun, Clinton, Jersey, Macoupin, Madison, Monroe, St. Clair.
	msa := 0.0
	for id, y := range youth {
		switch id[:5] {
		case "17005", "17013", "17027", "17083", "17117", "17119", "17133", "17163":
			msa += y
		}
	}
	if msa != 162489 {
		t.Errorf("Illinois MSA youth %v; PROVENANCE.md says 162,489", msa)
	}
	chicago, err := os.ReadFile(filepath.Join(shared, "chicago", "tract_youth_acs2014.csv"))
	if err != nil {
		t.Skip(err)
	}
	under18, err := ReadDemographics(strings.NewReader(string(chicago)), "tract_youth_acs2014.csv", DemographicOptions{
		Columns: map[string]string{"youth_pop": "under18"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range under18 {
		if youth[v.AreaID] != v.Value {
			t.Errorf("tract %s: sum %v, Chicago file under18 %v", v.AreaID, youth[v.AreaID], v.Value)
		}
	}
	if len(under18) != 806 {
		t.Errorf("%d Chicago tracts; want 806", len(under18))
	}
}
