package geo

import (
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// NearestIndex answers exact great-circle nearest-point queries over a fixed set of points with a
// k-d tree on unit-sphere vectors: chord length grows with great-circle distance, so the
// Euclidean nearest is the great-circle nearest. It never limits the search to a radius: the
// nearest point is found wherever it is.
type NearestIndex struct {
	sites []Site
	nodes []kdNode // nodes[0] is the root; a node's children are found by index
}

type kdNode struct {
	point       int32 // index into points
	axis        int8
	left, right int32 // -1 when absent
}

// NewNearestIndex builds the index.
func NewNearestIndex(points []orb.Point) *NearestIndex {
	ix := &NearestIndex{sites: make([]Site, len(points))}
	order := make([]int32, len(points))
	for i, p := range points {
		ix.sites[i] = NewSite(p)
		order[i] = int32(i)
	}
	ix.nodes = make([]kdNode, 0, len(points))
	ix.build(order, 0)
	return ix
}

func (ix *NearestIndex) build(order []int32, depth int) int32 {
	if len(order) == 0 {
		return -1
	}
	axis := depth % 3
	sort.Slice(order, func(a, b int) bool {
		va, vb := ix.sites[order[a]].vec[axis], ix.sites[order[b]].vec[axis]
		if va != vb {
			return va < vb
		}
		return order[a] < order[b]
	})
	mid := len(order) / 2
	self := int32(len(ix.nodes))
	ix.nodes = append(ix.nodes, kdNode{point: order[mid], axis: int8(axis)})
	left := ix.build(order[:mid], depth+1)
	right := ix.build(order[mid+1:], depth+1)
	ix.nodes[self].left, ix.nodes[self].right = left, right
	return self
}

// Len is the number of indexed points.
func (ix *NearestIndex) Len() int { return len(ix.sites) }

// Nearest returns the index of the point nearest to p and its great-circle distance in km. Among
// equally near points the lowest index wins, so results do not depend on tree shape. With no
// points it returns -1 and +Inf.
func (ix *NearestIndex) Nearest(p orb.Point) (int, float64) {
	return ix.NearestSite(NewSite(p))
}

// NearestSite is Nearest for a prepared site.
func (ix *NearestIndex) NearestSite(q Site) (int, float64) {
	return ix.NearestSiteFrom(q, -1)
}

// NearestSiteFrom is NearestSite given a guess: the answer for a neighbouring query. Starting from
// a close candidate prunes most of the tree; the answer is the same as without the guess.
func (ix *NearestIndex) NearestSiteFrom(q Site, guess int) (int, float64) {
	if len(ix.nodes) == 0 {
		return -1, math.Inf(1)
	}
	best, bestD2 := int32(-1), math.Inf(1)
	if guess >= 0 && guess < len(ix.sites) {
		best, bestD2 = int32(guess), q.ChordSquared(ix.sites[guess])
	}
	ix.search(0, &q, &best, &bestD2)
	return int(best), KmForChordSquared(bestD2)
}

func (ix *NearestIndex) search(n int32, q *Site, best *int32, bestD2 *float64) {
	node := &ix.nodes[n]
	v := ix.sites[node.point].vec
	d2 := q.ChordSquared(ix.sites[node.point])
	if d2 < *bestD2 || (d2 == *bestD2 && node.point < *best) {
		*best, *bestD2 = node.point, d2
	}
	diff := q.vec[node.axis] - v[node.axis]
	near, far := node.left, node.right
	if diff > 0 {
		near, far = far, near
	}
	if near >= 0 {
		ix.search(near, q, best, bestD2)
	}
	// <= keeps equal-distance points on the far side reachable for the lowest-index tie rule.
	if far >= 0 && diff*diff <= *bestD2 {
		ix.search(far, q, best, bestD2)
	}
}

// Site returns the i-th indexed point, placed on the sphere.
func (ix *NearestIndex) Site(i int) Site { return ix.sites[i] }

// Within appends to out the indices, ascending, of every point whose great-circle distance from q
// may be at most km: all that are, and perhaps a few within a rounding margin beyond, so callers
// that test each exactly lose none.
func (ix *NearestIndex) Within(q Site, km float64, out []int32) []int32 {
	if len(ix.nodes) == 0 {
		return out
	}
	limit := ChordSquaredForKm(km)*(1+1e-9) + 1e-18
	from := len(out)
	out = ix.within(0, &q, limit, out)
	slices.Sort(out[from:])
	return out
}

func (ix *NearestIndex) within(n int32, q *Site, limit float64, out []int32) []int32 {
	node := &ix.nodes[n]
	if q.ChordSquared(ix.sites[node.point]) <= limit {
		out = append(out, node.point)
	}
	diff := q.vec[node.axis] - ix.sites[node.point].vec[node.axis]
	if node.left >= 0 && (diff <= 0 || diff*diff <= limit) {
		out = ix.within(node.left, q, limit, out)
	}
	if node.right >= 0 && (diff >= 0 || diff*diff <= limit) {
		out = ix.within(node.right, q, limit, out)
	}
	return out
}
