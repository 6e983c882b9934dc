package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// The .br and .gz files beside the vendored libraries are made by go generate; a library updated
// without them, or a copy gone stale, would send the old code.
func TestPrecompressedCopiesMatchTheirFiles(t *testing.T) {
	checked := 0
	err := fs.WalkDir(webFiles, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isCompressedCopy(p) {
			return err
		}
		original, err := fs.ReadFile(webFiles, strings.TrimSuffix(strings.TrimSuffix(p, ".br"), ".gz"))
		if err != nil {
			t.Errorf("%s has no original beside it: %v", p, err)
			return nil
		}
		packed, _ := fs.ReadFile(webFiles, p)
		var r io.Reader
		if path.Ext(p) == ".br" {
			r = brotli.NewReader(bytes.NewReader(packed))
		} else if r, err = gzip.NewReader(bytes.NewReader(packed)); err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		unpacked, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(unpacked, original) {
			t.Errorf("%s does not unpack to its original (%v): run go generate ./server", p, err)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 6 {
		t.Errorf("only %d precompressed copies found", checked)
	}
}

func TestStaticFilesAreCompressedAndCachedByContent(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, page := get(t, srv.URL+"/", "Accept-Encoding", "br")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" {
		t.Fatalf("/: %d %v", resp.StatusCode, resp.Header)
	}
	html, err := io.ReadAll(brotli.NewReader(bytes.NewReader(page)))
	if err != nil {
		t.Fatal(err)
	}
	// The page names its script by content hash; that URL may be kept for a year.
	ref := regexp.MustCompile(`/static/app\.js\?v=[0-9a-f]{16}`).Find(html)
	if ref == nil {
		t.Fatalf("the page does not name app.js by its hash:\n%s", html)
	}
	resp, body := get(t, srv.URL+string(ref), "Accept-Encoding", "gzip, br;q=0")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("app.js by hash: %v", resp.Header)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(body))
	js, _ := io.ReadAll(zr)
	if !regexp.MustCompile(`/static/vendor/maplibre-gl\.mjs\?v=[0-9a-f]{16}`).Match(js) {
		t.Errorf("app.js does not import MapLibre by its hash")
	}
	// A stale or missing hash is served, but must be revalidated.
	if resp, _ := get(t, srv.URL+"/static/app.js?v=0000000000000000"); resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("a wrong hash is cached: %v", resp.Header)
	}
	resp, _ = get(t, srv.URL+"/static/vendor/maplibre-gl.mjs", "Accept-Encoding", "gzip, deflate, br")
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Content-Encoding") != "br" || etag == "" || resp.ContentLength > 300_000 {
		t.Errorf("maplibre: %v, %d bytes", resp.Header, resp.ContentLength)
	}
	if resp, body := get(t, srv.URL+"/static/vendor/maplibre-gl.mjs", "Accept-Encoding", "gzip, deflate, br", "If-None-Match", etag); resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("revalidation: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, body := get(t, srv.URL+"/static/vendor/maplibre-gl.mjs"); resp.Header.Get("Content-Encoding") != "" || len(body) < 1_000_000 {
		t.Errorf("a client without compression gets %v, %d bytes", resp.Header, len(body))
	}
	for _, p := range []string{"/static/", "/static/vendor/", "/static/vendor", "/static/../server.go", "/static/vendor/maplibre-gl.mjs.br"} {
		if resp, body := get(t, srv.URL+p); resp.StatusCode != 404 || strings.Contains(string(body), "maplibre-gl.css") {
			t.Errorf("%s: %d %.100s (no listings, no copies by name)", p, resp.StatusCode, body)
		}
	}
}
