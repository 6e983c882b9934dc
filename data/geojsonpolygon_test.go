package data

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/paulmach/orb/geojson"
)

// sameAsOrb fails unless unmarshalFeature returns what orb's decoder returns: the same feature,
// or an error. (Not always the same error: with two bad members orb reports the one it meets
// first in a map's random order.)
func sameAsOrb(t *testing.T, raw []byte) {
	t.Helper()
	want, wantErr := geojson.UnmarshalFeature(raw)
	got, err := unmarshalFeature(raw)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, orb's %v", raw, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decoded %#v, orb %#v", raw, got, want)
	}
}

// FuzzUnmarshalFeature holds the quick polygon path to orb's decoder whatever the bytes. The
// seeds take each way out of it: positions of one or three numbers, empty arrays, numbers out of
// range, members orb matches by exact name, collections, nulls.
func FuzzUnmarshalFeature(f *testing.F) {
	for _, s := range []string{
		`{"type":"Feature","properties":{"GEOID":"29510101100","ALAND":1e6},"geometry":{"type":"Polygon","coordinates":[[[-90.2,38.6],[-90.19,38.6],[-90.19,38.61],[-90.2,38.6]]]}}`,
		`{"type":"Feature","id":7,"bbox":[0,0,1,1],"x":{"y":[1]},"properties":null,"geometry":{"type":"MultiPolygon","coordinates":[ [ [ [0,0] , [1,0],[1,1],[0,0] ] ] , [[[2,2],[3,2],[3,3],[2,2]],[[2.1,2.1],[2.2,2.1],[2.2,2.2],[2.1,2.1]]] ]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}`,
		`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1e400,0],[1,1],[0,0]]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[null,0],[1,1],[0,0]]]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":null}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-0,1E-3],[1,0],[1,1],[-0,1E-3]]],"geometries":[]}}`,
		`{"type":"Feature","geometry":{"TYPE":"Polygon","Coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
		`{"Type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
		`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[-90.2,38.6]}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":{"a":1}}}`,
		`{"type":"Feature","geometry":null,"properties":{"a":[1,"b"]}}`,
		`{"type":"Feature","geometry":"Polygon"}`,
		`{"type":"Featur","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
		`{"type":"Feature","type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"geometry":null}`,
		`null`, `[]`, `{}`, `{"type":"Feature","properties":5}`, `{"type":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { sameAsOrb(t, raw) })
}

// TestUnmarshalFeatureTracts decodes every real St. Louis tract (the city's 106 and the MSA's
// 615) as orb does, and by the quick path.
func TestUnmarshalFeatureTracts(t *testing.T) {
	for file, want := range map[string]int{"stl/tracts.geojson": 106, "stl/msa_tracts_2010.geojson": 615} {
		raw, err := os.ReadFile("../../shared/data/" + file)
		if err != nil {
			t.Skip("the shared St. Louis tracts are not here:", err)
		}
		features, err := splitFeatureCollection(raw, file)
		if err != nil {
			t.Fatal(err)
		}
		quick := 0
		for _, msg := range features {
			sameAsOrb(t, msg)
			if _, ok := polygonal(mustGeometry(t, msg)); ok {
				quick++
			}
		}
		if len(features) != want || quick != want {
			t.Errorf("%s: %d of %d features read by the quick path, want %d", file, quick, len(features), want)
		}
	}
}

func mustGeometry(t *testing.T, feature []byte) []byte {
	t.Helper()
	var f struct{ Geometry rawJSON }
	if err := json.Unmarshal(feature, &f); err != nil {
		t.Fatal(err)
	}
	return f.Geometry
}
