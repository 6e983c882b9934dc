package region

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stemgap/data"
)

var shared = filepath.Join("..", "..", "..", "shared", "data")

func loadBuiltin(t *testing.T, name string) Loaded {
	t.Helper()
	l, err := LoadBuiltin(name, shared, time.Now())
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("shared data not beside the project: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBuiltinManifestsAreNamedForTheirFiles(t *testing.T) {
	names := Names()
	if strings.Join(names, ",") != "chicago,stlouis" {
		t.Errorf("built-in regions %v", names)
	}
	for _, n := range names {
		m, err := Builtin(n)
		if err != nil || m.Name != n || m.Title == "" {
			t.Errorf("%s: %+v %v", n, m, err)
		}
	}
	if _, err := Builtin("../region"); err == nil || !strings.Contains(err.Error(), "chicago, stlouis") {
		t.Errorf("unknown region: %v", err)
	}
}

// St. Louis: every tract has youth — Missouri's from the 2010 Census, Illinois's summed from
// the ACS B01001 file — and each learning site's setting comes from its type.
func TestStLouisInputs(t *testing.T) {
	l := loadBuiltin(t, "stlouis")
	if len(l.Areas) != 615 {
		t.Fatalf("%d areas", len(l.Areas))
	}
	youth := map[string]data.DemographicValue{}
	for _, v := range l.Demographics {
		if v.Variable == "youth_pop" {
			youth[v.AreaID] = v
		}
	}
	vintages := map[string]int{}
	illinois := 0.0
	for _, a := range l.Areas {
		y, ok := youth[a.ID]
		if !ok {
			t.Errorf("tract %s has no youth", a.ID)
			continue
		}
		state := a.ID[:2]
		vintages[state+" "+y.Vintage]++
		if state == "17" {
			illinois += y.Value
		}
	}
	if vintages["29 2010 Census via USDA Food Access Research Atlas 2015 (Missouri tracts)"] != 455 ||
		vintages["17 ACS 2010–2014 5-year, table B01001 (Illinois tracts)"] != 160 || len(vintages) != 2 {
		t.Errorf("youth vintages by state: %v", vintages)
	}
	if illinois != 162489 {
		t.Errorf("Illinois MSA youth %v; PROVENANCE.md says 162,489", illinois)
	}
	settings := map[string]int{}
	for _, p := range l.Programs {
		settings[p.Source+" "+p.Setting]++
	}
	// PROVENANCE.md: 861 public and 304 private schools; 141 libraries, 135 museums, 54 colleges;
	// 29 robotics teams.
	want := map[string]int{"msa_learning_sites.csv in_school": 1165, "msa_learning_sites.csv out_of_school": 330, "frc_teams_2026.csv out_of_school": 29}
	if len(settings) != len(want) {
		t.Errorf("settings %v", settings)
	}
	for k, n := range want {
		if settings[k] != n {
			t.Errorf("%s: %d programs, want %d", k, settings[k], n)
		}
	}
	if len(l.Records) != 5 {
		t.Errorf("%d ingest records, want one per file", len(l.Records))
	}
}

// Chicago: numeric geoids read as the 11-digit ids the youth file uses; every program is
// out-of-school, as the manifest sets it for the whole file.
func TestChicagoInputs(t *testing.T) {
	l := loadBuiltin(t, "chicago")
	if len(l.Areas) != 796 {
		t.Fatalf("%d areas", len(l.Areas))
	}
	youth := map[string]float64{}
	for _, v := range l.Demographics {
		if v.Variable == "youth_pop" {
			youth[v.AreaID] = v.Value
		}
	}
	for _, a := range l.Areas {
		if len(a.ID) != 11 || !strings.HasPrefix(a.ID, "17031") {
			t.Errorf("area id %q is not a Cook County tract GEOID", a.ID)
		}
		// The file names no county; the manifest names 17031, the only county code its GEOIDs hold.
		if a.County != "Cook County, IL" {
			t.Errorf("tract %s: county %q", a.ID, a.County)
		}
		if _, ok := youth[a.ID]; !ok {
			t.Errorf("tract %s has no youth", a.ID)
		}
	}
	stem := 0
	for _, p := range l.Programs {
		if p.Setting != "out_of_school" {
			t.Fatalf("program %s has setting %q", p.ID, p.Setting)
		}
		for _, c := range p.ContentAreas {
			if c == "science" || c == "math" || c == "computing" {
				stem++
				break
			}
		}
	}
	// PROVENANCE.md: 2,769 programs, 325 in science, math or computing.
	if len(l.Programs) != 2769 || stem != 325 {
		t.Errorf("%d programs, %d in science, math or computing", len(l.Programs), stem)
	}

	// Who lives in the tracts, from the tract file's own properties. The sums were taken from the
	// file outside stemgap: jq '[.features[].properties.n_black] | add' and the like over all 796
	// features (no property is null in these five; n_children_no_computer_and_broadband equals
	// n_children − n_children_computer_and_broadband in every feature).
	sums, vintages := map[string]float64{}, map[string]map[string]bool{}
	for _, v := range l.Demographics {
		sums[v.Variable] += v.Value
		if vintages[v.Variable] == nil {
			vintages[v.Variable] = map[string]bool{}
		}
		vintages[v.Variable][v.Vintage] = true
	}
	for variable, want := range map[string]float64{"total_pop": 2708837, "race_black_aic": 833690, "hispanic": 780136,
		"youth_in_households": 565123, "youth_no_computer_broadband": 82255} {
		if sums[variable] != want {
			t.Errorf("%s sums to %v over the tracts; the file's property sums to %v", variable, sums[variable], want)
		}
		if len(vintages[variable]) != 1 || !vintages[variable]["ACS 2015–2019 5-year (profile DP05, table B28005), via the neighborhood_broadband repository"] {
			t.Errorf("%s vintages %v", variable, vintages[variable])
		}
	}
	// The youth stay ACS 2010–2014: PROVENANCE.md's under18 total is over 806 tracts, so check
	// their vintage, not their sum.
	if len(vintages["youth_pop"]) != 1 || !vintages["youth_pop"]["ACS 2010–2014 5-year, table B01001"] {
		t.Errorf("youth_pop vintages %v", vintages["youth_pop"])
	}
}

func TestManifestErrorsNameTheField(t *testing.T) {
	cases := []struct{ name, manifest string }{
		{"unknown field", `{"name":"x","areas":{"file":"a"},"demographics":[{"file":"d","colums":{}}],"programs":[{"file":"p"}]}`},
		{"misplaced", `{"name":"x","areas":{"file":"a","merge":true,"setting":"online"},"demographics":[{"file":"d"}],"programs":[{"file":"p"}]}`},
		{"bad name", `{"name":"St Louis","areas":{"file":"a"},"demographics":[{"file":"d"}],"programs":[{"file":"p"}]}`},
		{"no programs", `{"name":"x","areas":{"file":"a"},"demographics":[{"file":"d"}]}`},
		{"same source", `{"name":"x","areas":{"file":"a"},"demographics":[{"file":"d"}],"programs":[{"file":"one/p.csv"},{"file":"two/p.csv"}]}`},
		{"syntax", "{\"name\":\"x\",\n\"areas\":{\"file\":\"a\"},,}"},
		{"county code", `{"name":"x","areas":{"file":"a","counties":{"17-031":"Cook County, IL"}},"demographics":[{"file":"d","counties":{"17031":"Cook"}}],"programs":[{"file":"p"}]}`},
	}
	want := map[string][]string{
		"unknown field": {"my.json", `unknown field "colums"`},
		"misplaced":     {"my.json: areas: merge, setting do not apply to tracts"},
		"bad name":      {"my.json: name:", "lower-case"},
		"no programs":   {"my.json: programs: a region needs at least one programs file"},
		"same source":   {"my.json: programs[1]", `source "p.csv" is also programs[0]'s`},
		"syntax":        {"my.json: line 2", "invalid JSON"},
		"county code":   {"my.json: areas: counties:", `"17-031"`, "five-digit", "my.json: demographics[0]: counties do not apply to demographics"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.manifest), "my.json")
		for _, part := range want[c.name] {
			if err == nil || !strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %v does not say %q", c.name, err, part)
			}
		}
	}
}

func TestFilesResolveAgainstTheBase(t *testing.T) {
	m, err := Parse([]byte(`{"name":"mine","areas":{"file":"tracts/a.geojson","id_field":"ZCTA"},
		"demographics":[{"file":"/abs/d.csv","merge":true,"columns":{"youth_pop":"sum(A,B)"}}],
		"programs":[{"file":"p.csv","setting":"out_of_school"}]}`), "mine.json")
	if err != nil {
		t.Fatal(err)
	}
	files := m.Files(filepath.Join("base", "dir"))
	if len(files) != 3 || files[0].Path != filepath.Join("base", "dir", "tracts", "a.geojson") || files[0].Options.IDField != "ZCTA" ||
		files[1].Path != "/abs/d.csv" || !files[1].Options.Merge || files[1].Options.Columns["youth_pop"] != "sum(A,B)" ||
		files[2].Kind != data.KindPrograms || files[2].Options.Setting != "out_of_school" {
		t.Errorf("files %+v", files)
	}
}
