package tiles

import (
	"math"
	"testing"

	"github.com/uber/h3-go/v4"
)

// drawnWidthPx projects the hexagon of resolution res over a place to a Web Mercator map 512·2^z
// px wide (as MapLibre draws vector tiles) and measures its extent on screen: the mean of its
// width and height, which lie between √3 and 2 edge lengths as the hexagon turns.
func drawnWidthPx(t *testing.T, lat, lng float64, res int, z int) float64 {
	t.Helper()
	c, err := h3.LatLngToCell(h3.LatLng{Lat: lat, Lng: lng}, res)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := c.Boundary()
	if err != nil {
		t.Fatal(err)
	}
	world := 512 * math.Exp2(float64(z))
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, v := range ring {
		x := (v.Lng + 180) / 360 * world
		y := (1 - math.Log(math.Tan(math.Pi/4+v.Lat*math.Pi/360))/math.Pi) / 2 * world
		minX, maxX, minY, maxY = math.Min(minX, x), math.Max(maxX, x), math.Min(minY, y), math.Max(maxY, y)
	}
	return (maxX - minX + maxY - minY) / 2
}

func TestCellsAreReadableAtEveryZoom(t *testing.T) {
	const runRes = 9 // the St. Louis run's
	for _, place := range []struct {
		name     string
		lat, lng float64
	}{{"St. Louis", 38.63, -90.2}, {"Anchorage", 61.2, -149.9}, {"Quito", -0.2, -78.5}} {
		resolutions, minZoom := zoomTable(runRes, place.lat)
		for z := 0; z <= MaxZoom; z++ {
			res := resolutions[z]
			px := drawnWidthPx(t, place.lat, place.lng, res, z)
			t.Logf("%s z%d: resolution %d, %.1f px", place.name, z, res, px)
			if z > 0 && res < resolutions[z-1] {
				t.Errorf("%s z%d: resolution %d is coarser than z%d's %d", place.name, z, res, z-1, resolutions[z-1])
			}
			switch {
			case z < minZoom:
				// Below the readable zooms only the coarsest level is drawn, and it is a speck.
				if res != minCellResolution || px >= 8 {
					t.Errorf("%s z%d (below cells_minzoom %d): resolution %d, %.1f px", place.name, z, minZoom, res, px)
				}
			case res == runRes:
				// The run has nothing finer: hexagons grow from here on.
				if px < 10 {
					t.Errorf("%s z%d: the run's own cells are %.1f px, too small: a finer one would not exist", place.name, z, px)
				}
			default:
				// A few to a few dozen pixels across.
				if px < 8 || px > 40 {
					t.Errorf("%s z%d: resolution %d draws %.1f px across", place.name, z, res, px)
				}
			}
		}
		if minZoom < 2 || minZoom > 6 {
			t.Errorf("%s: cells readable from zoom %d", place.name, minZoom)
		}
	}
}
