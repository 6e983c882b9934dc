package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMapInBrowser serves the St. Louis demo and has headless Chromium draw the map (e2e/map.mjs).
// The test command (scripts/test) installs Chromium and the npm packages and sets
// STEMGAP_BROWSER_TEST=1; a plain go test skips it.
func TestMapInBrowser(t *testing.T) {
	e2e := browserE2E(t)
	base := serveDir(t, demoDir(t))
	shots := filepath.Join(e2e, "screenshots")
	os.MkdirAll(shots, 0o755)
	cmd := exec.Command("node", "map.mjs", base+"/", filepath.Join(shots, "map.png"))
	cmd.Dir = e2e
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser check: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

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
