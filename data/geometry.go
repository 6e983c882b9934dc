package data

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"stemgap/geo"
)

// checkMultiPolygon rejects what PostGIS's ST_IsValid rejects, and what would break H3
// polyfill, so that both stores give one verdict from one Go check: every polygon valid on its
// own, and no two polygons overlapping or sharing an edge (they may touch at points).
func checkMultiPolygon(mp orb.MultiPolygon, region *orb.Bound) error {
	for k, poly := range mp {
		if err := checkPolygon(poly, region); err != nil {
			if len(mp) > 1 {
				return fmt.Errorf("polygon %d: %w", k+1, err)
			}
			return err
		}
	}
	if len(mp) < 2 {
		return nil
	}
	var rings []orb.Ring
	var owner []int
	for k, poly := range mp {
		for _, r := range poly {
			rings = append(rings, r)
			owner = append(owner, k)
		}
	}
	if c := findContacts(rings); c.crossing != nil {
		a, b := owner[c.crossing.ring], owner[c.crossing.other]
		if a != b {
			return invalid("polygons %d and %d overlap near (%v, %v): invalid geometry (the parts of a MultiPolygon may touch at points only)", min(a, b)+1, max(a, b)+1, c.crossing.at[0], c.crossing.at[1])
		}
	}
	for i := range mp {
		for j := i + 1; j < len(mp); j++ {
			if !mp[i].Bound().Intersects(mp[j].Bound()) {
				continue
			}
			if at, ok := overlapPoint(mp[i], mp[j]); ok {
				return invalid("polygons %d and %d overlap near (%v, %v): invalid geometry (the parts of a MultiPolygon may touch at points only)", i+1, j+1, at[0], at[1])
			}
		}
	}
	return nil
}

// invalidTopology is a polygon whose coordinates are fine but whose rings cross, touch, overlap
// or enclose nothing: what ST_MakeValid repairs, and ingest --repair with it.
type invalidTopology struct{ reason string }

func (e *invalidTopology) Error() string { return e.reason }

func invalid(format string, args ...any) error {
	return &invalidTopology{fmt.Sprintf(format, args...)}
}

// repairable says whether a geometry error is one --repair can mend.
func repairable(err error) bool {
	var it *invalidTopology
	return errors.As(err, &it)
}

// checkPolygon rejects too few points, open rings, coordinates that are not lon/lat, rings that
// cross, overlap or touch themselves, holes outside their shell or inside each other, an
// interior cut in pieces by touching rings, and rings without area.
func checkPolygon(p orb.Polygon, region *orb.Bound) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon has no rings")
	}
	for r, ring := range p {
		what := ringName(r)
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
			return invalid("hole %d lies outside the outer ring: invalid geometry", h+1)
		}
	}
	c := findContacts(p)
	if c.crossing != nil {
		return invalid("rings cross themselves or each other near (%v, %v): invalid geometry", c.crossing.at[0], c.crossing.at[1])
	}
	if c.selfTouch != nil {
		return invalid("%s touches itself at (%v, %v): invalid geometry (a ring may pass through a point once)", ringName(c.selfTouch.ring), c.selfTouch.at[0], c.selfTouch.at[1])
	}
	for r, ring := range p {
		if shoelace(ring) == 0 {
			return invalid("ring %d encloses no area", r+1)
		}
	}
	for i := 1; i < len(p); i++ {
		for j := i + 1; j < len(p); j++ {
			if !p[i].Bound().Intersects(p[j].Bound()) {
				continue
			}
			if ringsOverlap(p[i], p[j]) {
				return invalid("holes %d and %d overlap or are nested: invalid geometry", i, j)
			}
		}
	}
	if at, cut := c.disconnects(len(p)); cut {
		return invalid("rings touch so as to cut the polygon's interior in pieces (near (%v, %v)): invalid geometry", at[0], at[1])
	}
	return nil
}

func ringName(r int) string {
	if r == 0 {
		return "outer ring"
	}
	return fmt.Sprintf("hole %d", r)
}

// holeInside reports whether a hole lies within its shell: no piece of its boundary lies outside.
func holeInside(shell, hole orb.Ring) bool {
	for _, pt := range piecePoints([]orb.Ring{hole}, []orb.Ring{shell}) {
		if !onRing(shell, pt) && !planar.RingContains(shell, pt) {
			return false
		}
	}
	return true
}

// ringsOverlap reports whether two rings' interiors overlap, for rings whose edges neither cross
// nor run along each other (checked apart).
func ringsOverlap(a, b orb.Ring) bool {
	_, ok := overlapPoint(orb.Polygon{a}, orb.Polygon{b})
	return ok
}

// overlapPoint finds a point where the areas of two polygons overlap, for polygons whose edges
// neither cross nor run along each other (checked apart). Their boundaries then meet at points
// only, so either some piece of one boundary lies inside the other's area, or the areas are
// apart.
func overlapPoint(a, b orb.Polygon) (orb.Point, bool) {
	for _, pair := range [2][2]orb.Polygon{{a, b}, {b, a}} {
		outer, inner := pair[0], pair[1]
		for _, pt := range piecePoints(inner, outer) {
			if !onPolygonBoundary(outer, pt) && inPolygonArea(outer, pt) {
				return pt, true
			}
		}
	}
	return orb.Point{}, false
}

// piecePoints splits every edge of rings where a vertex of other lies on it, and returns the
// midpoints of the pieces. Where the two sets of edges do not cross, each piece lies wholly
// inside, outside or on the other's boundary, and its midpoint says which.
func piecePoints(rings, other []orb.Ring) []orb.Point {
	var vertices []orb.Point
	bound := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, r := range other {
		vertices = append(vertices, r...)
		bound = bound.Union(r.Bound())
	}
	var out []orb.Point
	for _, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if a == b {
				continue
			}
			cuts := []float64{0, 1}
			if (orb.Bound{Min: a, Max: a}).Extend(b).Intersects(bound) {
				for _, v := range vertices {
					if v != a && v != b && onSegment(a, b, v) {
						cuts = append(cuts, along(a, b, v))
					}
				}
				sort.Float64s(cuts)
			}
			for k := 0; k+1 < len(cuts); k++ {
				t := (cuts[k] + cuts[k+1]) / 2
				out = append(out, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
			}
		}
	}
	return out
}

// along is where v lies on segment ab, from 0 at a to 1 at b.
func along(a, b, v orb.Point) float64 {
	if math.Abs(b[0]-a[0]) >= math.Abs(b[1]-a[1]) {
		return (v[0] - a[0]) / (b[0] - a[0])
	}
	return (v[1] - a[1]) / (b[1] - a[1])
}

func onPolygonBoundary(p orb.Polygon, pt orb.Point) bool {
	for _, r := range p {
		if onRing(r, pt) {
			return true
		}
	}
	return false
}

// inPolygonArea: inside the shell and outside every hole, for a point on no ring.
func inPolygonArea(p orb.Polygon, pt orb.Point) bool {
	if !planar.RingContains(p[0], pt) {
		return false
	}
	for _, hole := range p[1:] {
		if planar.RingContains(hole, pt) {
			return false
		}
	}
	return true
}

func onRing(r orb.Ring, pt orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if onSegment(r[i], r[i+1], pt) {
			return true
		}
	}
	return false
}

func onSegment(a, b, pt orb.Point) bool {
	return orient(a, b, pt) == 0 && pt[0] >= math.Min(a[0], b[0]) && pt[0] <= math.Max(a[0], b[0]) &&
		pt[1] >= math.Min(a[1], b[1]) && pt[1] <= math.Max(a[1], b[1])
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

// contact is a place where two edges meet: on rings ring and other (the same ring for a
// self-touch).
type contact struct {
	at          orb.Point
	ring, other int
}

// contacts is what a sweep over a set of rings' edges found.
type contacts struct {
	crossing  *contact // edges that properly cross, or overlap along a line
	selfTouch *contact // a ring meeting itself away from its own consecutive edges
	touches   []contact
}

// findContacts sweeps the rings' edges in x order. Repeated consecutive points are skipped, as
// PostGIS does, so that they neither count as edges nor hide a ring's adjacency.
func findContacts(rings []orb.Ring) contacts {
	var segs []segment
	edges := make([]int, len(rings))
	for r, ring := range rings {
		n := 0
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if a == b {
				continue
			}
			segs = append(segs, segment{a: a, b: b, ring: r, idx: n, minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0])})
			n++
		}
		edges[r] = n
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	var out contacts
	seen := map[contact]bool{}
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := &segs[j]
			if at, ok := crosses(s.a, s.b, t.a, t.b); ok {
				if out.crossing == nil {
					out.crossing = &contact{at: at, ring: s.ring, other: t.ring}
				}
				continue
			}
			at, ok := touchPoint(s.a, s.b, t.a, t.b)
			if !ok {
				continue
			}
			if s.ring == t.ring {
				if !adjacent(s.idx, t.idx, edges[s.ring]) && out.selfTouch == nil {
					out.selfTouch = &contact{at: at, ring: s.ring, other: s.ring}
				}
				continue
			}
			c := contact{at: at, ring: min(s.ring, t.ring), other: max(s.ring, t.ring)}
			if !seen[c] {
				seen[c] = true
				out.touches = append(out.touches, c)
			}
		}
	}
	return out
}

// disconnects reports whether the rings' touch points cut the interior in pieces. Rings and
// touch points form a graph, each ring linked to the points where it touches another; a cycle
// in it encloses part of the interior, as two touches between a shell and one hole do.
func (c contacts) disconnects(rings int) (orb.Point, bool) {
	parent := map[any]any{}
	var find func(x any) any
	find = func(x any) any {
		if p, ok := parent[x]; ok && p != x {
			root := find(p)
			parent[x] = root
			return root
		}
		return x
	}
	linked := map[[2]any]bool{}
	for _, t := range c.touches {
		for _, ring := range []int{t.ring, t.other} {
			edge := [2]any{ring, t.at}
			if linked[edge] {
				continue
			}
			linked[edge] = true
			a, b := find(ring), find(t.at)
			if a == b {
				return t.at, true
			}
			parent[a] = b
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

// touchPoint reports where segments ab and cd meet without crossing: an endpoint of one lying
// on the other.
func touchPoint(a, b, c, d orb.Point) (orb.Point, bool) {
	switch {
	case onSegment(c, d, a):
		return a, true
	case onSegment(c, d, b):
		return b, true
	case onSegment(a, b, c):
		return c, true
	case onSegment(a, b, d):
		return d, true
	}
	return orb.Point{}, false
}
