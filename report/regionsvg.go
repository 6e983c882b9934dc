package report

import (
	"fmt"
	"html/template"
	"math"

	"stemgap/data"
	"stemgap/data/labels"
)

// groupColours tell the setting groups apart in the desert chart (ColorBrewer's paired blues).
var groupColours = []string{"#1f78b4", "#a6cee3", "#33a02c", "#b2df8a"}

const regionChartWidth = 640.0

// DesertChart draws, per content area, one bar per setting group: the share of young people
// living in its deserts. Content areas too thin to judge in a group get no bar, but say so.
func (r *Region) DesertChart() template.HTML {
	run := r.run
	groups := run.SettingNames()
	names := append([]string{data.AllContentAreas}, without(run.ContentNames(), data.AllContentAreas)...)
	bar := 11.0
	rowH := bar*float64(len(groups)) + 6
	labelW, top := 150.0, 34.0
	height := top + rowH*float64(len(names)) + 24
	plotW := regionChartWidth - labelW - 120
	s := newSVG(regionChartWidth, height, "chart desert-chart", fmt.Sprintf("Bar chart: share of %s living in STEM deserts, by content area and setting group", r.words.noun))
	for g, name := range groups {
		x := labelW + float64(g)*170
		s.rect(x, 6, 10, 10, `fill="`+groupColours[g%len(groupColours)]+`"`)
		s.text(x+14, 15, "start", "small", labels.Setting(name)+" programs")
	}
	for _, tick := range []float64{0, .25, .5, .75, 1} {
		x := labelW + plotW*tick
		s.line(x, top-4, x, height-22, `stroke="#e3e3e3" stroke-width="1"`)
		s.text(x, height-10, "middle", "axis", r.words.share(tick))
	}
	for i, name := range names {
		y := top + rowH*float64(i)
		s.text(labelW-6, y+rowH/2+3, "end", "label", labels.ContentArea(name))
		for g, group := range groups {
			k := run.SeriesIndex(group, name)
			if k < 0 {
				continue
			}
			c := run.ContentAreas[k]
			yy := y + float64(g)*bar + 2
			if c.TooFew {
				s.text(labelW+3, yy+bar-2, "start", "small muted", fmt.Sprintf("too few programs to judge (%d)", c.Programs))
				continue
			}
			w := plotW * math.Max(0, c.DesertShare)
			s.raw(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`, num(labelW), num(yy), num(w), num(bar-1),
				groupColours[g%len(groupColours)], esc(fmt.Sprintf("%s, %s programs: %s in deserts", labels.ContentArea(name), lower(labels.Setting(group)), r.words.share(c.DesertShare))))
			s.text(labelW+w+3, yy+bar-2, "start", "value", r.words.share(c.DesertShare))
		}
	}
	return s.html()
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// EquityChart draws each group's share living in deserts as a bar, its reference population's
// share as a tick, and 90% margin-of-error intervals where the data has them.
func (r *Region) EquityChart() template.HTML {
	if len(r.Equity) == 0 {
		return ""
	}
	rowH, labelW, top := 22.0, 190.0, 30.0
	height := top + rowH*float64(len(r.Equity)) + 26
	plotW := regionChartWidth - labelW - 90
	maxShare := 0.0
	for _, e := range r.Equity {
		hi := math.Max(e.Share+number(e.ShareMOE), e.RefShare+number(e.RefMOE))
		if math.IsNaN(hi) {
			hi = math.Max(e.Share, e.RefShare)
		}
		maxShare = math.Max(maxShare, hi)
	}
	maxShare = math.Min(1, math.Max(0.1, math.Ceil(maxShare*10)/10))
	xOf := func(v float64) float64 { return labelW + plotW*math.Min(math.Max(v, 0), maxShare)/maxShare }
	s := newSVG(regionChartWidth, height, "chart equity-chart", fmt.Sprintf("Bar chart: share of each group living in deserts of %s, against its reference population", r.Programs()))
	s.rect(labelW, 6, 10, 10, `fill="#762a83"`)
	s.text(labelW+14, 15, "start", "small", "the group's share in deserts")
	s.line(labelW+170, 4, labelW+170, 18, `stroke="#000" stroke-width="2.5"`)
	s.text(labelW+176, 15, "start", "small", "its reference population's")
	s.line(labelW+320, 11, labelW+340, 11, `stroke="#000" stroke-width="1"`)
	s.text(labelW+344, 15, "start", "small", "90% margin of error")
	step := niceStep(maxShare, 5)
	for tick := 0.0; tick <= maxShare+1e-9; tick += step {
		x := xOf(tick)
		s.line(x, top-4, x, height-22, `stroke="#e3e3e3" stroke-width="1"`)
		s.text(x, height-10, "middle", "axis", r.words.share(tick))
	}
	for i, e := range r.Equity {
		y := top + rowH*float64(i)
		s.text(labelW-6, y+rowH/2+3, "end", "label", capitalise(e.Group))
		s.raw(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="#762a83"><title>%s</title></rect>`, num(labelW), num(y+4), num(xOf(e.Share)-labelW), num(rowH-8),
			esc(fmt.Sprintf("%s: %s in deserts, against %s", e.Group, r.words.share(e.Share), r.words.share(e.RefShare))))
		s.line(xOf(e.RefShare), y+1, xOf(e.RefShare), y+rowH-1, `stroke="#000" stroke-width="2.5"`)
		if m, ok := e.ShareMOE.(float64); ok {
			mid := y + rowH/2
			s.raw(`<g class="moe" stroke="#000" stroke-width="1">`)
			s.line(xOf(e.Share-m), mid, xOf(e.Share+m), mid, "")
			s.line(xOf(e.Share-m), mid-3, xOf(e.Share-m), mid+3, "")
			s.line(xOf(e.Share+m), mid-3, xOf(e.Share+m), mid+3, "")
			s.raw(`</g>`)
		}
		label := r.words.share(e.Share)
		if !math.IsNaN(e.Ratio) {
			label += fmt.Sprintf(" (×%s)", labels.Format{Style: labels.StyleScore}.Format(e.Ratio))
		}
		right := math.Max(e.Share, e.RefShare)
		if m, ok := e.ShareMOE.(float64); ok {
			right = math.Max(right, e.Share+m)
		}
		s.text(xOf(right)+6, y+rowH/2+3, "start", "value", label)
	}
	return s.html()
}

// HistogramChart draws how many young people live at each level of access.
func (r *Region) HistogramChart() template.HTML {
	if len(r.Histogram) == 0 {
		return ""
	}
	height, left, top, bottom := 210.0, 56.0, 12.0, 36.0
	plotH := height - top - bottom
	plotW := regionChartWidth - left - 10
	maxD := 0.0
	for _, b := range r.Histogram {
		maxD = math.Max(maxD, b.Demand)
	}
	if maxD == 0 {
		maxD = 1
	}
	step := niceStep(maxD, 4)
	maxY := math.Ceil(maxD/step) * step
	barW := plotW / float64(len(r.Histogram))
	s := newSVG(regionChartWidth, height, "chart histogram", fmt.Sprintf("Histogram: %s by the access to %s where they live", r.words.noun, r.Programs()))
	for v := 0.0; v <= maxY+1e-9; v += step {
		y := top + plotH*(1-v/maxY)
		s.line(left, y, left+plotW, y, `stroke="#e3e3e3" stroke-width="1"`)
		s.text(left-5, y+3, "end", "axis", r.words.count(v))
	}
	for i, b := range r.Histogram {
		x := left + barW*float64(i)
		h := plotH * b.Demand / maxY
		fill := colourJudged
		if b.High == 0 {
			fill = colourNone
		}
		s.raw(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`, num(x+1), num(top+plotH-h), num(barW-2), num(h), fill,
			esc(fmt.Sprintf("%s: %s %s", b.Label, r.words.count(b.Demand), r.words.noun)))
		s.text(x+barW/2, top+plotH+12, "middle", "axis", b.Label)
	}
	s.line(left, top+plotH, left+plotW, top+plotH, `stroke="#000" stroke-width="0.8"`)
	s.text(left+plotW, height-4, "end", "small", "access — "+r.run.AccessUnit)
	return s.html()
}
