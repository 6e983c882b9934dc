package postgis

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

const srid = 4326

// ewkbOf encodes an orb geometry as EWKB with SRID 4326, the binary form PostGIS reads. It
// writes the bytes itself, where going through go-geom's types copied every coordinate twice:
// the encoding is most of the Go side of COPYing 9,840 tracts. TestEWKBOfMatchesGoGeom holds
// the bytes to go-geom's.
func ewkbOf(g orb.Geometry) ([]byte, error) {
	switch v := g.(type) {
	case orb.Point:
		return appendPoint(ewkbHeader(make([]byte, 0, 25), wkbPoint, true), v), nil
	case orb.Polygon:
		return appendPolygon(ewkbHeader(make([]byte, 0, 13+polygonSize(v)), wkbPolygon, true), v), nil
	case orb.MultiPolygon:
		size := 13
		for _, p := range v {
			size += 9 + polygonSize(p)
		}
		b := binary.LittleEndian.AppendUint32(ewkbHeader(make([]byte, 0, size), wkbMultiPolygon, true), uint32(len(v)))
		for _, p := range v {
			b = appendPolygon(ewkbHeader(b, wkbPolygon, false), p)
		}
		return b, nil
	}
	return nil, fmt.Errorf("cannot store a %T", g)
}

const (
	wkbPoint        = 1
	wkbPolygon      = 3
	wkbMultiPolygon = 6
	ewkbSRIDFlag    = 0x20000000
)

// ewkbHeader appends the byte order (little-endian) and type, with the SRID for the outermost
// geometry.
func ewkbHeader(b []byte, kind uint32, withSRID bool) []byte {
	b = append(b, 1)
	if !withSRID {
		return binary.LittleEndian.AppendUint32(b, kind)
	}
	return binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(b, kind|ewkbSRIDFlag), srid)
}

func appendPoint(b []byte, p orb.Point) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(b, math.Float64bits(p[0])), math.Float64bits(p[1]))
}

// polygonSize is the bytes of a polygon's ring counts and coordinates.
func polygonSize(p orb.Polygon) int {
	n := 4
	for _, r := range p {
		n += 4 + 16*len(r)
	}
	return n
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
	for _, r := range p {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r)))
		for _, pt := range r {
			b = appendPoint(b, pt)
		}
	}
	return b
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
