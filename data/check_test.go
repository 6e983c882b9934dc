package data

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y, size float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}
}

// Figures the analysis cannot handle are refused at ingest, by the reader and by the validator
// both stores run: a capacity or youth count of 1e308 used to be stored.
func TestImplausibleFiguresAreRefused(t *testing.T) {
	_, err := ReadPrograms(strings.NewReader("id,lat,lng,capacity\np1,38.6,-90.2,1e308\n"), "programs.csv", ProgramOptions{})
	if err == nil || err.Error() != `programs.csv: line 2: program "p1": capacity 1e+308 is more than 1e+06 seats, the plausible maximum (raise it with --max-capacity)` {
		t.Errorf("capacity 1e308: %v", err)
	}
	if ps, err := ReadPrograms(strings.NewReader("id,lat,lng,capacity\np1,38.6,-90.2,2000000\n"), "programs.csv", ProgramOptions{Limits: Limits{MaxCapacity: 5e6}}); err != nil || ps[0].Capacity != 2e6 {
		t.Errorf("a raised capacity bound: %v", err)
	}
	cols := map[string]string{"youth_pop": "youth"}
	_, err = ReadDemographics(strings.NewReader("GEOID,youth\n29510101100,1e308\n"), "demo.csv", DemographicOptions{Columns: cols})
	if err == nil || err.Error() != `demo.csv: line 2: column youth (youth_pop): 1e+308 is more than 100000, the plausible maximum for a census tract (raise it with --max-population)` {
		t.Errorf("youth 1e308: %v", err)
	}
	// Other areal units get the looser bound; money is not a count of people.
	if _, err := ReadDemographics(strings.NewReader("county,youth\nLos Angeles,2100000\n"), "demo.csv", DemographicOptions{IDField: "county", Columns: cols}); err != nil {
		t.Errorf("a county's youth: %v", err)
	}
	if _, err := ReadDemographics(strings.NewReader("GEOID,inc\n29510101100,250001\n"), "demo.csv", DemographicOptions{Columns: map[string]string{"median_hh_income": "inc"}}); err != nil {
		t.Errorf("an income above the population bound: %v", err)
	}
	_, err = ReadDemographics(strings.NewReader("GEOID,B1E,B1M\n29510101100,300,-20\n"), "demo.csv", DemographicOptions{Columns: map[string]string{"youth_pop": "B1E"}})
	wantError(t, err, "demo.csv: line 2: column B1M (margin of error of youth_pop): -20 is negative")

	// The same bounds hold for rows that reach a store by another path.
	rows := Ingest{Record: IngestRecord{Kind: KindDemographics, Source: "acs-api"}, Demographics: []DemographicValue{
		{AreaID: "29510101100", Variable: "youth_pop", Value: 1e308, MOE: math.NaN(), Ref: "row 4"}}}
	wantError(t, CheckIngest(rows), "acs-api: row 4: youth_pop of area \"29510101100\": 1e+308 is more than 100000")
	rows.Limits.MaxPopulation = math.MaxFloat64
	if err := CheckIngest(rows); err != nil {
		t.Errorf("a raised population bound: %v", err)
	}
	progs := Ingest{Record: IngestRecord{Kind: KindPrograms, Source: "api"}, Programs: []Program{
		{ID: "p1", Location: orb.Point{-90.2, 38.6}, Capacity: math.Inf(1), Ref: "item 1"},
		{ID: "p2", Location: orb.Point{-90.2, 38.6}, Capacity: 20, ContentAreas: []string{"Física"}, Ref: "item 2"}}}
	err = CheckIngest(progs)
	wantError(t, err, `api: item 1: program "p1": capacity +Inf is not a number`, `api: item 2: program "p2": content area "Física" is not a normalised label`)
}

// A world-sized tract never reaches the analysis: its polygon is larger than any real area, and
// larger than the land and water its properties declare.
func TestWorldSizedAreaIsRefused(t *testing.T) {
	world := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"29510101100"},"geometry":{"type":"Polygon","coordinates":[[[-179,-89],[179,-89],[179,89],[-179,89],[-179,-89]]]}}]}`
	_, err := ReadAreas(strings.NewReader(world), "tracts.geojson", AreaOptions{})
	wantError(t, err, `tracts.geojson: feature 1: GEOID "29510101100": its polygon covers`, "more than 1e+06 km², the plausible maximum for one area")
	declared := strings.Replace(twoTracts, `[[[-90.3,38.6],[-90.29,38.6],[-90.29,38.61],[-90.3,38.61],[-90.3,38.6]]]`, `[[[-90.3,38.6],[-89.3,38.6],[-89.3,39.6],[-90.3,39.6],[-90.3,38.6]]]`, 1)
	_, err = ReadAreas(strings.NewReader(declared), "tracts.geojson", AreaOptions{})
	wantError(t, err, "feature 1", "more than twice the 2.5 km² its ALAND and AWATER declare")
	in := Ingest{Record: IngestRecord{Kind: KindAreas, Source: "tiger.zip"}, Areas: []Area{
		{ID: "29510101100", Geometry: orb.MultiPolygon{{{{-179, -89}, {179, -89}, {179, 89}, {-179, 89}, {-179, -89}}}}, LandKm2: 2, Ref: "record 1"},
		{ID: "29510101200", Geometry: orb.MultiPolygon{square(-90, 38, 0.01)}, LandKm2: 5e6, Ref: "record 2"}}}
	wantError(t, CheckIngest(in), "tiger.zip: record 1: area \"29510101100\": its polygon covers", "tiger.zip: record 2: area \"29510101200\": land area 5e+06 km² is more than 1e+06 km²")
}

// Text that reached a row through a JSON escape is checked too: PostgreSQL would refuse the
// NUL, the embedded store would keep it.
func TestNULInAJSONStringIsRefused(t *testing.T) {
	fc := strings.Replace(twoTracts, `"Census Tract 1011"`, `"Census\u0000Tract"`, 1)
	areas, err := ReadAreas(strings.NewReader(fc), "tracts.geojson", AreaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := Ingest{Record: IngestRecord{Kind: KindAreas, Source: "tracts.geojson"}, Areas: areas}
	if err := CheckIngest(in); err == nil || err.Error() != `tracts.geojson: feature 1: name "Census\x00Tract" holds a NUL character` {
		t.Errorf("NUL from a JSON escape: %v", err)
	}
}

// Overlapping parts of a MultiPolygon, and rings that touch themselves, are invalid to PostGIS
// and now to the Go validator; parts that touch at a corner, and a hole touching its shell at
// one point, stay valid. (data/postgis compares the verdicts on thousands of shapes.)
func TestMultiPolygonValidity(t *testing.T) {
	// Coordinates on a grid of 1/64°, exact in binary, so that corners meet exactly.
	const u = 1.0 / 64
	x, y := -90.25, 38.5
	sq := func(i, j, n float64) orb.Polygon { return square(x+i*u, y+j*u, n*u) }
	pts := func(ij ...float64) orb.Ring {
		r := orb.Ring{}
		for k := 0; k < len(ij); k += 2 {
			r = append(r, orb.Point{x + ij[k]*u, y + ij[k+1]*u})
		}
		return r
	}
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		want string
	}{
		{"overlapping parts", orb.MultiPolygon{sq(0, 0, 2), sq(1, 1, 2)}, "polygons 1 and 2 overlap"},
		{"part inside part", orb.MultiPolygon{sq(0, 0, 4), sq(1, 1, 1)}, "polygons 1 and 2 overlap"},
		{"shared edge", orb.MultiPolygon{sq(0, 0, 1), sq(1, 0, 1)}, "polygons 1 and 2 overlap"},
		{"corner touch", orb.MultiPolygon{sq(0, 0, 1), sq(1, 1, 1)}, ""},
		{"island in a lake", orb.MultiPolygon{append(sq(0, 0, 8), sq(2, 2, 4)[0]), sq(3, 3, 2)}, ""},
		{"figure eight", orb.MultiPolygon{{pts(0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1, 0, 0)}}, "outer ring touches itself at (-90.234375, 38.515625)"},
		{"hole touching its shell twice", orb.MultiPolygon{{sq(0, 0, 4)[0], pts(0, 2, 2, 1, 4, 2, 2, 3, 0, 2)}}, "cut the polygon's interior in pieces"},
		{"hole touching its shell once", orb.MultiPolygon{{sq(0, 0, 4)[0], pts(0, 2, 2, 1, 3, 2, 2, 3, 0, 2)}}, ""},
		{"nested holes", orb.MultiPolygon{append(sq(0, 0, 8), sq(1, 1, 6)[0], sq(2, 2, 2)[0])}, "holes 1 and 2 overlap or are nested"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkMultiPolygon(c.mp, nil)
			if c.want == "" {
				if err != nil {
					t.Errorf("valid shape refused: %v", err)
				}
				return
			}
			wantError(t, err, c.want)
		})
	}
}

// Ids of a demographics file that are not loaded areas are counted and sampled (they used to be
// stored silently).
func TestCheckAreaIDs(t *testing.T) {
	in := Ingest{Record: IngestRecord{Kind: KindDemographics, Source: "demo.csv"}}
	for i, id := range []string{"a", "b", "x1", "x2", "x3", "x4", "x5", "x6", "b"} {
		for _, v := range []string{"youth_pop", "total_pop"} {
			in.Demographics = append(in.Demographics, DemographicValue{AreaID: id, Variable: v, Ref: lineRef(i + 2)})
		}
	}
	areas := []Area{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	u := CheckAreaIDs(in, areas)
	if u == nil || u.Count != 6 || u.Of != 8 || u.Loaded != 3 {
		t.Fatalf("unknown ids: %+v", u)
	}
	want := "demo.csv: 6 of its 8 area ids are not among the 3 loaded areas (x1 at line 4, x2 at line 5, x3 at line 6, x4 at line 7, x5 at line 8, and 1 more): their figures would be stored but never used"
	if u.Error() != want {
		t.Errorf("got  %s\nwant %s", u, want)
	}
	in.Demographics = in.Demographics[:4]
	if u := CheckAreaIDs(in, areas); u != nil {
		t.Errorf("known ids reported: %v", u)
	}
	if u := CheckAreaIDs(in, nil); u == nil || !strings.Contains(u.Error(), "no areas are loaded") {
		t.Errorf("nothing loaded: %v", u)
	}
}
