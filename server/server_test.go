package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/embedded"
)

// newTestServer serves a SYNTHETIC region (not real data) analysed into an embedded store.
func newTestServer(t *testing.T) (*httptest.Server, *data.Run) {
	t.Helper()
	store, run, _ := syntheticStore(t)
	return serveStore(t, store, Options{}), run
}

// serveStore serves a store with the given options and a quiet logger.
func serveStore(t *testing.T, store data.Store, opt Options) *httptest.Server {
	t.Helper()
	opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(New(store, opt))
	t.Cleanup(srv.Close)
	return srv
}

// syntheticStore analyses a SYNTHETIC region (not real data) into an embedded store and returns
// the store, the run and the inputs it read.
func syntheticStore(t testing.TB) (data.Store, *data.Run, analysis.Inputs) {
	t.Helper()
	store, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	areas := data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: "synthetic.geojson", SHA256: "00"}}
	demo := data.Ingest{Record: data.IngestRecord{Kind: data.KindDemographics, Source: "synthetic.csv", SHA256: "01", Variables: []string{"youth_pop"}}}
	progs := data.Ingest{Record: data.IngestRecord{Kind: data.KindPrograms, Source: "synthetic-programs.csv", SHA256: "02"}}
	for i := 0; i < 9; i++ {
		x, y := -90.25+0.02*float64(i%3), 38.60+0.02*float64(i/3)
		id := fmt.Sprintf("2951000%04d", i)
		areas.Areas = append(areas.Areas, data.Area{ID: id, LandKm2: 3, Ref: fmt.Sprintf("feature %d", i+1),
			Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.02, y}, {x + 0.02, y + 0.02}, {x, y + 0.02}, {x, y}}}}})
		demo.Demographics = append(demo.Demographics, data.DemographicValue{AreaID: id, Variable: "youth_pop", Value: float64(200 + r.IntN(500)), Ref: "line 2"})
	}
	for j := 0; j < 8; j++ {
		progs.Programs = append(progs.Programs, data.Program{ID: fmt.Sprintf("p%d", j), Name: "Synthetic", Source: "synthetic-programs.csv", Ref: "line 2",
			Location: orb.Point{-90.25 + 0.06*r.Float64(), 38.60 + 0.06*r.Float64()}, Capacity: 25, ContentAreas: []string{"math"},
			Setting: []string{"out_of_school", "in_school"}[j%2]})
	}
	ctx := context.Background()
	for _, in := range []data.Ingest{areas, demo, progs} {
		if err := store.Ingest(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	in := analysis.Inputs{Areas: areas.Areas, Demographics: demo.Demographics, Programs: progs.Programs}
	p := analysis.DefaultParams()
	p.MinPrograms = 0 // a handful of synthetic programs: judge them anyway
	run, err := analysis.Analyze(ctx, in, p, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveRun(ctx, run, &data.Inputs{Areas: areas.Areas, Demographics: demo.Demographics, Programs: progs.Programs}); err != nil {
		t.Fatal(err)
	}
	return store, run, in
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return do(t, http.MethodGet, url, header...)
}

func TestTileServedWithCachingHeaders(t *testing.T) {
	srv, run := newTestServer(t)
	tile := maptile.At(orb.Point{-90.22, 38.63}, 12)
	url := fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?content=math", srv.URL, tile.Z, tile.X, tile.Y)
	resp, body := get(t, url, "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if !strings.Contains(etag, run.ID) || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	layers, err := mvt.UnmarshalGzipped(body)
	if err != nil || len(layers) != 1 || len(layers[0].Features) == 0 {
		t.Fatalf("tile decodes to %v, %v", layers, err)
	}
	if resp, _ := get(t, url, "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", resp.StatusCode)
	}
	// A client that does not take gzip gets the plain tile.
	resp, plain := get(t, url)
	zr, _ := gzip.NewReader(bytes.NewReader(body))
	unzipped, _ := io.ReadAll(zr)
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain, unzipped) {
		t.Error("plain tile differs from the gunzipped one")
	}
	pinned, _ := get(t, url+"&run="+run.ID, "Accept-Encoding", "gzip")
	if !strings.Contains(pinned.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("a pinned run's tiles should be immutable: %q", pinned.Header.Get("Cache-Control"))
	}
}

func TestBadRequestsGetClearStatuses(t *testing.T) {
	srv, _ := newTestServer(t)
	cases := []struct {
		path   string
		status int
		says   string
	}{
		{"/tiles/cells/99/0/0.mvt", 400, "zoom 99"},
		{"/tiles/cells/3/9/0.mvt", 400, "0–7"},
		{"/tiles/cells/x/0/0.mvt", 400, "not an integer"},
		{"/tiles/roads/3/0/0.mvt", 404, "unknown layer"},
		{"/tiles/cells/3/0/0.mvt?content=astrology", 400, "math"},
		{"/tiles/cells/3/0/0.mvt?run=nope", 404, "nope"},
		{"/tiles/cells/3/0/0.mvt?run=../../etc", 400, "run id"},
		{"/api/tracts/00000000000", 404, "not in run"},
		{"/api/export/cells.xlsx", 404, "xlsx"},
		{"/api/export/cells.csv?content=astrology", 400, "astrology"},
		{"/tiles/cells/3/0/0.mvt?setting=in_school", 400, "out_of_school, all"},
		{"/tiles/programs.json?setting=online", 400, "out_of_school, all"},
		{"/api/export/tracts.csv?setting=work", 400, "out_of_school, all"},
		{"/api/export/programs.csv?setting=work", 400, "out_of_school, all"},
		{"/api/tracts/29510000004?setting=work", 400, "out_of_school, all"},
		{"/nowhere", 404, "not found"},
	}
	for _, c := range cases {
		resp, body := get(t, srv.URL+c.path)
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.says) {
			t.Errorf("%s: %d %s; want %d mentioning %q", c.path, resp.StatusCode, body, c.status, c.says)
		}
	}
	resp, err := http.Post(srv.URL+"/api/runs", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
}

func TestTileJSON(t *testing.T) {
	srv, run := newTestServer(t)
	resp, body := get(t, srv.URL+"/tiles/cells.json?content=math")
	var tj struct {
		TileJSON     string   `json:"tilejson"`
		Tiles        []string `json:"tiles"`
		Bounds       []float64
		VectorLayers []struct {
			ID     string
			Fields map[string]string
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(body, &tj); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if tj.TileJSON != "3.0.0" || !strings.HasPrefix(tj.Tiles[0], srv.URL+"/tiles/cells/{z}/{x}/{y}.mvt?") || tj.VectorLayers[0].ID != "cells" ||
		tj.VectorLayers[0].Fields["access"] == "" || tj.Bounds[0] > -90.25 || tj.Bounds[2] < -90.20 {
		t.Errorf("TileJSON %+v for run %s", tj, run.ID)
	}
}

func TestAPIAndExports(t *testing.T) {
	srv, run := newTestServer(t)
	resp, body := get(t, srv.URL+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(string(body), run.ID) {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/api/runs/latest")
	var summary struct {
		Run          string
		Params       map[string]any
		ContentAreas []struct{ Setting, Name string } `json:"content_area_summary"`
	}
	if err := json.Unmarshal(body, &summary); err != nil || summary.Run != run.ID || summary.Params["demand"] != "youth_pop" || len(summary.ContentAreas) != 4 ||
		summary.ContentAreas[0].Setting != "out_of_school" || summary.ContentAreas[3].Setting != "all" {
		t.Errorf("latest run: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/api/labels")
	var table struct {
		ContentAreas map[string]string `json:"content_areas"`
		Measures     map[string]struct {
			Label  string
			Format struct{ Style string }
		}
	}
	if err := json.Unmarshal(body, &table); err != nil || table.ContentAreas["math"] != "Math" ||
		table.Measures["access"].Label != "Access — seats per 1,000 youth" || table.Measures["demand"].Format.Style != "count" {
		t.Errorf("labels: %d %.300s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/api/export/cells.csv?content=math")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "h3,lat,lng,youth,nearest_km_math,count_math,e2sfca_math,gap_math,desert_math") ||
		!strings.Contains(resp.Header.Get("Link"), "cells-math-out_of_school-"+run.ID+".csv-metadata.json") {
		t.Errorf("cells CSV: %d %v %.200s", resp.StatusCode, resp.Header, body)
	}
	if n := strings.Count(string(body), "\n"); n != run.Cells.Len()+1 {
		t.Errorf("cells CSV has %d lines for %d cells", n, run.Cells.Len())
	}
	resp, body = get(t, srv.URL+"/api/export/cells.csv-metadata.json")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "http://www.w3.org/ns/csvw") {
		t.Errorf("CSV metadata: %d %.200s", resp.StatusCode, body)
	}
	id := run.Areas[4].ID
	resp, body = get(t, srv.URL+"/api/tracts/"+id)
	var report struct {
		Area         struct{ ID string }
		Figures      []struct{ Variable string }
		ContentAreas []struct{ Name, Reason string } `json:"content_areas"`
	}
	if err := json.Unmarshal(body, &report); err != nil || report.Area.ID != id || len(report.Figures) != 1 || report.ContentAreas[0].Reason == "" {
		t.Errorf("tract report: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/tracts/"+id)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "How this was computed") || !strings.Contains(string(body), run.ID) {
		t.Errorf("tract page: %d %.300s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), ">Mean to nearest (km)</th>") || !strings.Contains(string(body), "demand-weighted mean of the area's cells' costs to their nearest program") {
		t.Errorf("tract page does not say its nearest figure is a mean of its cells': %.2000s", body)
	}
	resp, body = get(t, srv.URL+"/api/runs/"+run.ID+"/equity")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "all youth") {
		t.Errorf("equity: %d %.300s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `stemgap_http_requests_total{method="GET",route="/api/tracts/{id}",status="2xx"} 1`) {
		t.Errorf("metrics: %s", body)
	}
}

func TestMapPageAndAssets(t *testing.T) {
	srv, _ := newTestServer(t)
	for path, want := range map[string]string{
		"/":                                     `<script type="module" src="/static/app.js?v=`,
		"/static/app.js":                        "/static/vendor/maplibre-gl.mjs",
		"/static/vendor/maplibre-gl.mjs":        "maplibre",
		"/static/vendor/maplibre-gl-worker.mjs": "",
		"/static/vendor/maplibre-gl.css":        ".maplibregl-map",
	} {
		resp, body := get(t, srv.URL+path)
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
}

func TestHealthWithoutRunIsStillOK(t *testing.T) {
	store, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz without runs: %d", resp.StatusCode)
	}
	if resp, body := get(t, srv.URL+"/api/labels"); resp.StatusCode != 200 || !strings.Contains(string(body), "Out-of-school") {
		t.Errorf("labels without runs: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, srv.URL+"/tiles/cells/0/0/0.mvt"); resp.StatusCode != 404 || !strings.Contains(string(body), "stemgap analyze") {
		t.Errorf("tile without runs: %d %s", resp.StatusCode, body)
	}
}
