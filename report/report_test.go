package report

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/geo"
)

// synthetic analyses a SYNTHETIC region (not real data): six tracts in a row, one where no one
// lives and one without a youth figure; four math programs in the west, one science program in
// the east (too few to judge with min_programs 3), and youth and girls with margins of error in
// some tracts.
// storedRun is a run with its tables as a store serves them, block by block.
type storedRun struct {
	*data.Run
	tables data.RunTables
}

func synthetic(t *testing.T) (storedRun, *data.Inputs) {
	t.Helper()
	in := &data.Inputs{}
	youth := []float64{400, 300, 0, math.NaN(), 500, 250}
	moe := []float64{50, 40, 0, 0, math.NaN(), 30}
	girls := []float64{200, 150, 0, 0, 260, 120}
	for i := range youth {
		x := -90.30 + 0.03*float64(i)
		a := data.Area{ID: fmt.Sprintf("2951000%02d00", i+1), County: "St. Louis city, MO", LandKm2: 6,
			Geometry: orb.MultiPolygon{{{{x, 38.60}, {x + 0.03, 38.60}, {x + 0.03, 38.63}, {x, 38.63}, {x, 38.60}}}}}
		in.Areas = append(in.Areas, a)
		if !math.IsNaN(youth[i]) {
			in.Demographics = append(in.Demographics,
				data.DemographicValue{AreaID: a.ID, Variable: "youth_pop", Value: youth[i], MOE: moe[i], Vintage: "ACS 2018–2022 5-year", Source: "synthetic.csv:youth"},
				data.DemographicValue{AreaID: a.ID, Variable: "youth_female", Value: girls[i], MOE: moe[i] / 2, Vintage: "ACS 2018–2022 5-year", Source: "synthetic.csv:girls"},
				data.DemographicValue{AreaID: a.ID, Variable: "median_hh_income", Value: 30000 + 5000*float64(i), MOE: math.NaN(), Vintage: "2010 Census", Source: "synthetic.csv:income"})
		}
	}
	for j := 0; j < 4; j++ {
		in.Programs = append(in.Programs, data.Program{ID: fmt.Sprintf("m%d", j), Name: fmt.Sprintf("Math circle %d", j), Provider: "Synthetic library",
			Location: orb.Point{-90.295 + 0.01*float64(j), 38.61}, Capacity: math.NaN(), ContentAreas: []string{"math"}, Setting: "out_of_school"})
	}
	in.Programs = append(in.Programs, data.Program{ID: "s1", Name: `<script>alert("x")</script> & Co`, Provider: "Synthetic museum",
		Location: orb.Point{-90.13, 38.62}, Capacity: math.NaN(), ContentAreas: []string{"science"}, Setting: "out_of_school"})
	p := analysis.DefaultParams()
	p.MinPrograms = 3
	run, err := analysis.Analyze(context.Background(), analysis.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs}, p, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	run.Inputs = []data.IngestRecord{{Kind: data.KindPrograms, Source: "synthetic-programs.csv", Rows: 5, Vintage: "made up for a test"}}
	tables, err := data.TablesOf(run)
	if err != nil {
		t.Fatal(err)
	}
	return storedRun{run, tables}, in
}

func TestTractReportShowsTheFiguresTheRuleDecidedOn(t *testing.T) {
	run, in := synthetic(t)
	id := in.Areas[0].ID
	rep, err := BuildTract(context.Background(), run.tables, in, id, Options{Content: "math"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Title != "Census Tract 1, St. Louis city, MO" {
		t.Errorf("title %q", rep.Title)
	}
	if len(rep.cells.H3) != run.Areas[0].Cells {
		t.Errorf("the report read %d of the tract's %d cells", len(rep.cells.H3), run.Areas[0].Cells)
	}
	p := params(&run.RunInfo)
	areaIdx := 0
	for _, c := range rep.ContentAreas {
		k := run.SeriesIndex(rep.Setting, c.Name)
		m := run.Areas[areaIdx].Measures[k]
		if c.Name == "science" {
			if !c.TooFew || c.Verdict != VerdictTooFew || c.FarDemand != nil || c.Desert {
				t.Errorf("science (1 program, min 3) should not be judged: %+v", c)
			}
			continue
		}
		// Brute force: every desert cell of the tract is either beyond the distance or has low access.
		far, low := 0.0, 0.0
		for i := range run.Cells.H3 {
			if run.Cells.Area[i] != int32(areaIdx) || run.Cells.Measures[k].Desert[i] != data.DesertYes {
				continue
			}
			limit := p.Desert.RuralCost
			if run.Cells.Urban[i] {
				limit = p.Desert.UrbanCost
			}
			if run.Cells.Measures[k].Nearest[i] > limit {
				far += run.Cells.Demand[i]
			} else {
				low += run.Cells.Demand[i]
			}
		}
		if c.FarDemand != far || c.LowDemand != low || math.Abs(far+low-m.DesertYouth) > 1e-9 {
			t.Errorf("%s: far %v low %v, want %v and %v summing to %v", c.Name, c.FarDemand, c.LowDemand, far, low, m.DesertYouth)
		}
		want := VerdictNotDesert
		if m.Desert {
			want = VerdictDesert
		}
		if c.Verdict != want {
			t.Errorf("%s: verdict %q, want %q", c.Name, c.Verdict, want)
		}
	}
	// The nearest programs, found by measuring to every program of the series.
	from, _ := geo.InteriorPoint(in.Areas[0].Geometry)
	var dists []float64
	for _, pr := range in.Programs {
		if pr.Offers("math") {
			dists = append(dists, geo.DistanceKm(from, pr.Location))
		}
	}
	sort.Float64s(dists)
	if len(rep.Nearest) != 4 || rep.Nearest[0].Km != dists[0] || rep.Nearest[3].Km != dists[3] || rep.Nearest[0].Number != 1 {
		t.Errorf("nearest math programs %+v, want distances %v", rep.Nearest, dists)
	}
	for _, want := range []string{"About 400 youth", "ACS 2018–2022 5-year", "science (1)"} {
		if !strings.Contains(rep.Summary+strings.Join(rep.Caveats, " "), want) {
			t.Errorf("summary and caveats lack %q:\n%s\n%s", want, rep.Summary, rep.Caveats)
		}
	}
	if !strings.Contains(strings.Join(rep.Caveats, " "), "No program in the data gives its number of seats") {
		t.Errorf("the caveats do not say that no program gives seats: %q", rep.Caveats)
	}
	if len(rep.FigureVintages) != 2 {
		t.Errorf("figure vintages %v: the tract's figures come from two dates", rep.FigureVintages)
	}
}

func TestTractPageIsStaticEscapedHTML(t *testing.T) {
	run, in := synthetic(t)
	rep, err := BuildTract(context.Background(), run.tables, in, in.Areas[5].ID, Options{Content: "science"}) // the science program is nearest
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteHTML(&b, Page{StylesheetURL: "/static/report.css?v=1"}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`<script`), regexp.MustCompile(`\sstyle=`), regexp.MustCompile(`\son[a-z]+=`), regexp.MustCompile(`\{"`), regexp.MustCompile(`<style`)} {
		if loc := bad.FindStringIndex(page); loc != nil {
			t.Errorf("the page holds %s: …%s…", bad, page[max(0, loc[0]-80):min(len(page), loc[1]+80)])
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co") {
		t.Error("the program's name is not escaped as text")
	}
	if !strings.Contains(page, `<link rel="stylesheet" href="/static/report.css?v=1">`) {
		t.Error("the page does not link its stylesheet")
	}
	// Tract 6 has figures with margins of error (youth ± 30): the column is there.
	if !strings.Contains(page, "Margin of error (90%)") || !strings.Contains(page, "± 30") {
		t.Error("the margin-of-error column is missing though a figure has a margin")
	}
	rep6, _ := BuildTract(context.Background(), run.tables, in, in.Areas[5].ID, Options{})
	for i := range rep6.Figures {
		rep6.Figures[i].MOEText = ""
	}
	b.Reset()
	rep6.WriteHTML(&b, Page{InlineCSS: "body{}"})
	if strings.Contains(b.String(), "Margin of error") {
		t.Error("a margin-of-error column without any margin")
	}
	if !strings.Contains(b.String(), "<style>\nbody{}</style>") {
		t.Error("a page for a file does not carry its stylesheet")
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), `&lt;script&gt;alert("x")&lt;/script&gt; & Co`) || !strings.Contains(md.String(), "# Census Tract 6, St. Louis city, MO") {
		t.Errorf("markdown: %.600s", md.String())
	}
}

func TestUnknownTractIsNotFound(t *testing.T) {
	run, in := synthetic(t)
	if _, err := BuildTract(context.Background(), run.tables, in, "29510999999", Options{}); err == nil || !strings.Contains(err.Error(), "not in run") {
		t.Errorf("unknown tract: %v", err)
	}
	if _, err := BuildTract(context.Background(), run.tables, in, in.Areas[0].ID, Options{Content: "poetry"}); err == nil {
		t.Error("an unknown content area is accepted")
	}
}

func TestRegionRanksTractsWhereSomeoneLivesWorstFirst(t *testing.T) {
	run, in := synthetic(t)
	for _, sortKey := range []string{SortGap, SortUnmet, SortDesert, SortAccess} {
		r, err := BuildRegion(context.Background(), run.tables, in, Options{Content: "math", Sort: sortKey})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Tracts) != 4 || r.Dropped != 2 {
			t.Fatalf("%s: %d tracts ranked, %d dropped; want 4 and 2 (no youth, no figure)", sortKey, len(r.Tracts), r.Dropped)
		}
		k := run.SeriesIndex("", "math")
		byID := map[string]data.AreaMeasures{}
		for _, a := range run.Areas {
			byID[a.ID] = a.Measures[k]
		}
		for i := 1; i < len(r.Tracts); i++ {
			a, b := byID[r.Tracts[i-1].ID], byID[r.Tracts[i].ID]
			var ok bool
			switch sortKey {
			case SortGap:
				ok = a.Gap >= b.Gap
			case SortUnmet:
				ok = a.Unmet >= b.Unmet
			case SortDesert:
				ok = a.DesertShare >= b.DesertShare
			case SortAccess:
				ok = a.Access <= b.Access
			}
			if !ok || r.Tracts[i].Position != i+1 {
				t.Errorf("sorted by %s, row %d (%+v) comes after row %d (%+v)", sortKey, i+1, b, i, a)
			}
		}
	}
	// Science is too thin to judge: its tracts are ranked by access, the farthest first among equals.
	r, err := BuildRegion(context.Background(), run.tables, in, Options{Content: "science"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Sort != SortAccess || r.SortNote == "" || r.FocusTooFew == "" || r.EquityNote == "" {
		t.Errorf("too few science programs: sort %q, note %q, too few %q, equity %q", r.Sort, r.SortNote, r.FocusTooFew, r.EquityNote)
	}
	if r.Tracts[0].ID != in.Areas[0].ID {
		t.Errorf("the tract farthest from the science program is %s, ranked first %s", in.Areas[0].ID, r.Tracts[0].ID)
	}
}

func TestHistogramCountsEveryoneWithAnAccessFigure(t *testing.T) {
	run, in := synthetic(t)
	r, err := BuildRegion(context.Background(), run.tables, in, Options{Content: "math"})
	if err != nil {
		t.Fatal(err)
	}
	k := run.SeriesIndex("", "math")
	want, binned := 0.0, 0.0
	for i, a := range run.Cells.Measures[k].Access {
		if d := run.Cells.Demand[i]; !math.IsNaN(a) && d > 0 {
			want += d
		}
	}
	for i, b := range r.Histogram {
		binned += b.Demand
		if i > 1 && b.Low != r.Histogram[i-1].High {
			t.Errorf("bin %d starts at %v, the one before ends at %v", i, b.Low, r.Histogram[i-1].High)
		}
	}
	if math.Abs(want-binned) > 1e-6 {
		t.Errorf("the histogram holds %v youth, the cells %v", binned, want)
	}
}

// The margins of a share in deserts, worked by hand with the Census Bureau's formula for a
// proportion: tract A (100 ± 30, all in deserts) and tract B (300 ± 40, none): p = 100/400 = 0.25,
// MOE(in) = 30, MOE(total) = √(30² + 40²) = 50, MOE(p) = √(30² − 0.25²·50²)/400 = √743.75/400.
func TestEquityMarginsFollowTheCensusProportionFormula(t *testing.T) {
	run := &runView{RunInfo: &data.RunInfo{Demand: "youth_pop"}, Areas: []data.AreaResult{
		{ID: "a", Demand: 120, Measures: []data.AreaMeasures{{DesertShare: 1}}},
		{ID: "b", Demand: 330, Measures: []data.AreaMeasures{{DesertShare: 0}}},
	}}
	values := map[string]map[string]data.DemographicValue{
		"youth_female": {"a": {Value: 100, MOE: 30}, "b": {Value: 300, MOE: 40}},
		"youth_pop":    {"a": {Value: 120, MOE: math.NaN()}, "b": {Value: 330, MOE: math.NaN()}},
	}
	share, ref, note := equityMargins(run, 0, "youth_female", "youth_pop", values)
	if want := math.Sqrt(743.75) / 400; math.Abs(share-want) > 1e-12 {
		t.Errorf("margin of the girls' share %v, want %v", share, want)
	}
	if !math.IsNaN(ref) || note != "" {
		t.Errorf("youth without margins: ref margin %v, note %q", ref, note)
	}
	values["youth_female"]["b"] = data.DemographicValue{Value: 300, MOE: math.NaN()}
	if share, _, note := equityMargins(run, 0, "youth_female", "youth_pop", values); !math.IsNaN(share) || !strings.Contains(note, "1 of 2 tracts") {
		t.Errorf("a tract without a margin: %v, %q", share, note)
	}
}

func TestRegionChartsDrawABarPerJudgedSeriesAndGroup(t *testing.T) {
	run, in := synthetic(t)
	r, err := BuildRegion(context.Background(), run.tables, in, Options{Content: "math"})
	if err != nil {
		t.Fatal(err)
	}
	judged := 0
	for _, c := range run.ContentAreas {
		if !c.TooFew {
			judged++
		}
	}
	if n := strings.Count(string(r.DesertChart()), `class="bar"`); n != judged {
		t.Errorf("desert chart: %d bars for %d judged series", n, judged)
	}
	if n := strings.Count(string(r.EquityChart()), `class="bar"`); n != len(r.Equity) || n == 0 {
		t.Errorf("equity chart: %d bars for %d groups", n, len(r.Equity))
	}
	girls := false
	for _, e := range r.Equity {
		if e.Variable == "youth_female" {
			// Tract 5's figures lack a margin: no interval for the girls.
			girls = e.ShareMOE == nil && strings.Contains(e.MOENote, "3 of 4 tracts")
		}
	}
	if !girls {
		t.Errorf("equity bars %+v: the girls' row should say 3 of 4 tracts have margins", r.Equity)
	}
	if n := strings.Count(string(r.HistogramChart()), `class="bar"`); n != len(r.Histogram) {
		t.Errorf("histogram: %d bars for %d bins", n, len(r.Histogram))
	}
	var csv, page bytes.Buffer
	if err := r.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(csv.String(), "\n"); lines != len(r.Tracts)+1 {
		t.Errorf("ranked CSV has %d lines for %d tracts", lines, len(r.Tracts))
	}
	if err := r.WriteHTML(&page, Page{StylesheetURL: "/static/report.css"}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(page.String(), `href="/tracts/`) != len(r.Tracts) {
		t.Error("not every ranked tract links to its report")
	}
}

func TestWordsForRulesAndMarkdown(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{costText(1.609344, "km"), "1.61 km (1 mile)"},
		{costText(16.09344, "km"), "16.1 km (10 miles)"},
		{costText(8, "km"), "8 km"},
		{costText(30, "min"), "30 min"},
		{markdownText("a|b*c_d<e>\nf"), `a\|b\*c\_d&lt;e&gt; f`},
		{ratioText(0.0066), "0.7%"},
		{ratioText(1.249), "125%"},
		{ordinal(1), "1st"}, {ordinal(12), "12th"}, {ordinal(22), "22nd"}, {ordinal(113), "113th"},
		{lower("Digital access"), "digital access"}, {lower("K–12 schooling"), "K–12 schooling"},
		{clip("Boeing/Rockwell Automation/St. Louis Public Schools Foundation", 30), "Boeing/Rockwell Automation…"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// The region's youth counts labelled by two files but of one census are not "mixed dates", as
// the run's notes do not call them so; of two dates, they are.
func TestMixedDatesOnlyAcrossDates(t *testing.T) {
	run, in := synthetic(t)
	mixed := func(secondLabel string) bool {
		t.Helper()
		relabelled := *in
		relabelled.Demographics = slices.Clone(in.Demographics)
		for i, d := range relabelled.Demographics {
			if d.Variable == "youth_pop" && d.AreaID == in.Areas[0].ID {
				relabelled.Demographics[i].Vintage = secondLabel
			}
		}
		r, err := BuildRegion(context.Background(), run.tables, &relabelled, Options{Content: "math"})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(r.Caveats, func(c string) bool { return strings.Contains(c, "counts differ in vintage") })
	}
	if mixed("ACS 2018-2022 via a second file") {
		t.Error("one ACS period labelled by two files is called mixed dates")
	}
	if !mixed("2010 Census") {
		t.Error("ACS 2018–2022 beside the 2010 Census is not called mixed dates")
	}
}
