package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Charts and maps are drawn as inline SVG with presentation attributes and classes, never style
// attributes: the Content-Security-Policy allows no inline style, and a printed page keeps them.

// svg accumulates one drawing.
type svg struct {
	b strings.Builder
}

func newSVG(width, height float64, class, title string) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" class="%s" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`,
		class, num(width), num(height), num(width), num(height), esc(title))
	fmt.Fprintf(&s.b, `<title>%s</title>`, esc(title))
	return s
}

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) rect(x, y, w, h float64, attrs string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" %s/>`, num(x), num(y), num(math.Max(w, 0)), num(math.Max(h, 0)), attrs)
}

func (s *svg) line(x1, y1, x2, y2 float64, attrs string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" %s/>`, num(x1), num(y1), num(x2), num(y2), attrs)
}

func (s *svg) text(x, y float64, anchor, class, text string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" class="%s">%s</text>`, num(x), num(y), anchor, class, esc(text))
}

func (s *svg) html() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // every data-borne string went through esc
}

// esc escapes text for an SVG text node or attribute.
func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal: a tenth of a pixel is finer than print needs.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// projection maps lon/lat onto the page: equirectangular, scaled by the cosine of the view's
// latitude, which is true to within a fraction of a percent across a county.
type projection struct {
	minLng, maxLat, kx, scale, offX, offY float64
}

func newProjection(b orb.Bound, width, height float64) projection {
	lat0 := (b.Min[1] + b.Max[1]) / 2
	kx := math.Cos(lat0 * math.Pi / 180)
	dx, dy := (b.Max[0]-b.Min[0])*kx, b.Max[1]-b.Min[1]
	scale := math.Min(width/dx, height/dy)
	return projection{minLng: b.Min[0], maxLat: b.Max[1], kx: kx, scale: scale,
		offX: (width - dx*scale) / 2, offY: (height - dy*scale) / 2}
}

func (p projection) xy(pt orb.Point) (float64, float64) {
	return p.offX + (pt[0]-p.minLng)*p.kx*p.scale, p.offY + (p.maxLat-pt[1])*p.scale
}

// path writes rings as one SVG path, dropping points that fall on the same tenth of a pixel.
func (p projection) path(rings []orb.Ring, closed bool) string {
	var b strings.Builder
	for _, ring := range rings {
		last := ""
		for i, pt := range ring {
			x, y := p.xy(pt)
			xy := num(x) + " " + num(y)
			if xy == last {
				continue
			}
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(xy)
			last = xy
		}
		if closed {
			b.WriteString("Z")
		}
	}
	return b.String()
}

func (p projection) polygons(mp orb.MultiPolygon) string {
	var rings []orb.Ring
	for _, poly := range mp {
		rings = append(rings, poly...)
	}
	return p.path(rings, true)
}

func (p projection) lines(ml orb.MultiLineString) string {
	rings := make([]orb.Ring, len(ml))
	for i, l := range ml {
		rings[i] = orb.Ring(l)
	}
	return p.path(rings, false)
}

// niceStep is a round step (1, 2 or 5 × 10ⁿ) that splits span into about n parts.
func niceStep(span float64, n int) float64 {
	if !(span > 0) {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// Colours: ColorBrewer's RdBu, which readers with the common colour-vision deficiencies tell
// apart; deserts also carry a hatch, so that colour is never the only cue.
const (
	colourNone    = "#b2182b" // no program within reach
	colourLow     = "#ef8a62" // below the access ratio of the regional average
	colourBelow   = "#fddbc7" // below the average
	colourAbove   = "#67a9cf" // at or above it
	colourNoData  = "#d9d9d9"
	colourDesert  = "#b2182b"
	colourJudged  = "#2166ac"
	colourTooFew  = "#bdbdbd"
	colourRefLine = "#333333"
)

// hatch defines a diagonal hatch pattern under an id unique to its drawing.
func hatch(id string) string {
	return fmt.Sprintf(`<defs><pattern id="%s" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="#000" stroke-width="1.2" stroke-opacity="0.55"/></pattern></defs>`, id)
}
