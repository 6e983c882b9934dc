package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// Two unit squares side by side share one edge: their outline is the 2×1 rectangle, six edges
// long, and never runs along the shared edge.
func TestOutlineDropsSharedEdges(t *testing.T) {
	left := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	right := orb.MultiPolygon{{{{1, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 0}}}}
	out := Outline([]orb.MultiPolygon{left, right})
	edges := 0
	for _, line := range out {
		for i := 0; i+1 < len(line); i++ {
			edges++
			a, b := line[i], line[i+1]
			if a[0] == 1 && b[0] == 1 {
				t.Errorf("the outline runs along the shared edge %v–%v", a, b)
			}
		}
	}
	if edges != 6 {
		t.Errorf("%d outline edges, want 6: %v", edges, out)
	}
	if len(out) != 1 || out[0][0] != out[0][len(out[0])-1] {
		t.Errorf("want one closed line, got %v", out)
	}
	again := Outline([]orb.MultiPolygon{left, right})
	if len(again) != len(out) || !again[0].Equal(out[0]) {
		t.Errorf("the outline changes between calls: %v, then %v", out, again)
	}
}
