package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every measure, and every decay of E2SFCA, runs on the St. Louis data from a config file.
func TestEveryMeasureOnStLouis(t *testing.T) {
	dir := demoDir(t)
	configs := map[string]string{
		"nearest":          `{"resolution": 8, "measure": {"kind": "nearest"}}`,
		"cumulative":       `{"resolution": 8, "measure": {"kind": "cumulative", "catchment": 5}}`,
		"2sfca":            `{"resolution": 8, "measure": {"kind": "2sfca"}}`,
		"e2sfca stepped":   `{"resolution": 8, "measure": {"kind": "e2sfca", "decay": "stepped"}}`,
		"e2sfca linear":    `{"resolution": 8, "measure": {"kind": "e2sfca", "decay": "linear", "normalize": true}}`,
		"e2sfca none":      `{"resolution": 8, "measure": {"kind": "e2sfca", "decay": "none"}}`,
		"3sfca":            `{"resolution": 8, "measure": {"kind": "3sfca"}}`,
		"gravity":          `{"resolution": 8, "measure": {"kind": "gravity", "beta": 1.5}}`,
		"raam":             `{"resolution": 8, "measure": {"kind": "raam", "tau": 5}}`,
		"targets and need": `{"resolution": 8, "gap": {"target": 3, "need_weight": 1}, "need": {"components": [{"variable": "poverty_pct", "weight": 2}, {"variable": "no_internet_pct", "weight": 1}]}}`,
	}
	seen := map[string]string{}
	for name, cfg := range configs {
		path := filepath.Join(t.TempDir(), "config.json")
		os.WriteFile(path, []byte(cfg), 0o644)
		code, out, errs := stemgap(t, context.Background(), "analyze", "--config", path, "--data-dir", dir)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s", name, code, errs)
			continue
		}
		if !strings.Contains(out, "H3 resolution 8") || !strings.Contains(out, "science") {
			t.Errorf("%s: summary\n%s", name, out)
		}
		if other, dup := seen[out]; dup {
			t.Errorf("%s and %s gave the same summary", name, other)
		}
		seen[out] = name
	}
	// A misspelt parameter is an error, not a silent default.
	path := filepath.Join(t.TempDir(), "typo.json")
	os.WriteFile(path, []byte(`{"measure": {"knd": "2sfca"}}`), 0o644)
	if code, _, errs := stemgap(t, context.Background(), "analyze", "--config", path, "--data-dir", dir); code != 1 || !strings.Contains(errs, `unknown field "knd"`) {
		t.Errorf("typo in config: exit %d %s", code, errs)
	}
}

// A travel-time matrix (SYNTHETIC minutes) replaces distance: catchments and deserts in minutes.
func TestCostMatrixOnStLouis(t *testing.T) {
	dir := demoDir(t)
	matrix := "origin,program,minutes\n" +
		"29510101100,mudf18-8409500852,12\n29510101100,pls18-MO0017-002,25\n29510101200,mudf18-8409500852,31\n"
	path := filepath.Join(t.TempDir(), "od.csv")
	os.WriteFile(path, []byte(matrix), 0o644)
	cfg := filepath.Join(t.TempDir(), "minutes.json")
	os.WriteFile(cfg, []byte(`{"resolution": 8, "measure": {"catchment": 30}, "desert": {"urban_cost": 20, "rural_cost": 45}}`), 0o644)
	code, out, errs := stemgap(t, context.Background(), "analyze", "--config", cfg, "--costs", path, "--data-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "cost matrix") {
		t.Errorf("the run should note the matrix:\n%s", out)
	}
	csvPath := filepath.Join(t.TempDir(), "tracts.csv")
	stemgap(t, context.Background(), "export", "csv", "--layer", "tracts", "--content", "all", "-o", csvPath, "--data-dir", dir)
	b, _ := os.ReadFile(csvPath)
	if !strings.Contains(string(b), "nearest_min_all") {
		t.Errorf("tract export should count in minutes: %.300s", b)
	}
}
