package postgis

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
	"stemgap/data"
	"stemgap/geo/repair"
)

// syntheticShapes draws small polygons and multipolygons on a grid of 1/64° (exact in binary,
// so that Go's arithmetic and GEOS's robust predicates see the same collinearities): random
// rings, rectangles with holes placed anywhere, and sets of parts that overlap, touch, share
// edges or stay apart. Synthetic, not real data.
func syntheticShapes(n int) []orb.MultiPolygon {
	rng := rand.New(rand.NewPCG(12, 7))
	pt := func(size int) orb.Point {
		return orb.Point{-90 + float64(rng.IntN(size+1))/64, 38.5 + float64(rng.IntN(size+1))/64}
	}
	ring := func(points, size int) orb.Ring {
		r := orb.Ring{}
		for range points {
			p := pt(size)
			r = append(r, p)
			if rng.IntN(8) == 0 {
				r = append(r, p) // a repeated point, which PostGIS accepts
			}
		}
		return append(r, r[0])
	}
	rect := func(size int) orb.Ring {
		a, b := pt(size), pt(size)
		x0, x1 := min(a[0], b[0]), max(a[0], b[0])
		y0, y1 := min(a[1], b[1]), max(a[1], b[1])
		if x0 == x1 {
			x1 += 1.0 / 64
		}
		if y0 == y1 {
			y1 += 1.0 / 64
		}
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	shape := func(size int) orb.Ring {
		if rng.IntN(2) == 0 {
			return rect(size)
		}
		return ring(3+rng.IntN(2), size)
	}
	var out []orb.MultiPolygon
	for i := 0; len(out) < n; i++ {
		switch i % 4 {
		case 0:
			out = append(out, orb.MultiPolygon{{ring(4+rng.IntN(4), 6)}})
		case 1:
			p := orb.Polygon{orb.Ring{{-90, 38.5}, {-90 + 8.0/64, 38.5}, {-90 + 8.0/64, 38.5 + 8.0/64}, {-90, 38.5 + 8.0/64}, {-90, 38.5}}}
			for range 1 + rng.IntN(3) {
				p = append(p, shape(8))
			}
			out = append(out, orb.MultiPolygon{p})
		case 2:
			mp := orb.MultiPolygon{}
			for range 2 + rng.IntN(2) {
				mp = append(mp, orb.Polygon{shape(6)})
			}
			out = append(out, mp)
		case 3:
			// A shell that touches itself or a hole, around a fixed vertex.
			c := orb.Point{-90 + 4.0/64, 38.5 + 4.0/64}
			r := orb.Ring{c, pt(8), pt(8), c, pt(8), pt(8), c}
			if rng.IntN(2) == 0 {
				out = append(out, orb.MultiPolygon{{r}})
			} else {
				out = append(out, orb.MultiPolygon{{rect(8), ring(3, 8)}})
			}
		}
	}
	return out
}

// The Go validator and PostGIS's ST_IsValid give the same verdict on every shape: the embedded
// store can never accept what PostGIS refuses, nor the other way round.
func TestGoValidityMatchesSTIsValid(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	ctx := context.Background()
	shapes := syntheticShapes(3000)
	valid, mismatches := 0, 0
	for _, mp := range shapes {
		in := data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: "synthetic.geojson"},
			Areas: []data.Area{{ID: "29510000100", Geometry: mp, LandKm2: 1, Ref: "feature 1"}}}
		goErr := data.CheckIngest(in)
		g, err := ewkbOf(mp)
		if err != nil {
			t.Fatal(err)
		}
		var pgValid bool
		var reason string
		if err := s.pool.QueryRow(ctx, "SELECT ST_IsValid($1::geometry), ST_IsValidReason($1::geometry)", g).Scan(&pgValid, &reason); err != nil {
			t.Fatal(err)
		}
		if pgValid {
			valid++
		}
		if pgValid != (goErr == nil) {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("%s\n  PostGIS: %s\n  Go: %v", wkt.MarshalString(mp), reason, goErr)
			}
		}
	}
	t.Logf("%d shapes, %d valid, %d mismatches", len(shapes), valid, mismatches)
	if valid < len(shapes)/10 || valid > len(shapes)*9/10 {
		t.Errorf("%d of %d shapes valid: the sample should hold plenty of both", valid, len(shapes))
	}
}

// ingest --repair gives the same polygons on both stores: GEOS through go-geos on the embedded
// store, ST_MakeValid on PostGIS, compared vertex by vertex on every invalid synthetic shape.
func TestGEOSRepairMatchesSTMakeValid(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	var broken []orb.MultiPolygon
	for _, mp := range syntheticShapes(3000) {
		in := data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: "synthetic.geojson"},
			Areas: []data.Area{{ID: "29510000100", Geometry: mp, LandKm2: 1, Ref: "feature 1"}}}
		if data.CheckIngest(in) != nil {
			broken = append(broken, mp)
		}
	}
	geosFixed, err := repair.MakeValid(broken)
	if err != nil {
		t.Fatal(err)
	}
	pgFixed, err := s.makeValid(context.Background())(broken)
	if err != nil {
		t.Fatal(err)
	}
	differ, empty := 0, 0
	for i := range broken {
		if len(pgFixed[i]) == 0 {
			empty++
		} else if err := data.CheckIngest(data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: "repaired"},
			Areas: []data.Area{{ID: "29510000100", Geometry: pgFixed[i], LandKm2: 1, Ref: "feature 1"}}}); err != nil {
			t.Errorf("the validator refuses a repaired shape: %v", err)
		}
		if !orb.Equal(geosFixed[i], pgFixed[i]) {
			differ++
			if differ <= 5 {
				t.Errorf("%s\n  GEOS:    %s\n  PostGIS: %s", wkt.MarshalString(broken[i]), wkt.MarshalString(geosFixed[i]), wkt.MarshalString(pgFixed[i]))
			}
		}
	}
	t.Logf("%d invalid shapes repaired, %d to nothing polygonal, %d differ between GEOS and ST_MakeValid", len(broken), empty, differ)
	if len(broken) < 1000 {
		t.Errorf("only %d invalid shapes", len(broken))
	}
}

// ewkbOf writes the bytes go-geom's encoder writes, for points, polygons and multipolygons.
func TestEWKBOfMatchesGoGeom(t *testing.T) {
	var shapes []orb.Geometry
	for _, mp := range syntheticShapes(200) {
		shapes = append(shapes, mp, mp[0], orb.Point(mp[0][0][0]))
	}
	shapes = append(shapes, orb.MultiPolygon{}, orb.Polygon{}, orb.Point{-90.1, 38.6})
	for _, g := range shapes {
		got, err := ewkbOf(g)
		if err != nil {
			t.Fatal(err)
		}
		want, err := goGeomEWKB(g)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %x\nwant %x", wkt.MarshalString(g), got, want)
		}
	}
	if _, err := ewkbOf(orb.LineString{{0, 0}, {1, 1}}); err == nil {
		t.Error("a line string was encoded")
	}
}

// goGeomEWKB is the encoding through go-geom's types, as ewkbOf once was.
func goGeomEWKB(g orb.Geometry) ([]byte, error) {
	rings := func(p orb.Polygon) [][]geom.Coord {
		out := make([][]geom.Coord, len(p))
		for i, r := range p {
			for _, pt := range r {
				out[i] = append(out[i], geom.Coord{pt[0], pt[1]})
			}
		}
		return out
	}
	var t geom.T
	switch v := g.(type) {
	case orb.Point:
		t = geom.NewPointFlat(geom.XY, []float64{v[0], v[1]}).SetSRID(srid)
	case orb.Polygon:
		p, err := geom.NewPolygon(geom.XY).SetCoords(rings(v))
		if err != nil {
			return nil, err
		}
		t = p.SetSRID(srid)
	case orb.MultiPolygon:
		coords := make([][][]geom.Coord, len(v))
		for i, p := range v {
			coords[i] = rings(p)
		}
		mp, err := geom.NewMultiPolygon(geom.XY).SetCoords(coords)
		if err != nil {
			return nil, err
		}
		t = mp.SetSRID(srid)
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}
