package search

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/tiles"
)

// square is a SYNTHETIC tract shape, not real data.
func square(x, y float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}}
}

// syntheticIndex indexes SYNTHETIC places (real-looking names, made-up shapes and programs).
func syntheticIndex() *Index {
	areas := []data.Area{
		{ID: "29510101100", County: "St. Louis city, MO", Geometry: square(-90.2, 38.6)},
		{ID: "29189101102", County: "St. Louis County, MO", Geometry: square(-90.4, 38.6)},
		{ID: "29189101101", County: "St. Louis County, MO", Geometry: square(-90.41, 38.6)},
		{ID: "17119400100", County: "Madison County, IL", Geometry: square(-90.0, 38.8)},
	}
	counties := []tiles.County{
		{ID: "29510", Name: "St. Louis city, MO", Label: orb.Point{-90.195, 38.605}, Bound: orb.Bound{Min: orb.Point{-90.2, 38.6}, Max: orb.Point{-90.19, 38.61}}},
		{ID: "29189", Name: "St. Louis County, MO", Label: orb.Point{-90.4, 38.605}, Bound: orb.Bound{Min: orb.Point{-90.41, 38.6}, Max: orb.Point{-90.39, 38.61}}},
		{ID: "17119", Name: "Madison County, IL", Label: orb.Point{-89.995, 38.805}, Bound: orb.Bound{Min: orb.Point{-90, 38.8}, Max: orb.Point{-89.99, 38.81}}},
	}
	programs := []data.Program{
		{ID: "p1", Name: "Café Robótica Club", Provider: "Synthetic Library", ContentAreas: []string{"robotics"}, Location: orb.Point{-90.21, 38.61}},
		{ID: "p2", Name: "Madison Makers", Location: orb.Point{-90.01, 38.81}},
	}
	return New(areas, counties, programs)
}

func ids(rs []Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Kind+":"+r.ID)
	}
	return out
}

func TestFindTractsCountiesAndPrograms(t *testing.T) {
	ix := syntheticIndex()
	cases := []struct {
		q    string
		want []string
	}{
		// By number: the exact tract first, then those the number begins (1011.01, 1011.02).
		{"1011", []string{"tract:29510101100", "tract:29189101101", "tract:29189101102"}},
		{"1011.02", []string{"tract:29189101102"}},
		{"Census Tract 1011.01", []string{"tract:29189101101"}},
		{"census tract 1011", []string{"tract:29510101100", "tract:29189101101", "tract:29189101102"}},
		// By GEOID and its prefix (a county's digits find the county too).
		{"29189101101", []string{"tract:29189101101"}},
		{"29189", []string{"county:29189", "tract:29189101101", "tract:29189101102"}},
		// Counties by name: exact first; case and punctuation ignored.
		{"St. Louis County", []string{"county:29189"}},
		{"st louis", []string{"county:29510", "county:29189"}},
		// "madison" begins the county's name and the program's; the county comes first.
		{"madison", []string{"county:17119", "program:p2"}},
		// Programs by a part of the name, accents ignored either way.
		{"robotica", []string{"program:p1"}},
		{"CAFÉ", []string{"program:p1"}},
		{"makers", []string{"program:p2"}},
		{"nowhere", nil},
	}
	for _, c := range cases {
		if got := ids(ix.Find(c.q, 10)); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.q, got, c.want)
		}
	}
	if got := ids(ix.Find("1011", 2)); len(got) != 2 || got[0] != "tract:29510101100" {
		t.Errorf("limit 2: %v", got)
	}
	r := ix.Find("29510101100", 1)[0]
	if r.Label != "Census Tract 1011, St. Louis city, MO" || r.BBox != [4]float64{-90.2, 38.6, -90.19, 38.61} ||
		r.Center[0] <= -90.2 || r.Center[0] >= -90.19 || r.Center[1] <= 38.6 || r.Center[1] >= 38.61 {
		t.Errorf("tract result %+v", r)
	}
	if r := ix.Find("robot", 1)[0]; r.Center != [2]float64{-90.21, 38.61} || r.Detail != "Synthetic Library · Robotics" {
		t.Errorf("program result %+v", r)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"  St. Louis  County, MO ": "st louis county mo", "Tract 2110.02": "tract 2110.02", "Ñandú.": "nandu", "a.b": "a b"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
