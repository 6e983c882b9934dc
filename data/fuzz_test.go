package data

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"stemgap/geo"
)

// The readers' fuzz targets. Plain `go test` runs their seeds (below and in testdata/fuzz);
// bench/fuzz runs each for longer. Whatever the bytes, a reader must not panic, must either
// refuse them with errors that each name the file, or return what its contract promises: ids
// present and unique, coordinates on Earth, figures finite.

const fuzzFile = "fuzz-input"

// checkInputError fails unless every error err joins names the file it came from. (A message may
// span lines: it quotes the file's text, header names with line breaks included.)
func checkInputError(t *testing.T, err error) {
	t.Helper()
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			checkInputError(t, e)
		}
		return
	}
	var ie *InputError
	if errors.As(err, &ie) && ie.File != fuzzFile || !strings.HasPrefix(err.Error(), fuzzFile+": ") {
		t.Fatalf("an error does not name the file: %q", err)
	}
}

func uniqueIDs(t *testing.T, what string, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("%s id %q is empty or repeated", what, id)
		}
		seen[id] = true
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Seeds are SYNTHETIC: small files made up for these tests.
const (
	seedSquare = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"29510101100","NAMELSAD":"Census Tract 1011","ALAND":2500000},"geometry":{"type":"Polygon","coordinates":[[[-90.2,38.6],[-90.19,38.6],[-90.19,38.61],[-90.2,38.61],[-90.2,38.6]]]}}]}`
	seedMulti  = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID":"29510101200"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-90.2,38.6],[-90.19,38.6],[-90.19,38.61],[-90.2,38.6]]],[[[-90.18,38.6],[-90.17,38.6],[-90.17,38.61],[-90.18,38.6]]]]}}]}`
	seedDemo   = "GEOID,youth_pop,total_pop,poverty_pct\n29510101100,420,1800,31.5\n29510101200,,2100,NA\n29510101300,-666666666,900,12\n"
	seedProgs  = "id,name,provider,lat,lng,content_areas,setting,capacity,city\np1,Science Center,Museum,38.63,-90.27,science;technology,out_of_school,120,St. Louis\np2,Library,,38.6,-90.2,,,,\n"
	seedPoints = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"p1","name":"Robotics club","content_areas":["engineering","math"],"capacity":20},"geometry":{"type":"Point","coordinates":[-90.2,38.6]}}]}`
	seedCosts  = "origin,program,minutes\n29510101100,p1,12.5\n29510101200,p1,0\n89283082803ffff,p2,7\n"
)

func FuzzReadAreas(f *testing.F) {
	for _, s := range []string{seedSquare, seedMulti, "\xef\xbb\xbf" + seedSquare, `{"type":"FeatureCollection","features":[]}`, `[]`, ``,
		strings.Replace(seedSquare, "-90.2,38.6]]]", "-90.2,38.6],[1e308,91]]]", 1), strings.Replace(seedSquare, "29510101100", "2951010110\x00", 1)} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(strings.Replace(seedSquare, "GEOID", "id", 1)), true)
	f.Fuzz(func(t *testing.T, raw []byte, byID bool) {
		opts := AreaOptions{}
		if byID {
			opts.IDField = "id"
		}
		areas, err := ReadAreas(bytes.NewReader(raw), fuzzFile, opts)
		if err != nil {
			checkInputError(t, err)
			return
		}
		ids := make([]string, len(areas))
		for i, a := range areas {
			ids[i] = a.ID
			if len(a.Geometry) == 0 || math.IsNaN(a.LandKm2) || a.LandKm2 < 0 {
				t.Fatalf("area %q: %d polygons, land %v km²", a.ID, len(a.Geometry), a.LandKm2)
			}
			for _, poly := range a.Geometry {
				for _, ring := range poly {
					if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
						t.Fatalf("area %q has an open or short ring %v", a.ID, ring)
					}
					for _, p := range ring {
						if err := geo.CheckLonLat(p); err != nil {
							t.Fatalf("area %q: %v", a.ID, err)
						}
					}
				}
			}
		}
		uniqueIDs(t, "area", ids)
	})
}

func FuzzReadDemographics(f *testing.F) {
	addSeeds(f, seedDemo, "\xef\xbb\xbf"+seedDemo, "GEOID\n", "", "GEOID,youth_pop\n29510101100,\"1,234\"\n",
		"GEOID,youth_pop\n29510101100,1e308\n29510101100,5\n", "GEOID,youth_pop,youth_pop\n1,2,3\n", "GEOID,B09001_001E,B09001_001M\n29510101100,300,45\n",
		"GEOID,youth_pop\n\"29510\n101100\",3\n", "GEOID,youth_pop\n29510101100,12,5\n")
	f.Fuzz(func(t *testing.T, raw []byte) {
		values, err := ReadDemographics(bytes.NewReader(raw), fuzzFile, DemographicOptions{})
		if err != nil {
			checkInputError(t, err)
			return
		}
		seen := map[[2]string]bool{}
		for _, v := range values {
			k := [2]string{v.AreaID, v.Variable}
			if v.AreaID == "" || v.Variable == "" || seen[k] || !finite(v.Value) || math.IsInf(v.MOE, 0) {
				t.Fatalf("value %+v is unnamed, repeated or not finite", v)
			}
			seen[k] = true
		}
	})
}

// checkPrograms is the programs readers' contract, CSV or GeoJSON.
func checkPrograms(t *testing.T, raw []byte) {
	programs, err := ReadPrograms(bytes.NewReader(raw), fuzzFile, ProgramOptions{Source: fuzzFile})
	if err != nil {
		checkInputError(t, err)
		return
	}
	ids := make([]string, len(programs))
	for i, p := range programs {
		ids[i] = p.ID
		if err := geo.CheckLonLat(p.Location); err != nil {
			t.Fatalf("program %q: %v", p.ID, err)
		}
		if math.IsInf(p.Capacity, 0) || p.Capacity < 0 {
			t.Fatalf("program %q has capacity %v", p.ID, p.Capacity)
		}
		for _, c := range p.ContentAreas {
			if c == "" || c == AllContentAreas {
				t.Fatalf("program %q has content area %q", p.ID, c)
			}
		}
	}
	uniqueIDs(t, "program", ids)
}

func FuzzReadProgramsCSV(f *testing.F) {
	addSeeds(f, seedProgs, "\xef\xbb\xbf"+seedProgs, "id,lat,lng\n", "id,lat,lng\np1,91,0\n", "id,lat,lng\np1,38.6,-90.2\np1,38.6,-90.2\n",
		"id,lat,lng,capacity\np1,38.6,-90.2,1e400\n", "id,lat,lng,content_areas\np1,38.6,-90.2,Física;数学;all\n", "id,lat,lng\np1,\"38,6\",-90.2\n",
		"id,lat,lng,capacity\np1,38.6,-90.2,-1\n", "id;lat;lng\np1;38.6;-90.2\n")
	f.Fuzz(func(t *testing.T, raw []byte) { checkPrograms(t, raw) })
}

func FuzzReadProgramsGeoJSON(f *testing.F) {
	addSeeds(f, seedPoints, "\xef\xbb\xbf"+seedPoints, strings.Replace(seedPoints, "[-90.2,38.6]", "[38.6,-90.2]", 1),
		strings.Replace(seedPoints, `"Point","coordinates":[-90.2,38.6]`, `"LineString","coordinates":[[-90.2,38.6],[-90.1,38.6]]`, 1),
		strings.Replace(seedPoints, `"capacity":20`, `"capacity":"lots"`, 1), strings.Replace(seedPoints, `"id":"p1"`, `"id":7`, 1),
		`{"type":"FeatureCollection","features":[{"type":"Feature"}]}`, `{"type":"Feature"}`, `{`)
	f.Fuzz(func(t *testing.T, raw []byte) { checkPrograms(t, raw) })
}

func FuzzReadCostMatrix(f *testing.F) {
	addSeeds(f, seedCosts, "\xef\xbb\xbf"+seedCosts, "origin,program,km\na,b,-1\n", "origin,program,cost\na,b,NaN\na,b,Inf\n",
		"origin,program\na,b\n", "origin,program,minutes\na,b\n", "", "origin,program,minutes\n\"a\"b,c,1\n")
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ReadCostMatrix(bytes.NewReader(raw), fuzzFile)
		if err != nil {
			checkInputError(t, err)
			return
		}
		if m.Unit != "min" && m.Unit != "km" && m.Unit != "cost" {
			t.Fatalf("unit %q", m.Unit)
		}
		for _, r := range m.Rows {
			if !finite(r.Cost) || r.Cost < 0 || r.Line < 2 {
				t.Fatalf("row %+v", r)
			}
		}
	})
}
