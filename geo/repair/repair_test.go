package repair

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// A bow tie (0,0)→(2,2)→(2,0)→(0,2) is two triangles meeting where its diagonals cross, (1,1):
// one with corners (0,0), (1,1), (0,2), the other (2,0), (1,1), (2,2); each of area 1.
func TestBowTieBecomesTwoTriangles(t *testing.T) {
	bow := orb.MultiPolygon{{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}
	fixed, err := MakeValid([]orb.MultiPolygon{bow})
	if err != nil {
		t.Fatal(err)
	}
	mp := fixed[0]
	if len(mp) != 2 {
		t.Fatalf("%d polygons, want 2: %v", len(mp), mp)
	}
	want := [][]orb.Point{{{0, 0}, {1, 1}, {0, 2}}, {{2, 0}, {1, 1}, {2, 2}}}
	for _, w := range want {
		found := false
		for _, p := range mp {
			if len(p) == 1 && len(p[0]) == 4 && sameCorners(p[0], w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no triangle %v in %v", w, mp)
		}
	}
	if a := planar.Area(mp); a != 2 {
		t.Errorf("area %v, want 2", a)
	}
}

func sameCorners(r orb.Ring, corners []orb.Point) bool {
	for _, c := range corners {
		if !contains(r, c) {
			return false
		}
	}
	return true
}

func contains(r orb.Ring, p orb.Point) bool {
	for _, q := range r {
		if q == p {
			return true
		}
	}
	return false
}

// A valid polygon comes back as it was; a ring without area leaves nothing polygonal.
func TestValidKeptAndCollapsedDropped(t *testing.T) {
	square := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	flat := orb.MultiPolygon{{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}}
	fixed, err := MakeValid([]orb.MultiPolygon{square, flat})
	if err != nil {
		t.Fatal(err)
	}
	if len(fixed[0]) != 1 || planar.Area(fixed[0]) != 1 || len(fixed[0][0][0]) != 5 {
		t.Errorf("a valid square came back as %v", fixed[0])
	}
	if len(fixed[1]) != 0 {
		t.Errorf("a flat ring repaired to %v; want no polygon", fixed[1])
	}
}
