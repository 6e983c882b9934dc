package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
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

// The St. Louis data with and without the 29 robotics teams: compare says the teams' file is
// the difference, and shows where they add access — exactly the cells within 8 km of a team,
// by brute force over the cells the comparison exports, and nowhere is access lower.
func TestCompareShowsWhatTheRoboticsTeamsAdd(t *testing.T) {
	needInputs(t)
	ctx := context.Background()
	raw, err := os.ReadFile(filepath.Join("..", "..", "data", "region", "manifests", "stlouis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest map[string]any
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	var kept, dropped []any
	for _, p := range manifest["programs"].([]any) {
		if strings.Contains(p.(map[string]any)["file"].(string), "frc_teams") {
			dropped = append(dropped, p)
		} else {
			kept = append(kept, p)
		}
	}
	if len(dropped) != 1 {
		t.Fatalf("the St. Louis manifest lists %d robotics files", len(dropped))
	}
	manifest["name"], manifest["programs"] = "stlouis-without-teams", kept
	without := filepath.Join(t.TempDir(), "without-teams.json")
	raw, _ = json.Marshal(manifest)
	if err := os.WriteFile(without, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, out, errs := stemgap(t, ctx, "demo", "--no-serve", "--manifest", without, "--inputs", inputs, "--data-dir", dir)
	if code != 0 {
		t.Fatalf("demo without the teams exited %d: %s", code, errs)
	}
	runA := runNamedIn(t, out)
	teamFile := filepath.Join(inputs, dropped[0].(map[string]any)["file"].(string))
	if code, _, errs := stemgap(t, ctx, "ingest", "programs", teamFile, "--data-dir", dir, "--vintage", dropped[0].(map[string]any)["vintage"].(string)); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, errs)
	}
	code, out, errs = stemgap(t, ctx, "analyze", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("analyze exited %d: %s", code, errs)
	}
	runB := runNamedIn(t, out)

	code, out, errs = stemgap(t, ctx, "compare", runA, runB, "--data-dir", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("compare exited %d: %s", code, errs)
	}
	var got struct {
		Comparison struct {
			Differences []string
			Series      []struct {
				Setting, Name string
				CellsRose     int     `json:"cells_rose"`
				CellsFell     int     `json:"cells_fell"`
				NewlyInReach  float64 `json:"newly_in_reach"`
				ProgramsA     int     `json:"programs_a"`
				ProgramsB     int     `json:"programs_b"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(got.Comparison.Differences, "\n"), "input programs frc_teams_2026.csv (29 rows") {
		t.Errorf("differences: %q", got.Comparison.Differences)
	}
	rose := -1
	for _, s := range got.Comparison.Series {
		if s.Setting == "out_of_school" && s.Name == "all" {
			if s.ProgramsB-s.ProgramsA != 29 || s.CellsFell != 0 || !(s.NewlyInReach > 0) {
				t.Errorf("out-of-school programs: %+v", s)
			}
			rose = s.CellsRose
		}
	}

	cells := filepath.Join(t.TempDir(), "cells.csv")
	if code, _, errs := stemgap(t, ctx, "compare", runA, runB, "--data-dir", dir, "--format", "csv", "--layer", "cells", "--setting", "out_of_school", "--content", "all", "-o", cells); code != 0 {
		t.Fatalf("compare cells exited %d: %s", code, errs)
	}
	f, err := os.Open(teamFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	teamList, err := data.ReadPrograms(f, "frc_teams_2026.csv", data.ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near, up := 0, 0
	for _, row := range readCSV(t, cells) {
		center := orb.Point{number(t, row["lng"]), number(t, row["lat"])}
		within := false
		for _, team := range teamList {
			if geo.DistanceKm(team.Location, center) <= 8 {
				within = true
				break
			}
		}
		risen := row["access_change"] != "" && number(t, row["access_change"]) > 1e-9*math.Max(1, number(t, row["access_b"]))
		if risen {
			up++
		}
		if within && row["youth_b"] != "" {
			near++
			if !risen {
				t.Errorf("cell %s lies within 8 km of a team, and its access did not rise", row["h3"])
			}
		} else if risen {
			t.Errorf("cell %s lies beyond 8 km of every team, and its access rose", row["h3"])
		}
	}
	if up != rose || near != rose || rose <= 0 {
		t.Errorf("compare counts %d cells whose access rose; the cells export shows %d, brute force %d within 8 km of a team", rose, up, near)
	}
}

// runNamedIn finds the id of the run a command's summary names ("run 0123456789abcdef: …").
func runNamedIn(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^run ([0-9a-f]{16}):`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no run named in %q", out)
	}
	return m[1]
}

// TestInvestInBrowser serves the St. Louis demo with a writing token and has headless Chromium
// ask for the top five out-of-school engineering sites, place a funder's what-if program with a
// click and see its delta layer, and compare the run with another (e2e/invest.mjs).
func TestInvestInBrowser(t *testing.T) {
	e2e := browserE2E(t)
	dir := demoDir(t)
	ctx := context.Background()
	// Another run to compare with — a 10 km catchment — then the demo's run again, the latest.
	wider := filepath.Join(t.TempDir(), "wider.json")
	if err := os.WriteFile(wider, []byte(`{"measure": {"catchment": 10}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"analyze", "--data-dir", dir, "--config", wider}, {"analyze", "--data-dir", dir}} {
		if code, _, errs := stemgap(t, ctx, args...); code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errs)
		}
	}
	const token = "a-browser-test-token-0123456789"
	t.Setenv("STEMGAP_TOKEN", token)
	base := serveDir(t, dir)
	shots := filepath.Join(e2e, "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "invest.mjs", base+"/", shots, token)
	cmd.Dir = e2e
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser check: %v\n%s", err, out)
	}
	t.Logf("screenshots in %s\n%s", shots, out)
}
