package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

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
