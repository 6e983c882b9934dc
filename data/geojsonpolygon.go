package data

import (
	"encoding/json"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// unmarshalFeature is geojson.UnmarshalFeature with a quicker path for the coordinates of
// polygons. orb reads them by reflection, each level of nesting scanned again, which was half of
// an ingest of 9,840 tracts; here a Polygon or MultiPolygon whose every position is two numbers
// is read in one pass. Anything else — other types, positions with a third number, empty or
// odd arrays, numbers out of range — takes orb's own path, so features, values and errors are
// orb's.
func unmarshalFeature(data []byte) (*geojson.Feature, error) {
	var members map[string]rawJSON
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return geojson.UnmarshalFeature(data)
	}
	f := &geojson.Feature{}
	for key, value := range members {
		var err error
		switch key {
		case "id":
			err = json.Unmarshal(value, &f.ID)
		case "type":
			err = json.Unmarshal(value, &f.Type)
		case "bbox":
			err = json.Unmarshal(value, &f.BBox)
		case "geometry":
			if g, ok := polygonal(value); ok {
				f.Geometry = g
				continue
			}
			g := &geojson.Geometry{}
			if err = json.Unmarshal(value, &g); err == nil && g != nil {
				f.Geometry = g.Geometry()
			}
		case "properties":
			err = json.Unmarshal(value, &f.Properties)
		default:
			if f.ExtraMembers == nil {
				f.ExtraMembers = geojson.Properties{}
			}
			var v any
			err = json.Unmarshal(value, &v)
			f.ExtraMembers[key] = v
		}
		if err != nil {
			return geojson.UnmarshalFeature(data)
		}
	}
	if f.Type != "Feature" {
		return geojson.UnmarshalFeature(data)
	}
	return f, nil
}

// rawJSON keeps a member's bytes without copying them, as orb's own decoder does.
type rawJSON []byte

func (m *rawJSON) UnmarshalJSON(data []byte) error {
	*m = data
	return nil
}

// polygonal reads a Polygon or MultiPolygon geometry object; ok is false for anything else.
func polygonal(data []byte) (orb.Geometry, bool) {
	var g struct {
		Type        string  `json:"type"`
		Coordinates rawJSON `json:"coordinates"`
		Geometries  rawJSON `json:"geometries"`
	}
	if err := json.Unmarshal(data, &g); err != nil || g.Geometries != nil {
		return nil, false
	}
	p := coordinates{data: g.Coordinates}
	switch g.Type {
	case "Polygon":
		poly, ok := p.polygon()
		return poly, ok && p.end()
	case "MultiPolygon":
		var mp orb.MultiPolygon
		ok := p.array(func() bool {
			poly, ok := p.polygon()
			mp = append(mp, poly)
			return ok
		})
		return mp, ok && p.end()
	}
	return nil, false
}

// coordinates reads nested arrays of numbers that encoding/json has already found to be valid
// JSON, so it need only tell the shapes it takes from those it leaves to orb.
type coordinates struct {
	data []byte
	at   int
}

func (p *coordinates) space() {
	for p.at < len(p.data) && (p.data[p.at] == ' ' || p.data[p.at] == '\t' || p.data[p.at] == '\n' || p.data[p.at] == '\r') {
		p.at++
	}
}

func (p *coordinates) next(c byte) bool {
	p.space()
	if p.at < len(p.data) && p.data[p.at] == c {
		p.at++
		return true
	}
	return false
}

func (p *coordinates) end() bool {
	p.space()
	return p.at == len(p.data)
}

// array reads a non-empty array, calling item for each element.
func (p *coordinates) array(item func() bool) bool {
	if !p.next('[') {
		return false
	}
	for {
		if !item() {
			return false
		}
		if p.next(']') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

func (p *coordinates) polygon() (orb.Polygon, bool) {
	var poly orb.Polygon
	ok := p.array(func() bool {
		var ring orb.Ring
		ok := p.array(func() bool {
			var pt orb.Point
			ok := p.next('[') && p.number(&pt[0]) && p.next(',') && p.number(&pt[1]) && p.next(']')
			ring = append(ring, pt)
			return ok
		})
		poly = append(poly, ring)
		return ok
	})
	return poly, ok
}

// number reads a number as encoding/json does into a float64.
func (p *coordinates) number(v *float64) bool {
	p.space()
	start := p.at
	for p.at < len(p.data) {
		c := p.data[p.at]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		p.at++
	}
	if p.at == start {
		return false
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.at]), 64)
	*v = f
	return err == nil
}
