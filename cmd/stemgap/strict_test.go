package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemgap/data/embedded"
)

// Ids of a demographics file that are not loaded areas are reported with a count and a sample,
// and refused under --strict; they used to be stored silently.
func TestUnknownAreaIDsAreReported(t *testing.T) {
	ctx := context.Background()
	dir, tmp := t.TempDir(), t.TempDir()
	// Synthetic: two square tracts and a file naming a third.
	tracts := filepath.Join(tmp, "synthetic_tracts.geojson")
	os.WriteFile(tracts, []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"GEOID":"29510000100"},"geometry":{"type":"Polygon","coordinates":[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]]]}},
{"type":"Feature","properties":{"GEOID":"29510000200"},"geometry":{"type":"Polygon","coordinates":[[[-90.28,38.6],[-90.27,38.6],[-90.27,38.61],[-90.28,38.61],[-90.28,38.6]]]}}]}`), 0o644)
	demo := filepath.Join(tmp, "synthetic_demo.csv")
	os.WriteFile(demo, []byte("GEOID,kids\n29510000100,10\n17163000100,20\n29510000200,30\n"), 0o644)
	if code, _, errs := stemgap(t, ctx, "ingest", "tracts", tracts, "--data-dir", dir); code != 0 {
		t.Fatal(errs)
	}
	code, _, errs := stemgap(t, ctx, "ingest", "demographics", demo, "--column", "youth_pop=kids", "--strict", "--data-dir", dir)
	want := "stemgap ingest: synthetic_demo.csv: 1 of its 3 area ids are not among the 2 loaded areas (17163000100 at line 3): their figures would be stored but never used (refused under --strict)\n"
	if code != 1 || errs != want {
		t.Errorf("--strict: exit %d\n got %q\nwant %q", code, errs, want)
	}
	s, _ := embedded.Open(dir)
	if values, _ := s.Demographics(ctx); len(values) != 0 {
		t.Errorf("a refused file stored %d values", len(values))
	}
	code, _, errs = stemgap(t, ctx, "ingest", "demographics", demo, "--column", "youth_pop=kids", "--data-dir", dir)
	if code != 0 || !strings.Contains(errs, `level=WARN msg="area ids not loaded" source=synthetic_demo.csv unknown=1 of=3 loaded=2 sample="17163000100 at line 3"`) {
		t.Errorf("without --strict: exit %d, %s", code, errs)
	}
	if values, _ := s.Demographics(ctx); len(values) != 3 {
		t.Errorf("without --strict the file is stored: %d values", len(values))
	}
}
