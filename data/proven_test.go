package data

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// CheckIngest skips the polygons the reader proved valid only while they are as the reader
// found them: a polygon changed in place, replaced, or checked against another region is
// checked again, and the verdict is the one a fresh check gives.
func TestCheckIngestTrustsOnlyUnchangedPolygons(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracts.geojson")
	two := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"GEOID":"29510101100"},"geometry":{"type":"Polygon","coordinates":[[[-90.2,38.6],[-90.19,38.6],[-90.19,38.61],[-90.2,38.61],[-90.2,38.6]]]}},` +
		`{"type":"Feature","properties":{"GEOID":"29510101200"},"geometry":{"type":"Polygon","coordinates":[[[-90.18,38.6],[-90.17,38.6],[-90.17,38.61],[-90.18,38.61],[-90.18,38.6]]]}}]}`
	if err := os.WriteFile(path, []byte(two), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() Ingest {
		in, err := LoadFile(KindAreas, path, LoadOptions{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range in.Areas {
			if !in.proven.holds(i, a.Geometry, nil) {
				t.Fatalf("area %d: the reader's verdict is not kept", i)
			}
		}
		return in
	}

	// In place: the second square's corners swapped into a bow tie.
	in := load()
	ring := in.Areas[1].Geometry[0][0]
	ring[1], ring[2] = ring[2], ring[1]
	if in.proven.holds(1, in.Areas[1].Geometry, nil) {
		t.Fatal("a polygon changed in place still counts as proven")
	}
	want := checkMultiPolygon(in.Areas[1].Geometry, nil)
	if want == nil {
		t.Fatal("the bow tie is not invalid")
	}
	wantError(t, CheckIngest(in), "29510101200\": "+want.Error())

	// Replaced, as RepairAreas replaces a polygon.
	in = load()
	in.Areas[0].Geometry = orb.MultiPolygon{{{{-90.2, 38.6}, {-90.19, 38.61}, {-90.19, 38.6}, {-90.2, 38.61}, {-90.2, 38.6}}}}
	wantError(t, CheckIngest(in), "29510101100\": "+checkMultiPolygon(in.Areas[0].Geometry, nil).Error())

	// Another region: proven without one, the squares lie outside this one.
	in = load()
	if in.proven.holds(0, in.Areas[0].Geometry, &orb.Bound{Min: orb.Point{-100, 30}, Max: orb.Point{-95, 35}}) {
		t.Fatal("a polygon proven without a region counts as proven inside one")
	}
	in.Record.Options = map[string]string{"region": "-100,30,-95,35"}
	wantError(t, CheckIngest(in), "outside")
}
