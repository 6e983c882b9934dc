package analysis

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
)

// SitesOf lists programs as candidate sites — the run's own learning sites, or a file of places
// read as programs — and says what they are.
func SitesOf(programs []data.Program, what string) ([]data.CandidateSite, string) {
	sites := make([]data.CandidateSite, len(programs))
	for i, p := range programs {
		sites[i] = data.CandidateSite{ID: p.ID, Name: p.Name, Location: p.Location}
	}
	return sites, fmt.Sprintf("%s (%d sites)", what, len(sites))
}

// RecommendRequest asks where Count new programs of one series would close the most
// need-weighted unmet demand.
type RecommendRequest struct {
	Setting, Content string
	// Capacity is the seats of each new program; 0 takes the run's default_capacity, the seats
	// every program without a capacity counts.
	Capacity float64
	Count    int
	// Sites are the candidate places; nil means the centers of the H3 cells at CellResolution
	// that hold the run's cells. SitesLabel says what the listed sites are.
	Sites      []data.CandidateSite
	SitesLabel string
	// CellResolution is the candidate cells' resolution: 0 takes two coarser than the run's (a
	// res-9 run weighs res-7 cells, about 5 km² each, some 4,300 in the St. Louis MSA: each
	// candidate's catchment is a few thousand cells, so a finer grid costs seven times as much
	// per resolution).
	CellResolution int
	// Progress hears how many candidates the first round has weighed.
	Progress func(done, total int)
}

// MaxRecommendations bounds Count: each pick is explained, and a list longer than this is a plan,
// not a shortlist.
const MaxRecommendations = 50

// Recommend chooses, one at a time, the sites where a new program of the series would close the
// most need-weighted unmet demand under the run's own access model, adding each chosen program to
// the model before choosing the next (METHOD.md §12). It adapts PySAL spopt's maximal covering
// location problem: coverage is the seats a program adds to each cell's access, weighed by the
// unmet demand they close, and the problem is solved greedily rather than by integer programming.
func (m *Model) Recommend(ctx context.Context, req RecommendRequest) (*data.Recommendations, error) {
	p := m.p
	if !perCapita(p.Measure.Kind) {
		return nil, fmt.Errorf("recommendations count unmet seats, which only the per-capita measures (2sfca, e2sfca, gravity) define; run %s measures %s: %w", m.run.ID, labels.MeasureName(p.Measure.Kind), ErrNotLocal)
	}
	k, err := m.run.CheckSeries(req.Setting, req.Content)
	if err != nil {
		return nil, err
	}
	switch {
	case req.Count < 1 || req.Count > MaxRecommendations:
		return nil, fmt.Errorf("count must be 1–%d, not %d: %w", MaxRecommendations, req.Count, ErrRequest)
	case req.Capacity < 0 || math.IsNaN(req.Capacity) || math.IsInf(req.Capacity, 0) || req.Capacity > data.DefaultMaxCapacity:
		return nil, fmt.Errorf("capacity must be a positive number of seats up to %d, not %v: %w", data.DefaultMaxCapacity, req.Capacity, ErrRequest)
	}
	capacity := req.Capacity
	if capacity == 0 {
		capacity = p.DefaultCapacity
	}
	sites, label := req.Sites, req.SitesLabel
	if sites == nil {
		res := req.CellResolution
		if res == 0 {
			res = max(0, p.Resolution-2)
		}
		if res < 0 || res > p.Resolution {
			return nil, fmt.Errorf("candidate cell resolution must be 0–%d (the run's), not %d: %w", p.Resolution, res, ErrRequest)
		}
		if sites, err = m.cellSites(res); err != nil {
			return nil, err
		}
		label = fmt.Sprintf("the centers of the H3 cells at resolution %d that hold the region's cells", res)
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("no candidate sites: %w", ErrRequest)
	}
	base, err := m.baseline(k)
	if err != nil {
		return nil, err
	}
	c := m.run.ContentAreas[k]
	cp := m.coverProblem(base, capacity, sites)
	out := &data.Recommendations{Run: m.run.ID, Setting: c.Setting, Content: c.Name, Capacity: capacity, Catchment: p.Measure.Catchment,
		CostUnit: m.run.CostUnit, Measure: p.Measure.Kind, AccessUnit: m.run.AccessUnit, Target: reportedTarget(base, p),
		NeedWeight: p.Gap.NeedWeight, Candidates: label, CandidateCount: len(sites), UnmetBefore: cp.unmetTotal()}
	picks, err := cp.greedy(ctx, req.Count, req.Progress)
	if err != nil {
		return nil, err
	}
	for rank, pk := range picks {
		out.Sites = append(out.Sites, m.explain(rank+1, sites[pk.site], pk, c, capacity))
		out.NewlyInReach += pk.newly
	}
	out.UnmetAfter = cp.unmetTotal()
	out.Notes = m.recommendNotes(c, base.target, capacity, len(picks), req.Count, req.Capacity == 0)
	return out, nil
}

// reportedTarget is the target in the run's access unit (a multiple of the mean when normalised).
func reportedTarget(cr *contentResult, p Params) float64 {
	if p.Measure.Normalize {
		return cr.target / cr.mean
	}
	return cr.target
}

func (m *Model) recommendNotes(c data.ContentArea, target, capacity float64, picked, asked int, defaulted bool) []string {
	noun := m.ac.noun
	notes := []string{
		fmt.Sprintf("unmet seats are counted against the run's target for %s/%s, held where the run put it: new programs raise the regional mean, and judging them against a mean they raise would make every new seat look like a loss elsewhere", c.Setting, c.Name),
		fmt.Sprintf("each cell's figures count in the area holding its center; a seat closed weighs (1 − λ) + λ·need with λ = %g, and a cell of unknown need weighs as the least needy", m.p.Gap.NeedWeight),
	}
	if c.TooFew {
		notes = append(notes, c.TooFewNote()+": the run judges no gaps in it, so these sites are weighed against its regional mean all the same")
	}
	if defaulted {
		notes = append(notes, fmt.Sprintf("each new program counts %g seat(s), the run's default_capacity, as every program without a stated capacity does", capacity))
	}
	if !(target > 0) {
		notes = append(notes, fmt.Sprintf("the target for %s/%s is 0 (%d programs: the regional mean is 0), so there are no unmet seats to close; set gap.target to judge new programs against a standard", c.Setting, c.Name, c.Programs))
	} else if picked < asked {
		notes = append(notes, fmt.Sprintf("only %d of the %d sites asked for close any unmet seats: no other site reaches %s below the target", picked, asked, noun))
	}
	return notes
}

// cellSites are the centers of the cells at res that hold the run's cells, in H3 order.
func (m *Model) cellSites(res int) ([]data.CandidateSite, error) {
	var parents []h3.Cell
	for _, c := range m.run.Cells.H3 {
		pc, err := c.Parent(res)
		if err != nil {
			return nil, fmt.Errorf("parent of cell %s: %w", c, err)
		}
		if n := len(parents); n == 0 || parents[n-1] != pc {
			parents = append(parents, pc)
		}
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)
	sites := make([]data.CandidateSite, len(parents))
	for n, pc := range parents {
		center, err := geo.CellCenter(pc)
		if err != nil {
			return nil, err
		}
		sites[n] = data.CandidateSite{ID: pc.String(), Location: center}
	}
	return sites, nil
}

// coverProblem is the maximal covering problem the greedy choice solves: every cell i holds P_i
// people at raw access A_i below or above the target T; a program of S seats at site c adds
// ΔA_i = 1000·S·W_ic / Σ_k P_k·W_kc to the cells of its catchment (E2SFCA's ratio, which adding a
// program leaves unchanged for every other program); the value of a set of sites is
// Σ_i w_i·P_i·(min(T, A_i + ΣΔA_i) − min(T, A_i))/1000, the need-weighted unmet seats closed.
// Each term is a concave function of a sum of the sites' contributions, so the value is monotone
// and submodular, and the greedy choice is within 1 − 1/e of the best (Nemhauser, Wolsey and
// Fisher 1978).
type coverProblem struct {
	demand   []float64 // P_i, 0 where unknown
	access   []float64 // A_i, raw, per 1,000; raised as programs are added
	count    []int32   // programs of the series within the catchment; raised likewise
	weight   []float64 // w_i, the need weight
	area     []int32   // the area holding each cell's center
	target   float64
	capacity float64
	sites    int
	// reach gives a site's catchment: its cells and their decay weights.
	reach func(site int) ([]int32, []float64)
}

// pick is one chosen site and what it changes.
type pick struct {
	site                                  int
	gain, unmet, unmetThere, youth, newly float64
	cells                                 []int32
	closed                                []float64 // per cell of cells
	newlyIn                               []bool
}

func (m *Model) coverProblem(base *contentResult, capacity float64, sites []data.CandidateSite) *coverProblem {
	n := len(base.raw)
	cp := &coverProblem{demand: make([]float64, n), access: slices.Clone(base.raw), count: slices.Clone(base.count),
		weight: make([]float64, n), area: m.ac.g.area, target: base.target, capacity: capacity, sites: len(sites)}
	for i := range cp.demand {
		cp.demand[i] = m.ac.g.demandOrZero(i)
		cp.weight[i] = m.needWeight(i)
	}
	cp.reach = func(s int) ([]int32, []float64) {
		cells, costs := m.reachOf(geo.NewSite(sites[s].Location))
		for k, c := range costs {
			costs[k] = m.weight(c)
		}
		return cells, costs
	}
	return cp
}

// unmetTotal is the region's unmet seats against the target.
func (cp *coverProblem) unmetTotal() float64 {
	sum := 0.0
	for i, a := range cp.access {
		sum += cp.demand[i] * math.Max(0, cp.target-a) / 1000
	}
	return sum
}

// evaluate weighs a program at site s against the model as it stands; with detail it keeps what
// each cell gains.
func (cp *coverProblem) evaluate(s int, detail bool) pick {
	pk := pick{site: s}
	cells, weights := cp.reach(s)
	den := 0.0
	for k, i := range cells {
		den += cp.demand[i] * weights[k]
	}
	if den == 0 {
		return pk
	}
	r := 1000 * cp.capacity / den
	if detail {
		pk.cells, pk.closed, pk.newlyIn = cells, make([]float64, len(cells)), make([]bool, len(cells))
	}
	for k, i := range cells {
		p := cp.demand[i]
		if p == 0 {
			continue
		}
		short := math.Max(0, cp.target-cp.access[i])
		closed := p * (short - math.Max(0, short-r*weights[k])) / 1000
		pk.youth += p
		pk.unmetThere += p * short / 1000
		pk.unmet += closed
		pk.gain += cp.weight[i] * closed
		newly := cp.count[i] == 0
		if newly {
			pk.newly += p
		}
		if detail {
			pk.closed[k], pk.newlyIn[k] = closed, newly
		}
	}
	return pk
}

// add puts a program at site s into the model.
func (cp *coverProblem) add(s int) {
	cells, weights := cp.reach(s)
	den := 0.0
	for k, i := range cells {
		den += cp.demand[i] * weights[k]
	}
	for k, i := range cells {
		if den > 0 {
			cp.access[i] += 1000 * cp.capacity * weights[k] / den
		}
		cp.count[i]++
	}
}

// greedy picks up to n sites one at a time, each the site of the greatest need-weighted gain
// given those picked before (ties to the site listed first), and stops early when no site gains.
// Gains only shrink as sites are added (submodularity), so a site's last gain bounds its next
// one: each round re-weighs only the sites whose bound tops the best fresh gain (lazy greedy,
// Minoux 1978), and chooses exactly what weighing every site every round would.
func (cp *coverProblem) greedy(ctx context.Context, n int, progress func(done, total int)) ([]pick, error) {
	h := &gainHeap{items: make([]gainItem, cp.sites)}
	var done atomic.Int64
	err := parallelChunks(ctx, cp.sites, func(lo, hi int) error {
		for s := lo; s < hi; s++ {
			h.items[s] = gainItem{site: s, gain: cp.evaluate(s, false).gain}
		}
		if progress != nil {
			progress(int(done.Add(int64(hi-lo))), cp.sites)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	heap.Init(h)
	var picks []pick
	for len(picks) < n && h.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		top := heap.Pop(h).(gainItem)
		if top.picked < len(picks) {
			// Weighed before the last pick: its gain is only a bound now.
			top.gain, top.picked = cp.evaluate(top.site, false).gain, len(picks)
			heap.Push(h, top)
			continue
		}
		if !(top.gain > 0) {
			break
		}
		picks = append(picks, cp.evaluate(top.site, true))
		cp.add(top.site)
	}
	return picks, nil
}

// gainItem is a site and its gain as last weighed, when picked sites had been chosen.
type gainItem struct {
	site   int
	gain   float64
	picked int
}

// gainHeap orders sites by gain, then by their place in the list.
type gainHeap struct{ items []gainItem }

func (h *gainHeap) Len() int { return len(h.items) }
func (h *gainHeap) Less(a, b int) bool {
	x, y := h.items[a], h.items[b]
	if x.gain != y.gain {
		return x.gain > y.gain
	}
	return x.site < y.site
}
func (h *gainHeap) Swap(a, b int) { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *gainHeap) Push(x any)    { h.items = append(h.items, x.(gainItem)) }
func (h *gainHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// explain turns a pick into a recommendation, with the areas it reaches and a sentence saying why.
func (m *Model) explain(rank int, site data.CandidateSite, pk pick, c data.ContentArea, capacity float64) data.Recommendation {
	rec := data.Recommendation{Rank: rank, Site: site, Lng: site.Location[0], Lat: site.Location[1], YouthInReach: pk.youth,
		NewlyInReach: pk.newly, UnmetInReach: pk.unmetThere, UnmetClosed: pk.unmet, NeedWeightedGain: pk.gain}
	if cell, err := geo.PointCell(site.Location, m.p.Resolution); err == nil {
		rec.H3 = cell.String()
		if i, ok := slices.BinarySearch(m.run.Cells.H3, cell); ok {
			a := m.run.Cells.Area[i]
			rec.Area, rec.AreaName = m.run.Areas[a].ID, labels.AreaTitle(m.ac.areas[a])
		}
	}
	byArea := map[int32]*data.AreaGain{}
	for k, i := range pk.cells {
		if pk.closed[k] == 0 && !pk.newlyIn[k] {
			continue
		}
		a := m.run.Cells.Area[i]
		ag, ok := byArea[a]
		if !ok {
			ar := m.run.Areas[a]
			ag = &data.AreaGain{ID: ar.ID, Name: labels.AreaTitle(m.ac.areas[a]), Need: ar.Need}
			byArea[a] = ag
		}
		ag.UnmetClosed += pk.closed[k]
		if pk.newlyIn[k] {
			ag.NewlyInReach += m.ac.g.demandOrZero(int(i))
		}
	}
	for _, ag := range byArea {
		rec.Areas = append(rec.Areas, *ag)
	}
	sort.Slice(rec.Areas, func(x, y int) bool {
		a, b := rec.Areas[x], rec.Areas[y]
		if a.UnmetClosed != b.UnmetClosed {
			return a.UnmetClosed > b.UnmetClosed
		}
		if a.NewlyInReach != b.NewlyInReach {
			return a.NewlyInReach > b.NewlyInReach
		}
		return a.ID < b.ID
	})
	rec.Reason = m.reason(rec, c, capacity)
	return rec
}

// reason says in one sentence why a site was chosen.
func (m *Model) reason(rec data.Recommendation, c data.ContentArea, capacity float64) string {
	count := labels.Format{Style: labels.StyleCount}
	num := labels.Format{Style: labels.StyleNumber}
	noun := m.ac.noun
	what := strings.ToLower(labels.ContentArea(c.Name))
	if c.Name == data.AllContentAreas {
		what = "STEM"
	}
	setting := strings.ToLower(labels.Setting(c.Setting))
	if c.Setting == data.AllSettings {
		setting = "any"
	}
	s := fmt.Sprintf("A %s-seat %s program here would be within %s %s of %s %s",
		num.Format(capacity), what, num.Format(m.p.Measure.Catchment), m.run.CostUnit, count.Format(rec.YouthInReach), noun)
	if rec.NewlyInReach > 0 {
		s += fmt.Sprintf(", %s of whom have no %s %s program that near today", count.Format(rec.NewlyInReach), setting, what)
	}
	s += fmt.Sprintf("; it would close %s of the %s unmet seats within reach", num.Format(rec.UnmetClosed), num.Format(rec.UnmetInReach))
	var top []string
	for _, a := range rec.Areas {
		if len(top) == 2 || a.UnmetClosed <= 0 {
			break
		}
		name := a.Name
		need := ""
		if !math.IsNaN(a.Need) {
			need = fmt.Sprintf(" (need: %s)", labels.Format{Style: labels.StylePercentile}.Format(a.Need))
		}
		top = append(top, name+need)
	}
	if len(top) > 0 {
		s += ", most of them in " + strings.Join(top, " and ")
	}
	return s + fmt.Sprintf(" — a need-weighted gain of %s.", num.Format(rec.NeedWeightedGain))
}
