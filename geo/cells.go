package geo

import (
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"
)

// MinResolution and MaxResolution bound the H3 resolutions stemgap analyses at: coarser cells are
// larger than a neighbourhood, finer ones outnumber what one machine should tile.
const (
	MinResolution = 6
	MaxResolution = 10
)

// CheckResolution rejects an H3 resolution outside the supported range.
func CheckResolution(res int) error {
	if res < MinResolution || res > MaxResolution {
		return fmt.Errorf("H3 resolution %d is outside %d–%d", res, MinResolution, MaxResolution)
	}
	return nil
}

// PolygonCells returns, sorted and without duplicates, the H3 cells at res whose centers fall
// inside mp (holes excluded).
func PolygonCells(mp orb.MultiPolygon, res int) ([]h3.Cell, error) {
	var cells []h3.Cell
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 4 {
			continue
		}
		got, err := h3.PolygonToCellsExperimental(geoPolygon(poly), res, h3.ContainmentCenter)
		if err != nil {
			return nil, fmt.Errorf("H3 cells of polygon: %w", err)
		}
		cells = append(cells, got...)
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i] < cells[j] })
	out := cells[:0]
	for i, c := range cells {
		if c == 0 || (i > 0 && c == cells[i-1]) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func geoPolygon(poly orb.Polygon) h3.GeoPolygon {
	loop := func(r orb.Ring) h3.GeoLoop {
		// H3 closes loops itself; a repeated closing vertex would add a zero-length edge.
		n := len(r)
		if n > 1 && r[0] == r[n-1] {
			n--
		}
		out := make(h3.GeoLoop, n)
		for i := 0; i < n; i++ {
			out[i] = h3.LatLng{Lat: r[i][1], Lng: r[i][0]}
		}
		return out
	}
	gp := h3.GeoPolygon{GeoLoop: loop(poly[0])}
	for _, hole := range poly[1:] {
		gp.Holes = append(gp.Holes, loop(hole))
	}
	return gp
}

// PointCell is the H3 cell at res holding p.
func PointCell(p orb.Point, res int) (h3.Cell, error) {
	c, err := h3.LatLngToCell(h3.LatLng{Lat: p[1], Lng: p[0]}, res)
	if err != nil {
		return 0, fmt.Errorf("H3 cell of %v: %w", p, err)
	}
	return c, nil
}

// CellCenter is the center of an H3 cell as a lon/lat point.
func CellCenter(c h3.Cell) (orb.Point, error) {
	ll, err := h3.CellToLatLng(c)
	if err != nil {
		return orb.Point{}, fmt.Errorf("center of cell %s: %w", c, err)
	}
	return orb.Point{ll.Lng, ll.Lat}, nil
}

// CellPolygon is the boundary of an H3 cell as a closed, counter-clockwise lon/lat ring.
func CellPolygon(c h3.Cell) (orb.Polygon, error) {
	b, err := h3.CellToBoundary(c)
	if err != nil {
		return nil, fmt.Errorf("boundary of cell %s: %w", c, err)
	}
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{ll.Lng, ll.Lat})
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}, nil
}

// InteriorPoint returns a point guaranteed to lie inside mp, for areas too small to hold an H3
// cell center. Like GEOS's PointOnSurface it cuts the largest polygon with a horizontal line
// halfway between two vertex latitudes near its middle and takes the middle of the widest inside
// stretch; a centroid can fall outside a crescent-shaped tract, this cannot.
func InteriorPoint(mp orb.MultiPolygon) (orb.Point, bool) {
	poly, ok := largestPolygon(mp)
	if !ok {
		return orb.Point{}, false
	}
	y := scanLatitude(poly)
	var xs []float64
	for _, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, bestWidth := orb.Point{}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestWidth {
			best, bestWidth = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	return best, bestWidth > 0
}

func largestPolygon(mp orb.MultiPolygon) (orb.Polygon, bool) {
	var best orb.Polygon
	bestArea := 0.0
	for _, p := range mp {
		if len(p) == 0 {
			continue
		}
		if a := planar.Area(p); a > bestArea {
			best, bestArea = p, a
		}
	}
	return best, best != nil
}

// scanLatitude picks a latitude strictly between two distinct vertex latitudes, nearest the
// middle of the polygon's extent, so the scan line never passes through a vertex.
func scanLatitude(poly orb.Polygon) float64 {
	b := poly.Bound()
	mid := (b.Min[1] + b.Max[1]) / 2
	below, above := b.Min[1], b.Max[1]
	for _, ring := range poly {
		for _, p := range ring {
			if p[1] <= mid && p[1] > below {
				below = p[1]
			}
			if p[1] > mid && p[1] < above {
				above = p[1]
			}
		}
	}
	return (below + above) / 2
}
