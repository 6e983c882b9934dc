package analysis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// Scenario is a what-if against a run: programs added, removed or resized.
type Scenario struct {
	// Add are new programs: their location, content areas (each one of the run's), setting and
	// capacity (NaN: the run's default_capacity); an empty id is given one.
	Add []data.Program
	// Remove names programs of the run.
	Remove []string
	Resize []Resize
}

// Resize gives a program of the run another capacity.
type Resize struct {
	ID       string  `json:"id"`
	Capacity float64 `json:"capacity"`
}

// MaxScenarioChanges bounds a scenario: it is a funder's what-if, recomputed while they wait.
const MaxScenarioChanges = 200

// ScenarioResult is a scenario computed against its baseline run.
type ScenarioResult struct {
	// Run is the baseline with the changes made: the series they reach recomputed, every other
	// column shared with the baseline, which is never altered. Its id names the scenario.
	Run *data.Run
	// Programs are the scenario's programs: the run's, less those removed, resized, and the new.
	Programs []data.Program
	// Changes say how each series the changes reach moved against the baseline (B − A).
	Changes []data.SeriesChange
	// Cells and Areas count what was recomputed.
	Cells, Areas int
	Notes        []string
}

// scenarioPrefix starts the ids of scenarios served as runs.
const scenarioPrefix = "sc-"

// IsScenarioID reports whether an id names a scenario rather than a stored run.
func IsScenarioID(id string) bool { return strings.HasPrefix(id, scenarioPrefix) }

// change is one program's change in supply at one place.
type change struct {
	program data.Program // as it stands after the change (removed: as it stood)
	site    geo.Site
	dSeats  float64 // seats added (negative: taken away)
	dCount  int32   // +1 added, −1 removed, 0 resized
}

// Scenario computes a what-if against the run: each change is applied to the cells within the
// changed program's catchment — its seats shared as the run's model shares them — and to the
// nearest costs it changes, and only those cells are scored again, against the baseline's targets
// and regional means, and only the areas holding them rolled up again (METHOD.md §12). The result
// equals analysing the changed inputs in full, judged by the baseline's yardstick.
func (m *Model) Scenario(ctx context.Context, sc Scenario) (*ScenarioResult, error) {
	changes, programs, err := m.changes(sc)
	if err != nil {
		return nil, err
	}
	id, err := m.scenarioID(sc)
	if err != nil {
		return nil, err
	}
	out := &ScenarioResult{Programs: programs}
	run := &data.Run{RunInfo: m.run.RunInfo, Cells: m.run.Cells, Areas: slices.Clone(m.run.Areas)}
	run.ID = id
	run.ContentAreas = slices.Clone(m.run.ContentAreas)
	run.Cells.Measures = slices.Clone(m.run.Cells.Measures)
	for a := range run.Areas {
		run.Areas[a].Measures = slices.Clone(m.run.Areas[a].Measures)
	}
	equity := map[[2]string][]data.EquityRow{}
	touchedAreas := map[int32]bool{}
	touchedCells := 0
	for k, cr := range m.series {
		var mine []change
		for _, c := range changes {
			if m.inSeries(cr.cr, c.program) {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w, err := m.applySeries(k, mine, programs)
		if err != nil {
			return nil, err
		}
		run.Cells.Measures[k] = w.cr.cells
		run.ContentAreas[k] = w.cr.summary
		for a := range run.Areas {
			run.Areas[a].Measures[k] = w.areas[a]
		}
		equity[[2]string{w.cr.setting, w.cr.name}] = w.equity
		out.Changes = append(out.Changes, w.change)
		touchedCells += len(w.touched)
		for _, a := range w.touchedAreas {
			touchedAreas[a] = true
		}
	}
	// Equity rows go series by series, as the analysis lists them.
	run.Equity = nil
	for k := range m.series {
		c := run.ContentAreas[k]
		rows, redone := equity[[2]string{c.Setting, c.Name}]
		if !redone {
			rows = nil
			for _, e := range m.run.Equity {
				if e.Setting == c.Setting && e.ContentArea == c.Name {
					rows = append(rows, e)
				}
			}
		}
		run.Equity = append(run.Equity, rows...)
	}
	out.Cells, out.Areas = touchedCells, len(touchedAreas)
	out.Notes = m.scenarioNotes(sc, changes)
	run.Notes = append(slices.Clone(m.run.Notes), out.Notes...)
	out.Run = run
	return out, nil
}

// changes checks a scenario against the run, naming the field that is wrong, and lists its
// changes and the scenario's programs.
func (m *Model) changes(sc Scenario) ([]change, []data.Program, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrRequest)
	}
	n := len(sc.Add) + len(sc.Remove) + len(sc.Resize)
	switch {
	case n == 0:
		return nil, nil, bad("the scenario changes nothing: give add, remove or resize")
	case n > MaxScenarioChanges:
		return nil, nil, bad("the scenario makes %d changes; at most %d are computed at once", n, MaxScenarioChanges)
	}
	programs := slices.Clone(m.programs)
	seats := slices.Clone(m.supply)
	gone := make([]bool, len(programs))
	var changes []change
	for i, id := range sc.Remove {
		j, ok := m.programAt[id]
		switch {
		case !ok:
			return nil, nil, bad("remove[%d]: run %s has no program %q", i, m.run.ID, id)
		case gone[j]:
			return nil, nil, bad("remove[%d]: program %q is removed twice", i, id)
		}
		gone[j] = true
		changes = append(changes, change{program: m.programs[j], site: geo.NewSite(m.programs[j].Location), dSeats: -m.supply[j], dCount: -1})
	}
	resized := map[string]bool{}
	for i, r := range sc.Resize {
		j, ok := m.programAt[r.ID]
		switch {
		case !ok:
			return nil, nil, bad("resize[%d].id: run %s has no program %q", i, m.run.ID, r.ID)
		case gone[j]:
			return nil, nil, bad("resize[%d].id: program %q is removed by this scenario", i, r.ID)
		case resized[r.ID]:
			return nil, nil, bad("resize[%d].id: program %q is resized twice", i, r.ID)
		case !(r.Capacity > 0) || r.Capacity > data.DefaultMaxCapacity:
			return nil, nil, bad("resize[%d].capacity must be a number of seats above 0 and at most %d, not %v", i, data.DefaultMaxCapacity, r.Capacity)
		}
		resized[r.ID] = true
		programs[j].Capacity = r.Capacity
		changes = append(changes, change{program: programs[j], site: geo.NewSite(programs[j].Location), dSeats: r.Capacity - seats[j]})
		seats[j] = r.Capacity
	}
	contents := m.run.ContentNames()
	added := map[string]bool{}
	for i, p := range sc.Add {
		if p.ID == "" {
			p.ID = fmt.Sprintf("scenario-%d", i+1)
		}
		p.Setting = data.NormalizeSetting(p.Setting)
		if math.IsNaN(p.Capacity) {
			p.Capacity = m.p.DefaultCapacity
		}
		if _, taken := m.programAt[p.ID]; taken || added[p.ID] {
			return nil, nil, bad("add[%d].id %q is taken by another program", i, p.ID)
		}
		added[p.ID] = true
		if err := geo.CheckLonLat(p.Location); err != nil {
			return nil, nil, bad("add[%d].lat, add[%d].lng: %v", i, i, err)
		}
		if !(p.Capacity > 0) || p.Capacity > data.DefaultMaxCapacity {
			return nil, nil, bad("add[%d].capacity must be a number of seats above 0 and at most %d, not %v", i, data.DefaultMaxCapacity, p.Capacity)
		}
		for _, c := range p.ContentAreas {
			if c == data.AllContentAreas || !slices.Contains(contents, c) {
				return nil, nil, bad("add[%d].content_areas: %q is not a content area of run %s (it has %s)", i, c, m.run.ID, strings.Join(contents[:len(contents)-1], ", "))
			}
		}
		if p.Source == "" {
			p.Source = "scenario"
		}
		programs = append(programs, p)
		changes = append(changes, change{program: p, site: geo.NewSite(p.Location), dSeats: p.Capacity, dCount: 1})
	}
	kept := programs[:0]
	for j, p := range programs {
		if j >= len(gone) || !gone[j] {
			kept = append(kept, p)
		}
	}
	return changes, kept, nil
}

// scenarioID digests the baseline's id and the scenario, so that the same what-if of the same
// run has the same id.
func (m *Model) scenarioID(sc Scenario) (string, error) {
	type point struct{ Lng, Lat float64 }
	canonical := struct {
		Run    string
		Add    []any
		Remove []string
		Resize []Resize
	}{Run: m.run.ID, Remove: sc.Remove, Resize: sc.Resize}
	for _, p := range sc.Add {
		canonical.Add = append(canonical.Add, []any{p.ID, p.Name, point{p.Location[0], p.Location[1]}, p.ContentAreas, p.Setting, optional(p.Capacity)})
	}
	b, err := json.Marshal(canonical)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return scenarioPrefix + hex.EncodeToString(sum[:])[:16], nil
}

// optional is a figure for JSON: nil when missing.
func optional(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// inSeries reports whether a program counts in a series, as seriesOf decides.
func (m *Model) inSeries(cr *contentResult, p data.Program) bool {
	g, ok := m.run.SettingGroup(cr.setting)
	if !ok || !g.Includes(p.Setting) {
		return false
	}
	return cr.name == data.AllContentAreas || slices.Contains(p.ContentAreas, cr.name)
}

// seriesWork is one series recomputed for a scenario.
type seriesWork struct {
	cr           *contentResult
	areas        []data.AreaMeasures
	equity       []data.EquityRow
	touched      []int32
	touchedAreas []int32
	change       data.SeriesChange
}

// applySeries makes a series' changes on copies of its baseline columns.
func (m *Model) applySeries(k int, changes []change, programs []data.Program) (*seriesWork, error) {
	base, err := m.baseline(k)
	if err != nil {
		return nil, err
	}
	st := m.series[k]
	g := m.ac.g
	kind := m.p.Measure.Kind
	// Only what changes is copied: a run's columns are large, and the baseline's are shared.
	cells := data.CellMeasures{Nearest: base.nearest, Count: base.count, Access: slices.Clone(base.cells.Access),
		Unmet: slices.Clone(base.cells.Unmet), Gap: slices.Clone(base.cells.Gap), Desert: slices.Clone(base.cells.Desert)}
	cr := &contentResult{setting: base.setting, name: base.name, mean: base.mean, target: base.target, nearest: base.nearest, count: base.count}
	switch {
	case kind == MeasureNearest:
		cr.raw = base.raw // the nearest costs themselves, copied when they change
	case m.p.Measure.Normalize:
		cr.raw = slices.Clone(base.raw)
	default:
		// Unnormalised, a cell's access is its raw access: one copy serves both.
		cr.raw = cells.Access
	}
	nearestCopied := false
	setNearest := func(i int32, d float64) {
		if !nearestCopied {
			nearestCopied = true
			cr.nearest = slices.Clone(base.nearest)
			if kind == MeasureNearest {
				cr.raw = cr.nearest
			}
		}
		cr.nearest[i] = d
	}
	if changesCount(changes) {
		cr.count = slices.Clone(base.count)
	}
	for _, p := range programs {
		if m.inSeries(base, p) {
			cr.programs = append(cr.programs, int32(len(cr.programs))) // only their number counts here
		}
	}
	cr.tooFew = len(cr.programs) < m.p.MinPrograms
	mark := make([]bool, len(base.raw))
	var touched []int32
	touch := func(i int32) {
		if !mark[i] {
			mark[i] = true
			touched = append(touched, i)
		}
	}
	var searchAgain []int32 // cells whose nearest program may have been removed
	for _, c := range changes {
		cells, costs := m.reachOf(c.site)
		den := 0.0
		for n, i := range cells {
			den += g.demandOrZero(int(i)) * m.weight(costs[n])
		}
		for n, i := range cells {
			touch(i)
			cr.count[i] += c.dCount
			switch {
			case kind == MeasureCumulative:
				cr.raw[i] += c.dSeats
			case perCapita(kind) && den > 0:
				cr.raw[i] += 1000 * c.dSeats * m.weight(costs[n]) / den
			}
		}
		if c.dCount == 0 {
			continue
		}
		// Only cells nearer the program than to any other can change their nearest cost.
		m.nearerCells(c.site, st.farthest, func(i int32, d float64) {
			switch {
			case c.dCount > 0 && d < cr.nearest[i]:
				setNearest(i, d)
				touch(i)
			case c.dCount < 0 && d <= base.nearest[i]:
				searchAgain = append(searchAgain, i)
				touch(i)
			}
		})
	}
	if len(searchAgain) > 0 {
		var pts []orb.Point
		for _, p := range programs {
			if m.inSeries(base, p) {
				pts = append(pts, p.Location)
			}
		}
		ix := geo.NewNearestIndex(pts)
		guess := -1
		for _, i := range searchAgain {
			var d float64
			guess, d = ix.NearestSiteFrom(m.sites[i], guess)
			setNearest(i, d)
		}
	}
	if cr.tooFew != base.tooFew {
		// Judged in one and not the other: every cell's verdict changes.
		for i := range cr.raw {
			touch(int32(i))
		}
	}
	slices.Sort(touched)
	cells.Nearest, cells.Count = cr.nearest, cr.count
	for _, i := range touched {
		m.ac.scoreCell(cr, &cells, int(i))
	}
	cr.cells = cells
	w := &seriesWork{cr: cr, touched: touched}
	cr.summary = m.scenarioSummary(base, cr, touched)
	var tallies []areaTally
	w.areas, tallies, w.touchedAreas = m.rollupTouched(st, cr, touched)
	cr.summary.DesertAreas = 0
	for _, am := range w.areas {
		if am.Desert {
			cr.summary.DesertAreas++
		}
	}
	w.equity, _ = m.ac.equity(cr, tallies, m.figs)
	w.change = m.scenarioChange(st, base, cr, touched)
	return w, nil
}

// changesCount reports whether any change adds or removes a program, rather than resizing one.
func changesCount(changes []change) bool {
	for _, c := range changes {
		if c.dCount != 0 {
			return true
		}
	}
	return false
}

// scenarioSummary is a series' summary after the changes: the baseline's yardstick, the new
// number of programs, and the demand in deserts moved by the cells scored again.
func (m *Model) scenarioSummary(base, cr *contentResult, touched []int32) data.ContentArea {
	s := base.summary
	s.Programs, s.TooFew = len(cr.programs), cr.tooFew
	if cr.tooFew {
		s.DesertYouth, s.DesertShare = math.NaN(), math.NaN()
		return s
	}
	desert := s.DesertYouth
	if base.tooFew {
		desert = 0
	}
	for _, i := range touched {
		d := m.ac.g.demandOrZero(int(i))
		if cr.cells.Desert[i] == data.DesertYes {
			desert += d
		}
		if !base.tooFew && base.cells.Desert[i] == data.DesertYes {
			desert -= d
		}
	}
	s.DesertYouth, s.DesertShare = desert, safeDiv(desert, s.DemandTotal)
	return s
}

// rollupTouched rolls up again the areas holding the cells scored again and ranks every area
// anew: one area's access moves the others' ranks.
func (m *Model) rollupTouched(st *seriesState, cr *contentResult, touched []int32) ([]data.AreaMeasures, []areaTally, []int32) {
	areas, tallies := slices.Clone(st.areas), slices.Clone(st.tallies)
	seen := map[int32]bool{}
	var list []int32
	add := func(a int32) {
		if !seen[a] {
			seen[a] = true
			list = append(list, a)
		}
	}
	for _, i := range touched {
		add(m.ac.g.area[i])
		for _, a := range m.sharedCells[i] {
			add(a)
		}
	}
	if cr.tooFew && cr.summary.Programs != st.cr.summary.Programs {
		// Every area of a series too thin to judge says how many programs it has.
		for a := range areas {
			add(int32(a))
		}
	}
	slices.Sort(list)
	for _, a := range list {
		areas[a], tallies[a] = m.ac.rollupArea(cr, int(a))
	}
	if !cr.tooFew {
		for a := range areas {
			areas[a].Rank, areas[a].Percentile = 0, math.NaN()
		}
		rankAreas(areas, lowerIsBetter(m.p.Measure.Kind), m.ac.areas, m.ac.areaDemand)
	}
	return areas, tallies, list
}

// scenarioChange says how a series moved in the cells the scenario reached.
func (m *Model) scenarioChange(st *seriesState, base, cr *contentResult, touched []int32) data.SeriesChange {
	bs, ss := base.summary, cr.summary
	sc := data.SeriesChange{Setting: cr.setting, Name: cr.name, ProgramsA: bs.Programs, ProgramsB: ss.Programs, JudgedA: !bs.TooFew, JudgedB: !ss.TooFew,
		MeanAccessA: bs.MeanAccess, DesertShareA: bs.DesertShare, DesertShareB: ss.DesertShare,
		DesertDemandA: bs.DesertYouth, DesertDemandB: ss.DesertYouth, DesertAreasA: bs.DesertAreas, DesertAreasB: ss.DesertAreas}
	// The regional mean the changes would make, though the cells are judged by the baseline's:
	// the baseline's sums, moved by the cells the changes reach.
	num, den := st.meanSums.num, st.meanSums.den
	g := m.ac.g
	counted := func(i int32, x float64) bool { return g.known(int(i)) && !math.IsNaN(x) && !math.IsInf(x, 0) }
	for _, i := range touched {
		if x := base.raw[i]; counted(i, x) {
			num, den = num-g.demand[i]*x, den-g.demand[i]
		}
		if x := cr.raw[i]; counted(i, x) {
			num, den = num+g.demand[i]*x, den+g.demand[i]
		}
	}
	sc.MeanAccessB = safeDiv(num, den)
	if m.p.Measure.Normalize {
		sc.MeanAccessB /= base.mean
	}
	for _, i := range touched {
		d := m.ac.g.demandOrZero(int(i))
		a, b := base.cells.Access[i], cr.cells.Access[i]
		if moved(a, b) {
			if b > a {
				sc.CellsRose++
				sc.DemandRose += d
			} else {
				sc.CellsFell++
				sc.DemandFell += d
			}
		}
		switch {
		case base.count[i] == 0 && cr.count[i] > 0:
			sc.NewlyInReach += d
		case base.count[i] > 0 && cr.count[i] == 0:
			sc.NoLongerInReach += d
		}
		switch {
		case base.cells.Desert[i] == data.DesertNo && cr.cells.Desert[i] == data.DesertYes:
			sc.EnteredDesert += d
		case base.cells.Desert[i] == data.DesertYes && cr.cells.Desert[i] == data.DesertNo:
			sc.LeftDesert += d
		}
	}
	return sc
}

// scenarioNotes says what the scenario changed and how it was judged.
func (m *Model) scenarioNotes(sc Scenario, changes []change) []string {
	num := labels.Format{Style: labels.StyleNumber}
	var what []string
	for _, c := range changes {
		p := c.program
		switch {
		case c.dCount > 0:
			what = append(what, fmt.Sprintf("added %s (%s; %s; %s seats) at %.5f, %.5f", p.ID, strings.Join(p.ContentAreas, ", "), orNone(p.Setting), num.Format(p.Capacity), p.Location[1], p.Location[0]))
		case c.dCount < 0:
			what = append(what, fmt.Sprintf("removed %s", p.ID))
		default:
			what = append(what, fmt.Sprintf("resized %s to %s seats", p.ID, num.Format(p.Capacity)))
		}
	}
	return []string{
		fmt.Sprintf("scenario against run %s: %s", m.run.ID, strings.Join(what, "; ")),
		fmt.Sprintf("the scenario's cells are judged against run %s's targets and regional means, so that only the cells the changes reach move; its figures equal analysing the changed inputs with that yardstick", m.run.ID),
	}
}

// scenarioBody is a scenario as JSON: what POST /api/scenarios and stemgap scenario FILE read.
type scenarioBody struct {
	Run string `json:"run"`
	Add []struct {
		ID           string   `json:"id"`
		Name         string   `json:"name"`
		Lat          *float64 `json:"lat"`
		Lng          *float64 `json:"lng"`
		ContentAreas []string `json:"content_areas"`
		Setting      string   `json:"setting"`
		Capacity     *float64 `json:"capacity"`
	} `json:"add"`
	Remove []string `json:"remove"`
	Resize []struct {
		ID       string   `json:"id"`
		Capacity *float64 `json:"capacity"`
	} `json:"resize"`
}

// DecodeScenario reads a scenario written as JSON —
// {"run": ID, "add": [{"id", "name", "lat", "lng", "content_areas": [...], "setting", "capacity"}],
// "remove": [ID, …], "resize": [{"id", "capacity"}]} — and the run it is against ("" for the
// latest). Errors name the field; unknown fields are errors.
func DecodeScenario(r io.Reader) (string, Scenario, error) {
	var body scenarioBody
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			return "", Scenario{}, fmt.Errorf("field %s: want %s, not a JSON %s: %w", typeErr.Field, typeErr.Type, typeErr.Value, ErrRequest)
		case errors.As(err, &syntaxErr):
			return "", Scenario{}, fmt.Errorf("invalid JSON at byte %d: %v: %w", syntaxErr.Offset, err, ErrRequest)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return "", Scenario{}, fmt.Errorf("the JSON ends early: %w", ErrRequest)
		}
		return "", Scenario{}, fmt.Errorf("%v: %w", strings.TrimPrefix(err.Error(), "json: "), ErrRequest)
	}
	if dec.More() {
		return "", Scenario{}, fmt.Errorf("more than one JSON value: send one scenario: %w", ErrRequest)
	}
	var sc Scenario
	for i, a := range body.Add {
		switch {
		case a.Lat == nil:
			return "", sc, fmt.Errorf("add[%d].lat is required: %w", i, ErrRequest)
		case a.Lng == nil:
			return "", sc, fmt.Errorf("add[%d].lng is required: %w", i, ErrRequest)
		}
		p := data.Program{ID: a.ID, Name: a.Name, Location: orb.Point{*a.Lng, *a.Lat}, Setting: a.Setting, Capacity: math.NaN()}
		if a.Capacity != nil {
			p.Capacity = *a.Capacity
		}
		for _, c := range a.ContentAreas {
			if l := data.NormalizeLabel(c); l != "" && !slices.Contains(p.ContentAreas, l) {
				p.ContentAreas = append(p.ContentAreas, l)
			}
		}
		sc.Add = append(sc.Add, p)
	}
	sc.Remove = body.Remove
	for i, r := range body.Resize {
		if r.Capacity == nil {
			return "", sc, fmt.Errorf("resize[%d].capacity is required: %w", i, ErrRequest)
		}
		sc.Resize = append(sc.Resize, Resize{ID: r.ID, Capacity: *r.Capacity})
	}
	return body.Run, sc, nil
}
