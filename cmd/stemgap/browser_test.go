package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/server/basemaptest"
)

// TestMapInBrowser serves the St. Louis demo and has headless Chromium walk the map as a newcomer
// would (e2e/map.mjs): offline, with the demo's own context, then over a style URL and over a
// PMTiles archive, both synthetic. Screenshots go to e2e/screenshots. The test command
// (scripts/test) installs Chromium and the npm packages and sets STEMGAP_BROWSER_TEST=1; a plain
// go test skips it.
func TestMapInBrowser(t *testing.T) {
	e2e := browserE2E(t)
	dir := demoDir(t)
	shots := filepath.Join(e2e, "screenshots")
	os.MkdirAll(shots, 0o755)
	run := func(t *testing.T, base, mode string) {
		cmd := exec.Command("node", "map.mjs", base+"/", shots, mode)
		cmd.Dir = e2e
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("browser check: %v\n%s", err, out)
		}
		t.Logf("%s", out)
	}
	t.Run("offline", func(t *testing.T) { run(t, serveDir(t, dir), "offline") })
	t.Run("style", func(t *testing.T) {
		style := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, syntheticStyle)
		}))
		defer style.Close()
		run(t, serveDir(t, dir, "--basemap", style.URL+"/style.json"), "style")
	})
	t.Run("pmtiles", func(t *testing.T) {
		archive := filepath.Join(t.TempDir(), "synthetic-basemap.pmtiles")
		if err := basemaptest.Write(archive, orb.Bound{Min: orb.Point{-90.6, 38.4}, Max: orb.Point{-89.9, 38.9}}, 12); err != nil {
			t.Fatal(err)
		}
		run(t, serveDir(t, dir, "--basemap-pmtiles", archive), "pmtiles")
	})
}

// syntheticStyle is a MapLibre style as a host would serve one, SYNTHETIC: one land polygon over
// St. Louis and a background, enough to see that the map draws a style URL beneath its data.
const syntheticStyle = `{"version": 8, "name": "synthetic test style",
  "sources": {"land": {"type": "geojson", "data": {"type": "Feature", "properties": {},
    "geometry": {"type": "Polygon", "coordinates": [[[-90.6, 38.4], [-89.9, 38.4], [-89.9, 38.9], [-90.6, 38.9], [-90.6, 38.4]]]}}}},
  "layers": [{"id": "synthetic-background", "type": "background", "paint": {"background-color": "#e8eef2"}},
    {"id": "synthetic-land", "type": "fill", "source": "land", "paint": {"fill-color": "#dfe8d5"}}]}`

// The map writes numbers with server/web/format.js; it must pass the cases data/labels passes.
func TestBrowserFormatterMatchesLabels(t *testing.T) {
	if os.Getenv("STEMGAP_BROWSER_TEST") != "1" {
		t.Skip("set STEMGAP_BROWSER_TEST=1 (scripts/test does) to run the browser tests")
	}
	cmd := exec.Command("node", "format.mjs")
	cmd.Dir = filepath.Join("..", "..", "e2e")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("format.js: %v\n%s", err, out)
	}
}

// The map serves its libraries from server/web/vendor; each must be the very file of the package
// e2e/package.json pins (scripts/vendor-web copies them).
func TestVendoredFilesMatchPinnedPackages(t *testing.T) {
	if os.Getenv("STEMGAP_BROWSER_TEST") != "1" {
		t.Skip("set STEMGAP_BROWSER_TEST=1 (scripts/test does): needs e2e/node_modules")
	}
	for vendored, pinned := range map[string]string{
		"maplibre-gl.mjs":                        "maplibre-gl/dist/maplibre-gl.mjs",
		"maplibre-gl-worker.mjs":                 "maplibre-gl/dist/maplibre-gl-worker.mjs",
		"maplibre-gl.css":                        "maplibre-gl/dist/maplibre-gl.css",
		"pmtiles.js":                             "pmtiles/dist/pmtiles.js",
		"protomaps-basemaps.mjs":                 "@protomaps/basemaps/dist/esm/index.js",
		"fonts/noto-sans-latin-400-normal.woff2": "@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2",
		"fonts/noto-sans-latin-500-normal.woff2": "@fontsource/noto-sans/files/noto-sans-latin-500-normal.woff2",
		"fonts/noto-sans-latin-400-italic.woff2": "@fontsource/noto-sans/files/noto-sans-latin-400-italic.woff2",
	} {
		ours, err := os.ReadFile(filepath.Join("..", "..", "server", "web", "vendor", vendored))
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := os.ReadFile(filepath.Join("..", "..", "e2e", "node_modules", pinned))
		if err != nil {
			t.Fatal(err)
		}
		if string(ours) != string(theirs) {
			t.Errorf("server/web/vendor/%s differs from %s in e2e/package.json: run scripts/vendor-web", vendored, pinned)
		}
	}
}
