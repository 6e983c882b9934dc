package postgis

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

const srid = 4326

// ewkbOf encodes an orb geometry as EWKB with SRID 4326, the binary form PostGIS reads.
func ewkbOf(g orb.Geometry) ([]byte, error) {
	var t geom.T
	switch v := g.(type) {
	case orb.Point:
		t = geom.NewPointFlat(geom.XY, []float64{v[0], v[1]}).SetSRID(srid)
	case orb.Polygon:
		p, err := geom.NewPolygon(geom.XY).SetCoords(polygonCoords(v))
		if err != nil {
			return nil, err
		}
		t = p.SetSRID(srid)
	case orb.MultiPolygon:
		coords := make([][][]geom.Coord, len(v))
		for i, p := range v {
			coords[i] = polygonCoords(p)
		}
		mp, err := geom.NewMultiPolygon(geom.XY).SetCoords(coords)
		if err != nil {
			return nil, err
		}
		t = mp.SetSRID(srid)
	default:
		return nil, fmt.Errorf("cannot store a %T", g)
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}

func polygonCoords(p orb.Polygon) [][]geom.Coord {
	rings := make([][]geom.Coord, len(p))
	for i, r := range p {
		rings[i] = make([]geom.Coord, len(r))
		for j, pt := range r {
			rings[i][j] = geom.Coord{pt[0], pt[1]}
		}
	}
	return rings
}

// orbOf decodes EWKB from PostGIS into an orb geometry.
func orbOf(b []byte) (orb.Geometry, error) {
	t, err := ewkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	switch v := t.(type) {
	case *geom.Point:
		return orb.Point{v.X(), v.Y()}, nil
	case *geom.Polygon:
		return orbPolygon(v), nil
	case *geom.MultiPolygon:
		mp := make(orb.MultiPolygon, v.NumPolygons())
		for i := range mp {
			mp[i] = orbPolygon(v.Polygon(i))
		}
		return mp, nil
	}
	return nil, fmt.Errorf("unexpected geometry %T", t)
}

func orbPolygon(p *geom.Polygon) orb.Polygon {
	out := make(orb.Polygon, p.NumLinearRings())
	for i := range out {
		r := p.LinearRing(i)
		ring := make(orb.Ring, r.NumCoords())
		for j := range ring {
			c := r.Coord(j)
			ring[j] = orb.Point{c.X(), c.Y()}
		}
		out[i] = ring
	}
	return out
}
