package tiles

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"stemgap/data"
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

// countyKey is the county an area lies in: the state and county digits of a tract GEOID, else
// the county name its file gives; "" when neither is known.
func countyKey(a data.Area) string {
	if isGEOID(a.ID) {
		return a.ID[:5]
	}
	return a.County
}

func isGEOID(id string) bool {
	if len(id) != 11 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// tractNumber is how a tract is named on the map and in the census: the tract code with its two
// implied decimals, trailing ".00" dropped (290951212 00 → "1212", 291892110 02 → "2110.02").
func tractNumber(a data.Area) string {
	if !isGEOID(a.ID) {
		return a.Name
	}
	base, _ := strconv.Atoi(a.ID[5:9])
	if suffix := a.ID[9:]; suffix != "00" {
		return fmt.Sprintf("%d.%s", base, suffix)
	}
	return strconv.Itoa(base)
}

// buildCounties dissolves the areas into counties. Tract files share their boundaries exactly
// between neighbours (cartographic boundary files keep the topology), so a county's outline is
// the set of its areas' edges that no other area of the same county shares.
func buildCounties(areas []data.Area) ([]county, []tractLabel) {
	type edge struct{ a, b orb.Point }
	edges := map[string]map[edge]int{}
	names := map[string]string{}
	weights := map[string][3]float64{} // Σ w·lng, Σ w·lat, Σ w over the county's interior points
	points := map[string][]orb.Point{}
	var labels []tractLabel
	for _, a := range areas {
		at, ok := geo.InteriorPoint(a.Geometry)
		if ok {
			if n := tractNumber(a); n != "" {
				labels = append(labels, tractLabel{number: n, at: at})
			}
		}
		key := countyKey(a)
		if key == "" {
			continue
		}
		if edges[key] == nil {
			edges[key] = map[edge]int{}
		}
		if names[key] == "" && a.County != "" {
			names[key] = a.County
		}
		for _, poly := range a.Geometry {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					e := edge{ring[i], ring[i+1]}
					if e.b[0] < e.a[0] || (e.b[0] == e.a[0] && e.b[1] < e.a[1]) {
						e.a, e.b = e.b, e.a
					}
					edges[key][e]++
				}
			}
		}
		if ok {
			w := math.Max(a.LandKm2, 1e-6)
			s := weights[key]
			weights[key] = [3]float64{s[0] + w*at[0], s[1] + w*at[1], s[2] + w}
			points[key] = append(points[key], at)
		}
	}
	var out []county
	for key, es := range edges {
		c := county{id: key, name: names[key]}
		if c.name == "" {
			c.name = "County " + key
		}
		// Chain the outline's edges into lines, walking from each unused edge's ends.
		next := map[orb.Point][]orb.Point{}
		for e, n := range es {
			if n == 1 {
				next[e.a] = append(next[e.a], e.b)
				next[e.b] = append(next[e.b], e.a)
			}
		}
		used := map[edge]bool{}
		take := func(p, q orb.Point) bool {
			e := edge{p, q}
			if q[0] < p[0] || (q[0] == p[0] && q[1] < p[1]) {
				e = edge{q, p}
			}
			if used[e] {
				return false
			}
			used[e] = true
			return true
		}
		starts := make([]orb.Point, 0, len(next))
		for p := range next {
			starts = append(starts, p)
		}
		sort.Slice(starts, func(i, j int) bool { // a stable order makes stable tiles
			return starts[i][0] < starts[j][0] || (starts[i][0] == starts[j][0] && starts[i][1] < starts[j][1])
		})
		for _, start := range starts {
			for _, q := range next[start] {
				if !take(start, q) {
					continue
				}
				line := orb.LineString{start, q}
				for p := q; ; {
					moved := false
					for _, r := range next[p] {
						if take(p, r) {
							line, p, moved = append(line, r), r, true
							break
						}
					}
					if !moved {
						break
					}
				}
				c.outline = append(c.outline, line)
			}
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
	return out, labels
}

func (s *Set) countyFeatures(t maptile.Tile) *geojson.FeatureCollection {
	s.countiesOnce.Do(func() { s.counties, s.tractLabels = buildCounties(s.storedAreas) })
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
