package report

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"

	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
)

// Region is the region report: headline figures, the caveats, the share of young people in
// deserts per content area and setting group, the equity breakdown, a histogram of access, and
// the tracts ranked.
type Region struct {
	Title        string            `json:"title"`
	Subtitle     string            `json:"subtitle"`
	Caveats      []string          `json:"caveats"`
	Provenance   export.Provenance `json:"provenance"`
	Setting      string            `json:"setting"`
	SettingLabel string            `json:"setting_label"`
	Focus        string            `json:"focus_content_area"`
	FocusLabel   string            `json:"focus_label"`
	FocusTooFew  string            `json:"focus_too_few,omitempty"` // why the focus series is not judged
	Headline     []Headline        `json:"headline"`
	Deserts      []SeriesShare     `json:"desert_shares"`
	Equity       []EquityBar       `json:"equity"`
	EquityNote   string            `json:"equity_note,omitempty"`
	Histogram    []Bin             `json:"access_histogram"`
	Sort         string            `json:"sort"`
	SortNote     string            `json:"sort_note,omitempty"`
	Tracts       []RankedTract     `json:"tracts"`
	Dropped      int               `json:"tracts_without_demand"` // left out of the ranking
	Rule         Rule              `json:"rule"`
	Citation     Citation          `json:"citation"`
	Links        map[string]string `json:"links"`

	words words
	run   *runView
	opt   Options
}

// Headline is one figure at the top of the report.
type Headline struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// SeriesShare is the share of young people in deserts for one content area within one setting
// group.
type SeriesShare struct {
	Setting      string `json:"setting"`
	SettingLabel string `json:"setting_label"`
	Name         string `json:"content_area"`
	Label        string `json:"label"`
	Programs     int    `json:"programs"`
	TooFew       bool   `json:"too_few"`
	Note         string `json:"note,omitempty"`
	Share        any    `json:"desert_share"`
	DesertDemand any    `json:"desert_demand"`
	DesertAreas  int    `json:"desert_areas"`
}

// EquityBar is one demographic group's share living in deserts against its reference
// population's, with 90% margin-of-error intervals where every figure behind it has a margin.
type EquityBar struct {
	Group     string  `json:"group"`
	Variable  string  `json:"variable"`
	Reference string  `json:"reference"`
	Share     float64 `json:"share"`
	RefShare  float64 `json:"region_share"`
	Ratio     float64 `json:"ratio"`
	// ShareMOE and RefMOE are the 90% margins of the two shares (the Census Bureau's formula for
	// a proportion, the group's figures' margins combined as √Σ(f·MOE)²); null when some figure
	// behind the share has none.
	ShareMOE any    `json:"share_moe"`
	RefMOE   any    `json:"region_share_moe"`
	MOENote  string `json:"moe_note,omitempty"`
	Areas    int    `json:"areas"`
}

// Bin is one bar of the access histogram: the young people whose access lies in [Low, High).
type Bin struct {
	Low    float64 `json:"low"`
	High   float64 `json:"high"` // +Inf for the last, open bin
	Demand float64 `json:"demand"`
	Label  string  `json:"label"`
}

// RankedTract is one row of the ranked table.
type RankedTract struct {
	Position    int    `json:"position"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Place       string `json:"place,omitempty"`
	Demand      any    `json:"demand"`
	Need        any    `json:"need"`
	Access      any    `json:"access"`
	Nearest     any    `json:"nearest"`
	Gap         any    `json:"gap"`
	Unmet       any    `json:"unmet"`
	DesertShare any    `json:"desert_share"`
	Desert      bool   `json:"desert"`
	Link        string `json:"link"`
}

// Sort keys of the ranked table.
const (
	SortGap    = "gap"
	SortUnmet  = "unmet"
	SortDesert = "desert"
	SortAccess = "access"
)

// CheckSort rejects an unknown sort key.
func CheckSort(key string) error {
	switch key {
	case "", SortGap, SortUnmet, SortDesert, SortAccess:
		return nil
	}
	return fmt.Errorf("sort %q: want gap, unmet, desert or access", key)
}

// BuildRegion reports on the whole region of a stored run, reading its cells one block at a time.
func BuildRegion(ctx context.Context, tables data.RunTables, in *data.Inputs, opt Options) (*Region, error) {
	run := viewOf(tables)
	if err := CheckSort(opt.Sort); err != nil {
		return nil, err
	}
	s, err := selectSeries(run, opt)
	if err != nil {
		return nil, err
	}
	w := wordsFor(run.RunInfo)
	focus := run.ContentAreas[s.focus]
	r := &Region{
		Provenance:   export.ProvenanceFor(run.RunInfo, s.setting),
		Setting:      s.setting,
		SettingLabel: labels.Setting(s.setting),
		Focus:        focus.Name,
		FocusLabel:   labels.ContentArea(focus.Name),
		FocusTooFew:  focus.TooFewNote(),
		Caveats:      caveats(s, in, w, ""),
		Rule:         ruleOf(run.RunInfo, w),
		words:        w,
		run:          run,
		opt:          opt,
	}
	r.Title, r.Subtitle = regionTitle(run, in, w, r.SettingLabel)
	r.headline(s)
	for _, c := range run.ContentAreas {
		r.Deserts = append(r.Deserts, SeriesShare{Setting: c.Setting, SettingLabel: labels.Setting(c.Setting), Name: c.Name, Label: labels.ContentArea(c.Name),
			Programs: c.Programs, TooFew: c.TooFew, Note: c.TooFewNote(), Share: export.Number(c.DesertShare), DesertDemand: export.Number(c.DesertYouth), DesertAreas: c.DesertAreas})
	}
	r.equity(in, s.focus)
	if err := r.histogram(ctx, s.focus); err != nil {
		return nil, err
	}
	r.rank(in, s.focus)
	q := r.query(opt.Sort)
	r.Links = map[string]string{"html": link(opt, "/report?"+q), "csv": link(opt, "/report?format=csv&"+q), "method": link(opt, "/method"), "map": link(opt, "/")}
	r.Citation = citationFor(run.RunInfo, r.Title, r.Links["html"])
	return r, nil
}

// query is the report's own query string with another sort.
func (r *Region) query(sortKey string) string {
	v := url.Values{"run": {r.run.ID}, "setting": {r.Setting}}
	if r.Focus != data.AllContentAreas {
		v.Set("content", r.Focus)
	}
	if sortKey != "" && sortKey != SortGap {
		v.Set("sort", sortKey)
	}
	return v.Encode()
}

// regionTitle names the region by what it holds: its tracts, counties and states.
func regionTitle(run *runView, in *data.Inputs, w words, setting string) (string, string) {
	counties := map[string]bool{}
	states := map[string]bool{}
	for _, a := range in.Areas {
		if k := data.CountyKey(a); k != "" {
			counties[k] = true
		}
		if data.IsTractGEOID(a.ID) {
			if place := labels.AreaPlace(data.Area{ID: a.ID}); place != "" {
				states[place] = true
			}
		}
	}
	var stateNames []string
	for s := range states {
		stateNames = append(stateNames, s)
	}
	sort.Strings(stateNames)
	title := fmt.Sprintf("STEM-learning access across %s areas", w.count(float64(len(run.Areas))))
	if len(in.Areas) > 0 && data.IsTractGEOID(in.Areas[0].ID) {
		title = fmt.Sprintf("STEM-learning access across %s census tracts", w.count(float64(len(run.Areas))))
	}
	if len(counties) > 1 {
		title += fmt.Sprintf(" in %d counties", len(counties))
	}
	if len(stateNames) > 0 {
		title += " of " + labels.JoinWords(stateNames)
	}
	return title, fmt.Sprintf("run %s, %s", run.ID, run.CreatedAt.UTC().Format("2 January 2006"))
}

func (r *Region) headline(s *series) {
	w, run := r.words, r.run
	demand, withDemand := 0.0, 0
	for _, a := range run.Areas {
		if a.Demand > 0 {
			demand += a.Demand
			withDemand++
		}
	}
	all := run.ContentAreas[run.SeriesIndex(s.setting, data.AllContentAreas)]
	judged, tooFew := s.judged()
	r.Headline = []Headline{
		{w.count(demand), fmt.Sprintf("%s in %s tracts", lower(w.variableLabel(run.Demand)), w.count(float64(withDemand)))},
		{w.count(float64(all.Programs)), lower(r.SettingLabel) + " programs"},
	}
	if !all.TooFew {
		r.Headline = append(r.Headline,
			Headline{w.share(all.DesertShare), fmt.Sprintf("of %s live in deserts of all %s programs", w.noun, lower(r.SettingLabel))},
			Headline{w.count(float64(all.DesertAreas)), "tracts are deserts of all programs"})
	}
	r.Headline = append(r.Headline, Headline{fmt.Sprintf("%d of %d", len(judged), len(judged)+len(tooFew)), "content areas with enough programs to judge"})
}

// equity lays out the equity rows of the focus series with their margins of error.
func (r *Region) equity(in *data.Inputs, k int) {
	run := r.run
	c := run.ContentAreas[k]
	if c.TooFew {
		r.EquityNote = "No equity breakdown: " + c.TooFewNote() + "."
		return
	}
	p := params(run.RunInfo)
	refOf := map[string]string{}
	for _, g := range p.Equity {
		refOf[g.Name] = g.Reference
	}
	values := map[string]map[string]data.DemographicValue{} // variable → area → figure
	for _, v := range in.Demographics {
		if values[v.Variable] == nil {
			values[v.Variable] = map[string]data.DemographicValue{}
		}
		values[v.Variable][v.AreaID] = v
	}
	for _, e := range run.Equity {
		if e.Setting != c.Setting || e.ContentArea != c.Name {
			continue
		}
		bar := EquityBar{Group: e.Group, Variable: e.Variable, Reference: refOf[e.Group], Share: e.Share, RefShare: e.Reference, Ratio: e.Ratio, Areas: e.Areas}
		shareMOE, refMOE, note := equityMargins(run, k, e.Variable, bar.Reference, values)
		bar.ShareMOE, bar.RefMOE, bar.MOENote = export.Number(shareMOE), export.Number(refMOE), note
		r.Equity = append(r.Equity, bar)
	}
	if len(r.Equity) == 0 {
		r.EquityNote = "No equity breakdown: the data has no figures for the groups the run compares."
	}
}

// equityMargins finds the 90% margins of a group's share in deserts and of its reference's, over
// the areas the analysis counted (someone lives there, with figures for both). An area's share of
// people in desert hexagons is taken as exact; the counts' margins combine as √Σ(f·MOE)² for the
// people in deserts and √ΣMOE² for all, and the share's margin follows the Census Bureau's formula
// for a proportion (its formula for a ratio where the proportion's would take a negative root).
// A share whose figures lack a margin anywhere gets none (NaN), and the note says so.
func equityMargins(run *runView, k int, variable, reference string, values map[string]map[string]data.DemographicValue) (float64, float64, string) {
	type sums struct {
		total, in, moeTotal2, moeIn2 float64
		missing                      int
	}
	var grp, ref sums
	areas := 0
	add := func(s *sums, v data.DemographicValue, frac float64) {
		s.total += v.Value
		s.in += v.Value * frac
		if math.IsNaN(v.MOE) {
			s.missing++
			return
		}
		s.moeTotal2 += v.MOE * v.MOE
		s.moeIn2 += frac * frac * v.MOE * v.MOE
	}
	for _, a := range run.Areas {
		frac := a.Measures[k].DesertShare
		if !(a.Demand > 0) || math.IsNaN(frac) {
			continue
		}
		gv, ok := values[variable][a.ID]
		if !ok {
			continue
		}
		rv, ok := values[reference][a.ID]
		if !ok && reference == run.Demand {
			rv, ok = data.DemographicValue{Value: a.Demand, MOE: math.NaN()}, true
		}
		if !ok {
			continue
		}
		areas++
		add(&grp, gv, frac)
		add(&ref, rv, frac)
	}
	margin := func(s sums) float64 {
		if s.missing > 0 || s.total == 0 {
			return math.NaN()
		}
		p := s.in / s.total
		rad := s.moeIn2 - p*p*s.moeTotal2
		if rad < 0 {
			rad = s.moeIn2 + p*p*s.moeTotal2
		}
		return math.Sqrt(rad) / s.total
	}
	note := ""
	switch {
	case grp.missing == areas:
		note = "no margin of error in the data"
	case grp.missing > 0:
		note = fmt.Sprintf("margins of error for %d of %d tracts only: no interval", areas-grp.missing, areas)
	}
	return margin(grp), margin(ref), note
}

// histogramBins is the number of equal bins between no access and the 98th percentile; one open
// bin holds the rest.
const histogramBins = 10

// histogram counts the young people by the access of the hexagon they live in.
func (r *Region) histogram(ctx context.Context, k int) error {
	run := r.run
	type cell struct{ access, demand float64 }
	var cells []cell
	total := 0.0
	zero := 0.0
	lowerBetter := run.Measure == "nearest" || run.Measure == "raam"
	for b := range run.tables.Blocks() {
		ct, err := run.tables.Cells(ctx, b, []int{k})
		if err != nil {
			return err
		}
		for i, a := range ct.Measures[k].Access {
			d := ct.Demand[i]
			if math.IsNaN(a) || math.IsInf(a, 0) || !(d > 0) {
				continue
			}
			if a == 0 && !lowerBetter {
				zero += d
				continue
			}
			cells = append(cells, cell{a, d})
			total += d
		}
	}
	if len(cells) == 0 && zero == 0 {
		return nil
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i].access < cells[j].access })
	top := 0.0
	for acc, i := 0.0, 0; i < len(cells); i++ {
		acc += cells[i].demand
		top = cells[i].access
		if acc >= 0.98*total {
			break
		}
	}
	f := r.words.measures["access"].Format
	if !lowerBetter {
		r.Histogram = append(r.Histogram, Bin{Low: 0, High: 0, Demand: zero, Label: "0 (none)"})
	}
	step := niceStep(top, histogramBins)
	if !(step > 0) {
		step = 1
	}
	for lo := 0.0; lo < top || lo == 0; lo += step {
		r.Histogram = append(r.Histogram, Bin{Low: lo, High: lo + step, Label: f.Format(lo) + "–" + f.Format(lo+step)})
	}
	last := &r.Histogram[len(r.Histogram)-1]
	last.High = math.Inf(1)
	last.Label = "≥ " + f.Format(last.Low)
	first := 0
	if !lowerBetter {
		first = 1
	}
	for _, c := range cells {
		b := first + int(c.access/step)
		if b >= len(r.Histogram) {
			b = len(r.Histogram) - 1
		}
		r.Histogram[b].Demand += c.demand
	}
	return nil
}

// rank orders the tracts where someone lives by the chosen figure, worst first.
func (r *Region) rank(in *data.Inputs, k int) {
	run := r.run
	c := run.ContentAreas[k]
	r.Sort = r.opt.Sort
	if r.Sort == "" {
		r.Sort = SortGap
	}
	if c.TooFew && r.Sort != SortAccess {
		r.SortNote = fmt.Sprintf("%s has too few %s programs in the region to judge, so tracts have no gap, unmet seats or desert share in it: they are ranked by access instead, lowest first.",
			r.FocusLabel, lower(r.SettingLabel))
		r.Sort = SortAccess
	}
	if r.Sort == SortUnmet && run.Measure != "e2sfca" && run.Measure != "2sfca" && run.Measure != "3sfca" && run.Measure != "gravity" {
		r.SortNote = "The run's measure does not count seats, so tracts are ranked by gap instead."
		r.Sort = SortGap
	}
	places := map[string]data.Area{}
	for _, a := range in.Areas {
		places[a.ID] = a
	}
	lowerBetter := run.Measure == "nearest" || run.Measure == "raam"
	var idx []int
	for i, a := range run.Areas {
		if a.Demand > 0 {
			idx = append(idx, i)
		} else {
			r.Dropped++
		}
	}
	key := func(i int) float64 {
		m := run.Areas[i].Measures[k]
		var v float64
		switch r.Sort {
		case SortUnmet:
			v = m.Unmet
		case SortDesert:
			v = m.DesertShare
		case SortAccess:
			v = -m.Access // lowest access first
			if lowerBetter {
				v = m.Access
			}
		default:
			v = m.Gap
		}
		if math.IsNaN(v) {
			return math.Inf(-1)
		}
		return v
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := key(idx[i]), key(idx[j])
		if a != b {
			return a > b
		}
		mi, mj := run.Areas[idx[i]].Measures[k], run.Areas[idx[j]].Measures[k]
		switch {
		case r.Sort == SortDesert && mi.DesertYouth != mj.DesertYouth:
			return mi.DesertYouth > mj.DesertYouth
		case r.Sort == SortAccess && mi.Nearest != mj.Nearest:
			// Equal access (none, often): the farther from any program, the worse off.
			return mi.Nearest > mj.Nearest
		}
		return run.Areas[idx[i]].ID < run.Areas[idx[j]].ID
	})
	q := r.query("")
	for pos, i := range idx {
		a := run.Areas[i]
		m := a.Measures[k]
		stored, ok := places[a.ID]
		if !ok {
			stored = data.Area{ID: a.ID, Name: a.Name}
		}
		row := RankedTract{Position: pos + 1, ID: a.ID, Title: labels.AreaName(stored), Place: labels.AreaPlace(stored),
			Demand: export.Number(a.Demand), Need: export.Number(a.Need), Access: export.Number(m.Access), Nearest: export.Number(m.Nearest),
			Gap: export.Number(m.Gap), Unmet: export.Number(m.Unmet), DesertShare: export.Number(m.DesertShare), Desert: m.Desert,
			Link: link(r.opt, "/tracts/"+url.PathEscape(a.ID)+"?"+q)}
		r.Tracts = append(r.Tracts, row)
	}
}
