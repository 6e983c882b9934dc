package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}

const twoTracts = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"GEOID":"29510101100","NAMELSAD":"Census Tract 1011","COUNTY":"St. Louis city","ALAND":2500000},"geometry":{"type":"Polygon","coordinates":[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]]]}},
{"type":"Feature","properties":{"GEOID":"29510101200"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-90.28,38.6],[-90.27,38.6],[-90.27,38.61],[-90.28,38.6]]]]}}
]}`

func TestReadAreas(t *testing.T) {
	areas, err := ReadAreas(strings.NewReader(twoTracts), "tracts.geojson", AreaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 || areas[0].ID != "29510101100" || areas[0].Name != "Census Tract 1011" || areas[0].LandKm2 != 2.5 ||
		areas[0].County != "St. Louis city" || areas[1].County != "" {
		t.Fatalf("areas: %+v", areas)
	}
	// Without ALAND, land is the polygon's spherical area: half a 0.01° square at 38.6°N is about
	// ½ · 1.112 km · 0.869 km.
	if got := areas[1].LandKm2; math.Abs(got-0.5*1.1119*0.8692) > 0.01 {
		t.Errorf("computed land area %v km²", got)
	}
}

func TestReadAreasErrorsNameTheFeature(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(twoTracts, old, new, 1) }
	cases := []struct {
		name, input string
		opts        AreaOptions
		want        []string
	}{
		{"open ring", replace("[-90.28,38.6]]]]", "[-90.28,38.605]]]]"), AreaOptions{}, []string{"tracts.geojson: feature 2", "not closed"}},
		{"bow tie", replace("[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61]", "[[[-90.3,38.6],[-90.29,38.61],[-90.29,38.6],[-90.3,38.61]"), AreaOptions{}, []string{"feature 1", "cross"}},
		{"projected", replace("[-90.3,38.6],[-90.29,38.6]", "[885000,310000],[-90.29,38.6]"), AreaOptions{}, []string{"feature 1", "projected"}},
		{"short GEOID", replace(`"29510101200"`, `"2951010120"`), AreaOptions{}, []string{"feature 2", "11-digit"}},
		{"duplicate", replace(`"29510101200"`, `"29510101100"`), AreaOptions{}, []string{"feature 2", "repeats feature 1"}},
		{"no id", twoTracts, AreaOptions{IDField: "ZCTA"}, []string{"feature 1", `no "ZCTA" property`}},
		{"point", replace(`{"type":"Polygon","coordinates":[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]]]}`, `{"type":"Point","coordinates":[-90.3,38.6]}`), AreaOptions{}, []string{"feature 1", "Point"}},
		{"outside region", twoTracts, AreaOptions{Region: &orb.Bound{Min: orb.Point{-91, 39}, Max: orb.Point{-90, 40}}}, []string{"feature 1", "outside the region"}},
		{"hole outside", replace(`[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]]]`, `[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]],[[-80,30],[-79.9,30],[-79.9,30.1],[-80,30]]]`), AreaOptions{}, []string{"feature 1", "hole 1 lies outside"}},
		{"bad JSON", strings.Replace(twoTracts, `"properties":{"GEOID":"29510101200"}`, `"properties":{"GEOID":}`, 1), AreaOptions{}, []string{"line 3", "invalid JSON"}},
		{"not a collection", `{"type":"Feature"}`, AreaOptions{}, []string{"FeatureCollection"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadAreas(strings.NewReader(c.input), "tracts.geojson", c.opts)
			wantError(t, err, c.want...)
		})
	}
}

func TestReadAreasOtherIDField(t *testing.T) {
	fc := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID_ZCTA":63101},"geometry":{"type":"Polygon","coordinates":[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.6]]]}}]}`
	areas, err := ReadAreas(strings.NewReader(fc), "zcta.geojson", AreaOptions{IDField: "GEOID_ZCTA"})
	if err != nil || areas[0].ID != "63101" {
		t.Fatalf("ZCTA ids (no GEOID format check): %v %+v", err, areas)
	}
}

func TestReadDemographicsMapsACSColumns(t *testing.T) {
	csv := "\ufeffGEOID,TOTAL_E,TOTAL_M,B09001_001E,B09001_001M,POV,NOTE\n" +
		"29510101100,2510,222,480,61,12.5,\"a note\nacross lines\"\n" +
		"29510101200,3545,236,,,,x\n" +
		"29510101300,100,20,-666666666,-222222222,7,y\n"
	values, err := ReadDemographics(strings.NewReader(csv), "acs.csv", DemographicOptions{
		Columns: map[string]string{"total_pop": "TOTAL_E", "youth_pop": "B09001_001E", "poverty_pct": "POV"},
		Vintage: "ACS 2013–2017", Vintages: map[string]string{"poverty_pct": "ACS 2014–2018"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]DemographicValue{}
	for _, v := range values {
		got[v.AreaID+"/"+v.Variable] = v
	}
	if v := got["29510101100/total_pop"]; v.Value != 2510 || v.MOE != 222 || v.Vintage != "ACS 2013–2017" || v.Source != "acs.csv:TOTAL_E" {
		t.Errorf("total_pop with its ACS margin: %+v", v)
	}
	if v := got["29510101100/youth_pop"]; v.Value != 480 || v.MOE != 61 {
		t.Errorf("youth_pop with B09001_001M as margin: %+v", v)
	}
	if v := got["29510101100/poverty_pct"]; v.Vintage != "ACS 2014–2018" || !math.IsNaN(v.MOE) {
		t.Errorf("poverty_pct with its own vintage and no margin: %+v", v)
	}
	// Empty cells and ACS annotation values are no figure, never zero.
	for _, k := range []string{"29510101200/youth_pop", "29510101200/poverty_pct", "29510101300/youth_pop"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s should have no figure, got %+v", k, v)
		}
	}
	if len(values) != 6 {
		t.Errorf("%d values, want 6", len(values))
	}
}

func TestReadDemographicsErrorsNameLineAndColumn(t *testing.T) {
	header := "GEOID,YOUTH,POV\n"
	cases := []struct {
		name, body string
		cols       map[string]string
		want       []string
	}{
		// The second row's quoted value spans lines 3–4, so the bad row is line 5.
		{"not a number", "29510101100,\"10\",\"5\"\n29510101200,\"1\n\",3\n29510101300,abc,4\n", map[string]string{"youth_pop": "YOUTH"}, []string{"acs.csv: line 5", "column YOUTH (youth_pop)", `"abc" is not a number`}},
		{"negative", "29510101100,-5,3\n", map[string]string{"youth_pop": "YOUTH"}, []string{"line 2", "negative"}},
		{"percent", "29510101100,5,140\n", map[string]string{"poverty_pct": "POV"}, []string{"line 2", "not a percentage"}},
		{"duplicate", "29510101100,5,1\n29510101100,6,2\n", map[string]string{"youth_pop": "YOUTH"}, []string{"line 3", "repeats line 2"}},
		{"missing column", "29510101100,5,1\n", map[string]string{"youth_pop": "KIDS"}, []string{"line 1", `no column "KIDS"`, "GEOID, YOUTH, POV"}},
		{"unknown variable", "29510101100,5,1\n", map[string]string{"yuth_pop": "YOUTH"}, []string{`unknown canonical variable "yuth_pop"`, "youth_pop"}},
		{"bad GEOID", "2951010110,5,1\n", map[string]string{"youth_pop": "YOUTH"}, []string{"line 2", "11-digit"}},
		{"nothing mapped", "29510101100,5,1\n", nil, []string{"--column canonical=SOURCE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadDemographics(strings.NewReader(header+c.body), "acs.csv", DemographicOptions{Columns: c.cols})
			wantError(t, err, c.want...)
		})
	}
}

func TestReadProgramsCSV(t *testing.T) {
	csv := "id,name,provider,lat,lng,content_areas,setting,capacity,website\n" +
		"p1,Robotics Club,Library,38.63,-90.20,Engineering; Computing ;engineering,library,24,https://example.org\n" +
		"p2,Open Lab,,38.64,-90.21,,museum,,\n"
	programs, err := ReadPrograms(strings.NewReader(csv), "programs.csv", ProgramOptions{Source: "programs.csv"})
	if err != nil {
		t.Fatal(err)
	}
	p := programs[0]
	if p.Location != (orb.Point{-90.20, 38.63}) || p.Capacity != 24 || p.Extra["website"] != "https://example.org" || p.Ref != "line 2" {
		t.Errorf("program 1: %+v", p)
	}
	if got := strings.Join(p.ContentAreas, ","); got != "computing,engineering" {
		t.Errorf("content areas normalised to %q", got)
	}
	if q := programs[1]; len(q.ContentAreas) != 0 || !math.IsNaN(q.Capacity) {
		t.Errorf("program 2: empty content areas and capacity should stay empty: %+v", q)
	}
}

func TestReadProgramsMappedColumnsAndGeoJSON(t *testing.T) {
	csv := "site_id,title,latitude,longitude,hint\nS1,Science Center,38.6286,-90.2705,science;technology\n"
	programs, err := ReadPrograms(strings.NewReader(csv), "sites.csv", ProgramOptions{Columns: map[string]string{
		"id": "site_id", "name": "title", "lat": "latitude", "lng": "longitude", "content_areas": "hint"}})
	if err != nil || programs[0].Name != "Science Center" || len(programs[0].ContentAreas) != 2 {
		t.Fatalf("mapped columns: %v %+v", err, programs)
	}
	gj := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g1","content_areas":["math","Early STEM play"],"capacity":12},"geometry":{"type":"Point","coordinates":[-90.2,38.6]}}]}`
	programs, err = ReadPrograms(strings.NewReader(gj), "programs.geojson", ProgramOptions{})
	if err != nil || programs[0].Capacity != 12 || strings.Join(programs[0].ContentAreas, ",") != "early_stem_play,math" {
		t.Fatalf("GeoJSON programs: %v %+v", err, programs)
	}
}

func TestReadProgramsErrors(t *testing.T) {
	header := "id,name,provider,lat,lng,content_areas,setting,capacity\n"
	stl := &orb.Bound{Min: orb.Point{-91.5, 37.9}, Max: orb.Point{-89, 39.6}}
	cases := []struct {
		name, body string
		region     *orb.Bound
		want       []string
	}{
		{"swapped", "p1,x,,-90.2,38.6,,,\n", stl, []string{"programs.csv: line 2", "swapped"}},
		{"bad lat", "p1,x,,north,-90.2,,,\n", nil, []string{"line 2", `lat "north"`}},
		{"capacity", "p1,x,,38.6,-90.2,,,-3\n", nil, []string{"line 2", "negative"}},
		{"reserved", "p1,x,,38.6,-90.2,All,,\n", nil, []string{"line 2", "reserved"}},
		{"duplicate", "p1,x,,38.6,-90.2,,,\np1,y,,38.6,-90.2,,,\n", nil, []string{"line 3", "repeats line 2"}},
		{"ragged", "p1,x,,38.6,-90.2,,\n", nil, []string{"line 2", "wrong number of fields"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadPrograms(strings.NewReader(header+c.body), "programs.csv", ProgramOptions{Region: c.region})
			wantError(t, err, c.want...)
		})
	}
	_, err := ReadPrograms(strings.NewReader("name,lat\nx,1\n"), "programs.csv", ProgramOptions{})
	wantError(t, err, "line 1", `no column "id"`)
}

func TestReadCostMatrix(t *testing.T) {
	m, err := ReadCostMatrix(strings.NewReader("origin,program,minutes\n29510101100,p1,12.5\n"), "od.csv")
	if err != nil || m.Unit != "min" || m.Rows[0].Cost != 12.5 || m.Rows[0].Line != 2 {
		t.Fatalf("%v %+v", err, m)
	}
	_, err = ReadCostMatrix(strings.NewReader("origin,program,minutes\na,p,-1\n"), "od.csv")
	wantError(t, err, "od.csv: line 2", "non-negative")
	_, err = ReadCostMatrix(strings.NewReader("from,to,minutes\n"), "od.csv")
	wantError(t, err, "origin, program")
}

// The St. Louis files read as PROVENANCE.md describes them.
func TestReadStLouisData(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "stl")
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("St. Louis data not beside the project: %v", err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	areas, err := ReadAreas(open("msa_tracts_2010.geojson"), "msa_tracts_2010.geojson", AreaOptions{})
	if err != nil || len(areas) != 615 {
		t.Fatalf("MSA tracts: %d, %v", len(areas), err)
	}
	values, err := ReadDemographics(open("msa_tract_demographics.csv"), "msa_tract_demographics.csv", DemographicOptions{
		Columns: map[string]string{"youth_pop": "kids_0_17_census2010", "total_pop": "pop_total_acs2018"}})
	if err != nil {
		t.Fatal(err)
	}
	youth, pop := 0, 0.0
	for _, v := range values {
		switch v.Variable {
		case "youth_pop":
			youth++
		case "total_pop":
			if strings.HasPrefix(v.AreaID, "29189") {
				pop += v.Value
			}
		}
	}
	// 455 Missouri tracts have youth counts; St. Louis County's population is 998,684.
	if youth != 455 || pop != 998684 {
		t.Errorf("youth figures for %d tracts, St. Louis County population %v", youth, pop)
	}
	programs, err := ReadPrograms(open("msa_learning_sites.csv"), "msa_learning_sites.csv", ProgramOptions{
		Columns: map[string]string{"content_areas": "content_hint", "setting": "category"}})
	if err != nil || len(programs) != 1495 {
		t.Fatalf("learning sites: %d, %v", len(programs), err)
	}
}
