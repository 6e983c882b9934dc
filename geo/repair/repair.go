// Package repair makes invalid polygons valid the way PostGIS's ST_MakeValid does, through the
// same GEOS function (GEOSMakeValid, the "linework" method) that PostGIS calls, so that the
// embedded store and PostGIS repair a file to the same polygons. It needs GEOS's C library
// (Debian: libgeos-dev) through github.com/twpayne/go-geos.
package repair

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/twpayne/go-geos"
)

// MakeValid repairs each multipolygon and keeps the polygonal part of the result, as
// ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) does in PostGIS: lines and points that a
// repair leaves (a collapsed spike, a ring of no area) are dropped. A result can be empty.
func MakeValid(mps []orb.MultiPolygon) ([]orb.MultiPolygon, error) {
	ctx := geos.NewContext()
	out := make([]orb.MultiPolygon, len(mps))
	for i, mp := range mps {
		raw, err := wkb.Marshal(mp)
		if err != nil {
			return nil, err
		}
		g, err := ctx.NewGeomFromWKB(raw)
		if err != nil {
			return nil, fmt.Errorf("GEOS cannot read the polygon: %w", err)
		}
		var parts []*geos.Geom
		polygons(g.MakeValid(), &parts)
		for _, p := range parts {
			decoded, err := wkb.Unmarshal(p.ToWKB())
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], decoded.(orb.Polygon))
		}
	}
	return out, nil
}

// polygons collects the polygons of g in order, descending into collections.
func polygons(g *geos.Geom, out *[]*geos.Geom) {
	switch g.TypeID() {
	case geos.TypeIDPolygon:
		if !g.IsEmpty() {
			*out = append(*out, g)
		}
	case geos.TypeIDMultiPolygon, geos.TypeIDGeometryCollection:
		for i := range g.NumGeometries() {
			polygons(g.Geometry(i), out)
		}
	}
}
