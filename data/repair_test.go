package data

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb/planar"
	"stemgap/geo/repair"
)

// With --repair, a file whose only fault is a self-intersecting ring loads: the feature is
// marked, named in the ingest record, repaired, and then passes the validator.
func TestRepairMarksNamesAndMends(t *testing.T) {
	// Synthetic: a bow tie on exact binary coordinates, without ALAND, beside a valid square.
	fc := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"GEOID":"29510000100"},"geometry":{"type":"Polygon","coordinates":[[[-90.25,38.5],[-90.25,38.53125],[-90.21875,38.53125],[-90.21875,38.5],[-90.25,38.5]]]}},
{"type":"Feature","properties":{"GEOID":"29510000200"},"geometry":{"type":"Polygon","coordinates":[[[-90.25,38.5],[-90.1875,38.5625],[-90.1875,38.5],[-90.25,38.5625],[-90.25,38.5]]]}}]}`
	path := filepath.Join(t.TempDir(), "synthetic_bowtie.geojson")
	if err := os.WriteFile(path, []byte(fc), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without --repair the refusal is as before.
	if _, err := LoadFile(KindAreas, path, LoadOptions{}, time.Now()); err == nil ||
		err.Error() != `synthetic_bowtie.geojson: feature 2: GEOID "29510000200": rings cross themselves or each other near (-90.21875, 38.53125): invalid geometry` {
		t.Fatalf("without --repair: %v", err)
	}
	in, err := LoadFile(KindAreas, path, LoadOptions{Repair: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Repair) != 1 || in.Repair[0].Index != 1 || !math.IsNaN(in.Areas[1].LandKm2) {
		t.Fatalf("marks %+v, land %v", in.Repair, in.Areas[1].LandKm2)
	}
	want := `feature 2: GEOID "29510000200": rings cross themselves or each other near (-90.21875, 38.53125): invalid geometry`
	if in.Record.Options["repair"] != "ST_MakeValid" || in.Record.Options["repaired"] != want {
		t.Errorf("record options %v", in.Record.Options)
	}
	if CheckIngest(in) == nil {
		t.Error("an unrepaired bow tie passed the validator")
	}
	before := in.Areas[1].Geometry
	if err := RepairAreas(&in, repair.MakeValid); err != nil {
		t.Fatal(err)
	}
	if err := CheckIngest(in); err != nil {
		t.Fatalf("the repaired ingest: %v", err)
	}
	// Two triangles, each half the bow tie's 1/16° by 1/16° square.
	a := in.Areas[1]
	if len(a.Geometry) != 2 || planar.Area(a.Geometry) != 0.0625*0.0625/2 || len(in.Repair) != 0 {
		t.Errorf("repaired to %v (%d marks left)", a.Geometry, len(in.Repair))
	}
	if got := a.LandKm2; math.Abs(got-polygonKm2(a.Geometry)) > 1e-9 || got < 18.5 || got > 19.3 {
		t.Errorf("land of the repaired tract %v km²; half of a 5.4 × 6.9 km square is about 18.8 km²", got)
	}
	if len(before) != 1 {
		t.Error("RepairAreas changed the caller's areas in place")
	}
}
