package data

import (
	"math"
	"strings"
	"testing"
)

// Three tracts' figures written twice, as a CSV file and as a GeoJSON file's feature properties
// (numeric ids, a null and an absent property, a float written with a decimal point).
const (
	figuresCSV = `geoid,population,n_black,kids_a,kids_b,moe_a,moe_b
17031720200,3791,2142,300,444,30,40
17031720300,3929,,500,371,*****,*****
17031720400,1935,121,,514,,
`
	figuresGeoJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"geoid":17031720200,"population":3791.0,"n_black":2142,"kids_a":300,"kids_b":444,"moe_a":30,"moe_b":40},"geometry":null},
{"type":"Feature","properties":{"geoid":17031720300,"population":3929,"n_black":null,"kids_a":500,"kids_b":371,"moe_a":"*****","moe_b":"*****"},"geometry":null},
{"type":"Feature","properties":{"geoid":17031720400,"population":1935,"n_black":121,"kids_b":514},"geometry":null}
]}`
)

var figureColumns = DemographicOptions{IDField: "geoid",
	Columns: map[string]string{"total_pop": "population", "race_black_aic": "n_black", "youth_pop": "sum(kids_a,kids_b)"},
	MOE:     map[string]string{"youth_pop": "sum(moe_a,moe_b)"}}

// Feature properties are read exactly as a CSV file's columns are: the same figures, sums,
// margins, symbols and missing values.
func TestDemographicsFromFeatureProperties(t *testing.T) {
	fromCSV, err := ReadDemographics(strings.NewReader(figuresCSV), "figures.csv", figureColumns)
	if err != nil {
		t.Fatal(err)
	}
	fromGeoJSON, err := ReadDemographics(strings.NewReader(figuresGeoJSON), "figures.geojson", figureColumns)
	if err != nil {
		t.Fatal(err)
	}
	index := func(values []DemographicValue) map[string]DemographicValue {
		m := map[string]DemographicValue{}
		for _, v := range values {
			m[v.AreaID+"/"+v.Variable] = v
		}
		return m
	}
	csv, geo := index(fromCSV), index(fromGeoJSON)
	// By hand: 3 tracts × total_pop, 2 with n_black, 2 with both kids columns.
	if len(csv) != 7 || len(geo) != 7 {
		t.Fatalf("%d figures from the CSV, %d from the GeoJSON; want 7 each", len(csv), len(geo))
	}
	for key, c := range csv {
		g, ok := geo[key]
		same := ok && g.Value == c.Value && (g.MOE == c.MOE || math.IsNaN(g.MOE) && math.IsNaN(c.MOE))
		if !same {
			t.Errorf("%s: CSV %v ± %v, GeoJSON %+v", key, c.Value, c.MOE, g)
		}
	}
	if y := geo["17031720200/youth_pop"]; y.Value != 744 || y.MOE != 50 || y.Ref != "feature 1 (geoid 17031720200)" {
		t.Errorf("youth of the first feature %+v; want 300+444 ± √(30²+40²), feature 1 (geoid 17031720200)", y)
	}
	if y := geo["17031720300/youth_pop"]; y.Value != 871 || y.MOE != 0 {
		t.Errorf("controlled margins: %+v; want 871 ± 0", y)
	}
	if p := geo["17031720200/total_pop"]; p.Value != 3791 {
		t.Errorf("population 3791.0 read as %v", p.Value)
	}
}

func TestFeaturePropertyErrorsNameTheFeature(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		want []string
	}{
		"not a number": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"geoid":17031720200,"population":3791,"n_black":1,"kids_a":1,"kids_b":1,"moe_a":1,"moe_b":1}},
{"type":"Feature","properties":{"geoid":17031720300,"population":"many","n_black":1,"kids_a":1,"kids_b":1,"moe_a":1,"moe_b":1}}]}`,
			[]string{"figures.geojson: feature 2 (geoid 17031720300)", "column population (total_pop)", `"many" is not a number`}},
		"an object": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"geoid":17031720200,"population":{"e":1}}}]}`,
			[]string{"figures.geojson: feature 1", `property "population" holds an object`}},
		"no such property": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"geoid":17031720200,"population":1}}]}`,
			[]string{"figures.geojson", `no feature has a property "kids_a" for youth_pop`}},
		"repeated id": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"geoid":17031720200,"population":1,"n_black":1,"kids_a":1,"kids_b":1,"moe_a":1,"moe_b":1}},
{"type":"Feature","properties":{"geoid":17031720200,"population":1,"n_black":1,"kids_a":1,"kids_b":1,"moe_a":1,"moe_b":1}}]}`,
			[]string{"figures.geojson: feature 2", `geoid "17031720200" repeats feature 1`}},
		"not a collection": {`{"type":"Feature","properties":{}}`, []string{"figures.geojson", "want a FeatureCollection"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadDemographics(strings.NewReader(c.body), "figures.geojson", figureColumns)
			wantError(t, err, c.want...)
		})
	}
}
