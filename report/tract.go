package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
	"stemgap/geo"
)

// Tract is the report of one tract: who lives there, which content areas are deserts and why, how
// it compares with the region, what the data lacks, and how to cite it.
type Tract struct {
	Title        string            `json:"title"`
	Summary      string            `json:"summary"`
	Caveats      []string          `json:"caveats"`
	Provenance   export.Provenance `json:"provenance"`
	Setting      string            `json:"setting"` // the setting group the content areas are measured within
	SettingLabel string            `json:"setting_label"`
	Focus        string            `json:"focus_content_area"` // the content area the map shows
	Area         Area              `json:"area"`
	Figures      []Figure          `json:"figures"`
	// FigureVintages lists the vintages among the figures; more than one means they are of
	// different dates.
	FigureVintages []string          `json:"figure_vintages"`
	ContentAreas   []Content         `json:"content_areas"`
	Rule           Rule              `json:"rule"`
	Nearest        []Nearby          `json:"nearest_programs"`
	DemandVintages []vintageCount    `json:"demand_vintages"` // across the region
	Citation       Citation          `json:"citation"`
	Links          map[string]string `json:"links"`

	words words
	shape orb.MultiPolygon // nil when the area is no longer stored
	cells *data.CellTable  // the cells whose demand the area holds, with the group's figures
	run   *runView
	in    *data.Inputs
	focus int
}

// Area is the tract itself.
type Area struct {
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	Title          string `json:"title"`
	County         string `json:"county,omitempty"`
	DemandVariable string `json:"demand_variable"`
	DemandLabel    string `json:"demand_label"`
	Demand         any    `json:"demand"`
	DemandVintage  string `json:"demand_vintage,omitempty"`
	Need           any    `json:"need"`
	Urban          bool   `json:"urban"`
	UrbanBasis     string `json:"urban_basis"`
	Cells          int    `json:"cells"`
}

// Figure is one demographic figure of the tract with its source.
type Figure struct {
	Variable string `json:"variable"`
	Label    string `json:"label"`
	Value    any    `json:"value"`
	Text     string `json:"text"`
	MOE      any    `json:"moe"`
	MOEText  string `json:"moe_text,omitempty"`
	Vintage  string `json:"vintage,omitempty"`
	Source   string `json:"source"`
}

// Content is one content area's result for the tract, with the figures the rule decided on.
type Content struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	Programs     int    `json:"programs"` // in the region, in the setting group
	TooFew       bool   `json:"too_few"`
	Note         string `json:"note,omitempty"`
	Access       any    `json:"access"`
	RegionalMean any    `json:"regional_mean"`
	// AccessRatio is access as a share of the regional mean (for distances, the mean over the
	// tract's), so that 1 is the regional average and below 1 worse.
	AccessRatio  any    `json:"access_ratio"`
	Nearest      any    `json:"nearest"`
	Unmet        any    `json:"unmet"`
	Gap          any    `json:"gap"`
	FarDemand    any    `json:"far_demand"` // demand in desert cells beyond the desert distance
	LowDemand    any    `json:"low_demand"` // demand in desert cells nearer, with access below the ratio
	DesertDemand any    `json:"desert_demand"`
	DesertShare  any    `json:"desert_share"`
	Desert       bool   `json:"desert"`
	Verdict      string `json:"verdict"`
	Reason       string `json:"reason"`
	Rank         int    `json:"rank"`
	Ranked       int    `json:"ranked_areas"`
	Percentile   any    `json:"percentile"`
}

// Nearby is one of the programs nearest the tract.
type Nearby struct {
	Number   int       `json:"number"` // its label on the map
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Provider string    `json:"provider,omitempty"`
	Setting  string    `json:"setting,omitempty"`
	Km       float64   `json:"km"` // from the tract's interior point
	Location orb.Point `json:"location"`
}

// nearbyCount is how many nearest programs the map marks and the report lists.
const nearbyCount = 5

// Verdicts.
const (
	VerdictDesert    = "Desert"
	VerdictNotDesert = "Not a desert"
	VerdictTooFew    = "Too few to judge"
	VerdictNoDemand  = "No one lives here"
	VerdictNoData    = "No data"
)

// BuildTract reports on one area of a stored run, reading only the cells near it.
func BuildTract(ctx context.Context, tables data.RunTables, in *data.Inputs, id string, opt Options) (*Tract, error) {
	run := viewOf(tables)
	idx := -1
	for i := range run.Areas {
		if run.Areas[i].ID == id {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("area %q is not in run %s: %w", id, run.ID, data.ErrNotFound)
	}
	s, err := selectSeries(run, opt)
	if err != nil {
		return nil, err
	}
	w := wordsFor(run.RunInfo)
	a := &run.Areas[idx]
	var stored data.Area
	for _, sa := range in.Areas {
		if sa.ID == id {
			stored = sa
		}
	}
	if stored.ID == "" {
		stored = data.Area{ID: a.ID, Name: a.Name}
	}
	t := &Tract{
		Title:        labels.AreaTitle(stored),
		Provenance:   export.ProvenanceFor(run.RunInfo, s.setting),
		Setting:      s.setting,
		SettingLabel: labels.Setting(s.setting),
		Focus:        run.ContentAreas[s.focus].Name,
		Rule:         ruleOf(run.RunInfo, w),
		words:        w,
		shape:        stored.Geometry,
		run:          run,
		in:           in,
		focus:        s.focus,
	}
	t.Area = Area{ID: a.ID, Name: a.Name, Title: t.Title, County: labels.AreaPlace(stored), DemandVariable: run.Demand, DemandLabel: w.measures["demand"].Label,
		Demand: export.Number(a.Demand), Need: export.Number(a.Need), Urban: a.Urban, UrbanBasis: a.UrbanWhy, Cells: a.Cells}
	if t.cells, err = run.areaCells(ctx, idx, stored.Geometry.Bound(), len(stored.Geometry) > 0, s.indexes); err != nil {
		return nil, err
	}
	t.figures(in)
	for _, k := range s.indexes {
		t.ContentAreas = append(t.ContentAreas, t.content(k, idx))
	}
	t.DemandVintages = vintagesOf(run, in, run.Demand)
	t.Caveats = caveats(s, in, w, t.Area.DemandVintage)
	t.Nearest = nearestPrograms(run, in, s.setting, t.Focus, stored.Geometry)
	t.Summary = t.summary(a)
	q := fmt.Sprintf("?run=%s&setting=%s", run.ID, s.setting)
	if t.Focus != data.AllContentAreas {
		q += "&content=" + t.Focus
	}
	page := link(opt, "/tracts/"+id+q)
	t.Links = map[string]string{"html": page, "json": link(opt, "/api/tracts/"+id+q), "method": link(opt, "/method"),
		"region": link(opt, "/report"+q)}
	t.Citation = citationFor(run.RunInfo, "STEM-learning access: "+t.Title, page)
	return t, nil
}

// figures gathers the tract's demographic figures in the order of the canonical variables.
func (t *Tract) figures(in *data.Inputs) {
	order := map[string]int{}
	for i, v := range data.Variables() {
		order[v.Name] = i
	}
	vintages := map[string]bool{}
	for _, v := range in.Demographics {
		if v.AreaID != t.Area.ID {
			continue
		}
		f := Figure{Variable: v.Variable, Label: t.words.variableLabel(v.Variable), Value: export.Number(v.Value), Text: t.words.variableText(v.Variable, v.Value),
			MOE: export.Number(v.MOE), Vintage: v.Vintage, Source: v.Source}
		if !math.IsNaN(v.MOE) {
			f.MOEText = "± " + t.words.variableText(v.Variable, v.MOE)
		}
		if v.Variable == t.Area.DemandVariable {
			t.Area.DemandVintage = v.Vintage
		}
		vintages[analysis.VintageName(v.Vintage)] = true
		t.Figures = append(t.Figures, f)
	}
	sort.SliceStable(t.Figures, func(i, j int) bool { return order[t.Figures[i].Variable] < order[t.Figures[j].Variable] })
	for v := range vintages {
		t.FigureVintages = append(t.FigureVintages, v)
	}
	sort.Strings(t.FigureVintages)
}

// content reports one series for the area, splitting its desert demand into the part too far
// from any program and the part nearer but with too little access, as the rule decided.
func (t *Tract) content(k, idx int) Content {
	run := t.run
	c := run.ContentAreas[k]
	m := run.Areas[idx].Measures[k]
	ranked := 0
	for i := range run.Areas {
		if run.Areas[i].Measures[k].Rank > 0 {
			ranked++
		}
	}
	out := Content{Name: c.Name, Label: labels.ContentArea(c.Name), Programs: c.Programs, TooFew: c.TooFew, Note: c.TooFewNote(),
		Access: export.Number(m.Access), RegionalMean: export.Number(c.MeanAccess), AccessRatio: export.Number(accessRatio(run.Measure, m.Access, c.MeanAccess)),
		Nearest: export.Number(m.Nearest), Unmet: export.Number(m.Unmet), Gap: export.Number(m.Gap),
		DesertDemand: export.Number(m.DesertYouth), DesertShare: export.Number(m.DesertShare), Desert: m.Desert, Reason: m.Reason,
		Rank: m.Rank, Ranked: ranked}
	if m.Rank > 0 {
		out.Percentile = export.Number(m.Percentile)
	}
	demand := run.Areas[idx].Demand
	switch {
	case math.IsNaN(demand):
		out.Verdict = VerdictNoData
	case c.TooFew:
		out.Verdict = VerdictTooFew
	case demand == 0:
		out.Verdict = VerdictNoDemand
	case m.Desert:
		out.Verdict = VerdictDesert
	default:
		out.Verdict = VerdictNotDesert
	}
	if out.Verdict == VerdictDesert || out.Verdict == VerdictNotDesert {
		rule := t.Rule
		far, low := 0.0, 0.0
		cells := t.cells
		for i := range cells.H3 {
			if cells.Measures[k].Desert[i] != data.DesertYes {
				continue
			}
			limit := rule.RuralCost
			if cells.Urban[i] {
				limit = rule.UrbanCost
			}
			if cells.Measures[k].Nearest[i] > limit {
				far += cells.Demand[i]
			} else {
				low += cells.Demand[i]
			}
		}
		out.FarDemand, out.LowDemand = far, low
	}
	return out
}

// accessRatio is access against the regional mean, 1 at the mean and lower for worse access,
// whichever way the measure runs.
func accessRatio(measure string, access, mean float64) float64 {
	if measure == "nearest" || measure == "raam" {
		return mean / access
	}
	if mean == 0 {
		return math.NaN()
	}
	return access / mean
}

// nearestPrograms are the programs of a series nearest the area's interior point.
func nearestPrograms(run *runView, in *data.Inputs, setting, content string, shape orb.MultiPolygon) []Nearby {
	from, ok := geo.InteriorPoint(shape)
	if !ok {
		return nil
	}
	group, _ := run.SettingGroup(setting)
	var out []Nearby
	for _, p := range in.Programs {
		if group.Includes(p.Setting) && p.Offers(content) {
			out = append(out, Nearby{ID: p.ID, Name: p.Name, Provider: clip(p.Provider, 60), Setting: p.Setting, Km: geo.DistanceKm(from, p.Location), Location: p.Location})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Km != out[j].Km {
			return out[i].Km < out[j].Km
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > nearbyCount {
		out = out[:nearbyCount]
	}
	for i := range out {
		out[i].Number = i + 1
	}
	return out
}

// summary says in plain words how many young people live in the tract, in which content areas it
// is a desert and why, and how it compares with the region.
func (t *Tract) summary(a *data.AreaResult) string {
	w := t.words
	var b strings.Builder
	setting := lower(labels.Setting(t.Setting))
	switch {
	case math.IsNaN(a.Demand):
		fmt.Fprintf(&b, "The data has no count of %s for this tract, so it is not judged.", w.noun)
		return b.String()
	case a.Demand == 0:
		fmt.Fprintf(&b, "No %s live in this tract by the data, so it is not judged.", w.noun)
		return b.String()
	}
	fmt.Fprintf(&b, "About %s %s live in this tract", w.count(a.Demand), w.noun)
	var detail []string
	if label := lower(w.variableLabel(t.Area.DemandVariable)); label != w.noun {
		// "youth (ages 0–17)" says what the noun counts: keep what the brackets hold.
		detail = append(detail, strings.TrimSuffix(strings.TrimPrefix(label, w.noun+" ("), ")"))
	}
	if t.Area.DemandVintage != "" {
		detail = append(detail, t.Area.DemandVintage)
	}
	if len(detail) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(detail, "; "))
	}
	b.WriteString(".")
	b.WriteString(t.focusSentence())
	var deserts []string
	judged := 0
	var example *Content
	for i := range t.ContentAreas {
		c := &t.ContentAreas[i]
		if c.Name == data.AllContentAreas || c.TooFew {
			continue
		}
		judged++
		if c.Desert {
			deserts = append(deserts, lower(c.Label))
			if example == nil {
				example = c
			}
		}
	}
	var all Content
	for _, c := range t.ContentAreas {
		if c.Name == data.AllContentAreas {
			all = c
		}
	}
	if all.Desert {
		example = &all
	}
	switch {
	case judged == 0:
		fmt.Fprintf(&b, " No content area has enough %s programs in the region to judge.", setting)
	case len(deserts) == 0:
		fmt.Fprintf(&b, " Counting %s programs, it is not a STEM desert in any of the %d content areas with enough programs to judge.", setting, judged)
	default:
		listed := deserts
		if len(listed) > 6 {
			listed = append(append([]string(nil), listed[:5]...), fmt.Sprintf("%d more", len(deserts)-5))
		}
		fmt.Fprintf(&b, " Counting %s programs, it is a STEM desert in %d of the %d content areas with enough programs to judge: %s.",
			setting, len(deserts), judged, labels.JoinWords(listed))
	}
	if example != nil {
		fmt.Fprintf(&b, " %s", t.why(example, a.Demand))
	}
	if ratio, ok := all.AccessRatio.(float64); ok {
		fmt.Fprintf(&b, " Its access to all %s programs is %s %s, %s of the regional average (%s)",
			setting, w.format("access", all.Access.(float64)), t.run.AccessUnit, ratioText(ratio), w.format("access", all.RegionalMean.(float64)))
		if all.Rank > 0 {
			fmt.Fprintf(&b, "; it ranks %s of %s tracts, counting from the lowest access", ordinal(all.Rank), w.count(float64(all.Ranked)))
		}
		b.WriteString(".")
	}
	if !math.IsNaN(a.Need) {
		fmt.Fprintf(&b, " Its need — %s — is in the %s of the region (100th: the neediest).", labels.NeedWords(t.run.RunInfo), w.format("need", a.Need))
	}
	var thin []string
	for _, c := range t.ContentAreas {
		if c.TooFew && c.Name != data.AllContentAreas {
			thin = append(thin, fmt.Sprintf("%s (%d)", lower(c.Label), c.Programs))
		}
	}
	if len(thin) > 0 {
		fmt.Fprintf(&b, " There are too few %s programs in the region to judge %s.", setting, labels.JoinWords(thin))
	}
	return b.String()
}

// focusSentence speaks of the content area the report was asked about, when it is not all
// programs: whether the region has enough of its programs to judge, and how far the nearest is.
func (t *Tract) focusSentence() string {
	if t.Focus == data.AllContentAreas {
		return ""
	}
	var c Content
	for _, x := range t.ContentAreas {
		if x.Name == t.Focus {
			c = x
		}
	}
	what := lower(c.Label)
	setting := lower(labels.Setting(t.Setting))
	nearest := ""
	if len(t.Nearest) > 0 {
		nearest = fmt.Sprintf("; the nearest is %s from the middle of the tract", labels.Format{Style: labels.StyleNumber, Suffix: " km"}.Format(t.Nearest[0].Km))
	}
	switch c.Verdict {
	case VerdictTooFew:
		return fmt.Sprintf(" In %s, the content area this report shows, the region has only %d %s programs — too few to judge (at least %d are needed)%s.",
			what, c.Programs, setting, t.Rule.MinPrograms, nearest)
	case VerdictDesert:
		return fmt.Sprintf(" In %s, the content area this report shows, it is a STEM desert: %s of its %s live in desert hexagons%s.",
			what, t.words.share(number(c.DesertShare)), t.words.noun, nearest)
	case VerdictNotDesert:
		return fmt.Sprintf(" In %s, the content area this report shows, it is not a STEM desert%s.", what, nearest)
	}
	return ""
}

// why says what made a content area a desert: distance, low access, or both.
func (t *Tract) why(c *Content, demand float64) string {
	w := t.words
	far, _ := c.FarDemand.(float64)
	low, _ := c.LowDemand.(float64)
	limit := t.Rule.RuralCost
	if t.Area.Urban {
		limit = t.Rule.UrbanCost
	}
	what := "For all programs together"
	if c.Name != data.AllContentAreas {
		what = "In " + lower(c.Label)
	}
	switch {
	case far > 0 && low > 0:
		return fmt.Sprintf("%s, %s of its %s live more than %s from the nearest program and %s more where access is below %s of the regional average.",
			what, w.share(far/demand), w.noun, costText(limit, t.Rule.CostUnit), w.share(low/demand), w.share(t.Rule.AccessRatio))
	case far > 0:
		return fmt.Sprintf("%s, %s of its %s live more than %s from the nearest program.", what, w.share(far/demand), w.noun, costText(limit, t.Rule.CostUnit))
	case low > 0:
		return fmt.Sprintf("%s, %s of its %s live where access is below %s of the regional average.", what, w.share(low/demand), w.noun, w.share(t.Rule.AccessRatio))
	}
	return ""
}

// ordinal writes 1st, 2nd, 3rd, 12th, 101st.
func ordinal(n int) string {
	digits := labels.Format{Style: labels.StyleCount}.Format(float64(n))
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return digits + suffix
}

// clip shortens a long text to about n characters at a word, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexAny(cut, " /,;"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " /,;") + "…"
}
