// Package report builds the public documents of a run: the tract report an advocate cites and
// the region report a workgroup reads, with their charts and maps drawn here as SVG, rendered as
// HTML, Markdown, JSON and CSV. Every word and number format comes from data/labels; every
// report says what the data lacks and carries the run's provenance and a citation.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/labels"
)

// Options say which series a report shows and where it will be read.
type Options struct {
	Setting string // the setting group; empty: the run's default
	Content string // the content area the map, histogram and ranking show; empty: all programs
	// BaseURL is prefixed to links and the citation's address ("https://stemgap.example.org");
	// empty leaves them relative to the server that serves the report.
	BaseURL string
	// Sort orders the region report's ranked tracts: gap (default), unmet, desert or access.
	Sort string
}

// runView is a stored run as the reports read it: its provenance, rollups and equity at once, its
// cells block by block, only those a report draws — so that a report's memory follows the
// tract or series it shows, not the region.
type runView struct {
	*data.RunInfo
	Areas  []data.AreaResult
	Equity []data.EquityRow
	tables data.RunTables
}

func viewOf(t data.RunTables) *runView {
	return &runView{RunInfo: t.Info(), Areas: t.Areas(), Equity: t.Equity(), tables: t}
}

// areaCells reads the cells whose demand an area holds, with the figures of the given series, from
// the blocks its bound touches (every block when the area's shape is unknown).
func (r *runView) areaCells(ctx context.Context, area int, bound orb.Bound, known bool, series []int) (*data.CellTable, error) {
	out := &data.CellTable{Measures: make([]data.CellMeasures, len(r.ContentAreas))}
	for b, blk := range r.tables.Blocks() {
		if known && !blk.Bound.Intersects(bound) {
			continue
		}
		ct, err := r.tables.Cells(ctx, b, series)
		if err != nil {
			return nil, err
		}
		for i := range ct.H3 {
			if int(ct.Area[i]) != area {
				continue
			}
			out.H3 = append(out.H3, ct.H3[i])
			out.Lat, out.Lng = append(out.Lat, ct.Lat[i]), append(out.Lng, ct.Lng[i])
			out.Demand, out.Area = append(out.Demand, ct.Demand[i]), append(out.Area, ct.Area[i])
			out.Need, out.Urban = append(out.Need, ct.Need[i]), append(out.Urban, ct.Urban[i])
			for _, k := range series {
				m, src := &out.Measures[k], &ct.Measures[k]
				m.Nearest, m.Count = append(m.Nearest, src.Nearest[i]), append(m.Count, src.Count[i])
				m.Access, m.Unmet = append(m.Access, src.Access[i]), append(m.Unmet, src.Unmet[i])
				m.Gap, m.Desert = append(m.Gap, src.Gap[i]), append(m.Desert, src.Desert[i])
			}
		}
	}
	return out, nil
}

// series is the run's view of one setting group: its content areas in order, "all" last.
type series struct {
	run     *runView
	setting string
	indexes []int // into run.ContentAreas
	focus   int   // the content area the map and ranking show
}

func selectSeries(run *runView, opt Options) (*series, error) {
	content := opt.Content
	if content == "" {
		content = data.AllContentAreas
	}
	focus, err := run.CheckSeries(opt.Setting, content)
	if err != nil {
		return nil, err
	}
	s := &series{run: run, setting: run.ContentAreas[focus].Setting, focus: focus}
	for k, c := range run.ContentAreas {
		if c.Setting == s.setting {
			s.indexes = append(s.indexes, k)
		}
	}
	return s, nil
}

// judged lists the series of the group with enough programs to judge, "all" excluded.
func (s *series) judged() (judged, tooFew []int) {
	for _, k := range s.indexes {
		c := s.run.ContentAreas[k]
		switch {
		case c.Name == data.AllContentAreas:
		case c.TooFew:
			tooFew = append(tooFew, k)
		default:
			judged = append(judged, k)
		}
	}
	return judged, tooFew
}

// words holds the run's labels, looked up once.
type words struct {
	measures  map[string]labels.Measure
	variables map[string]labels.Variable
	noun      string // what demand counts: "youth"
}

func wordsFor(info *data.RunInfo) words {
	w := words{measures: map[string]labels.Measure{}, variables: labels.Variables(), noun: labels.DemandNoun(info.Demand)}
	for _, m := range labels.Measures(info) {
		w.measures[m.Key] = m
	}
	return w
}

func (w words) format(key string, v float64) string { return w.measures[key].Format.Format(v) }

func (w words) count(v float64) string { return labels.Format{Style: labels.StyleCount}.Format(v) }

func (w words) share(v float64) string { return labels.Format{Style: labels.StyleShare}.Format(v) }

// variableText writes a demographic figure in its variable's format.
func (w words) variableText(variable string, v float64) string {
	if lv, ok := w.variables[variable]; ok {
		return lv.Format.Format(v)
	}
	return labels.Format{Style: labels.StyleNumber}.Format(v)
}

func (w words) variableLabel(variable string) string {
	if lv, ok := w.variables[variable]; ok {
		return lv.Label
	}
	return labels.Humanise(variable)
}

// params reads the run's recorded parameters; a run recorded without them reads as the defaults.
func params(info *data.RunInfo) analysis.Params {
	p := analysis.DefaultParams()
	if len(info.Params) > 0 {
		_ = json.Unmarshal(info.Params, &p) // recorded by the analysis itself, so well-formed
	}
	return p
}

// Rule is the desert rule as the run applied it.
type Rule struct {
	Text        string  `json:"text"`
	UrbanCost   float64 `json:"urban_cost"`
	RuralCost   float64 `json:"rural_cost"`
	CostUnit    string  `json:"cost_unit"`
	AccessRatio float64 `json:"access_ratio"`
	MinDemand   float64 `json:"min_demand"`
	MinShare    float64 `json:"min_share"`
	MinPrograms int     `json:"min_programs"`
}

func ruleOf(info *data.RunInfo, w words) Rule {
	p := params(info)
	d := p.Desert
	r := Rule{UrbanCost: d.UrbanCost, RuralCost: d.RuralCost, CostUnit: info.CostUnit, AccessRatio: d.AccessRatio,
		MinDemand: d.MinDemand, MinShare: d.MinShare, MinPrograms: p.MinPrograms}
	var b strings.Builder
	fmt.Fprintf(&b, "A hexagon is in a STEM desert when the nearest program is more than %s away in an urban area, or more than %s in a rural one",
		costText(d.UrbanCost, info.CostUnit), costText(d.RuralCost, info.CostUnit))
	if d.AccessRatio > 0 && info.Measure != "nearest" {
		fmt.Fprintf(&b, ", or when its access is below %s of the regional average", w.share(d.AccessRatio))
	}
	b.WriteString(". A tract is a desert when ")
	switch {
	case d.MinDemand > 0 && d.MinShare > 0:
		fmt.Fprintf(&b, "at least %s of its %s, or %s of them, live in desert hexagons.", w.count(d.MinDemand), w.noun, w.share(d.MinShare))
	case d.MinDemand > 0:
		fmt.Fprintf(&b, "at least %s of its %s live in desert hexagons.", w.count(d.MinDemand), w.noun)
	default:
		fmt.Fprintf(&b, "at least %s of its %s live in desert hexagons.", w.share(d.MinShare), w.noun)
	}
	fmt.Fprintf(&b, " A content area with fewer than %d programs in the region is not judged.", p.MinPrograms)
	r.Text = b.String()
	return r
}

// costText writes a cost with its unit, and in miles too where a distance is a whole number of
// them (the desert distances are 1 and 10 miles).
func costText(v float64, unit string) string {
	s := labels.Format{Style: labels.StyleNumber, Suffix: " " + unit}.Format(v)
	if unit == "km" {
		miles := v / 1.609344
		if r := math.Round(miles); r >= 1 && math.Abs(miles-r) < 1e-9 {
			plural := "s"
			if r == 1 {
				plural = ""
			}
			s += fmt.Sprintf(" (%.0f mile%s)", r, plural)
		}
	}
	return s
}

// vintages counts the areas by the vintage of one variable's figures.
type vintageCount struct {
	Vintage string `json:"vintage"`
	Areas   int    `json:"areas"`
}

// vintageLabels are the vintages counted.
func vintageLabels(vs []vintageCount) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Vintage
	}
	return out
}

// areasOf is the set of the run's area ids.
func areasOf(run *runView) map[string]bool {
	inRun := make(map[string]bool, len(run.Areas))
	for _, a := range run.Areas {
		inRun[a.ID] = true
	}
	return inRun
}

func vintagesOf(run *runView, in *data.Inputs, variable string) []vintageCount {
	inRun := areasOf(run)
	n := map[string]int{}
	for _, v := range in.Demographics {
		if v.Variable == variable && inRun[v.AreaID] {
			n[v.Vintage]++
		}
	}
	out := make([]vintageCount, 0, len(n))
	for v, c := range n {
		out = append(out, vintageCount{Vintage: v, Areas: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Areas != out[j].Areas {
			return out[i].Areas > out[j].Areas
		}
		return out[i].Vintage < out[j].Vintage
	})
	return out
}

// besideDemand is analysis.Params.VintagesBesideDemand for the run's areas.
func besideDemand(run *runView, in *data.Inputs) []analysis.VintageGroup {
	inRun := areasOf(run)
	return params(run.RunInfo).VintagesBesideDemand(in.Demographics, func(id string) bool { return inRun[id] })
}

// caveats are what a reader must know before the figures, in plain words: content areas too thin
// to judge, programs without seats, where the programs come from, demand of mixed vintages, and
// straight-line distances.
func caveats(s *series, in *data.Inputs, w words, tractVintage string) []string {
	run := s.run
	var out []string
	if _, tooFew := s.judged(); len(tooFew) > 0 {
		var names []string
		for _, k := range tooFew {
			c := run.ContentAreas[k]
			names = append(names, fmt.Sprintf("%s (%d)", lower(labels.ContentArea(c.Name)), c.Programs))
		}
		out = append(out, fmt.Sprintf("Too few programs to judge: %s have fewer than %d %s programs in the region, so no tract is called a desert in them; their access is shown, not judged.",
			labels.JoinWords(names), run.ContentAreas[tooFew[0]].MinPrograms, lower(labels.Setting(s.setting))))
	}
	group, _ := run.SettingGroup(s.setting)
	seatless, total := 0, 0
	for _, p := range in.Programs {
		if group.Includes(p.Setting) {
			total++
			if math.IsNaN(p.Capacity) {
				seatless++
			}
		}
	}
	switch {
	case total > 0 && seatless == total:
		out = append(out, fmt.Sprintf("No program in the data gives its number of seats: each counts as %s, so access counts programs per 1,000 %s, not seats.",
			seatsText(params(run.RunInfo).DefaultCapacity), w.noun))
	case seatless > 0:
		out = append(out, fmt.Sprintf("%s of %s programs give no number of seats; each of those counts as %s.", w.count(float64(seatless)), w.count(float64(total)),
			seatsText(params(run.RunInfo).DefaultCapacity)))
	}
	var sources []string
	for _, inp := range run.Inputs {
		if inp.Kind == data.KindPrograms {
			sources = append(sources, fmt.Sprintf("%s (%s programs; %s)", inp.Source, w.count(float64(inp.Rows)), analysis.VintageName(inp.Vintage)))
		}
	}
	if len(sources) > 0 {
		out = append(out, "Where the programs come from: "+strings.Join(sources, "; ")+".")
	}
	if vs := vintagesOf(run, in, run.Demand); !analysis.OneDate(vintageLabels(vs)) {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = fmt.Sprintf("%s tracts from %s", w.count(float64(v.Areas)), analysis.VintageName(v.Vintage))
		}
		msg := fmt.Sprintf("Mixed dates: the %s counts differ in vintage across the region — %s — and are compared as if they were of one date.", w.noun, strings.Join(parts, "; "))
		if tractVintage != "" {
			msg += fmt.Sprintf(" This tract's come from %s.", tractVintage)
		}
		out = append(out, msg)
	}
	if groups := besideDemand(run, in); len(groups) > 0 {
		out = append(out, fmt.Sprintf("Mixed dates: the figures on who lives in the tracts are of other dates than the %s counts — %s — and are set beside them as if they were of one date.",
			w.noun, analysis.VintageGroupWords(groups)))
	}
	if run.CostUnit == "km" {
		out = append(out, "Distances are straight lines (as the crow flies), not travel times by foot, bus or car.")
	}
	return out
}

func seatsText(n float64) string {
	if n == 1 {
		return "one seat"
	}
	return labels.Format{Style: labels.StyleNumber}.Format(n) + " seats"
}

// Citation is how to cite a report.
type Citation struct {
	Text    string   `json:"text"`
	URL     string   `json:"url"`
	Run     string   `json:"run"`
	Date    string   `json:"date"`
	Sources []string `json:"sources"`
}

func citationFor(info *data.RunInfo, title, url string) Citation {
	date := info.CreatedAt.UTC().Format("2 January 2006")
	c := Citation{URL: url, Run: info.ID, Date: date}
	for _, in := range info.Inputs {
		s := in.Source
		if in.Vintage != "" {
			s += " — " + in.Vintage
		}
		c.Sources = append(c.Sources, s)
	}
	c.Text = fmt.Sprintf("stemgap (%d). %s. Analysis run %s, %s (%s). %s", info.CreatedAt.UTC().Year(), title, info.ID, date, info.Software, url)
	return c
}

// link joins the base URL and a path.
func link(opt Options, path string) string { return strings.TrimSuffix(opt.BaseURL, "/") + path }

// lower puts a label inside a sentence: "Digital access" → "digital access", keeping capitals
// that belong to a name or an abbreviation ("K–12 schooling", "FIRST robotics").
func lower(label string) string {
	r := []rune(label)
	if len(r) < 2 || !unicode.IsUpper(r[0]) || !unicode.IsLower(r[1]) {
		return label
	}
	return string(unicode.ToLower(r[0])) + string(r[1:])
}

// ratioText writes a ratio to the regional average as a percentage, whole from 10% up and with a
// decimal below, so that a small share does not read as none: 0.7%, 78%, 125%.
func ratioText(r float64) string {
	if math.Abs(r) < 0.1 {
		return labels.Format{Style: labels.StyleShare}.Format(r)
	}
	return labels.Format{Style: labels.StyleCount, Suffix: "%"}.Format(100 * r)
}

// seriesWords names a series' programs in a sentence: "out-of-school programs", "out-of-school
// engineering programs".
func seriesWords(setting, content string) string {
	words := lower(labels.Setting(setting))
	if content != data.AllContentAreas {
		words += " " + lower(labels.ContentArea(content))
	}
	return words + " programs"
}
