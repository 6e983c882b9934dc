package data

import (
	"strings"
	"testing"
)

func settingsOf(t *testing.T, file string, opts ProgramOptions) map[string]string {
	t.Helper()
	programs, err := ReadPrograms(strings.NewReader(file), "sites.csv", opts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range programs {
		out[p.ID] = p.Setting
	}
	return out
}

const sites = "id,lat,lng,category,setting\n" +
	"s1,38.6,-90.2,k12_public_school,\n" +
	"s2,38.6,-90.2,Museum,\n" +
	"s3,38.6,-90.2,library,\n" +
	"s4,38.6,-90.2,,\n"

func TestSettingFromAValueMapping(t *testing.T) {
	got := settingsOf(t, sites, ProgramOptions{Columns: map[string]string{"setting": "category"},
		SettingValues: map[string]string{"k12_public_school": "in_school", "museum": "out_of_school", "Library": "out_of_school"},
		Setting:       "online"})
	want := map[string]string{"s1": "in_school", "s2": "out_of_school", "s3": "out_of_school", "s4": "online"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: setting %q, want %q", id, got[id], w)
		}
	}
	_, err := ReadPrograms(strings.NewReader(sites), "sites.csv", ProgramOptions{Columns: map[string]string{"setting": "category"},
		SettingValues: map[string]string{"k12_public_school": "in_school"}})
	wantError(t, err, "sites.csv: line 3", `setting "Museum" is not among the mapped values (k12_public_school)`)
}

func TestSettingForAWholeFile(t *testing.T) {
	// The file's own settings stand; the file-wide setting fills the empty ones.
	got := settingsOf(t, "id,lat,lng,setting\np1,41.8,-87.6,\np2,41.8,-87.6,in_school\n", ProgramOptions{Setting: "out_of_school"})
	if got["p1"] != "out_of_school" || got["p2"] != "in_school" {
		t.Errorf("settings %v", got)
	}
	// A file without a setting column, and GeoJSON points.
	if got := settingsOf(t, "id,lat,lng\np1,41.8,-87.6\n", ProgramOptions{Setting: "out_of_school"}); got["p1"] != "out_of_school" {
		t.Errorf("settings %v", got)
	}
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g1","kind":"Library"},"geometry":{"type":"Point","coordinates":[-90.2,38.6]}}]}`
	if got := settingsOf(t, geo, ProgramOptions{Columns: map[string]string{"setting": "kind"}, SettingValues: map[string]string{"library": "out_of_school"}}); got["g1"] != "out_of_school" {
		t.Errorf("GeoJSON settings %v", got)
	}
}
