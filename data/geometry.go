package data

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"stemgap/geo"
)

// checkPolygon rejects what PostGIS's ST_IsValid would and what would break H3 polyfill: too few
// points, open rings, coordinates that are not lon/lat, zero area, and rings that cross.
func checkPolygon(p orb.Polygon, region *orb.Bound) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon has no rings")
	}
	for r, ring := range p {
		what := "outer ring"
		if r > 0 {
			what = fmt.Sprintf("hole %d", r)
		}
		for _, pt := range ring {
			if err := geo.CheckLonLat(pt); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if region != nil {
				if err := geo.CheckInRegion(pt, *region); err != nil {
					return fmt.Errorf("%s: %w", what, err)
				}
			}
		}
		if len(ring) < 4 {
			return fmt.Errorf("%s has %d points; a ring needs at least 4 (first repeated last)", what, len(ring))
		}
		if ring[0] != ring[len(ring)-1] {
			return fmt.Errorf("%s is not closed: first point %v differs from last %v", what, ring[0], ring[len(ring)-1])
		}
	}
	for h, hole := range p[1:] {
		if !holeInside(p[0], hole) {
			return fmt.Errorf("hole %d lies outside the outer ring: invalid geometry", h+1)
		}
	}
	if at, crossed := findCrossing(p); crossed {
		return fmt.Errorf("rings cross themselves or each other near (%v, %v): invalid geometry", at[0], at[1])
	}
	for r, ring := range p {
		if shoelace(ring) == 0 {
			return fmt.Errorf("ring %d encloses no area", r+1)
		}
	}
	return nil
}

// holeInside reports whether a hole lies within its shell. With no crossing edges (checked
// apart), one hole vertex off the shell's boundary decides it.
func holeInside(shell, hole orb.Ring) bool {
	for _, pt := range hole {
		if onRing(shell, pt) {
			continue
		}
		return planar.RingContains(shell, pt)
	}
	return true
}

func onRing(r orb.Ring, pt orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if orient(a, b, pt) == 0 && pt[0] >= math.Min(a[0], b[0]) && pt[0] <= math.Max(a[0], b[0]) &&
			pt[1] >= math.Min(a[1], b[1]) && pt[1] <= math.Max(a[1], b[1]) {
			return true
		}
	}
	return false
}

func shoelace(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

type segment struct {
	a, b       orb.Point
	ring, idx  int
	minX, maxX float64
}

// findCrossing sweeps the polygon's edges in x order and reports the first pair that properly
// cross or overlap along a line. Edges that only touch at a point are allowed, as OGC allows a
// hole to touch its shell at a vertex.
func findCrossing(p orb.Polygon) (orb.Point, bool) {
	var segs []segment
	for r, ring := range p {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if a == b {
				continue
			}
			segs = append(segs, segment{a: a, b: b, ring: r, idx: i, minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0])})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := &segs[j]
			if s.ring == t.ring && adjacent(s.idx, t.idx, len(p[s.ring])-1) {
				continue
			}
			if at, ok := crosses(s.a, s.b, t.a, t.b); ok {
				return at, true
			}
		}
	}
	return orb.Point{}, false
}

func adjacent(i, j, n int) bool {
	d := i - j
	if d < 0 {
		d = -d
	}
	return d == 1 || d == n-1
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// crosses reports a proper crossing of segments ab and cd, or a collinear overlap of positive
// length.
func crosses(a, b, c, d orb.Point) (orb.Point, bool) {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if o1*o2 < 0 && o3*o4 < 0 {
		t := orient(c, d, a) / (orient(c, d, a) - orient(c, d, b))
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	if o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0 {
		// Collinear: project on the longer axis and compare the intervals.
		axis := 0
		if math.Abs(b[0]-a[0]) < math.Abs(b[1]-a[1]) {
			axis = 1
		}
		lo := math.Max(math.Min(a[axis], b[axis]), math.Min(c[axis], d[axis]))
		hi := math.Min(math.Max(a[axis], b[axis]), math.Max(c[axis], d[axis]))
		if hi > lo {
			if a[axis] >= lo && a[axis] <= hi {
				return a, true
			}
			return c, true
		}
	}
	return orb.Point{}, false
}
