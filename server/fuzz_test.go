package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// FuzzTileRequest sends tile requests, well-formed or not, through the whole router to a
// SYNTHETIC run: parsing, validation, the run cache and the encoder. Whatever the request, the
// answer is a tile, a 304, or a 400/404 with a JSON error — never a 500 or a panic — and a tile
// decodes to the layer asked for, inside the tile and a margin, the same with gzip or without.
// bench/fuzz runs it for longer.
func FuzzTileRequest(f *testing.F) {
	store, _, _ := syntheticStore(f)
	handler := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	near := maptile.At(orb.Point{-90.22, 38.63}, 12)
	for _, s := range []struct {
		layer, z, x, y, query string
		gzip                  bool
	}{
		{"cells", "12", fmt.Sprint(near.X), fmt.Sprint(near.Y), "content=math", true},
		{"tracts", "12", fmt.Sprint(near.X), fmt.Sprint(near.Y), "content=all", false},
		{"programs", "16", fmt.Sprint(near.X << 4), fmt.Sprint(near.Y << 4), "content=math&run=latest", true},
		{"cells", "0", "0", "0", "", true},
		{"cells", "6", "15", "24", "", false},
		{"cells", "-1", "0", "0", "", true},
		{"cells", "99999999999999999999", "0", "0", "", true},
		{"roads", "0", "0", "0", "", false},
		{"cells", "12", "1021", "1570", "content=astrology", true},
		{"cells", "12", "1021", "1570", "run=..%2F..%2Fetc", true},
		{"cells", "5", "7", "12", "run=deadbeef", false},
		{"cells", "0x1", "0", "0", "content=", true},
	} {
		f.Add(s.layer, s.z, s.x, s.y, s.query, s.gzip)
	}
	f.Fuzz(func(t *testing.T, layer, z, x, y, query string, gzip bool) {
		target := fmt.Sprintf("/tiles/%s/%s/%s/%s.mvt?%s", layer, z, x, y, query)
		plainReq, err := http.NewRequest(http.MethodGet, target, nil)
		if err != nil {
			return // not a request a client could send
		}
		zipReq := plainReq.Clone(plainReq.Context())
		zipReq.Header.Set("Accept-Encoding", "gzip")
		answer := func(req *http.Request) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			return rec
		}
		zipped, plain := answer(zipReq), answer(plainReq)
		if zipped.Code != plain.Code {
			t.Fatalf("%s: %d with gzip, %d without", target, zipped.Code, plain.Code)
		}
		switch zipped.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusNotFound:
			var e struct{ Error string }
			if err := json.Unmarshal(zipped.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%s: %d without a JSON error: %q", target, zipped.Code, zipped.Body)
			}
			return
		default:
			t.Fatalf("%s: status %d: %s", target, zipped.Code, zipped.Body)
		}
		if zipped.Body.Len() == 0 {
			if plain.Body.Len() != 0 {
				t.Fatalf("%s: empty with gzip, %d bytes without", target, plain.Body.Len())
			}
			return
		}
		if zipped.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s: encodings %q and %q", target, zipped.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
		}
		if string(gunzip(t, zipped.Body.Bytes())) != plain.Body.String() {
			t.Fatalf("%s: the plain tile is not the gzip tile's content", target)
		}
		layers, err := mvt.Unmarshal(plain.Body.Bytes())
		if err != nil || len(layers) != 1 || layers[0].Name != layer {
			t.Fatalf("%s: decodes to %d layers, %v", target, len(layers), err)
		}
		// Tiles are clipped to a small buffer; a sixteenth of the extent is well beyond it.
		const margin = mvt.DefaultExtent / 16
		limit := orb.Bound{Min: orb.Point{-margin, -margin}, Max: orb.Point{mvt.DefaultExtent + margin, mvt.DefaultExtent + margin}}
		for _, ft := range layers[0].Features {
			if b := ft.Geometry.Bound(); !limit.Contains(b.Min) || !limit.Contains(b.Max) {
				t.Fatalf("%s: a feature reaches %v, outside the tile and its buffer", target, b)
			}
		}
		if !strings.HasPrefix(zipped.Header().Get("ETag"), `"`) {
			t.Fatalf("%s: ETag %q", target, zipped.Header().Get("ETag"))
		}
	})
}
