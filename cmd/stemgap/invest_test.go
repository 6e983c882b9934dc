package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/geo"
)

// The top five out-of-school engineering sites on the St. Louis data, each with its reason, and
// the first site's youth newly within reach checked by brute force against the cells export:
// every cell within 8 km of the site by the haversine whose youth had no such program near.
func TestRecommendOnStLouis(t *testing.T) {
	dir := demoDir(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "sites.geojson")
	code, _, errs := stemgap(t, ctx, "recommend", "--data-dir", dir, "--content", "engineering", "--setting", "out_of_school", "--count", "5", "--format", "geojson", "-o", out)
	if code != 0 {
		t.Fatalf("recommend exited %d: %s", code, errs)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Stemgap struct {
			Inputs []struct{ Source string }
		}
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(raw, &fc); err != nil || len(fc.Features) != 5 {
		t.Fatalf("%v: %d sites in %.300s", err, len(fc.Features), raw)
	}
	if !strings.Contains(string(raw), "frc_teams_2026.csv") {
		t.Error("the export does not name the run's inputs")
	}
	last := math.Inf(1)
	for k, f := range fc.Features {
		p := f.Properties
		gain := p["need_weighted_gain"].(float64)
		if int(p["rank"].(float64)) != k+1 || gain > last || !(gain > 0) || !strings.Contains(p["reason"].(string), "engineering program here") {
			t.Errorf("site %d: %v", k+1, p)
		}
		last = gain
	}

	cells := filepath.Join(t.TempDir(), "cells.csv")
	if code, _, errs := stemgap(t, ctx, "export", "csv", "--layer", "cells", "--setting", "out_of_school", "--content", "engineering", "-o", cells, "--data-dir", dir); code != 0 {
		t.Fatalf("export exited %d: %s", code, errs)
	}
	first := fc.Features[0]
	site := orb.Point{first.Geometry.Coordinates[0], first.Geometry.Coordinates[1]}
	newly := 0.0
	for _, row := range readCSV(t, cells) {
		if row["youth"] == "" || row["count_engineering"] != "0" {
			continue
		}
		if geo.DistanceKm(site, orb.Point{number(t, row["lng"]), number(t, row["lat"])}) <= 8 {
			newly += number(t, row["youth"])
		}
	}
	if got := first.Properties["newly_in_reach"].(float64); math.Abs(got-newly) > 1e-6*newly || newly == 0 {
		t.Errorf("first site reaches %v youth newly; the cells within 8 km without a program hold %v", got, newly)
	}
}
