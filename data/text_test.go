package data

import (
	"strings"
	"testing"
)

// A byte-order mark is accepted in every format: GeoJSON areas and programs as well as CSV.
func TestByteOrderMarkInEveryFormat(t *testing.T) {
	bom := "\ufeff"
	areas, err := ReadAreas(strings.NewReader(bom+twoTracts), "tracts.geojson", AreaOptions{})
	if err != nil || len(areas) != 2 {
		t.Errorf("GeoJSON areas with a BOM: %v", err)
	}
	gj := bom + `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"p1"},"geometry":{"type":"Point","coordinates":[-90.2,38.6]}}]}`
	if ps, err := ReadPrograms(strings.NewReader(gj), "programs.geojson", ProgramOptions{}); err != nil || len(ps) != 1 || ps[0].ID != "p1" {
		t.Errorf("GeoJSON programs with a BOM: %v %+v", err, ps)
	}
	csv := bom + "id,lat,lng\np1,38.6,-90.2\n"
	if ps, err := ReadPrograms(strings.NewReader(csv), "programs.csv", ProgramOptions{}); err != nil || len(ps) != 1 || ps[0].ID != "p1" {
		t.Errorf("CSV programs with a BOM: %v %+v", err, ps)
	}
	if m, err := ReadCostMatrix(strings.NewReader(bom+"origin,program,km\na,p1,2\n"), "od.csv"); err != nil || len(m.Rows) != 1 {
		t.Errorf("cost matrix with a BOM: %v", err)
	}
}

// NUL bytes and invalid UTF-8 are refused with their line in every format, whatever the store.
func TestNULAndInvalidUTF8NameTheirLine(t *testing.T) {
	latin1 := "id,name,lat,lng\np1,Caf\xe9 Science,38.6,-90.2\n"
	if _, err := ReadPrograms(strings.NewReader(latin1), "programs.csv", ProgramOptions{}); err == nil ||
		err.Error() != `programs.csv: line 2: invalid UTF-8 (byte 0xE9 at byte 7): save the file as UTF-8 (it may be Latin-1 or Windows-1252)` {
		t.Errorf("Latin-1 byte: %v", err)
	}
	nul := "GEOID,youth\n29510101100,12\n29510101200,1\x003\n"
	if _, err := ReadDemographics(strings.NewReader(nul), "demo.csv", DemographicOptions{Columns: map[string]string{"youth_pop": "youth"}}); err == nil ||
		err.Error() != "demo.csv: line 3: NUL byte at byte 14: not a text file, or saved as UTF-16 — save it as UTF-8" {
		t.Errorf("NUL byte: %v", err)
	}
	// A GeoJSON file's raw bytes are checked before JSON decoding, which would silently turn
	// invalid UTF-8 into U+FFFD.
	bad := strings.Replace(twoTracts, `"Census Tract 1011"`, "\"Census Tract \xff1011\"", 1)
	if _, err := ReadAreas(strings.NewReader(bad), "tracts.geojson", AreaOptions{}); err == nil || !strings.Contains(err.Error(), "tracts.geojson: line 2: invalid UTF-8 (byte 0xFF") {
		t.Errorf("invalid UTF-8 in GeoJSON: %v", err)
	}
	// UTF-16 is full of NUL bytes: the first line is named, with the likely cause.
	utf16 := "o\x00r\x00i\x00g\x00i\x00n\x00\n\x00"
	if _, err := ReadCostMatrix(strings.NewReader(utf16), "od.csv"); err == nil || !strings.Contains(err.Error(), "od.csv: line 1: NUL byte at byte 2") || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16: %v", err)
	}
}

func TestDecimalComma(t *testing.T) {
	cols := map[string]string{"youth_pop": "youth", "poverty_pct": "pov"}
	read := func(body string, decimalComma bool) (map[string]float64, error) {
		values, err := ReadDemographics(strings.NewReader("GEOID,youth,pov\n"+body), "demo.csv", DemographicOptions{Columns: cols, DecimalComma: decimalComma})
		got := map[string]float64{}
		for _, v := range values {
			got[v.Variable] = v.Value
		}
		return got, err
	}
	// "12,5" used to be read as 125.
	_, err := read("29510101100,300,\"12,5\"\n", false)
	if err == nil || err.Error() != `demo.csv: line 2: column pov (poverty_pct): "12,5" has a decimal comma: write 12.5, or read the file with --decimal-comma` {
		t.Errorf("decimal comma without the option: %v", err)
	}
	// Thousands separators in whole groups of three stay readable.
	if got, err := read("29510101100,\"1,234\",12.5\n", false); err != nil || got["youth_pop"] != 1234 || got["poverty_pct"] != 12.5 {
		t.Errorf("thousands separator: %v %v", got, err)
	}
	if got, err := read("29510101100,\"1.234\",\"12,5\"\n", true); err != nil || got["youth_pop"] != 1234 || got["poverty_pct"] != 12.5 {
		t.Errorf("--decimal-comma: %v %v", got, err)
	}
	if _, err := read("29510101100,300,12.5\n", true); err == nil || !strings.Contains(err.Error(), `"12.5" has a decimal point, but --decimal-comma reads commas as decimal marks`) {
		t.Errorf("a decimal point under --decimal-comma: %v", err)
	}
	// Coordinates take no thousands separators: "-90,123" is a decimal comma, not -90123.
	_, err = ReadPrograms(strings.NewReader("id,lat,lng\np1,38.6,\"-90,123\"\n"), "programs.csv", ProgramOptions{})
	if err == nil || err.Error() != `programs.csv: line 2: program "p1": lng "-90,123" has a decimal comma: write -90.123, or read the file with --decimal-comma` {
		t.Errorf("decimal comma in a coordinate: %v", err)
	}
	ps, err := ReadPrograms(strings.NewReader("id,lat,lng,capacity\np1,\"38,6\",\"-90,2\",\"1.500\"\n"), "programs.csv", ProgramOptions{DecimalComma: true})
	if err != nil || ps[0].Location != [2]float64{-90.2, 38.6} || ps[0].Capacity != 1500 {
		t.Errorf("programs under --decimal-comma: %v %+v", err, ps)
	}
	for _, s := range []string{"0x1p4", "Inf", "1_000", "1e400", "12,5,0"} {
		if _, err := (numberFormat{}).parse(s, true); err == nil {
			t.Errorf("%q read as a number", s)
		}
	}
}

// A semicolon-separated export (a spreadsheet set to decimal commas) gets a hint, not only a list
// of the one column it seemed to have.
func TestSemicolonSeparatedHint(t *testing.T) {
	_, err := ReadDemographics(strings.NewReader("GEOID;youth\n29510101100;12,5\n"), "demo.csv", DemographicOptions{Columns: map[string]string{"youth_pop": "youth"}})
	if err == nil || !strings.Contains(err.Error(), "demo.csv: line 1: no column \"GEOID\"") || !strings.Contains(err.Error(), "separated by semicolons") {
		t.Errorf("semicolons: %v", err)
	}
}

// Labels keep their letters in every script: "Física" used to become f_sica and "数学" vanished.
func TestNormalizeLabelKeepsLetters(t *testing.T) {
	for in, want := range map[string]string{
		"Física":              "física",
		"Fi\u0301sica":        "física", // decomposed accent: the same label
		"数学":                  "数学",
		"Ｍａｔｈ":                "math",
		"Early STEM play":     "early_stem_play",
		"  science / tech  ":  "science_tech",
		"K-12":                "k_12",
		"Ciencias Económicas": "ciencias_económicas",
		"İstanbul":            "istanbul",
		"—":                   "",
	} {
		if got := NormalizeLabel(in); got != want {
			t.Errorf("NormalizeLabel(%q) = %q, want %q", in, got, want)
		}
		if got := NormalizeLabel(want); got != want {
			t.Errorf("NormalizeLabel is not stable on %q: %q", want, got)
		}
	}
	if got := NormalizeSetting("Después de clase"); got != "después_de_clase" {
		t.Errorf("a setting label lost its letters: %q", got)
	}
	labels, err := ParseContentAreas("Física; 数学;física")
	if err != nil || len(labels) != 2 || labels[0] != "física" || labels[1] != "数学" {
		t.Errorf("ParseContentAreas: %q %v", labels, err)
	}
}
