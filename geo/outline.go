package geo

import (
	"sort"

	"github.com/paulmach/orb"
)

// Outline dissolves polygons that share their boundaries exactly (as the polygons of a census
// tract file do: cartographic boundary files keep the topology) into the lines around them: the
// edges that no two of the polygons share, chained end to end. The lines come in a stable order.
func Outline(shapes []orb.MultiPolygon) orb.MultiLineString {
	type edge struct{ a, b orb.Point }
	key := func(p, q orb.Point) edge {
		if q[0] < p[0] || (q[0] == p[0] && q[1] < p[1]) {
			return edge{q, p}
		}
		return edge{p, q}
	}
	count := map[edge]int{}
	for _, mp := range shapes {
		for _, poly := range mp {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					count[key(ring[i], ring[i+1])]++
				}
			}
		}
	}
	next := map[orb.Point][]orb.Point{}
	for e, n := range count {
		if n == 1 {
			next[e.a] = append(next[e.a], e.b)
			next[e.b] = append(next[e.b], e.a)
		}
	}
	for _, ends := range next { // map order would make the chaining, and so the lines, vary
		sort.Slice(ends, func(i, j int) bool { return less(ends[i], ends[j]) })
	}
	used := map[edge]bool{}
	take := func(p, q orb.Point) bool {
		e := key(p, q)
		if used[e] {
			return false
		}
		used[e] = true
		return true
	}
	starts := make([]orb.Point, 0, len(next))
	for p := range next {
		starts = append(starts, p)
	}
	sort.Slice(starts, func(i, j int) bool { return less(starts[i], starts[j]) })
	var out orb.MultiLineString
	for _, start := range starts {
		for _, q := range next[start] {
			if !take(start, q) {
				continue
			}
			line := orb.LineString{start, q}
			for p := q; ; {
				moved := false
				for _, r := range next[p] {
					if take(p, r) {
						line, p, moved = append(line, r), r, true
						break
					}
				}
				if !moved {
					break
				}
			}
			out = append(out, line)
		}
	}
	return out
}

func less(p, q orb.Point) bool { return p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]) }
