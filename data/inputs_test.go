package data

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// A content digest changes with every field and only with content: not with map order or the
// bits of a NaN, and not by moving text from one field into the next.
func TestDigestsFollowContent(t *testing.T) {
	program := func() Program {
		return Program{ID: "p1", Name: "Synthetic", Provider: "x", Location: orb.Point{-90.2, 38.6}, ContentAreas: []string{"math"},
			Setting: "out_of_school", Capacity: math.NaN(), Source: "s.csv", Extra: map[string]string{"a": "1", "b": "2"}, Ref: "line 2"}
	}
	base := DigestPrograms([]Program{program()})
	if len(base) != 64 {
		t.Fatalf("digest %q", base)
	}
	same := program()
	same.Capacity = math.Float64frombits(0x7ff8000000000001) // another NaN
	same.Extra = map[string]string{"b": "2", "a": "1"}
	if DigestPrograms([]Program{same}) != base {
		t.Error("the digest depends on the NaN's bits or the map's order")
	}
	changes := []func(p *Program){
		func(p *Program) { p.ID = "p2" },
		func(p *Program) { p.Name, p.Provider = "Synthetic"+"x", "" },
		func(p *Program) { p.Location[1] = math.Nextafter(38.6, 39) },
		func(p *Program) { p.ContentAreas = nil },
		func(p *Program) { p.Capacity = 10 },
		func(p *Program) { p.Extra["c"] = "" },
		func(p *Program) { p.Ref = "line 3" },
		func(p *Program) { p.Setting = "in_school" },
	}
	for i, change := range changes {
		p := program()
		change(&p)
		if DigestPrograms([]Program{p}) == base {
			t.Errorf("change %d left the digest as it was", i)
		}
	}
	if DigestPrograms(nil) != "" || DigestAreas(nil) != "" || DigestDemographics(nil) != "" {
		t.Error("no rows should have the empty digest")
	}
	square := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}
	a := DigestAreas([]Area{{ID: "1", Geometry: square}})
	moved := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1.5}, {0, 0}}}}
	if a == DigestAreas([]Area{{ID: "1", Geometry: moved}}) || a == DigestAreas([]Area{{ID: "1", Geometry: square, LandKm2: 1}}) {
		t.Error("an area's digest ignores its geometry or land area")
	}
	v := []DemographicValue{{AreaID: "1", Variable: "youth_pop", Value: 3, MOE: math.NaN()}}
	w := []DemographicValue{{AreaID: "1", Variable: "youth_pop", Value: 3, MOE: 0}}
	if DigestDemographics(v) == DigestDemographics(w) {
		t.Error("a missing margin of error digests like a zero one")
	}
}
