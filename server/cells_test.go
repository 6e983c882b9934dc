package server

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// bruteCell aggregates a run's cells under parent by hand, as the map's method says: demand
// summed, access, gap and the desert share weighted by demand over the children with a demand
// figure, nearest and count weighted by demand (plainly when no child holds anyone), unmet seats
// summed. Nil where there is no figure.
func bruteCell(t *testing.T, run *data.Run, k int, parent h3.Cell) map[string]any {
	t.Helper()
	c, m := &run.Cells, &run.Cells.Measures[k]
	var kids []int
	for i, cell := range c.H3 {
		if p, err := cell.Parent(parent.Resolution()); err != nil {
			t.Fatal(err)
		} else if p == parent {
			kids = append(kids, i)
		}
	}
	demand, known := 0.0, 0
	for _, i := range kids {
		if !math.IsNaN(c.Demand[i]) {
			demand += c.Demand[i]
			known++
		}
	}
	weighted := func(v func(i int) float64, withData bool) any {
		sum, den := 0.0, 0.0
		for _, i := range kids {
			x := v(i)
			if math.IsNaN(x) || math.IsInf(x, 0) || (withData || demand > 0) && math.IsNaN(c.Demand[i]) {
				continue
			}
			w := 1.0
			if demand > 0 {
				w = c.Demand[i]
			}
			sum, den = sum+w*x, den+w
		}
		if den == 0 {
			return nil
		}
		return sum / den
	}
	out := map[string]any{"nodata": known == 0, "tract": nil}
	out["nearest"] = weighted(func(i int) float64 { return m.Nearest[i] }, false)
	if n := weighted(func(i int) float64 { return float64(m.Count[i]) }, false); n != nil {
		out["count"] = math.Round(n.(float64))
	}
	out["need"] = weighted(func(i int) float64 { return c.Need[i] }, false)
	for _, key := range []string{"demand", "access", "unmet", "gap", "desert"} {
		out[key] = nil
	}
	if known > 0 {
		out["demand"] = demand
		out["access"] = weighted(func(i int) float64 { return m.Access[i] }, true)
		out["gap"] = weighted(func(i int) float64 { return m.Gap[i] }, true)
		out["desert"] = weighted(func(i int) float64 {
			if m.Desert[i] == data.DesertNoData {
				return math.NaN()
			}
			return float64(m.Desert[i])
		}, true)
		unmet, any := 0.0, false
		for _, i := range kids {
			if !math.IsNaN(m.Unmet[i]) {
				unmet, any = unmet+m.Unmet[i], true
			}
		}
		if any {
			out["unmet"] = unmet
		}
	}
	// Overstated where a child with a demand figure is.
	out["overstated"] = false
	for _, i := range kids {
		if m.Overstated[i] && !math.IsNaN(c.Demand[i]) {
			out["overstated"] = true
		}
	}
	center, err := parent.CenterChild(run.Resolution)
	if err != nil {
		t.Fatal(err)
	}
	for i, cell := range c.H3 {
		if cell == center {
			out["tract"] = run.Areas[c.Area[i]].ID
		}
	}
	return out
}

// tileProperties finds a cell among the cells tiles over its center, at whichever zoom draws its
// resolution.
func tileProperties(t *testing.T, url, query string, cell h3.Cell) map[string]any {
	t.Helper()
	ll, err := cell.LatLng()
	if err != nil {
		t.Fatal(err)
	}
	for z := 0; z <= 16; z++ {
		tile := maptile.At(orb.Point{ll.Lng, ll.Lat}, maptile.Zoom(z))
		_, body := get(t, fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?%s", url, z, tile.X, tile.Y, query), "Accept-Encoding", "gzip")
		if len(body) == 0 {
			continue
		}
		layers, err := mvt.UnmarshalGzipped(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range layers[0].Features {
			if f.Properties["h3"] == cell.String() {
				return f.Properties
			}
		}
	}
	t.Fatalf("no tile draws cell %s", cell)
	return nil
}

func near(a, b any) bool {
	x, okx := a.(float64)
	y, oky := b.(float64)
	if !okx || !oky {
		return a == b
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
}

func TestCellAPIEqualsTilesAndRunColumns(t *testing.T) {
	srv, run := newTestServer(t)
	k := run.SeriesIndex("", "math")
	// The run's own resolution, a middle level and the coarsest.
	first := run.Cells.H3[len(run.Cells.H3)/2]
	for _, res := range []int{run.Resolution, 6, 4} {
		cell, err := first.Parent(res)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, srv.URL+"/api/cells/"+cell.String()+"?content=math")
		if resp.StatusCode != 200 {
			t.Fatalf("res %d: %d %s", res, resp.StatusCode, body)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got["h3"] != cell.String() || got["res"] != float64(res) || got["run"] != run.ID || got["setting"] != "out_of_school" ||
			got["content"] != "math" {
			t.Errorf("res %d: %s", res, body)
		}
		want := bruteCell(t, run, k, cell)
		for key, w := range want {
			g := got[key]
			if key == "tract" {
				if tr, ok := g.(map[string]any); ok {
					g = tr["id"]
				}
			}
			if !near(g, w) {
				t.Errorf("res %d %s: API %v, by hand %v", res, key, g, w)
			}
		}
		if res == run.Resolution {
			// A cell of the run's own resolution reads its columns to the last bit.
			i := len(run.Cells.H3) / 2
			m := run.Cells.Measures[k]
			if got["access"] != m.Access[i] || got["nearest"] != m.Nearest[i] || got["demand"] != run.Cells.Demand[i] || got["gap"] != m.Gap[i] {
				t.Errorf("own cell %s differs from the run's columns: %s", cell, body)
			}
		}
		props := tileProperties(t, srv.URL, "content=math", cell)
		for key, v := range props {
			if got[key] != v {
				t.Errorf("res %d %s: API %v, tile %v", res, key, got[key], v)
			}
		}
		for _, key := range []string{"access", "nearest", "demand", "count"} {
			if _, ok := props[key]; !ok && got[key] != nil {
				t.Errorf("res %d: the API has %s %v, the tile none", res, key, got[key])
			}
		}
	}
	far, _ := h3.LatLngToCell(h3.LatLng{Lat: 40.7, Lng: -74}, run.Resolution)
	coarse, _ := h3.LatLngToCell(h3.LatLng{Lat: 38.6, Lng: -90.2}, 2)
	for path, status := range map[string]int{
		"/api/cells/nothex":                           400,
		"/api/cells/" + coarse.String():               400,
		"/api/cells/ffffffffffffff0":                  400,
		"/api/cells/" + far.String():                  404,
		"/api/cells/" + first.String() + "?content=x": 400,
		"/api/cells/" + first.String() + "?run=nope":  404,
	} {
		if resp, body := get(t, srv.URL+path); resp.StatusCode != status {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, status)
		}
	}
}

func TestCellsTileJSONSaysWhatEachZoomDraws(t *testing.T) {
	srv, run := newTestServer(t)
	_, body := get(t, srv.URL+"/tiles/cells.json?content=math")
	var tj struct {
		Resolutions  map[string]int `json:"resolutions"`
		CellsMinZoom *int           `json:"cells_minzoom"`
	}
	if err := json.Unmarshal(body, &tj); err != nil || len(tj.Resolutions) != 17 || tj.CellsMinZoom == nil {
		t.Fatalf("%v: %s", err, body)
	}
	// At 38.6° N resolution 4 is 12.7 px across at zoom 4 and 6.3 px at zoom 3 (projected by
	// hand in tiles' TestCellsAreReadableAtEveryZoom); resolution 5 is nearest 20 px at zoom 6
	// and the run's 9 at zoom 12.
	if *tj.CellsMinZoom != 4 || tj.Resolutions["6"] != 5 || tj.Resolutions["12"] != run.Resolution || tj.Resolutions["16"] != run.Resolution {
		t.Errorf("cells_minzoom %d, resolutions %v", *tj.CellsMinZoom, tj.Resolutions)
	}
	// The tiles draw what the TileJSON says.
	center := orb.Point{-90.22, 38.63}
	for z := 0; z <= 16; z++ {
		tile := maptile.At(center, maptile.Zoom(z))
		_, body := get(t, fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?content=math", srv.URL, z, tile.X, tile.Y), "Accept-Encoding", "gzip")
		layers, err := mvt.UnmarshalGzipped(body)
		if err != nil || len(layers) == 0 || len(layers[0].Features) == 0 {
			t.Fatalf("z%d: %v", z, err)
		}
		if res := layers[0].Features[0].Properties["res"]; res != float64(tj.Resolutions[fmt.Sprint(z)]) {
			t.Errorf("z%d draws resolution %v, the TileJSON says %d", z, res, tj.Resolutions[fmt.Sprint(z)])
		}
	}
	if _, body := get(t, srv.URL+"/tiles/tracts.json?content=math"); json.Unmarshal(body, &tj) != nil || strings.Contains(string(body), "resolutions") {
		t.Errorf("tracts TileJSON: %s", body)
	}
}
