package data

import (
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"
)

// Chicago's tract file keys tracts by a numeric geoid. JSON numbers arrive as float64, which
// holds every integer up to 2^53 (16 digits) exactly; written back they must keep every digit
// and never turn into an exponent (1.7031720200e+10).
func TestNumericIDsKeepEveryDigit(t *testing.T) {
	file := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"geoid":17031720200},"geometry":{"type":"Polygon","coordinates":[[[-87.7,41.7],[-87.69,41.7],[-87.69,41.71],[-87.7,41.7]]]}},
{"type":"Feature","properties":{"geoid":170310101001000},"geometry":{"type":"Polygon","coordinates":[[[-87.6,41.8],[-87.59,41.8],[-87.59,41.81],[-87.6,41.8]]]}},
{"type":"Feature","properties":{"geoid":1001},"geometry":{"type":"Polygon","coordinates":[[[-87.5,41.8],[-87.49,41.8],[-87.49,41.81],[-87.5,41.8]]]}}
]}`
	areas, err := ReadAreas(strings.NewReader(file), "tracts.geojson", AreaOptions{IDField: "geoid"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"17031720200", "170310101001000", "1001"}
	for i, a := range areas {
		if a.ID != want[i] {
			t.Errorf("feature %d: id %q, want %q", i+1, a.ID, want[i])
		}
	}
	for v, w := range map[float64]string{1e20: "100000000000000000000", 9007199254740992: "9007199254740992", 17031720200: "17031720200"} {
		if got, ok := propertyString(geojson.Properties{"id": v}, "id"); !ok || got != w {
			t.Errorf("propertyString(%v) = %q, want %q", v, got, w)
		}
	}
}
