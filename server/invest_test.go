package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/analysis"
	"stemgap/data"
)

// The recommendations the API serves are the model's, in JSON, GeoJSON and CSV with the run's
// provenance; bad parameters are 400s that name the parameter.
func TestRecommendationsAPI(t *testing.T) {
	store, run, in := syntheticStore(t)
	srv := serveStore(t, store, Options{})
	m, err := analysis.NewModel(context.Background(), run, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs})
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Recommend(context.Background(), analysis.RecommendRequest{Setting: "all", Content: "math", Capacity: 30, Count: 2, CellResolution: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Sites) != 2 {
		t.Fatalf("the model recommends %d sites, want 2", len(want.Sites))
	}
	const query = "/api/recommendations?setting=all&content=math&capacity=30&count=2&cell_res=8"
	resp, body := get(t, srv.URL+query)
	var got struct {
		Provenance      struct{ Run string }
		Recommendations data.Recommendations
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	if got.Provenance.Run != run.ID || len(got.Recommendations.Sites) != 2 {
		t.Fatalf("run %s, %d sites", got.Provenance.Run, len(got.Recommendations.Sites))
	}
	for k, s := range got.Recommendations.Sites {
		w := want.Sites[k]
		if s.Site.ID != w.Site.ID || s.UnmetClosed != w.UnmetClosed || s.Reason != w.Reason {
			t.Errorf("site %d: served %s closing %v, the model %s closing %v", k+1, s.Site.ID, s.UnmetClosed, w.Site.ID, w.UnmetClosed)
		}
	}

	resp, body = get(t, srv.URL+query+"&format=geojson")
	var fc struct {
		Type    string
		Stemgap struct {
			Run             string
			Recommendations struct{ Capacity float64 }
		}
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(body, &fc); err != nil || fc.Type != "FeatureCollection" || fc.Stemgap.Run != run.ID || fc.Stemgap.Recommendations.Capacity != 30 || len(fc.Features) != 2 {
		t.Fatalf("GeoJSON: %d %.400s", resp.StatusCode, body)
	}
	if f := fc.Features[0]; f.Properties["site_id"] != want.Sites[0].Site.ID || f.Geometry.Coordinates[0] != want.Sites[0].Lng || f.Properties["reason"] != want.Sites[0].Reason {
		t.Errorf("first feature %+v", f)
	}

	resp, body = get(t, srv.URL+query+"&format=csv")
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "rank" || rows[1][1] != want.Sites[0].Site.ID || !strings.Contains(resp.Header.Get("Link"), "format=csv-metadata") {
		t.Fatalf("CSV: %d %v %.300s", resp.StatusCode, resp.Header, body)
	}
	resp, body = get(t, srv.URL+query+"&format=csv-metadata")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "http://www.w3.org/ns/csvw") || !strings.Contains(string(body), run.ID) {
		t.Errorf("CSV metadata: %d %.300s", resp.StatusCode, body)
	}

	for _, c := range []struct{ query, says string }{
		{"?setting=all", "content is required"},
		{"?content=math&count=0", "count"},
		{"?content=math&count=many", "count"},
		{"?content=math&capacity=-3", "capacity"},
		{"?content=math&cell_res=12", "resolution"},
		{"?content=math&candidates=anywhere", "candidates"},
		{"?content=astrology", "astrology"},
		{"?content=math&format=xlsx", "format"},
	} {
		resp, body := get(t, srv.URL+"/api/recommendations"+c.query)
		if resp.StatusCode != 400 || !strings.Contains(string(body), c.says) {
			t.Errorf("%s: %d %s; want 400 naming %q", c.query, resp.StatusCode, body, c.says)
		}
	}
}

// A comparison through the API: a run with itself is all zeros; with a run of fewer programs,
// access rose where the API says and its tiles carry the changes; bad parameters are 400s.
func TestCompareAPI(t *testing.T) {
	store, run, in := syntheticStore(t)
	fewer := in
	fewer.Programs = in.Programs[:5]
	// Another program file, so another run id.
	fewer.Records = []data.IngestRecord{{Kind: data.KindPrograms, Source: "synthetic-programs.csv", SHA256: "02-fewer", Rows: 5}}
	p := analysis.DefaultParams()
	p.MinPrograms = 0
	before, err := analysis.Analyze(context.Background(), fewer, p, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRun(context.Background(), before, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: fewer.Programs}); err != nil {
		t.Fatal(err)
	}
	srv := serveStore(t, store, Options{})

	type comparison struct {
		Comparison data.Comparison
		Tiles      string
	}
	var self comparison
	resp, body := get(t, srv.URL+"/api/compare?a="+run.ID+"&b="+run.ID+"&setting=all")
	if err := json.Unmarshal(body, &self); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	for _, s := range self.Comparison.Series {
		if s.CellsRose+s.CellsFell != 0 || s.NewlyInReach != 0 {
			t.Errorf("a run compared with itself moved: %+v", s)
		}
	}
	if len(self.Comparison.Differences) != 0 {
		t.Errorf("a run differs from itself: %q", self.Comparison.Differences)
	}

	var c comparison
	resp, body = get(t, srv.URL+"/api/compare?a="+before.ID+"&b="+run.ID+"&setting=all&content=math")
	if err := json.Unmarshal(body, &c); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %.300s", resp.StatusCode, body)
	}
	want, err := analysis.Compare(before, run, analysis.CompareOptions{Setting: "all", Content: "math"})
	if err != nil {
		t.Fatal(err)
	}
	k := run.SeriesIndex("all", "math")
	var served data.SeriesChange
	for _, s := range c.Comparison.Series {
		if s.Setting == "all" && s.Name == "math" {
			served = s
		}
	}
	if served.CellsRose == 0 || served.CellsRose != want.Series[k].CellsRose || !strings.Contains(c.Tiles, "run=cmp-"+before.ID+"-"+run.ID) {
		t.Fatalf("served %+v, tiles %q; want %d cells risen", served, c.Tiles, want.Series[k].CellsRose)
	}

	// The delta tiles hold B − A of access.
	cell := -1
	for i := range run.Cells.H3 {
		if run.Cells.Measures[k].Access[i]-before.Cells.Measures[k].Access[i] > 1e-6 {
			cell = i
			break
		}
	}
	tile := maptile.At(orb.Point{run.Cells.Lng[cell], run.Cells.Lat[cell]}, 15)
	resp, body = get(t, fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?run=cmp-%s-%s&setting=all&content=math", srv.URL, tile.Z, tile.X, tile.Y, before.ID, run.ID), "Accept-Encoding", "gzip")
	layers, err := mvt.UnmarshalGzipped(body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("delta tile: %d %v", resp.StatusCode, err)
	}
	found := false
	for _, f := range layers[0].Features {
		if f.Properties["h3"] == run.Cells.H3[cell].String() {
			found = true
			want := run.Cells.Measures[k].Access[cell] - before.Cells.Measures[k].Access[cell]
			if got, _ := f.Properties["access"].(float64); math.Abs(got-want) > 1e-6*math.Max(1, want) {
				t.Errorf("delta tile: access %v, want %v", f.Properties["access"], want)
			}
		}
	}
	if !found {
		t.Errorf("cell %s not in its tile", run.Cells.H3[cell])
	}

	resp, body = get(t, srv.URL+"/api/compare?a="+before.ID+"&b="+run.ID+"&format=csv&layer=series")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "setting,content,programs_a,programs_b") || !strings.Contains(resp.Header.Get("Link"), "csv-metadata") {
		t.Errorf("series CSV: %d %.200s", resp.StatusCode, body)
	}
	for _, bad := range []struct{ query, says string }{
		{"?b=" + run.ID, "a is required"},
		{"?a=" + before.ID + "&format=pdf", "format"},
		{"?a=" + before.ID + "&format=csv&layer=streets", "layer"},
		{"?a=nosuchrun", "nosuchrun"},
		{"?a=" + before.ID + "&content=astrology", "astrology"},
	} {
		resp, body := get(t, srv.URL+"/api/compare"+bad.query)
		if resp.StatusCode/100 != 4 || !strings.Contains(string(body), bad.says) {
			t.Errorf("%s: %d %s; want a 4xx naming %q", bad.query, resp.StatusCode, body, bad.says)
		}
	}
}

// A funder's what-if through the API: posting needs the bearer token; a bad body is a 400 naming
// the field; the scenario's tiles show the new program and its delta tiles the access it adds;
// it can be read back, deleted, and it expires.
func TestScenariosAPI(t *testing.T) {
	store, run, _ := syntheticStore(t)
	const token = "a-token-of-sixteen-bytes-or-more"
	srv := serveStore(t, store, Options{Token: token})
	post := func(body string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/scenarios", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	auth := []string{"Authorization", "Bearer " + token}
	const body = `{"add": [{"name": "New math club", "lat": 38.625, "lng": -90.215, "content_areas": ["math"], "setting": "out_of_school", "capacity": 40}]}`
	if resp, _ := post(body); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := post(body, "Authorization", "Bearer wrong-token-wrong-token"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", resp.StatusCode)
	}
	for _, bad := range []struct{ body, says string }{
		{`{"add": [{"lng": -90.2, "content_areas": ["math"]}]}`, "add[0].lat is required"},
		{`{"add": [{"lat": "north", "lng": -90.2}]}`, "add.lat"},
		{`{"add": [{"lat": 38.6, "lng": -90.2, "content_areas": ["astrology"]}]}`, "add[0].content_areas"},
		{`{"remove": ["nope"]}`, "remove[0]"},
		{`{"resize": [{"id": "p1", "capacity": -4}]}`, "resize[0].capacity"},
		{`{"ad": []}`, `unknown field`},
		{`{}`, "changes nothing"},
		{`{"add": [`, "body"},
	} {
		resp, b := post(bad.body, auth...)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), bad.says) {
			t.Errorf("%s: %d %s; want 400 naming %q", bad.body, resp.StatusCode, b, bad.says)
		}
	}

	resp, b := post(body, auth...)
	var got struct {
		ID, Baseline string
		Cells        int `json:"cells_recomputed"`
		Changes      []data.SeriesChange
		Tiles        map[string]string
	}
	if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != "/api/scenarios/"+got.ID {
		t.Fatalf("post: %d %v %.300s", resp.StatusCode, resp.Header, b)
	}
	if !analysis.IsScenarioID(got.ID) || got.Baseline != run.ID || got.Cells == 0 || len(got.Changes) != 4 {
		t.Fatalf("scenario %+v", got)
	}
	for _, c := range got.Changes {
		if c.ProgramsB != c.ProgramsA+1 || c.CellsRose == 0 || c.CellsFell != 0 {
			t.Errorf("series %s/%s: %+v", c.Setting, c.Name, c)
		}
	}
	if resp, b := get(t, srv.URL+"/api/scenarios/"+got.ID); resp.StatusCode != 200 || !strings.Contains(string(b), got.ID) {
		t.Errorf("read back: %d %.200s", resp.StatusCode, b)
	}

	tile := maptile.At(orb.Point{-90.215, 38.625}, 14)
	at := fmt.Sprintf("/%d/%d/%d.mvt", tile.Z, tile.X, tile.Y)
	resp, b = get(t, srv.URL+"/tiles/programs"+at+"?setting=out_of_school&content=math&run="+got.ID, "Accept-Encoding", "gzip")
	layers, err := mvt.UnmarshalGzipped(b)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scenario programs tile: %d %v", resp.StatusCode, err)
	}
	newProgram := false
	for _, f := range layers[0].Features {
		newProgram = newProgram || f.Properties["name"] == "New math club"
	}
	if !newProgram {
		t.Error("the scenario's programs tile lacks the new program")
	}
	resp, b = get(t, srv.URL+"/tiles/cells"+at+"?setting=out_of_school&content=math&run="+analysis.DeltaID(run.ID, got.ID), "Accept-Encoding", "gzip")
	if layers, err = mvt.UnmarshalGzipped(b); err != nil || resp.StatusCode != 200 {
		t.Fatalf("delta tile: %d %v", resp.StatusCode, err)
	}
	rose := 0
	for _, f := range layers[0].Features {
		if v, _ := f.Properties["access"].(float64); v > 0 {
			rose++
		}
	}
	if rose == 0 {
		t.Error("the delta tile at the new program shows no cell whose access rose")
	}

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/scenarios/"+got.ID, nil)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("delete without a token: %d, want 401", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", resp.StatusCode)
	}
	for _, path := range []string{"/api/scenarios/" + got.ID, "/tiles/cells" + at + "?run=" + got.ID, "/tiles/cells" + at + "?run=" + analysis.DeltaID(run.ID, got.ID)} {
		if resp, _ := get(t, srv.URL+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s after delete: %d, want 404", path, resp.StatusCode)
		}
	}
}

// A scenario is forgotten once its time is past, and the oldest goes when too many are kept.
func TestScenariosExpire(t *testing.T) {
	var st scenarioStore
	now := time.Now()
	for n := range MaxScenarios + 1 {
		st.put(&storedScenario{result: &analysis.ScenarioResult{Run: &data.Run{RunInfo: data.RunInfo{ID: fmt.Sprintf("sc-%d", n)}}},
			posted: now.Add(time.Duration(n) * time.Second), expires: now.Add(ScenarioTTL)})
	}
	if _, ok := st.get("sc-0", now); ok {
		t.Error("the oldest scenario is kept beyond the limit")
	}
	if _, ok := st.get("sc-1", now.Add(ScenarioTTL-time.Second)); !ok {
		t.Error("a scenario is gone before its time")
	}
	if _, ok := st.get("sc-1", now.Add(ScenarioTTL+time.Second)); ok {
		t.Error("a scenario outlives its time")
	}
}

// Without a token, writing is off: 403.
func TestScenariosNeedAServerToken(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, err := http.Post(srv.URL+"/api/scenarios", "application/json", strings.NewReader(`{"remove": ["p1"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
}
