package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

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
