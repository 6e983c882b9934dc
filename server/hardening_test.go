package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"stemgap/analysis"
	"stemgap/data"
)

// do sends a request as a client that decompresses nothing: the transport would otherwise ask
// for gzip and undo it behind the test's back.
func do(t *testing.T, method, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tilePath(layer string) string {
	tile := maptile.At(orb.Point{-90.22, 38.63}, 12)
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt?content=math", layer, tile.Z, tile.X, tile.Y)
}

// Defect 9: HEAD got 405 everywhere, /healthz included. HEAD must answer as GET does, without a
// body.
func TestHeadAnswersWhereverGetDoes(t *testing.T) {
	srv, run := newTestServer(t)
	for _, path := range []string{"/healthz", "/", "/static/app.js", "/api/runs", "/api/runs/latest", "/tiles/cells.json",
		tilePath("cells"), "/api/tracts/" + run.Areas[0].ID, "/tracts/" + run.Areas[0].ID, "/metrics", "/nowhere"} {
		get, _ := do(t, http.MethodGet, srv.URL+path)
		head, body := do(t, http.MethodHead, srv.URL+path)
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q with %d body bytes; GET: %d %q", path, head.StatusCode, head.Header.Get("Content-Type"), len(body),
				get.StatusCode, get.Header.Get("Content-Type"))
		}
		if path != "/nowhere" && head.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %d", path, head.StatusCode)
		}
	}
}

// Defect 9: /static/ listed the embedded folders.
func TestStaticFoldersAreNotListed(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, path := range []string{"/static/", "/static/vendor/", "/static/vendor", "/static/.", "/static/nothing.js"} {
		resp, body := do(t, http.MethodGet, srv.URL+path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "<a href") {
			t.Errorf("%s: %d %.120s; want 404 without a listing", path, resp.StatusCode, body)
		}
	}
	if resp, _ := do(t, http.MethodGet, srv.URL+"/static/vendor/maplibre-gl.css"); resp.StatusCode != http.StatusOK {
		t.Errorf("a file under a folder: %d", resp.StatusCode)
	}
}

// directives splits a Content-Security-Policy into its directives' source lists.
func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// Defect 9: no CSP, nosniff or frame policy. Every response carries them — but for the scripts,
// styles and fonts the page loads, on which a policy would govern nothing; a worker's script,
// which sets its worker's policy, keeps it. The policy allows no inline script or style, and the
// pages the server sends need none.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	store, run, _ := syntheticStore(t)
	srv := serveStore(t, store, Options{ExtraOrigins: []string{"https://tiles.example.org/styles/liberty.json"}})
	for _, path := range []string{"/", "/static/app.js", "/static/vendor/maplibre-gl-worker.mjs", "/api/runs/latest", "/tracts/" + run.Areas[0].ID, tilePath("cells"), "/nowhere"} {
		resp, body := do(t, http.MethodGet, srv.URL+path)
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: nosniff %q, frame options %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"))
		}
		if path == "/static/app.js" {
			// A module the page imports runs under the page's policy: it goes without one.
			if h.Get("Content-Security-Policy") != "" {
				t.Errorf("%s: a CSP on a module, which governs nothing", path)
			}
			continue
		}
		csp := directives(h.Get("Content-Security-Policy"))
		for name, want := range map[string]string{
			"default-src":     "'none'",
			"script-src":      "'self'",
			"style-src":       "'self'",
			"frame-ancestors": "'none'",
			"worker-src":      "'self' blob:",
			"child-src":       "'self' blob:",
			"img-src":         "'self' data: blob: https://tiles.example.org",
			"connect-src":     "'self' https://tiles.example.org",
		} {
			if got := strings.Join(csp[name], " "); got != want {
				t.Errorf("%s: CSP %s is %q, want %q", path, name, got, want)
			}
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			page := string(body)
			for _, m := range regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: an inline script, which the CSP refuses: %.80q", path, m[0])
				}
			}
			if m := regexp.MustCompile(`<style|\sstyle=|\son[a-z]+=`).FindString(page); m != "" {
				t.Errorf("%s: inline style or handler %q, which the CSP refuses", path, m)
			}
		}
	}
}

func TestOriginRefusesWhatIsNotAnOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://Tiles.Example.org/styles/x.json?key=1": "https://tiles.example.org",
		"http://127.0.0.1:8081":                         "http://127.0.0.1:8081",
		"https://planner.example.org:443/":              "https://planner.example.org",
		"http://[::1]:80":                               "http://[::1]",
		"https://*.tiles.example.org":                   "https://*.tiles.example.org",
		"https://x.org; script-src *":                   "",
		"https://x.org'unsafe-inline'":                  "",
		"javascript:alert(1)":                           "",
		"ftp://x.org":                                   "",
		"https://user:pw@x.org":                         "",
		"x.org":                                         "",
	} {
		got, err := Origin(raw)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("Origin(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestCORSOnlyForConfiguredOrigins(t *testing.T) {
	store, _, _ := syntheticStore(t)
	closed := serveStore(t, store, Options{})
	open := serveStore(t, store, Options{CORSOrigins: []string{"https://Planner.example.org", "not an origin"}})
	const friend, stranger = "https://planner.example.org", "https://evil.example.com"

	if resp, _ := do(t, http.MethodGet, closed.URL+"/api/runs", "Origin", friend); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without --cors-origin, a cross-origin read is allowed: %v", resp.Header)
	}
	resp, _ := do(t, http.MethodGet, open.URL+"/api/runs", "Origin", friend)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != friend || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("configured origin: %d %v", resp.StatusCode, resp.Header)
	}
	// A tile varies by encoding and by origin, with or without an Origin header.
	for _, header := range [][]string{{"Origin", friend}, nil} {
		resp, _ := do(t, http.MethodGet, open.URL+tilePath("cells"), header...)
		if vary := strings.Join(resp.Header.Values("Vary"), ", "); !strings.Contains(vary, "Origin") || !strings.Contains(vary, "Accept-Encoding") {
			t.Errorf("tile with %q: Vary %q", header, vary)
		}
	}
	if resp, _ := do(t, http.MethodGet, open.URL+"/api/runs", "Origin", stranger); resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin is allowed: %v", resp.Header)
	}
	// A preflight, as a browser sends before a request with a bearer token.
	resp, _ = do(t, http.MethodOptions, open.URL+tilePath("cells"), "Origin", friend, "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "authorization")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != friend ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := do(t, http.MethodOptions, open.URL+"/api/runs", "Origin", stranger, "Access-Control-Request-Method", "GET")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(string(body), "cors-origin") {
		t.Errorf("preflight from another origin: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	anyone := serveStore(t, store, Options{CORSOrigins: []string{"*"}})
	if resp, _ := do(t, http.MethodGet, anyone.URL+"/api/runs", "Origin", stranger); resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("--cors-origin '*': %v", resp.Header)
	}
}

// The bearer-token guard, on a small writing route of its own until the writing endpoints come.
func TestWritesNeedTheBearerToken(t *testing.T) {
	store, _, _ := syntheticStore(t)
	const token = "0123456789abcdef-synthetic-test-token"
	write := func(s *Server, header ...string) *httptest.ResponseRecorder {
		wrote := false
		h := s.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { wrote = true; w.WriteHeader(http.StatusCreated) }))
		req := httptest.NewRequest(http.MethodPost, "/api/scenarios", strings.NewReader("{}"))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if wrote != (rec.Code == http.StatusCreated) {
			t.Errorf("status %d but the handler ran: %v", rec.Code, wrote)
		}
		return rec
	}
	guarded := New(store, Options{Token: token})
	for _, c := range []struct {
		header []string
		status int
		auth   string
	}{
		{nil, 401, `Bearer realm="stemgap"`},
		{[]string{"Authorization", "Basic " + token}, 401, `Bearer realm="stemgap"`},
		{[]string{"Authorization", "Bearer "}, 401, `Bearer realm="stemgap"`},
		{[]string{"Authorization", "Bearer " + token[:len(token)-1]}, 401, `error="invalid_token"`},
		{[]string{"Authorization", "Bearer " + token + "x"}, 401, `error="invalid_token"`},
		{[]string{"Authorization", "Bearer " + token}, 201, ""},
		{[]string{"Authorization", "bearer " + token}, 201, ""},
	} {
		rec := write(guarded, c.header...)
		if rec.Code != c.status || !strings.Contains(rec.Header().Get("WWW-Authenticate"), c.auth) {
			t.Errorf("%q: %d, WWW-Authenticate %q; want %d with %q", c.header, rec.Code, rec.Header().Get("WWW-Authenticate"), c.status, c.auth)
		}
	}
	// Without a token configured, nothing can write, whatever the request carries.
	if rec := write(New(store, Options{}), "Authorization", "Bearer "+token); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "STEMGAP_TOKEN") {
		t.Errorf("writing without a configured token: %d %s", rec.Code, rec.Body)
	}
}

// countingStore counts the runs read from a real store.
type countingStore struct {
	data.Store
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingStore) OpenRun(ctx context.Context, id string) (data.RunTables, error) {
	c.mu.Lock()
	c.reads[id]++
	c.mu.Unlock()
	return c.Store.OpenRun(ctx, id)
}

func (c *countingStore) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads[id]
}

// Defect 7: three 404s for invented ?run= ids evicted the latest run from the 3-slot cache, and the
// next tile reloaded it. Neither invented ids nor other real runs may evict the latest.
func TestRunCachePinsLatestAndKeepsOnlyRunsThatExist(t *testing.T) {
	base, _, in := syntheticStore(t)
	ctx := context.Background()
	// Four more runs, with other catchments.
	for _, km := range []float64{4, 5, 6, 7} {
		p := analysis.DefaultParams()
		p.Measure.Catchment = km
		r, err := analysis.Analyze(ctx, in, p, analysis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := base.SaveRun(ctx, r, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := base.Runs(ctx)
	if err != nil || len(list) != 5 {
		t.Fatalf("%d runs, %v", len(list), err)
	}
	latest := list[0].ID
	var older []string
	for _, r := range list[1:] {
		older = append(older, r.ID)
	}
	store := &countingStore{Store: base, reads: map[string]int{}}
	srv := serveStore(t, store, Options{})
	latestTile := func() {
		t.Helper()
		if resp, body := do(t, http.MethodGet, srv.URL+tilePath("cells"), "Accept-Encoding", "gzip"); resp.StatusCode != 200 {
			t.Fatalf("latest tile: %d %s", resp.StatusCode, body)
		}
	}
	latestTile()
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("invented-%d", i)
		if resp, _ := do(t, http.MethodGet, srv.URL+tilePath("cells")+"&run="+id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("invented run %s: %d", id, resp.StatusCode)
		}
	}
	latestTile()
	if n := store.count(latest); n != 1 {
		t.Errorf("after 3 invented run ids the latest run was read %d times; want 1", n)
	}
	for _, id := range older {
		if resp, _ := do(t, http.MethodGet, srv.URL+tilePath("cells")+"&run="+id); resp.StatusCode != http.StatusOK {
			t.Errorf("older run %s: %d", id, resp.StatusCode)
		}
		latestTile()
	}
	if n := store.count(latest); n != 1 {
		t.Errorf("after 4 older runs the latest run was read %d times; want 1", n)
	}
	// The two most recent older runs stay; the first was forgotten and is read again.
	for _, id := range older[2:] {
		do(t, http.MethodGet, srv.URL+tilePath("cells")+"&run="+id)
		if n := store.count(id); n != 1 {
			t.Errorf("recent run %s read %d times; want 1", id, n)
		}
	}
	do(t, http.MethodGet, srv.URL+tilePath("cells")+"&run="+older[0])
	if n := store.count(older[0]); n != 2 {
		t.Errorf("the least recent run %s was read %d times; want 2 (evicted, then read again)", older[0], n)
	}
}

// Defect 7: /metrics labelled requests by whatever method a client sent, so invented methods grew
// the scrape without bound.
func TestMetricLabelsComeFromAFixedSet(t *testing.T) {
	store, _, _ := syntheticStore(t)
	handler := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	send := func(method, target string) string {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		return rec.Body.String()
	}
	send("BREW", "/healthz")
	send(http.MethodGet, "/metrics")
	before := send(http.MethodGet, "/metrics")
	// The audit's 100,000 invented methods, half on as many invented paths, half on a real route.
	for i := 0; i < 50000; i++ {
		send(fmt.Sprintf("M%d", i), fmt.Sprintf("/nowhere/%d", i))
		send(fmt.Sprintf("X%d", i), "/healthz")
	}
	after := send(http.MethodGet, "/metrics")
	if strings.Count(after, "\n") != strings.Count(before, "\n") || len(after) > len(before)+100 {
		t.Errorf("100,000 invented methods grew the scrape from %d to %d bytes", len(before), len(after))
	}
	if !strings.Contains(after, `stemgap_http_requests_total{method="other",route="unmatched",status="4xx"} 100001`) {
		t.Errorf("invented methods are not counted as other:\n%s", after)
	}
	if strings.Contains(after, `method="M1"`) || strings.Contains(after, "/nowhere/") {
		t.Error("a client-chosen method or path became a label")
	}
}

// Defect 9: a client that does not accept gzip made the server decompress the tile on every
// request. Each tile is decompressed once, and the plain body is the gzip one's content.
func TestPlainTilesAreDecompressedOnce(t *testing.T) {
	srv, _ := newTestServer(t)
	_, zipped := do(t, http.MethodGet, srv.URL+tilePath("cells"), "Accept-Encoding", "gzip")
	var first []byte
	for i := 0; i < 5; i++ {
		resp, plain := do(t, http.MethodGet, srv.URL+tilePath("cells"))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Length") != fmt.Sprint(len(plain)) {
			t.Fatalf("plain tile: %d %v", resp.StatusCode, resp.Header)
		}
		if first == nil {
			first = plain
		} else if string(plain) != string(first) {
			t.Fatal("the plain tile changed between requests")
		}
	}
	if string(gunzip(t, zipped)) != string(first) {
		t.Error("the plain tile differs from the gzip one's content")
	}
	do(t, http.MethodGet, srv.URL+tilePath("tracts"))
	if _, body := do(t, http.MethodGet, srv.URL+"/metrics"); !strings.Contains(string(body), "stemgap_tile_decompressions_total 2\n") {
		t.Errorf("5 plain requests of one tile and 1 of another should decompress 2 tiles:\n%s", body)
	}
}
