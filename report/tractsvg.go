package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// Map sizes, in CSS pixels (96 to the inch): the map fills half a Letter page's width.
const (
	mapWidth   = 340.0
	mapHeight  = 262.0
	mapLegendH = 50.0
)

// accessClass sorts a cell's access against the regional mean into the map's four classes;
// -1 is no data.
func accessClass(measure string, access, mean, ratioLimit float64, count int32) int {
	if math.IsNaN(access) {
		return -1
	}
	if count == 0 && measure != "nearest" && measure != "raam" {
		return 0
	}
	r := accessRatio(measure, access, mean)
	switch {
	case math.IsNaN(r) || r >= 1:
		return 3
	case r < ratioLimit:
		return 1
	}
	return 2
}

var classColours = []string{colourNone, colourLow, colourBelow, colourAbove}

// Map draws the locator map: the tract's hexagons coloured by access to the focus content area
// (deserts hatched), the tract outline, its county's outline, the tracts around it, and the
// nearest programs numbered as the report lists them.
func (t *Tract) Map() template.HTML {
	if len(t.shape) == 0 {
		return ""
	}
	run := t.run
	// The view holds the tract, its nearest program, and the next ones when they are not much
	// farther. A program far beyond the tract's own size would shrink it to a dot: then the map
	// stays on the tract and says which way the nearest program lies.
	view := t.shape.Bound()
	span := geo.DistanceKm(view.Min, view.Max)
	far := len(t.Nearest) > 0 && t.Nearest[0].Km > math.Max(8, 3*span)
	for i, p := range t.Nearest {
		if !far && (i == 0 || p.Km <= math.Max(3, 1.5*t.Nearest[0].Km)) {
			view = view.Extend(p.Location)
		}
	}
	// Pad the view, and keep it at least 2 km across so that a small tract is seen in its place.
	minDeg := 2.0 / 111.0
	pad := math.Max(view.Max[0]-view.Min[0], view.Max[1]-view.Min[1])*0.08 + minDeg/4
	view = orb.Bound{Min: orb.Point{view.Min[0] - pad, view.Min[1] - pad}, Max: orb.Point{view.Max[0] + pad, view.Max[1] + pad}}
	pr := newProjection(view, mapWidth, mapHeight)
	c := run.ContentAreas[t.focus]
	title := fmt.Sprintf("Map of %s: hexagons coloured by access to %s; the %d nearest programs numbered", t.Title, t.Programs(), len(t.Nearest))
	s := newSVG(mapWidth, mapHeight+mapLegendH, "locator", title)
	s.raw("%s", hatch("hatch-map"))
	s.raw(`<clipPath id="map-area"><rect x="0" y="0" width="%s" height="%s"/></clipPath><g clip-path="url(#map-area)">`, num(mapWidth), num(mapHeight))
	s.rect(0, 0, mapWidth, mapHeight, `fill="#f7f7f4"`)
	s.raw(`<g fill="none" stroke="#b5b5b5" stroke-width="0.6">`)
	countyKey := data.CountyKey(data.Area{ID: t.Area.ID, County: t.Area.County})
	var county []orb.MultiPolygon
	for _, a := range t.in.Areas {
		if data.CountyKey(a) == countyKey && countyKey != "" {
			county = append(county, a.Geometry)
		}
		if a.ID != t.Area.ID && a.Geometry.Bound().Intersects(view) {
			s.raw(`<path d="%s"/>`, pr.polygons(a.Geometry))
		}
	}
	s.raw(`</g>`)
	// Hexagons: the focus series' access class, deserts hatched over it.
	k := t.focus
	cells := t.cells
	ratio := t.Rule.AccessRatio
	var deserts []orb.Ring
	for class := -1; class <= 3; class++ {
		var rings []orb.Ring
		for i := range cells.H3 {
			m := cells.Measures[k]
			if accessClass(run.Measure, m.Access[i], c.MeanAccess, ratio, m.Count[i]) != class {
				continue
			}
			hex, err := geo.CellPolygon(cells.H3[i])
			if err != nil {
				continue
			}
			rings = append(rings, hex[0])
			if class == -1 {
				continue
			}
			if m.Desert[i] == data.DesertYes {
				deserts = append(deserts, hex[0])
			}
		}
		if len(rings) == 0 {
			continue
		}
		fill := colourNoData
		if class >= 0 {
			fill = classColours[class]
		}
		s.raw(`<path d="%s" fill="%s" stroke="#ffffff" stroke-width="0.3"/>`, pr.path(rings, true), fill)
	}
	if len(deserts) > 0 {
		s.raw(`<path d="%s" fill="url(#hatch-map)" stroke="none"/>`, pr.path(deserts, true))
	}
	if len(county) > 0 {
		s.raw(`<path d="%s" fill="none" stroke="#555555" stroke-width="1.6" stroke-dasharray="6 3"/>`, pr.lines(geo.Outline(county)))
	}
	s.raw(`<path d="%s" fill="none" stroke="#000000" stroke-width="2.2"/>`, pr.polygons(t.shape))
	// Programs at one place (a library's several programs) share a marker: "1,2".
	type marker struct {
		x, y    float64
		numbers []string
	}
	var markers []marker
	for _, p := range t.Nearest {
		x, y := pr.xy(p.Location)
		if x < 0 || y < 0 || x > mapWidth || y > mapHeight {
			continue
		}
		shared := false
		for i := range markers {
			if math.Hypot(markers[i].x-x, markers[i].y-y) < 8 {
				markers[i].numbers, shared = append(markers[i].numbers, fmt.Sprint(p.Number)), true
				break
			}
		}
		if !shared {
			markers = append(markers, marker{x, y, []string{fmt.Sprint(p.Number)}})
		}
	}
	for _, m := range markers {
		label := strings.Join(m.numbers, ",")
		w := math.Max(15, 6.5*float64(len(label))+6)
		s.rect(m.x-w/2, m.y-7.5, w, 15, `rx="7.5" fill="#ffffff" stroke="#000000" stroke-width="1.4"`)
		s.text(m.x, m.y+3.5, "middle", "marker", label)
	}
	s.raw(`</g>`)
	if far {
		p := t.Nearest[0]
		note := fmt.Sprintf("nearest program: %s to the %s", labels.Format{Style: labels.StyleNumber, Suffix: " km"}.Format(p.Km), compass(view.Center(), p.Location))
		s.rect(4, 4, 8+5.6*float64(len([]rune(note))), 18, `fill="#ffffff" fill-opacity="0.85"`)
		s.text(9, 17, "start", "small", note)
	}
	t.scaleBar(s, pr, view)
	t.mapLegend(s)
	return s.html()
}

// scaleBar draws a round distance at the foot of the map.
func (t *Tract) scaleBar(s *svg, pr projection, view orb.Bound) {
	widthKm := geo.DistanceKm(orb.Point{view.Min[0], view.Center()[1]}, orb.Point{view.Max[0], view.Center()[1]})
	step := niceStep(widthKm/3, 1)
	px := step / widthKm * (view.Max[0] - view.Min[0]) * pr.kx * pr.scale
	x, y := 10.0, mapHeight-12
	s.rect(x-4, y-14, px+50, 22, `fill="#ffffff" fill-opacity="0.8"`)
	s.line(x, y, x+px, y, `stroke="#000" stroke-width="2"`)
	s.line(x, y-4, x, y+2, `stroke="#000" stroke-width="1.2"`)
	s.line(x+px, y-4, x+px, y+2, `stroke="#000" stroke-width="1.2"`)
	s.text(x+px+4, y+3, "start", "small", labels.Format{Style: labels.StyleNumber, Suffix: " km"}.Format(step))
	s.text(mapWidth-6, mapHeight-6, "end", "small", "north is up")
}

func (t *Tract) mapLegend(s *svg) {
	y := mapHeight + 12
	names := []string{"no program within reach", fmt.Sprintf("under %s of the average", t.words.share(t.Rule.AccessRatio)),
		"under the regional average", "at or above it"}
	for i, name := range names {
		x := 4 + float64(i%2)*172
		yy := y + float64(i/2)*13
		s.rect(x, yy-8, 10, 10, fmt.Sprintf(`fill="%s" stroke="#999" stroke-width="0.5"`, classColours[i]))
		s.text(x+14, yy+1, "start", "small", name)
	}
	yy := y + 27
	s.rect(4, yy-8, 10, 10, `fill="url(#hatch-map)" stroke="#999" stroke-width="0.5"`)
	s.text(18, yy+1, "start", "small", "desert hexagon")
	s.line(118, yy-3, 140, yy-3, `stroke="#000" stroke-width="2.2"`)
	s.text(144, yy+1, "start", "small", "this tract")
	s.line(210, yy-3, 232, yy-3, `stroke="#555" stroke-width="1.6" stroke-dasharray="6 3"`)
	s.text(236, yy+1, "start", "small", "county edge")
}

// Chart rows, in CSS pixels.
const (
	chartWidth  = 340.0
	chartLabelW = 126.0
	chartRowH   = 14.0
)

// AccessChart draws a bar per content area: the tract's access as a share of the regional
// average, with the average marked; deserts in red, content areas too thin to judge in grey.
func (t *Tract) AccessChart() template.HTML {
	rows := t.chartRows()
	top, bottom := 18.0, 26.0
	height := top + chartRowH*float64(len(rows)) + bottom
	maxRatio := 2.0
	for _, c := range rows {
		if r, ok := c.AccessRatio.(float64); ok && r > maxRatio {
			maxRatio = math.Min(r, 4)
		}
	}
	plotW := chartWidth - chartLabelW - 52
	xOf := func(r float64) float64 { return chartLabelW + plotW*math.Min(r, maxRatio)/maxRatio }
	title := fmt.Sprintf("Bar chart: access to %s in %s by content area, as a share of the regional average", seriesWords(t.Setting, data.AllContentAreas), t.Title)
	s := newSVG(chartWidth, height, "chart access-chart", title)
	s.text(chartLabelW, 11, "start", "small", "access, % of the regional average")
	for i, c := range rows {
		y := top + chartRowH*float64(i)
		s.text(chartLabelW-5, y+chartRowH-4, "end", "label", c.Label)
		r, ok := c.AccessRatio.(float64)
		switch {
		case !ok:
			s.text(chartLabelW+3, y+chartRowH-4, "start", "small muted", "no data")
		case c.TooFew:
			s.raw(`<rect class="bar too-few" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(chartLabelW), num(y+2), num(xOf(r)-chartLabelW), num(chartRowH-4), colourTooFew)
			s.text(xOf(r)+3, y+chartRowH-4, "start", "small muted", fmt.Sprintf("%s · too few to judge", ratioText(r)))
		default:
			fill := colourJudged
			if c.Desert {
				fill = colourDesert
			}
			s.raw(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(chartLabelW), num(y+2), num(xOf(r)-chartLabelW), num(chartRowH-4), fill)
			label := ratioText(r)
			if r > maxRatio {
				label = "> " + ratioText(maxRatio)
			}
			s.text(xOf(r)+3, y+chartRowH-4, "start", "small", label)
		}
	}
	axisY := top + chartRowH*float64(len(rows))
	s.line(chartLabelW, top, chartLabelW, axisY, `stroke="#000" stroke-width="0.8"`)
	s.line(xOf(1), top-2, xOf(1), axisY+4, `stroke="`+colourRefLine+`" stroke-width="1.2" stroke-dasharray="3 2"`)
	s.text(xOf(1), axisY+14, "middle", "small", "regional average")
	legendX := chartWidth - 240
	s.rect(legendX, axisY+18, 9, 7, `fill="`+colourDesert+`"`)
	s.text(legendX+12, axisY+25, "start", "small", "desert")
	s.rect(legendX+56, axisY+18, 9, 7, `fill="`+colourJudged+`"`)
	s.text(legendX+68, axisY+25, "start", "small", "not a desert")
	s.rect(legendX+136, axisY+18, 9, 7, `fill="`+colourTooFew+`"`)
	s.text(legendX+148, axisY+25, "start", "small", "too few to judge")
	return s.html()
}

// chartRows are the content areas the chart shows: "all" first, then the rest as listed.
func (t *Tract) chartRows() []Content {
	var rows []Content
	for _, c := range t.ContentAreas {
		if c.Name == data.AllContentAreas {
			rows = append([]Content{c}, rows...)
		} else {
			rows = append(rows, c)
		}
	}
	return rows
}

// compass names the direction from one point to another: north, north-east, …
func compass(from, to orb.Point) string {
	dx := (to[0] - from[0]) * math.Cos(from[1]*math.Pi/180)
	dy := to[1] - from[1]
	bearing := math.Mod(math.Atan2(dx, dy)*180/math.Pi+360, 360)
	names := []string{"north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"}
	return names[int(math.Round(bearing/45))%8]
}
