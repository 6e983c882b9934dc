package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"stemgap/data/embedded"
	"stemgap/server/basemaptest"
)

// Tile ids along the Hilbert curve, as the PMTiles v3 specification numbers them.
func TestPMTilesTileIDsFollowTheSpecification(t *testing.T) {
	for _, c := range []struct {
		z, x, y uint32
		id      uint64
	}{{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5}, {3, 0, 0, 21}, {2, 3, 0, 20}} {
		if got := basemaptest.TileID(maptile.New(c.x, c.y, maptile.Zoom(c.z))); got != c.id {
			t.Errorf("z%d x%d y%d: id %d, want %d", c.z, c.x, c.y, got, c.id)
		}
	}
}

func TestBasemapArchiveServedWithRanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "synthetic.pmtiles")
	region := orb.Bound{Min: orb.Point{-90.5, 38.4}, Max: orb.Point{-89.9, 38.9}}
	if err := basemaptest.Write(path, region, 8); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPMTiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.MaxZoom != 8 || p.TileType != "mvt" || p.Bounds[0] != -90.5 || p.Bounds[3] != 38.9 {
		t.Errorf("header read as %+v", p)
	}
	store, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Basemap: Basemap{PMTiles: p}}))
	defer srv.Close()
	raw, _ := os.ReadFile(path)
	resp, body := get(t, srv.URL+"/basemap.pmtiles", "Range", "bytes=0-126")
	if resp.StatusCode != 206 || string(body) != string(raw[:127]) || resp.Header.Get("Content-Range") != "bytes 0-126/"+strconv.Itoa(len(raw)) {
		t.Errorf("header range: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = get(t, srv.URL+"/basemap.pmtiles", "Range", "bytes=200-299")
	if resp.StatusCode != 206 || string(body) != string(raw[200:300]) {
		t.Errorf("middle range: %d, %d bytes", resp.StatusCode, len(body))
	}
	_, body = get(t, srv.URL+"/api/basemap")
	var info struct {
		Kind, URL string
		MaxZoom   int `json:"maxzoom"`
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Kind != "pmtiles" || info.URL != "/basemap.pmtiles" || info.MaxZoom != 8 {
		t.Errorf("/api/basemap: %s", body)
	}
}

func TestBasemapModesAndRefusals(t *testing.T) {
	store, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for opt, want := range map[*Options]string{
		{Logger: quiet}: `"kind": "data"`,
		{Logger: quiet, Basemap: Basemap{StyleURL: "https://tiles.example.org/styles/liberty"}}: `"style": "https://tiles.example.org/styles/liberty"`,
	} {
		srv := httptest.NewServer(New(store, *opt))
		_, body := get(t, srv.URL+"/api/basemap")
		if !strings.Contains(string(body), want) {
			t.Errorf("/api/basemap: %s, want %s", body, want)
		}
		if resp, _ := get(t, srv.URL+"/basemap.pmtiles"); opt.Basemap.PMTiles == nil && resp.StatusCode != 404 {
			t.Errorf("/basemap.pmtiles without an archive: %d", resp.StatusCode)
		}
		srv.Close()
	}
	notArchive := filepath.Join(t.TempDir(), "style.json")
	os.WriteFile(notArchive, []byte(`{"version": 8, "sources": {}, "layers": [], "padding": "……………………………………………………………………………………"}`), 0o644)
	if _, err := OpenPMTiles(notArchive); err == nil || !strings.Contains(err.Error(), "not a PMTiles archive") {
		t.Errorf("a JSON file opened as PMTiles: %v", err)
	}
}
