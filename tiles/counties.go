package tiles

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// LayerCounties gives the offline map its context: county outlines dissolved from the areas,
// a label point per county, and, from tractNumberZoom on, each tract's number at a point inside it.
const LayerCounties = "counties"

// tractNumberZoom is the first zoom at which tract numbers are sent: below it they would crowd.
const tractNumberZoom = 11

// county is one county's outline and label, built from the areas that lie in it.
type county struct {
	id, name string
	outline  orb.MultiLineString
	label    orb.Point
	bound    orb.Bound
}

// tractLabel is one tract's number and the point it is written at.
type tractLabel struct {
	number string
	at     orb.Point
}

// buildCounties dissolves the areas into counties. Tract files share their boundaries exactly
// between neighbours (cartographic boundary files keep the topology), so a county's outline is
// the set of its areas' edges that no other area of the same county shares.
func buildCounties(areas []data.Area) ([]county, []tractLabel) {
	shapes := map[string][]orb.MultiPolygon{}
	names := map[string]string{}
	weights := map[string][3]float64{} // Σ w·lng, Σ w·lat, Σ w over the county's interior points
	points := map[string][]orb.Point{}
	var numbers []tractLabel
	for _, a := range areas {
		at, ok := geo.InteriorPoint(a.Geometry)
		if ok {
			if n := labels.TractNumber(a); n != "" {
				numbers = append(numbers, tractLabel{number: n, at: at})
			}
		}
		key := data.CountyKey(a)
		if key == "" {
			continue
		}
		if names[key] == "" && a.County != "" {
			names[key] = a.County
		}
		shapes[key] = append(shapes[key], a.Geometry)
		if ok {
			w := math.Max(a.LandKm2, 1e-6)
			s := weights[key]
			weights[key] = [3]float64{s[0] + w*at[0], s[1] + w*at[1], s[2] + w}
			points[key] = append(points[key], at)
		}
	}
	var out []county
	for key, shape := range shapes {
		c := county{id: key, name: names[key], outline: geo.Outline(shape)}
		if c.name == "" {
			c.name = "County " + key
		}
		if len(c.outline) == 0 {
			continue
		}
		c.bound = c.outline.Bound()
		// The label goes at the tract interior point nearest the county's land-weighted centre,
		// so that it falls inside the county however the county is shaped.
		s := weights[key]
		if s[2] > 0 {
			centre := orb.Point{s[0] / s[2], s[1] / s[2]}
			best := math.Inf(1)
			for _, p := range points[key] {
				if d := geo.DistanceKm(p, centre); d < best {
					best, c.label = d, p
				}
			}
		} else {
			c.label = c.bound.Center()
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, numbers
}

// County is a county of the run's areas as the counties layer draws it, for finding it by name.
type County struct {
	ID, Name string
	Label    orb.Point // where its name is written, inside it
	Bound    orb.Bound
}

// Counties lists the counties the areas dissolve into, by id; none when the run's inputs cannot
// be read.
func (s *Set) Counties() []County {
	sh, err := s.shapes()
	if err != nil {
		return nil
	}
	s.dissolve(sh)
	out := make([]County, len(s.counties))
	for i, c := range s.counties {
		out[i] = County{ID: c.id, Name: c.name, Label: c.label, Bound: c.bound}
	}
	return out
}

// dissolve builds the counties and tract labels once, on first use.
func (s *Set) dissolve(sh *inputShapes) {
	s.countiesOnce.Do(func() { s.counties, s.tractLabels = buildCounties(sh.storedAreas) })
}

func (s *Set) countyFeatures(sh *inputShapes, t maptile.Tile) *geojson.FeatureCollection {
	s.dissolve(sh)
	bound := bufferedBound(t)
	fc := geojson.NewFeatureCollection()
	for _, c := range s.counties {
		if !c.bound.Intersects(bound) {
			continue
		}
		f := geojson.NewFeature(c.outline.Clone())
		f.Properties["county"] = c.name
		fc.Append(f)
		if bound.Contains(c.label) {
			f := geojson.NewFeature(c.label)
			f.Properties["county"] = c.name
			f.Properties["kind"] = "county"
			fc.Append(f)
		}
	}
	if t.Z >= tractNumberZoom {
		for _, l := range s.tractLabels {
			if bound.Contains(l.at) {
				f := geojson.NewFeature(l.at)
				f.Properties["tract"] = l.number
				f.Properties["kind"] = "tract"
				fc.Append(f)
			}
		}
	}
	return fc
}
