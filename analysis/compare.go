package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"stemgap/data"
	"stemgap/data/labels"
)

// ErrIncomparable is returned for runs whose figures cannot be compared cell by cell.
var ErrIncomparable = errors.New("the runs cannot be compared")

// incomparable are the parameters that change what a figure means or where it stands: runs that
// differ in them are refused rather than compared.
var incomparable = []string{"resolution", "demand", "measure.kind", "measure.normalize", "costs.matrix"}

// CompareOptions choose the series whose areas a comparison lists: by default the first run's
// default setting group and all content areas.
type CompareOptions struct {
	Setting, Content string
}

// Compare says what changed from run a to run b: where access rose or fell, per series, area and
// demographic group. Runs of different geographies (cells or areas), resolutions, demand
// variables, measures or cost units are refused; every other difference — parameters, inputs,
// software, series in one run only, demand figures — is stated plainly in the result.
func Compare(a, b *data.Run, opt CompareOptions) (*data.Comparison, error) {
	diffs, err := comparable(a, b)
	if err != nil {
		return nil, err
	}
	cmp := &data.Comparison{A: a.ID, B: b.ID, Differences: diffs, Setting: a.SettingOrDefault(opt.Setting), Content: opt.Content}
	if cmp.Content == "" {
		cmp.Content = data.AllContentAreas
	}
	ka, err := a.CheckSeries(cmp.Setting, cmp.Content)
	if err != nil {
		return nil, err
	}
	kb, err := b.CheckSeries(cmp.Setting, cmp.Content)
	if err != nil {
		return nil, err
	}
	for _, pair := range commonSeries(a, b) {
		cmp.Series = append(cmp.Series, seriesChange(a, b, pair[0], pair[1]))
	}
	for i := range a.Areas {
		ma, mb := a.Areas[i].Measures[ka], b.Areas[i].Measures[kb]
		cmp.Areas = append(cmp.Areas, data.AreaChange{ID: a.Areas[i].ID, Name: b.Areas[i].Name, AccessA: ma.Access, AccessB: mb.Access,
			DesertShareA: ma.DesertShare, DesertShareB: mb.DesertShare, DesertA: ma.Desert, DesertB: mb.Desert, RankA: ma.Rank, RankB: mb.Rank})
	}
	cmp.Groups = groupChanges(a, b)
	return cmp, nil
}

// comparable refuses runs that cannot be compared cell by cell and lists what else differs.
func comparable(a, b *data.Run) ([]string, error) {
	pa, err := flatParams(a.Params)
	if err != nil {
		return nil, fmt.Errorf("run %s: its parameters: %w", a.ID, err)
	}
	pb, err := flatParams(b.Params)
	if err != nil {
		return nil, fmt.Errorf("run %s: its parameters: %w", b.ID, err)
	}
	var refused, diffs []string
	keys := make([]string, 0, len(pa)+len(pb))
	for k := range pa {
		keys = append(keys, k)
	}
	for k := range pb {
		if _, ok := pa[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		va, vb := pa[k], pb[k]
		if va == vb {
			continue
		}
		say := fmt.Sprintf("%s is %s in %s and %s in %s", k, orNone(va), a.ID, orNone(vb), b.ID)
		if slices.Contains(incomparable, k) {
			refused = append(refused, say)
		} else {
			diffs = append(diffs, "parameter "+say+": the figures differ by method as well as by data")
		}
	}
	if a.CostUnit != b.CostUnit {
		refused = append(refused, fmt.Sprintf("costs are in %s in %s and in %s in %s", a.CostUnit, a.ID, b.CostUnit, b.ID))
	}
	if len(a.Areas) != len(b.Areas) || !slices.EqualFunc(a.Areas, b.Areas, func(x, y data.AreaResult) bool { return x.ID == y.ID }) {
		refused = append(refused, fmt.Sprintf("they cover different areas (%d in %s, %d in %s)", len(a.Areas), a.ID, len(b.Areas), b.ID))
	} else if !slices.Equal(a.Cells.H3, b.Cells.H3) {
		refused = append(refused, fmt.Sprintf("their areas hold different cells (%d in %s, %d in %s): the area geometries differ", a.Cells.Len(), a.ID, b.Cells.Len(), b.ID))
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrIncomparable, strings.Join(refused, "; "))
	}
	if a.Software != b.Software {
		diffs = append(diffs, fmt.Sprintf("software: %s computed %s, %s computed %s", a.Software, a.ID, b.Software, b.ID))
	}
	diffs = append(diffs, inputDifferences(a, b)...)
	if n := demandDifferences(a, b); n > 0 {
		diffs = append(diffs, fmt.Sprintf("%s differs in %d of %d cells: changes in access mix changes in programs with changes in the people counted", a.Demand, n, a.Cells.Len()))
	}
	for _, c := range onlyIn(a, b) {
		diffs = append(diffs, fmt.Sprintf("series %s/%s (%d programs) is only in %s", c.Setting, c.Name, c.Programs, a.ID))
	}
	for _, c := range onlyIn(b, a) {
		diffs = append(diffs, fmt.Sprintf("series %s/%s (%d programs) is only in %s", c.Setting, c.Name, c.Programs, b.ID))
	}
	return diffs, nil
}

func orNone(v string) string {
	if v == "" {
		return "unset"
	}
	return v
}

// flatParams flattens a run's recorded parameters to dotted keys and JSON values.
func flatParams(raw json.RawMessage) (map[string]string, error) {
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				walk(key, x)
			}
			return
		}
		b, _ := json.Marshal(v) // values decoded from JSON encode again
		if string(b) != "null" && string(b) != `""` {
			out[prefix] = string(b)
		}
	}
	walk("", tree)
	return out, nil
}

// inputDifferences lists the input files added, removed or changed between the runs.
func inputDifferences(a, b *data.Run) []string {
	key := func(r data.IngestRecord) string { return r.Kind + " " + r.Source }
	inA := map[string]data.IngestRecord{}
	for _, r := range a.Inputs {
		inA[key(r)] = r
	}
	var out []string
	seen := map[string]bool{}
	for _, rb := range b.Inputs {
		k := key(rb)
		seen[k] = true
		ra, ok := inA[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("input %s (%d rows%s) is only in %s", k, rb.Rows, vintageOf(rb), b.ID))
		case ra.SHA256 != rb.SHA256:
			out = append(out, fmt.Sprintf("input %s changed: %d rows%s in %s, %d rows%s in %s", k, ra.Rows, vintageOf(ra), a.ID, rb.Rows, vintageOf(rb), b.ID))
		}
	}
	for _, ra := range a.Inputs {
		if !seen[key(ra)] {
			out = append(out, fmt.Sprintf("input %s (%d rows%s) is only in %s", key(ra), ra.Rows, vintageOf(ra), a.ID))
		}
	}
	return out
}

func vintageOf(r data.IngestRecord) string {
	if r.Vintage == "" {
		return ""
	}
	return ", " + r.Vintage
}

// demandDifferences counts the cells whose demand differs.
func demandDifferences(a, b *data.Run) int {
	n := 0
	for i, da := range a.Cells.Demand {
		db := b.Cells.Demand[i]
		if da != db && !(math.IsNaN(da) && math.IsNaN(db)) {
			n++
		}
	}
	return n
}

// commonSeries pairs the series both runs have: their indexes in a and in b.
func commonSeries(a, b *data.Run) [][2]int {
	var out [][2]int
	for ka, c := range a.ContentAreas {
		if kb := b.SeriesIndex(c.Setting, c.Name); kb >= 0 {
			out = append(out, [2]int{ka, kb})
		}
	}
	return out
}

// onlyIn lists the series of x that y lacks.
func onlyIn(x, y *data.Run) []data.ContentArea {
	var out []data.ContentArea
	for _, c := range x.ContentAreas {
		if y.SeriesIndex(c.Setting, c.Name) < 0 {
			out = append(out, c)
		}
	}
	return out
}

// moved reports whether a figure changed beyond the rounding of sums taken in another order.
func moved(a, b float64) bool {
	return !math.IsNaN(a) && !math.IsNaN(b) && math.Abs(b-a) > 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func seriesChange(a, b *data.Run, ka, kb int) data.SeriesChange {
	ca, cb := a.ContentAreas[ka], b.ContentAreas[kb]
	sc := data.SeriesChange{Setting: ca.Setting, Name: ca.Name, ProgramsA: ca.Programs, ProgramsB: cb.Programs, JudgedA: !ca.TooFew, JudgedB: !cb.TooFew,
		MeanAccessA: ca.MeanAccess, MeanAccessB: cb.MeanAccess, DesertShareA: ca.DesertShare, DesertShareB: cb.DesertShare,
		DesertDemandA: ca.DesertYouth, DesertDemandB: cb.DesertYouth, DesertAreasA: ca.DesertAreas, DesertAreasB: cb.DesertAreas}
	ma, mb := a.Cells.Measures[ka], b.Cells.Measures[kb]
	for i := range a.Cells.H3 {
		da, db := demandOrZero(a.Cells.Demand[i]), demandOrZero(b.Cells.Demand[i])
		if moved(ma.Access[i], mb.Access[i]) {
			if mb.Access[i] > ma.Access[i] {
				sc.CellsRose++
				sc.DemandRose += db
			} else {
				sc.CellsFell++
				sc.DemandFell += db
			}
		}
		switch {
		case ma.Count[i] == 0 && mb.Count[i] > 0:
			sc.NewlyInReach += db
		case ma.Count[i] > 0 && mb.Count[i] == 0:
			sc.NoLongerInReach += da
		}
		switch {
		case ma.Desert[i] == data.DesertNo && mb.Desert[i] == data.DesertYes:
			sc.EnteredDesert += db
		case ma.Desert[i] == data.DesertYes && mb.Desert[i] == data.DesertNo:
			sc.LeftDesert += da
		}
	}
	var notes []string
	if ca.TooFew {
		notes = append(notes, fmt.Sprintf("not judged in %s (%s)", a.ID, ca.TooFewNote()))
	}
	if cb.TooFew {
		notes = append(notes, fmt.Sprintf("not judged in %s (%s)", b.ID, cb.TooFewNote()))
	}
	if len(notes) > 0 {
		sc.Note = strings.Join(notes, "; ") + ": desert figures are compared only where both runs judge the series"
	}
	return sc
}

func demandOrZero(d float64) float64 {
	if math.IsNaN(d) {
		return 0
	}
	return d
}

// groupChanges pairs the runs' equity rows by series and group.
func groupChanges(a, b *data.Run) []data.GroupChange {
	type key struct{ setting, content, group string }
	inB := map[key]data.EquityRow{}
	for _, e := range b.Equity {
		inB[key{e.Setting, e.ContentArea, e.Group}] = e
	}
	var out []data.GroupChange
	for _, ea := range a.Equity {
		eb, ok := inB[key{ea.Setting, ea.ContentArea, ea.Group}]
		if !ok {
			continue
		}
		out = append(out, data.GroupChange{Setting: ea.Setting, ContentArea: ea.ContentArea, Group: ea.Group, Variable: ea.Variable,
			ShareA: ea.Share, ShareB: eb.Share, RatioA: ea.Ratio, RatioB: eb.Ratio, Changed: moved(ea.Share, eb.Share)})
	}
	return out
}

// DeltaRun lays a comparison out as a run that tiles and exports can serve: its id names both
// runs; its cells and areas hold, for every series both runs have, B − A of access, nearest cost,
// programs within reach, unmet seats and gap, with deserts as they stand in B; its summaries and
// equity rows hold the changes too. Its notes say so, and what else differs.
func DeltaRun(a, b *data.Run) (*data.Run, error) {
	diffs, err := comparable(a, b)
	if err != nil {
		return nil, err
	}
	d := &data.Run{RunInfo: b.RunInfo}
	d.ID = DeltaID(a.ID, b.ID)
	d.AccessUnit = "change in " + b.AccessUnit + fmt.Sprintf(" (%s − %s)", b.ID, a.ID)
	d.Notes = append([]string{fmt.Sprintf("every figure is the change from run %s to run %s (B − A); deserts are as they stand in %s", a.ID, b.ID, b.ID)}, diffs...)
	d.ContentAreas = nil
	d.Cells = data.CellTable{H3: b.Cells.H3, Lat: b.Cells.Lat, Lng: b.Cells.Lng, Demand: b.Cells.Demand, Area: b.Cells.Area, Need: b.Cells.Need, Urban: b.Cells.Urban}
	d.Areas = make([]data.AreaResult, len(b.Areas))
	for i, ar := range b.Areas {
		d.Areas[i] = ar
		d.Areas[i].Measures = nil
	}
	zeros := &zeroColumns{}
	for _, pair := range commonSeries(a, b) {
		ka, kb := pair[0], pair[1]
		ca, cb := a.ContentAreas[ka], b.ContentAreas[kb]
		s := cb
		s.MeanAccess, s.Target = cb.MeanAccess-ca.MeanAccess, cb.Target-ca.Target
		s.DesertYouth, s.DesertShare, s.DesertAreas = cb.DesertYouth-ca.DesertYouth, cb.DesertShare-ca.DesertShare, cb.DesertAreas-ca.DesertAreas
		d.ContentAreas = append(d.ContentAreas, s)
		d.Cells.Measures = append(d.Cells.Measures, cellDelta(a.Cells.Measures[ka], b.Cells.Measures[kb], zeros))
		for i := range d.Areas {
			ma, mb := a.Areas[i].Measures[ka], b.Areas[i].Measures[kb]
			d.Areas[i].Measures = append(d.Areas[i].Measures, data.AreaMeasures{
				Access: mb.Access - ma.Access, Nearest: costDelta(ma.Nearest, mb.Nearest), Unmet: mb.Unmet - ma.Unmet, Gap: mb.Gap - ma.Gap,
				DesertYouth: mb.DesertYouth - ma.DesertYouth, DesertShare: mb.DesertShare - ma.DesertShare, Desert: mb.Desert,
				Reason: fmt.Sprintf("in %s: %s; in %s: %s", a.ID, ma.Reason, b.ID, mb.Reason), Percentile: math.NaN()})
		}
	}
	d.Equity = nil
	for _, g := range groupChanges(a, b) {
		d.Equity = append(d.Equity, data.EquityRow{Setting: g.Setting, ContentArea: g.ContentArea, Group: g.Group, Variable: g.Variable,
			Share: g.ShareB - g.ShareA, Ratio: g.RatioB - g.RatioA, Total: math.NaN(), InDesert: math.NaN(), Reference: math.NaN(), Difference: math.NaN()})
	}
	return d, nil
}

// deltaPrefix starts the ids of comparisons served as runs; stored run ids are hexadecimal.
const deltaPrefix = "cmp-"

// DeltaID names the comparison of run a with run b as a run id.
func DeltaID(a, b string) string { return deltaPrefix + a + "-" + b }

// ParseDeltaID reads the two run ids out of a comparison's id.
func ParseDeltaID(id string) (a, b string, ok bool) {
	rest, ok := strings.CutPrefix(id, deltaPrefix)
	if !ok {
		return "", "", false
	}
	a, b, ok = strings.Cut(rest, "-")
	return a, b, ok && a != "" && b != ""
}

// cellDelta is B − A of one series' cell figures; deserts are B's. A column the two runs share
// (a scenario shares every column it does not change with its baseline) changed nowhere: it
// takes the shared column of zeros rather than a column of its own.
func cellDelta(a, b data.CellMeasures, zeros *zeroColumns) data.CellMeasures {
	n := len(a.Access)
	d := data.CellMeasures{Desert: b.Desert}
	d.Nearest = floatDelta(a.Nearest, b.Nearest, zeros, costDelta)
	d.Access = floatDelta(a.Access, b.Access, zeros, minus)
	d.Unmet = floatDelta(a.Unmet, b.Unmet, zeros, minus)
	d.Gap = floatDelta(a.Gap, b.Gap, zeros, minus)
	if same(a.Count, b.Count) {
		d.Count = zeros.ints(n)
	} else {
		d.Count = make([]int32, n)
		for i := range n {
			d.Count[i] = b.Count[i] - a.Count[i]
		}
	}
	return d
}

func minus(a, b float64) float64 { return b - a }

func floatDelta(a, b []float64, zeros *zeroColumns, delta func(a, b float64) float64) []float64 {
	if same(a, b) {
		return zeros.floats(len(a))
	}
	d := make([]float64, len(a))
	for i := range d {
		d[i] = delta(a[i], b[i])
	}
	return d
}

// same reports whether two columns are one.
func same[T any](a, b []T) bool { return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) }

// zeroColumns hands out one column of zeros of each kind, shared by every series that did not
// change; nothing writes to them.
type zeroColumns struct {
	f []float64
	i []int32
}

func (z *zeroColumns) floats(n int) []float64 {
	if len(z.f) != n {
		z.f = make([]float64, n)
	}
	return z.f
}

func (z *zeroColumns) ints(n int) []int32 {
	if len(z.i) != n {
		z.i = make([]int32, n)
	}
	return z.i
}

// costDelta is B − A of a nearest cost: 0 when neither run reaches a program, none when only one
// does (the change is then unbounded).
func costDelta(a, b float64) float64 {
	switch {
	case math.IsInf(a, 1) && math.IsInf(b, 1):
		return 0
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return math.NaN()
	}
	return b - a
}

// ComparisonSummary says in a sentence or two what changed in one series.
func ComparisonSummary(c data.SeriesChange, noun string) string {
	count := labels.Format{Style: labels.StyleCount}
	share := labels.Format{Style: labels.StyleShare}
	cells := func(n int, demand float64) string {
		if n == 0 {
			return "no cell"
		}
		return fmt.Sprintf("%s cells (%s %s)", count.Format(float64(n)), count.Format(demand), noun)
	}
	s := fmt.Sprintf("%s, %s — programs %d → %d; access rose in %s and fell in %s", labels.Setting(c.Setting), labels.ContentArea(c.Name),
		c.ProgramsA, c.ProgramsB, cells(c.CellsRose, c.DemandRose), cells(c.CellsFell, c.DemandFell))
	if c.NewlyInReach > 0 {
		s += fmt.Sprintf("; %s %s newly within reach of a program", count.Format(c.NewlyInReach), noun)
	}
	if c.NoLongerInReach > 0 {
		s += fmt.Sprintf("; %s %s no longer within reach", count.Format(c.NoLongerInReach), noun)
	}
	if c.JudgedA && c.JudgedB {
		s += fmt.Sprintf(". In deserts: %s → %s (%s %s entered, %s left)", share.Format(c.DesertShareA), share.Format(c.DesertShareB),
			count.Format(c.EnteredDesert), noun, count.Format(c.LeftDesert))
	}
	if c.Note != "" {
		s += ". " + c.Note
	}
	return s + "."
}

// Unchanged reports whether nothing moved in a series.
func Unchanged(c data.SeriesChange) bool {
	return c.ProgramsA == c.ProgramsB && c.CellsRose+c.CellsFell == 0 && c.NewlyInReach+c.NoLongerInReach+c.EnteredDesert+c.LeftDesert == 0
}
