package geo

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"
)

func TestDistanceKmByHand(t *testing.T) {
	// A quarter of the equator is a quarter of the circumference: R·π/2.
	if got, want := DistanceKm(orb.Point{0, 0}, orb.Point{90, 0}), EarthRadiusKm*math.Pi/2; math.Abs(got-want) > 1e-9 {
		t.Errorf("quarter equator = %v km, want %v", got, want)
	}
	// One degree along a meridian is R·π/180 whatever the longitude.
	if got, want := DistanceKm(orb.Point{-90.2, 38}, orb.Point{-90.2, 39}), EarthRadiusKm*math.Pi/180; math.Abs(got-want) > 1e-9 {
		t.Errorf("one degree of latitude = %v km, want %v", got, want)
	}
	// Along the 60th parallel, the haversine of Δλ = 1°: 2R·asin(cos60°·sin(0.5°)).
	want := 2 * EarthRadiusKm * math.Asin(0.5*math.Sin(0.5*math.Pi/180))
	if got := DistanceKm(orb.Point{10, 60}, orb.Point{11, 60}); math.Abs(got-want) > 1e-9 {
		t.Errorf("1° along 60°N = %v km, want %v", got, want)
	}
	if d := DistanceKm(orb.Point{-90.19, 38.62}, orb.Point{-90.19, 38.62}); d != 0 {
		t.Errorf("distance of a point to itself = %v", d)
	}
}

func randomPoints(r *rand.Rand, n int, b orb.Bound) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

var stLouisBox = orb.Bound{Min: orb.Point{-91.4, 38.0}, Max: orb.Point{-89.1, 39.5}}

func TestNearestIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 300} {
		programs := randomPoints(r, n, stLouisBox)
		ix := NewNearestIndex(programs)
		// Queries reach well outside the programs' box: the index must not stop at a radius.
		for _, q := range randomPoints(r, 2000, orb.Bound{Min: orb.Point{-95, 35}, Max: orb.Point{-85, 42}}) {
			want := math.Inf(1)
			for _, p := range programs {
				want = math.Min(want, DistanceKm(q, p))
			}
			i, got := ix.Nearest(q)
			if math.Abs(got-want) > 1e-9 || math.Abs(DistanceKm(q, programs[i])-got) > 1e-12 {
				t.Fatalf("n=%d query %v: nearest %v km (index %d), brute force %v km", n, q, got, i, want)
			}
			// Any guess, good or bad, leads to the same answer.
			if gi, gd := ix.NearestSiteFrom(NewSite(q), r.IntN(n)); gi != i || gd != got {
				t.Fatalf("n=%d query %v: with a guess %d at %v km, without %d at %v km", n, q, gi, gd, i, got)
			}
		}
	}
	if i, d := NewNearestIndex(nil).Nearest(orb.Point{0, 0}); i != -1 || !math.IsInf(d, 1) {
		t.Errorf("empty index returned %d, %v", i, d)
	}
}

// Within finds every point within the distance, as brute force does.
func TestNearestIndexWithinMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	programs := randomPoints(r, 300, stLouisBox)
	ix := NewNearestIndex(programs)
	for _, q := range randomPoints(r, 50, stLouisBox) {
		for _, km := range []float64{0.5, 5, 20} {
			got := ix.Within(NewSite(q), km, nil)
			var want []int32
			for i, p := range programs {
				if DistanceKm(q, p) <= km {
					want = append(want, int32(i))
				}
			}
			// Within may add points within a rounding margin beyond km, never more.
			k := 0
			for _, i := range got {
				if k < len(want) && want[k] == i {
					k++
				} else if d := DistanceKm(q, programs[i]); d > km*(1+1e-6) {
					t.Fatalf("%v within %v km: point %d is %v km away", q, km, i, d)
				}
			}
			if k != len(want) {
				t.Fatalf("%v within %v km: got %v, want %v", q, km, got, want)
			}
		}
	}
}

func TestNearestIndexTieTakesLowestIndex(t *testing.T) {
	same := orb.Point{-90.2, 38.6}
	ix := NewNearestIndex([]orb.Point{{-90.0, 38.0}, same, same, same})
	if i, _ := ix.Nearest(orb.Point{-90.21, 38.61}); i != 1 {
		t.Errorf("tie went to index %d, want 1", i)
	}
}

// A U-shaped polygon: its centroid lies in the notch, outside.
var uShape = orb.Polygon{{{-90.30, 38.60}, {-90.20, 38.60}, {-90.20, 38.70}, {-90.22, 38.70}, {-90.22, 38.62}, {-90.28, 38.62}, {-90.28, 38.70}, {-90.30, 38.70}, {-90.30, 38.60}}}

func TestPolygonCellsAreExactlyTheCentersInside(t *testing.T) {
	cells, err := PolygonCells(orb.MultiPolygon{uShape}, 9)
	if err != nil {
		t.Fatal(err)
	}
	got := map[h3.Cell]bool{}
	for i, c := range cells {
		if i > 0 && cells[i-1] >= c {
			t.Fatal("cells are not sorted and unique")
		}
		got[c] = true
	}
	origin, _ := PointCell(orb.Point{-90.25, 38.65}, 9)
	candidates, _ := h3.GridDisk(origin, 60)
	inside := 0
	for _, c := range candidates {
		center, _ := CellCenter(c)
		if planar.PolygonContains(uShape, center) != got[c] {
			t.Fatalf("cell %s (center %v): inside=%v but PolygonCells says %v", c, center, !got[c], got[c])
		}
		if got[c] {
			inside++
		}
	}
	if inside != len(cells) || inside < 100 {
		t.Fatalf("%d cells inside by brute force, %d from PolygonCells", inside, len(cells))
	}
}

func TestInteriorPointLiesInside(t *testing.T) {
	if c, _ := planar.CentroidArea(uShape); planar.PolygonContains(uShape, c) {
		t.Fatal("test shape should have its centroid outside")
	}
	shapes := []orb.MultiPolygon{
		{uShape},
		{{{{-90.0, 38.0}, {-89.999, 38.0}, {-89.999, 38.0005}, {-90.0, 38.0}}}},                                                                  // a sliver
		{{{{-90, 38}, {-89, 38}, {-89, 39}, {-90, 39}, {-90, 38}}, {{-89.9, 38.1}, {-89.1, 38.1}, {-89.1, 38.9}, {-89.9, 38.9}, {-89.9, 38.1}}}}, // a frame
	}
	for i, mp := range shapes {
		p, ok := InteriorPoint(mp)
		if !ok || !planar.MultiPolygonContains(mp, p) {
			t.Errorf("shape %d: interior point %v (ok=%v) is not inside", i, p, ok)
		}
	}
	if _, ok := InteriorPoint(orb.MultiPolygon{{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}}); ok {
		t.Error("a flat ring has no interior point")
	}
}

func TestCheckLonLat(t *testing.T) {
	cases := []struct {
		p    orb.Point
		want string // substring of the error; empty for valid
	}{
		{orb.Point{-90.2, 38.6}, ""},
		{orb.Point{180, -90}, ""},
		{orb.Point{885000, 310000}, "projected"},
		{orb.Point{38.6, -190.2}, "swapped"},
		{orb.Point{-190, 38}, "off the Earth"},
		{orb.Point{math.NaN(), 38}, "not a number"},
	}
	for _, c := range cases {
		err := CheckLonLat(c.p)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckLonLat(%v) = %v, want %q", c.p, err, c.want)
		}
	}
	if err := CheckInRegion(orb.Point{38.6, -90.2}, stLouisBox); err == nil || !strings.Contains(err.Error(), "swapped") {
		t.Errorf("swapped point in region: %v", err)
	}
	if err := CheckInRegion(orb.Point{-90.2, 38.6}, stLouisBox); err != nil {
		t.Error(err)
	}
}

func TestCellPolygonSurroundsCenter(t *testing.T) {
	c, _ := PointCell(orb.Point{-90.19, 38.63}, 9)
	poly, err := CellPolygon(c)
	if err != nil {
		t.Fatal(err)
	}
	center, _ := CellCenter(c)
	if len(poly[0]) != 7 || poly[0][0] != poly[0][6] || !planar.PolygonContains(poly, center) {
		t.Errorf("cell polygon %v does not close around its center %v", poly, center)
	}
}

// The series for short distances agrees with asin to within an ulp or two, and on both sides of
// where it takes over.
func TestKmForChordSquaredMatchesAsin(t *testing.T) {
	for _, km := range []float64{0, 1e-6, 0.001, 0.05, 0.3, 1, 1.609344, 4, 8, 12.5, 12.7, 12.8, 13, 16.09344, 50, 500, 5000, 20000} {
		c2 := ChordSquaredForKm(km)
		want := 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(c2)/2))
		if got := KmForChordSquared(c2); math.Abs(got-want) > 4e-16*math.Max(want, 1e-300) {
			t.Errorf("%v km: %.17g, asin gives %.17g", km, got, want)
		}
	}
}
