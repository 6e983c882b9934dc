package analysis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// Version is the analysis software version recorded with every run. Change it whenever a
// computed figure could change.
const Version = "stemgap 0.1.0"

// Inputs are the data an analysis reads.
type Inputs struct {
	Areas        []data.Area
	Demographics []data.DemographicValue
	Programs     []data.Program
	// Records describe the loaded files (digests, vintages); they travel with the run.
	Records []data.IngestRecord
	// Costs replaces great-circle distance with an origin–destination matrix when set;
	// CostsRecord describes its file.
	Costs       *data.CostMatrix
	CostsRecord *data.IngestRecord
}

// Options are what the caller controls besides the parameters.
type Options struct {
	// Progress, when set, hears about long stages: done of total units.
	Progress func(stage string, done, total int)
	// Now stamps the run; time.Now when nil.
	Now func() time.Time
	// PartitionResolution is the H3 resolution of the parents whose cells are measured together;
	// negative: the whole region at once; 0: the whole region when it is small (a few hundred
	// thousand cells), else DefaultPartitionResolution. It changes no figure, only how the work
	// and its memory are divided.
	PartitionResolution int
}

func (o Options) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// Analyze runs the whole method on the inputs.
func Analyze(ctx context.Context, in Inputs, params Params, opt Options) (*data.Run, error) {
	var c collector
	run, err := AnalyzeTo(ctx, in, params, opt, &c)
	if err != nil {
		return nil, err
	}
	run.Cells = c.t
	return run, nil
}

// AnalyzeTo is Analyze handing the run's cells to w as they are scored, a partition at a time
// and in cell order, so that a big region's run is never whole in memory: the run it returns
// has everything else. Memory then follows the largest partition and its halo.
func AnalyzeTo(ctx context.Context, in Inputs, params Params, opt Options, w data.CellWriter) (*data.Run, error) {
	a, err := prepare(ctx, in, params, opt)
	if err != nil {
		return nil, err
	}
	m := a.m
	ms, err := newMeasurements(len(m.parts), len(m.sets))
	if err != nil {
		return nil, err
	}
	defer ms.close()
	opt.progress("measuring access by partition", 0, len(m.parts))
	reachUnknown, err := m.measureAll(ctx, ms, func(done int) { opt.progress("measuring access by partition", done, len(m.parts)) })
	if err != nil {
		return nil, err
	}
	return a.finish(ctx, in, reachUnknown, ms, w, opt)
}

// collector keeps the cells in memory as they come: Analyze's writer. Series that share their
// program set share their columns, as they were scored (CellTable.Append keeps them shared).
type collector struct{ t data.CellTable }

func (c *collector) WriteCells(part *data.CellTable) error {
	if c.t.Len() == 0 {
		c.t = *part
		return nil
	}
	c.t.Append(part)
	return nil
}

// prepared is an analysis up to measuring: the inputs in order, demand on the region's cells,
// the series and the partitions.
type prepared struct {
	p          Params
	key        string // digests what the figures depend on, for partial runs to match
	areas      []data.Area
	programs   []data.Program
	figs       []figures
	areaDemand []float64
	notes      []string
	g          *grid
	contents   []*contentResult
	m          *measurer
	unit       string
}

func prepare(ctx context.Context, in Inputs, params Params, opt Options) (*prepared, error) {
	p := params.Resolved()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	if len(in.Areas) == 0 {
		return nil, fmt.Errorf("no areas loaded: run stemgap ingest tracts FILE first")
	}
	if len(in.Programs) == 0 {
		return nil, fmt.Errorf("no programs loaded: run stemgap ingest programs FILE first")
	}
	paramsJSON, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	a := &prepared{p: p, key: runID(paramsJSON, inputRecords(in)), unit: "km"}
	// Stores may list rows in any order; sorting here makes the run independent of the store.
	a.areas = slices.Clone(in.Areas)
	sort.Slice(a.areas, func(i, j int) bool { return a.areas[i].ID < a.areas[j].ID })
	a.programs = slices.Clone(in.Programs)
	sort.Slice(a.programs, func(i, j int) bool { return a.programs[i].ID < a.programs[j].ID })
	areas, programs := a.areas, a.programs

	figs, areaIndex := areaFigures(areas, in.Demographics)
	areaDemand, notes, err := demandByArea(areas, figs, in.Demographics, p.Demand)
	if err != nil {
		return nil, err
	}
	a.figs, a.areaDemand = figs, areaDemand
	notes = append(notes, vintageNote(areaIndex, in.Demographics, p.Demand)...)
	notes = append(notes, besideDemandNote(p, in.Demographics, areaIndex)...)

	opt.progress("allocating demand to cells", 0, len(areas))
	g, err := buildGrid(ctx, areas, areaDemand, p.Resolution)
	if err != nil {
		return nil, err
	}
	a.g = g
	opt.progress("allocating demand to cells", len(areas), len(areas))

	locations := make([]orb.Point, len(programs))
	programIndex := make(map[string]int32, len(programs))
	supply := make([]float64, len(programs))
	defaulted := 0
	for j, pr := range programs {
		locations[j] = pr.Location
		programIndex[pr.ID] = int32(j)
		supply[j] = pr.Capacity
		if math.IsNaN(pr.Capacity) {
			supply[j] = p.DefaultCapacity
			defaulted++
		}
	}
	if defaulted > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d programs give no capacity; each counts as %g seat(s) (default_capacity)", defaulted, len(programs), p.DefaultCapacity))
	}

	var matrix *matrixCosts
	if in.Costs != nil {
		mt, mnotes, err := matrixTravel(in.Costs, g, areaIndex, programIndex, len(programs), p.Resolution)
		if err != nil {
			return nil, err
		}
		matrix, a.unit, notes = mt, mt.unit(), append(notes, mnotes...)
		notes = append(notes, fmt.Sprintf("costs from the cost matrix %s in %s: the catchment (%g) and desert thresholds (urban %g, rural %g) are read in %s",
			in.Costs.File, in.Costs.Unit, p.Measure.Catchment, p.Desert.UrbanCost, p.Desert.RuralCost, in.Costs.Unit))
	}
	a.notes = notes

	a.contents = seriesOf(programs, p.Settings, p.MinPrograms)
	reps := shareProgramSets(a.contents, func(members []int32) *geo.NearestIndex {
		pts := make([]orb.Point, len(members))
		for n, j := range members {
			pts[n] = locations[j]
		}
		return geo.NewNearestIndex(pts)
	})
	a.m = &measurer{p: p, region: g, locations: locations, supply: supply, matrix: matrix, sets: reps,
		programs: geo.NewNearestIndex(locations)}
	if a.m.parts, err = a.m.partitions(opt.PartitionResolution); err != nil {
		return nil, err
	}
	return a, nil
}

// finish scores the measured series partition by partition, writing each one's cells to w, then
// rolls them up and describes the run (without its cells).
func (a *prepared) finish(ctx context.Context, in Inputs, reachUnknown int, ms *measurements, w data.CellWriter, opt Options) (*data.Run, error) {
	p, areas, figs, areaDemand, g, contents, notes := a.p, a.areas, a.figs, a.areaDemand, a.g, a.contents, a.notes
	g.sites = nil // they were for measuring: let their memory go before the scores take theirs
	if reachUnknown > 0 {
		notes = append(notes, fmt.Sprintf("%d programs reach cells with no %s figure; their seats are shared only among the demand that is known, so access near those cells is overstated", reachUnknown, p.Demand))
	}
	if note := tooFewNote(contents, p.MinPrograms); note != "" {
		notes = append(notes, note)
	}

	areaNeed, needNotes := needIndex(figs, p.Need.Components)
	notes = append(notes, needNotes...)
	landKm2 := make([]float64, len(areas))
	for a, ar := range areas {
		landKm2[a] = ar.LandKm2
	}
	areaUrban, urbanBasis := urbanAreas(figs, landKm2, p.Desert)
	if allNaN(areaNeed) && p.Gap.NeedWeight > 0 {
		// With no need figures at all, weighing by need would blank every gap: the gap is then the
		// shortfall alone, and the run says so.
		p.Gap.NeedWeight = 0
		notes = append(notes, "no need variables are loaded, so the gap score is the access shortfall alone (need_weight 0)")
	}
	cc := cellContext{g: g, p: p, need: make([]float64, len(g.cells)), urban: make([]bool, len(g.cells))}
	for i, a := range g.area {
		cc.need[i], cc.urban[i] = areaNeed[a], areaUrban[a]
	}
	ac := &areaContext{cellContext: cc, areas: areas, areaDemand: areaDemand, areaNeed: areaNeed,
		areaUrban: areaUrban, urbanBasis: urbanBasis, noun: labels.DemandNoun(p.Demand), unit: a.unit}
	if err := a.score(ctx, ac, ms, w, opt); err != nil {
		return nil, err
	}
	for _, cr := range contents {
		cr.shareWork()
	}

	run := &data.Run{}
	run.Areas = make([]data.AreaResult, len(areas))
	for a, ar := range areas {
		run.Areas[a] = data.AreaResult{ID: ar.ID, Name: ar.Name, Demand: areaDemand[a], Need: areaNeed[a],
			Urban: areaUrban[a], UrbanWhy: urbanBasis[a], Cells: len(g.areaCells[a]), Measures: make([]data.AreaMeasures, len(contents))}
	}
	equityNoted := false
	for k, cr := range contents {
		measures, tallies := ac.rollupShared(cr)
		for a := range run.Areas {
			run.Areas[a].Measures[k] = measures[a]
			if measures[a].Desert {
				cr.summary.DesertAreas++
			}
		}
		rows, enotes := ac.equity(cr, tallies, figs)
		run.Equity = append(run.Equity, rows...)
		// Every judged series misses the same groups: say so once.
		if !equityNoted && !cr.tooFew {
			equityNoted = true
			notes = append(notes, enotes...)
		}
	}
	info, err := runInfo(p, in, contents, notes, a.unit, opt)
	if err != nil {
		return nil, err
	}
	run.RunInfo = info
	return run, nil
}

// score scores every program set, one partition at a time in cell order: first each set's
// demand-weighted regional mean, which every cell is judged against, then the cells, written to
// w, while their figures are summed by area for the rollups. Sums run in cell order, so every
// figure equals the region scored at once, bit for bit.
func (a *prepared) score(ctx context.Context, ac *areaContext, ms *measurements, w data.CellWriter, opt Options) error {
	m, g, cc := a.m, a.g, &ac.cellContext
	reps := m.sets
	means := make([]weightedSum, len(reps))
	for k, part := range m.parts {
		r, err := ms.get(k)
		if err != nil {
			return err
		}
		sub := cc.view(part.lo, part.hi)
		for s := range reps {
			means[s].add(sub.g, r.raw[s])
		}
	}
	setOf := make(map[*programSet]int, len(reps))
	for s, cr := range reps {
		cr.mean = means[s].mean()
		cr.target = cc.targetFor(cr.mean)
		cr.set.sums = make([]areaSums, len(ac.areas))
		setOf[cr.set] = s
	}
	tallies := make([]demandTally, len(reps))
	next := make([]int, len(ac.areas)) // per area, its first cell not yet summed
	opt.progress("scoring by partition", 0, len(m.parts))
	for k, part := range m.parts {
		r, err := ms.get(k)
		if err != nil {
			return err
		}
		// The areas with cells here, and which of their cells.
		var touched []areaPart
		for ar, cells := range g.areaCells {
			from := next[ar]
			for next[ar] < len(cells) && int(cells[next[ar]]) < part.hi {
				next[ar]++
			}
			if next[ar] > from {
				touched = append(touched, areaPart{area: ar, cells: cells[from:next[ar]]})
			}
		}
		sub := cc.view(part.lo, part.hi)
		scored := make([]data.CellMeasures, len(reps))
		err = parallel(ctx, len(reps), func(s int) error {
			local := *reps[s]
			local.nearest, local.count, local.raw, local.overstated = r.nearest[s], r.count[s], r.raw[s], r.overstated[s]
			cm := sub.scoreCells(&local, &tallies[s])
			scored[s] = cm
			sums := reps[s].set.sums
			for _, t := range touched {
				for _, i := range t.cells {
					j := int(i) - part.lo
					ac.addCell(&sums[t.area], &local, t.area, int(i), local.raw[j], cm.Nearest[j], cm.Access[j], cm.Gap[j], cm.Desert[j])
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		lo, hi := part.lo, part.hi
		t := &data.CellTable{H3: g.cells[lo:hi:hi], Lat: make([]float64, hi-lo), Lng: make([]float64, hi-lo),
			Demand: g.demand[lo:hi:hi], Area: g.area[lo:hi:hi], Need: sub.need, Urban: sub.urban}
		for i, c := range g.centers[lo:hi] {
			t.Lng[i], t.Lat[i] = c[0], c[1]
		}
		for _, cr := range a.contents {
			t.Measures = append(t.Measures, scored[setOf[cr.set]])
		}
		if err := w.WriteCells(t); err != nil {
			return fmt.Errorf("writing the cells of partition %s: %w", part.parent, err)
		}
		opt.progress("scoring by partition", k+1, len(m.parts))
	}
	for s, cr := range reps {
		cc.summarize(cr, tallies[s])
	}
	return nil
}

// areaPart is an area's cells within one partition.
type areaPart struct {
	area  int
	cells []int32
}

// areaFigures gathers each area's demographic figures by variable.
func areaFigures(areas []data.Area, values []data.DemographicValue) ([]figures, map[string]int32) {
	index := make(map[string]int32, len(areas))
	figs := make([]figures, len(areas))
	for a, ar := range areas {
		index[ar.ID] = int32(a)
		figs[a] = figures{}
	}
	for _, v := range values {
		if a, ok := index[v.AreaID]; ok {
			figs[a][v.Variable] = v.Value
		}
	}
	return figs, index
}

// demandByArea reads the demand variable per area; NaN where an area has no figure, which is
// "no data", never zero.
func demandByArea(areas []data.Area, figs []figures, values []data.DemographicValue, variable string) ([]float64, []string, error) {
	out := make([]float64, len(areas))
	missing := 0
	for a := range areas {
		if v, ok := figs[a].value(variable); ok {
			out[a] = v
		} else {
			out[a] = math.NaN()
			missing++
		}
	}
	if missing == len(areas) {
		have := map[string]bool{}
		for _, v := range values {
			have[v.Variable] = true
		}
		var names []string
		for n := range have {
			names = append(names, n)
		}
		sort.Strings(names)
		hint := ""
		if variable != "total_pop" && have["total_pop"] {
			hint = "; try --demand total_pop"
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("no area has a figure for the demand variable %s: no demographics are loaded (stemgap ingest demographics FILE --column %s=SOURCE)", variable, variable)
		}
		return nil, nil, fmt.Errorf("no area has a figure for the demand variable %s; the loaded demographics provide %s%s", variable, strings.Join(names, ", "), hint)
	}
	var notes []string
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d areas have no figure for %s: their cells are shown as no data, not as zero demand", missing, len(areas), variable))
	}
	return out, notes, nil
}

// seriesOf lays out the run's series: within each setting group, every content area that any
// program offers (sorted) and then "all". Every group lists the same content areas, so a content
// area with no program in a group is still there, with none.
func seriesOf(programs []data.Program, groups []data.SettingGroup, minPrograms int) []*contentResult {
	seen := map[string]bool{}
	var labels []string
	for _, p := range programs {
		for _, l := range p.ContentAreas {
			if !seen[l] {
				seen[l] = true
				labels = append(labels, l)
			}
		}
	}
	sort.Strings(labels)
	var out []*contentResult
	for _, g := range groups {
		byLabel := map[string][]int32{}
		var all []int32
		for j, p := range programs {
			if !g.Includes(p.Setting) {
				continue
			}
			all = append(all, int32(j))
			for _, l := range p.ContentAreas {
				byLabel[l] = append(byLabel[l], int32(j))
			}
		}
		for _, l := range append(labels, data.AllContentAreas) {
			members := byLabel[l]
			if l == data.AllContentAreas {
				members = all
			}
			out = append(out, &contentResult{setting: g.Name, name: l, programs: members, tooFew: len(members) < minPrograms})
		}
	}
	return out
}

// tooFewNote lists the series too thin to judge, by setting group.
func tooFewNote(series []*contentResult, minPrograms int) string {
	var parts []string
	for _, cr := range series {
		if cr.tooFew {
			parts = append(parts, fmt.Sprintf("%s/%s (%d)", cr.setting, cr.name, len(cr.programs)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("too few programs to map gaps (fewer than min_programs = %d), so no desert flags, gap scores, unmet seats or ranks for: %s", minPrograms, strings.Join(parts, ", "))
}

func allNaN(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return false
		}
	}
	return true
}

// accessUnit says in words what the access figures count.
func accessUnit(p Params, costUnit string) string {
	noun := labels.DemandNoun(p.Demand)
	var u string
	switch p.Measure.Kind {
	case MeasureNearest:
		u = costUnit + " to the nearest program"
	case MeasureCumulative:
		u = fmt.Sprintf("seats within %g %s", p.Measure.Catchment, costUnit)
	case MeasureRAAM:
		u = fmt.Sprintf("RAAM cost (travel/τ + congestion; τ = %g %s)", p.Measure.Tau, costUnit)
	default:
		u = "seats per 1,000 " + noun
	}
	if p.Measure.Normalize {
		u += ", as a multiple of the regional mean"
	}
	return u
}

func runInfo(p Params, in Inputs, contents []*contentResult, notes []string, costUnit string, opt Options) (data.RunInfo, error) {
	paramsJSON, err := json.Marshal(p)
	if err != nil {
		return data.RunInfo{}, err
	}
	records := inputRecords(in)
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	info := data.RunInfo{
		CreatedAt: now().UTC(), Software: Version, Params: paramsJSON, Inputs: records,
		Resolution: p.Resolution, Demand: p.Demand, DemandSource: demandSources(in.Demographics, p.Demand),
		Measure: p.Measure.Kind, AccessUnit: accessUnit(p, costUnit), CostUnit: costUnit, Notes: notes,
		SettingGroups: p.Settings,
	}
	for _, cr := range contents {
		info.ContentAreas = append(info.ContentAreas, cr.summary)
	}
	info.ID = runID(paramsJSON, records)
	return info, nil
}

// inputRecords are the records of every input the run reads.
func inputRecords(in Inputs) []data.IngestRecord {
	records := slices.Clone(in.Records)
	if in.CostsRecord != nil {
		records = append(records, *in.CostsRecord)
	}
	return records
}

// runID digests what determines a run's figures — parameters, input digests and options, and
// software — so that the same analysis of the same data has the same id and overwrites itself.
func runID(paramsJSON []byte, records []data.IngestRecord) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", Version, paramsJSON)
	for _, r := range records {
		opts, _ := json.Marshal(r.Options)
		fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s\n", r.Kind, r.Source, r.SHA256, r.Vintage, opts, strings.Join(r.Variables, ","))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func demandSources(values []data.DemographicValue, variable string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		if v.Variable != variable {
			continue
		}
		s := v.Source
		if v.Vintage != "" {
			s += " (" + v.Vintage + ")"
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
