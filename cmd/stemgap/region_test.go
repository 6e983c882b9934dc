package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data/embedded"
	"stemgap/geo"
)

// readCSVRows reads a whole CSV file, header first.
func readCSVRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// readCSV reads a whole CSV file into maps keyed by its header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	rows := readCSVRows(t, path)
	out := make([]map[string]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// The Chicago demo runs end to end on the City of Learning catalogue, and its cell figures agree
// with a brute-force computation from the raw files: every cell's nearest science program and
// the science programs within the catchment, every desert flag from those and the regional
// mean, and the youth of the city's tracts, all present and conserved.
func TestChicagoDemo(t *testing.T) {
	chicago := filepath.Join(inputs, "chicago")
	if _, err := os.Stat(filepath.Join(chicago, "programs_ccl2014.csv")); err != nil {
		t.Skipf("Chicago data not beside the project: %v", err)
	}
	dir := t.TempDir()
	code, out, errs := stemgap(t, context.Background(), "demo", "--region", "chicago", "--no-serve", "--inputs", inputs, "--data-dir", dir)
	if code != 0 {
		t.Fatalf("demo --region chicago exited %d: %s", code, errs)
	}
	if strings.Contains(out, "no figure for youth_pop") || strings.Contains(out, "mixes vintages") {
		t.Errorf("every Chicago tract has ACS 2010–2014 youth:\n%s", out)
	}
	cellsPath := filepath.Join(t.TempDir(), "cells.csv")
	if code, _, errs := stemgap(t, context.Background(), "export", "csv", "--layer", "cells", "-o", cellsPath, "--data-dir", dir); code != 0 {
		t.Fatalf("export exited %d: %s", code, errs)
	}
	cells := readCSV(t, cellsPath)

	// Science programs straight from the catalogue.
	var science []orb.Point
	for _, p := range readCSV(t, filepath.Join(chicago, "programs_ccl2014.csv")) {
		if strings.Contains(";"+p["content_areas"]+";", ";science;") {
			science = append(science, orb.Point{number(t, p["lng"]), number(t, p["lat"])})
		}
	}
	if len(science) != 274 {
		t.Fatalf("%d science programs in the catalogue", len(science))
	}
	const catchment, urbanKm, ruralKm = 8.0, 1.609344, 16.09344
	youth, weighted := 0.0, 0.0
	for _, c := range cells {
		y := number(t, c["youth"])
		youth += y
		weighted += y * number(t, c["e2sfca_science"])
	}
	mean := weighted / youth
	deserts := 0
	for i, c := range cells {
		at := orb.Point{number(t, c["lng"]), number(t, c["lat"])}
		nearest, count := math.Inf(1), 0
		for _, p := range science {
			d := geo.DistanceKm(at, p)
			nearest = math.Min(nearest, d)
			if d <= catchment {
				count++
			}
		}
		if got := number(t, c["nearest_km_science"]); math.Abs(got-nearest) > 1e-9 {
			t.Fatalf("cell %s: nearest science program %v km, brute force %v", c["h3"], got, nearest)
		}
		if got := number(t, c["count_science"]); got != float64(count) {
			t.Fatalf("cell %s: %v science programs within %v km, brute force %d", c["h3"], got, catchment, count)
		}
		limit := ruralKm
		if c["urban"] == "true" {
			limit = urbanKm
		}
		// Where no young person lives there is no desert (METHOD.md §7).
		desert := number(t, c["youth"]) > 0 && (nearest > limit || number(t, c["e2sfca_science"]) < 0.5*mean)
		if (c["desert_science"] == "true") != desert {
			t.Fatalf("cell %d (%s): desert %s; nearest %v km (limit %v), access %v against half the mean %v",
				i, c["h3"], c["desert_science"], nearest, limit, c["e2sfca_science"], mean/2)
		}
		if desert {
			deserts++
		}
	}
	if deserts == 0 || deserts == len(cells) {
		t.Errorf("%d of %d cells are science deserts: the check above compared nothing of interest", deserts, len(cells))
	}

	// Youth: the tract file's under-18 count of every tract with a polygon, all of it allocated.
	var fc struct {
		Features []struct {
			Properties struct {
				GEOID      json.Number `json:"geoid"`
				Black      float64     `json:"n_black"`
				Hispanic   float64     `json:"n_hispanic"`
				Population float64     `json:"population"`
			} `json:"properties"`
		} `json:"features"`
	}
	raw, err := os.ReadFile(filepath.Join(chicago, "tracts_2010_acs2019.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	polygons := map[string]bool{}
	for _, f := range fc.Features {
		polygons[f.Properties.GEOID.String()] = true
	}
	want := 0.0
	for _, r := range readCSV(t, filepath.Join(chicago, "tract_youth_acs2014.csv")) {
		if polygons[r["GEOID"]] {
			want += number(t, r["under18"])
			delete(polygons, r["GEOID"])
		}
	}
	if len(polygons) != 0 {
		t.Errorf("%d tract polygons have no youth row", len(polygons))
	}
	if math.Abs(youth-want) > 1e-6*want {
		t.Errorf("cells hold %v youth; the city's tracts %v", youth, want)
	}

	// Who lives in the science gaps, by race, from the raw tract file and each tract's share of
	// youth in desert cells (METHOD.md §9: share = Σ g·f / Σ g; a tract without youth has no
	// desert cell, f = 0), against the equity export.
	tractsPath := filepath.Join(t.TempDir(), "tracts.csv")
	if code, _, errs := stemgap(t, context.Background(), "export", "csv", "--layer", "tracts", "--content", "science", "-o", tractsPath, "--data-dir", dir); code != 0 {
		t.Fatalf("export tracts exited %d: %s", code, errs)
	}
	desertShare := map[string]float64{}
	for _, r := range readCSV(t, tractsPath) {
		if r["desert_share_science"] != "" {
			desertShare[r["id"]] = number(t, r["desert_share_science"])
		}
	}
	var black, blackIn, hispanic, hispanicIn, everyone, everyoneIn float64
	for _, f := range fc.Features {
		p, share := f.Properties, desertShare[f.Properties.GEOID.String()]
		black, blackIn = black+p.Black, blackIn+p.Black*share
		hispanic, hispanicIn = hispanic+p.Hispanic, hispanicIn+p.Hispanic*share
		everyone, everyoneIn = everyone+p.Population, everyoneIn+p.Population*share
	}
	equityPath := filepath.Join(t.TempDir(), "equity.csv")
	if code, _, errs := stemgap(t, context.Background(), "export", "csv", "--layer", "equity", "-o", equityPath, "--data-dir", dir); code != 0 {
		t.Fatalf("export equity exited %d: %s", code, errs)
	}
	found := 0
	for _, r := range readCSV(t, equityPath) {
		if r["setting"] != "out_of_school" || r["content_area"] != "science" {
			continue
		}
		for variable, w := range map[string][2]float64{"race_black_aic": {blackIn / black, everyoneIn / everyone}, "hispanic": {hispanicIn / hispanic, everyoneIn / everyone}} {
			if r["variable"] != variable {
				continue
			}
			found++
			if got, ref := number(t, r["share"]), number(t, r["region_share"]); math.Abs(got-w[0]) > 1e-9 || math.Abs(ref-w[1]) > 1e-9 {
				t.Errorf("%s in science deserts: %v against %v; from the raw file %v against %v", variable, got, ref, w[0], w[1])
			}
		}
	}
	if found != 2 {
		t.Errorf("the equity export has %d of the two race rows for out-of-school science", found)
	}

	// Tracts are named with the county the manifest gives for their FIPS code.
	code, out, errs = stemgap(t, context.Background(), "report", "tract", "17031430700", "--format", "json", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, `"title": "Census Tract 4307, Cook County, IL"`) {
		t.Errorf("report tract exited %d (%s): %.300s", code, errs, out)
	}
}

func TestDemoRegionFlags(t *testing.T) {
	ctx := context.Background()
	code, _, errs := stemgap(t, ctx, "demo", "--region", "chicago", "--manifest", "x.json", "--no-serve")
	if code != 2 || !strings.Contains(errs, "--region or --manifest, not both") {
		t.Errorf("both flags: exit %d %s", code, errs)
	}
	code, _, errs = stemgap(t, ctx, "demo", "--region", "springfield", "--no-serve", "--data-dir", t.TempDir())
	if code != 1 || !strings.Contains(errs, `unknown region "springfield" (built in: chicago, stlouis`) {
		t.Errorf("unknown region: exit %d %s", code, errs)
	}
	code, _, errs = stemgap(t, ctx, "demo", "--region", "chicago", "--no-serve", "--inputs", t.TempDir(), "--data-dir", t.TempDir())
	if code != 1 || !strings.Contains(errs, "Chicago data not found under") {
		t.Errorf("no data: exit %d %s", code, errs)
	}
}

// A user's own region: a manifest beside SYNTHETIC files (not real data), paths relative to
// it, a value mapping for the setting, a merged second demographics file and a parameter
// override. Its store defaults to stemgap-data-NAME, and a store holding it refuses another
// region's demo.
func TestDemoWithAUserManifest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	square := func(id string, x, y float64) string {
		return fmt.Sprintf(`{"type":"Feature","properties":{"zone":%s},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			id, x, y, x+0.02, y, x+0.02, y+0.02, x, y+0.02, x, y)
	}
	write("areas/zones.geojson", `{"type":"FeatureCollection","features":[`+square("101", -90.3, 38.6)+`,`+square("102", -90.28, 38.6)+`]}`)
	write("east.csv", "zone,kids_e,kids_m\n101,400,20\n")
	write("west.csv", "zone,boys,girls\n102,150,170\n")
	write("sites.csv", "id,lat,lng,kind,content_areas\ns1,38.61,-90.29,School,math\ns2,38.61,-90.27,Club,math;science\n")
	write("mine.json", `{"name":"synthetic-town","title":"Synthetic Town",
		"areas":{"file":"areas/zones.geojson","id_field":"zone"},
		"demographics":[{"file":"east.csv","id_field":"zone","columns":{"youth_pop":"kids_e"},"vintage":"SYNTHETIC 2020"},
			{"file":"west.csv","id_field":"zone","merge":true,"columns":{"youth_pop":"sum(boys,girls)"},"vintage":"SYNTHETIC 2015"}],
		"programs":[{"file":"sites.csv","columns":{"setting":"kind"},"setting_values":{"school":"in_school","club":"out_of_school"}}],
		"params":{"resolution":8}}`)
	shared, err := filepath.Abs(inputs)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	code, out, errs := stemgap(t, context.Background(), "demo", "--manifest", filepath.Join(dir, "mine.json"), "--no-serve")
	if code != 0 {
		t.Fatalf("demo --manifest exited %d: %s", code, errs)
	}
	if !strings.Contains(out, "H3 resolution 8") || !strings.Contains(out, "youth_pop mixes vintages: 1 areas from SYNTHETIC 2015; 1 areas from SYNTHETIC 2020") {
		t.Errorf("summary:\n%s", out)
	}
	store := "stemgap-data-synthetic-town"
	path := filepath.Join(t.TempDir(), "programs.csv")
	if code, _, errs := stemgap(t, context.Background(), "export", "csv", "--layer", "tracts", "--content", "all", "-o", path, "--data-dir", store); code != 0 {
		t.Fatalf("export from %s: exit %d %s", store, code, errs)
	}
	demand := map[string]string{}
	for _, r := range readCSV(t, path) {
		demand[r["id"]] = r["demand"]
	}
	if demand["101"] != "400" || demand["102"] != "320" {
		t.Errorf("tract demand %v; want 400 and 150+170", demand)
	}
	if _, err := os.Stat(filepath.Join(shared, "stl")); err != nil {
		t.Skipf("St. Louis data not beside the project: %v", err)
	}
	code, _, errs = stemgap(t, context.Background(), "demo", "--no-serve", "--inputs", shared, "--data-dir", store)
	if code != 1 || !strings.Contains(errs, "not St. Louis MSA's (demographics east.csv, demographics west.csv, programs sites.csv)") {
		t.Errorf("another region's demo into the same store: exit %d %s", code, errs)
	}
}

// The ingest flags behind the manifests' merge and setting fields, on SYNTHETIC files.
func TestIngestMergeAndSettingFlags(t *testing.T) {
	dir, store := t.TempDir(), t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ctx := context.Background()
	east := write("east.csv", "zone,kids\nA,10\nB,20\n")
	west := write("west.csv", "zone,HD01_VD03,HD02_VD03,HD01_VD27,HD02_VD27\nB,5,3,6,4\nC,7,0,8,0\n")
	sites := write("sites.csv", "id,lat,lng,type,setting\np1,38.6,-90.2,School,\np2,38.6,-90.2,museum,\n")
	camps := write("camps.csv", "id,lat,lng\nc1,38.6,-90.2\n")
	for _, args := range [][]string{
		{"ingest", "demographics", east, "--id-field", "zone", "--column", "youth_pop=kids"},
		{"ingest", "demographics", west, "--id-field", "zone", "--column", "youth_pop=sum(HD01_VD03,HD01_VD27)", "--merge"},
		{"ingest", "programs", sites, "--column", "setting=type", "--setting-value", "school=in_school", "--setting-value", "Museum=out_of_school"},
		{"ingest", "programs", camps, "--setting", "out_of_school"},
	} {
		if code, _, errs := stemgap(t, ctx, append(args, "--data-dir", store)...); code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errs)
		}
	}
	s, err := embedded.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	values, _ := s.Demographics(ctx)
	youth := map[string]string{}
	for _, v := range values {
		youth[v.AreaID] = fmt.Sprintf("%g±%g", v.Value, v.MOE)
	}
	// A keeps east.csv's figure; B and C take west.csv's sums, margins √(3²+4²) and 0.
	if fmt.Sprint(youth) != "map[A:10±NaN B:11±5 C:15±0]" {
		t.Errorf("youth after a merged load: %v", youth)
	}
	programs, _ := s.Programs(ctx)
	settings := map[string]string{}
	for _, p := range programs {
		settings[p.ID] = p.Setting
	}
	if fmt.Sprint(settings) != "map[c1:out_of_school p1:in_school p2:out_of_school]" {
		t.Errorf("settings %v", settings)
	}
	if code, _, errs := stemgap(t, ctx, "ingest", "programs", camps, "--merge", "--data-dir", store); code != 2 || !strings.Contains(errs, "--merge applies to demographics only") {
		t.Errorf("--merge on programs: exit %d %s", code, errs)
	}
	if code, _, errs := stemgap(t, ctx, "ingest", "programs", sites, "--column", "setting=type", "--setting-value", "school=in_school", "--data-dir", store); code != 1 ||
		!strings.Contains(errs, `sites.csv: line 3: setting "museum" is not among the mapped values (school)`) {
		t.Errorf("an unmapped setting: exit %d %s", code, errs)
	}
}
