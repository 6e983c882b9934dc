package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemgap/analysis"
)

// A user prints the config, edits only the catchment, and analyses with it: σ, τ and the
// stepped zones follow the new catchment instead of keeping the printed defaults' numbers.
func TestPrintedConfigFollowsAnEditedCatchment(t *testing.T) {
	code, out, errs := stemgap(t, context.Background(), "config", "print")
	if code != 0 || !strings.Contains(out, `"catchment": 8`) {
		t.Fatalf("config print: %d %s\n%s", code, errs, out)
	}
	file := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(file, []byte(strings.Replace(out, `"catchment": 8`, `"catchment": 12`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := analysis.LoadParams(file, analysis.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	m := p.Resolved().Measure
	if m.Sigma != 6 || m.Tau != 12 || m.Steps[len(m.Steps)-1].Upto != 12 {
		t.Errorf("edited catchment 12: σ %v, τ %v, steps %+v; want 6, 12, zones ending at 12", m.Sigma, m.Tau, m.Steps)
	}
	// Printed again, the derived values still say they follow the catchment.
	code, out, _ = stemgap(t, context.Background(), "config", "print", "--config", file)
	if code != 0 || !strings.Contains(out, `"sigma": null`) || !strings.Contains(out, `"catchment": 12`) {
		t.Errorf("config print --config: %d\n%s", code, out)
	}
	// Zones set by hand that stop short of the catchment are refused, naming the parameter.
	bad := strings.Replace(out, `"steps": null`, `"steps": [{"upto": 8, "weight": 1}]`, 1)
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := stemgap(t, context.Background(), "config", "print", "--config", file); code == 0 || !strings.Contains(errs, "measure.steps end at 8, short of measure.catchment 12") {
		t.Errorf("steps short of the catchment: exit %d\n%s", code, errs)
	}
}
