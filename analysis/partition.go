package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// DefaultPartitionResolution is the H3 resolution of the parents the analysis partitions cells by
// when Options do not say: the h3_r3 shard key of the PostGIS tables.
const DefaultPartitionResolution = 3

// wholeRegionCells is the most cells a region may have to be measured as one partition when
// Options do not say. A partition's halo adds about half its cells again at resolution 3 (46% on
// St. Louis), so a region of a few hundred thousand cells is measured faster and in less memory
// at once (St. Louis: 6.7 s of CPU against 8.8 s for two runs, 241 MB against 300–370 MB); past
// this, partitions keep memory bounded by the largest of them.
const wholeRegionCells = 1 << 19

// partition is a run of the region's sorted cells that share one H3 parent. H3 indexes order
// cells digit by digit, so the children of a parent are contiguous in the sorted grid.
type partition struct {
	parent h3.Cell
	lo, hi int      // its cells are the region's cells[lo:hi]
	center geo.Site // the parent's center
	radius float64  // km from center to the farthest of its cells
}

// partitionsOf splits the region's cells by their parent at res (clamped to the cells' own
// resolution).
func partitionsOf(g *grid, res int) ([]partition, error) {
	if len(g.cells) == 0 {
		return nil, nil
	}
	res = min(res, g.cells[0].Resolution())
	var parts []partition
	for lo := 0; lo < len(g.cells); {
		key := parentKey(g.cells[lo], res)
		hi := lo + 1
		for hi < len(g.cells) && parentKey(g.cells[hi], res) == key {
			hi++
		}
		parent, err := g.cells[lo].Parent(res)
		if err != nil {
			return nil, fmt.Errorf("parent of cell %s: %w", g.cells[lo], err)
		}
		center, err := geo.CellCenter(parent)
		if err != nil {
			return nil, err
		}
		p := partition{parent: parent, lo: lo, hi: hi, center: geo.NewSite(center)}
		p.radius = farthest(p.center, g.sites[lo:hi])
		parts = append(parts, p)
		lo = hi
	}
	return parts, nil
}

// farthest is the distance in km from center to the farthest of the points.
func farthest(center geo.Site, sites []geo.Site) float64 {
	c2 := 0.0
	for _, s := range sites {
		c2 = math.Max(c2, center.ChordSquared(s))
	}
	return geo.KmForChordSquared(c2)
}

// parentKey is equal for cells of one resolution exactly when they share their parent at res:
// an H3 index holds its resolution-r digit in bits 3·(15−r) and up, after mode, resolution and
// base cell.
func parentKey(c h3.Cell, res int) uint64 { return uint64(c) >> (3 * (15 - res)) }

// slack widens a distance bound by far more than the rounding of the distances it compares, so
// that no pair the exact test admits is dropped by a filter before it.
func slack(km float64) float64 { return km*(1+1e-9) + 1e-9 }

// partitionGrid gathers what one partition is measured on: its own cells and its halo — the
// cells of other partitions that some program reaching the partition also reaches — in the
// region's order, and every pair of these cells and programs within the catchment. A program's
// ratio R_j rests on every cell within the catchment of it, so a partition holding its own cells
// and that halo (cells within two catchments of it: a two-halo design) computes the same access
// for its own cells as the whole region would; and since each program lists its cells in the
// region's order, it adds them up in the same order, to the same bits. The halo cells' own pairs
// are complete too, so 3SFCA's selection weights of the halo cells are right.
type partitionGrid struct {
	region     *grid
	parts      []partition
	k          int // the partition measured
	programs   *geo.NearestIndex
	limit      float64 // the catchment
	chordLimit float64 // its ChordSquared
	blockRes   int     // cells sharing a parent at this resolution are searched together
}

// build returns the partition's grid, where its own cells lie in it, and the pairs.
func (pg *partitionGrid) build(ctx context.Context, nPrograms int) (g *grid, ownLo, ownHi int, rc *reach, err error) {
	part := pg.parts[pg.k]
	// Halo cells lie within two catchments of an own cell; programs reaching them within three.
	candidates := pg.programs.Within(part.center, part.radius+3*pg.limit, nil)
	own := pg.cellsOf(part.lo, part.hi, func(geo.Site) bool { return true })
	// Programs within the catchment of an own block's reach: all that reach an own cell, and a
	// few more, which only widens the halo.
	reachesOwn := make([]bool, nPrograms)
	pg.eachBlock(own, 0, len(own.cells), candidates, func(_, _ int, block []int32) {
		for _, j := range block {
			reachesOwn[j] = true
		}
	})
	haloKm := slack(part.radius + 2*pg.limit)
	g = &grid{}
	for q, other := range pg.parts {
		if q == pg.k {
			ownLo = len(g.cells)
			g.append(own, 0, len(own.cells))
			ownHi = len(g.cells)
			continue
		}
		if part.center.DistanceKm(other.center) > haloKm+slack(other.radius) {
			continue
		}
		haloC2 := geo.ChordSquaredForKm(haloKm)
		near := pg.cellsOf(other.lo, other.hi, func(s geo.Site) bool { return part.center.ChordSquared(s) <= haloC2 })
		pg.eachBlock(near, 0, len(near.cells), candidates, func(lo, hi int, block []int32) {
			for i := lo; i < hi; i++ {
				for _, j := range block {
					if !reachesOwn[j] {
						continue
					}
					if pg.reaches(near.sites[i], j) {
						g.append(near, i, i+1)
						break
					}
				}
			}
		})
	}
	rc, err = pg.pairs(ctx, g, candidates, nPrograms)
	return g, ownLo, ownHi, rc, err
}

// cellsOf gathers the region's cells lo…hi-1 whose sites pass keep, with sites and demand.
func (pg *partitionGrid) cellsOf(lo, hi int, keep func(geo.Site) bool) *grid {
	g := &grid{}
	for i := lo; i < hi; i++ {
		if s := pg.region.sites[i]; keep(s) {
			g.cells = append(g.cells, pg.region.cells[i])
			g.sites = append(g.sites, s)
			g.demand = append(g.demand, pg.region.demand[i])
		}
	}
	return g
}

// append adds cells lo…hi-1 of another partition grid.
func (g *grid) append(from *grid, lo, hi int) {
	g.cells = append(g.cells, from.cells[lo:hi]...)
	g.sites = append(g.sites, from.sites[lo:hi]...)
	g.demand = append(g.demand, from.demand[lo:hi]...)
}

// eachBlock calls fn for every run of g's cells from…to-1 that share a block parent, with the
// candidate programs (ascending) that may lie within the catchment of one of them: those within
// the catchment of the block's reach from its first cell.
func (pg *partitionGrid) eachBlock(g *grid, from, to int, candidates []int32, fn func(lo, hi int, block []int32)) {
	var block []int32
	for lo := from; lo < to; {
		key := parentKey(g.cells[lo], pg.blockRes)
		hi := lo + 1
		for hi < to && parentKey(g.cells[hi], pg.blockRes) == key {
			hi++
		}
		center, farC2 := g.sites[lo], 0.0
		for _, s := range g.sites[lo+1 : hi] {
			farC2 = math.Max(farC2, center.ChordSquared(s))
		}
		block = block[:0]
		reach := geo.ChordSquaredForKm(slack(geo.KmForChordSquared(farC2) + pg.limit))
		for _, j := range candidates {
			if center.ChordSquared(pg.programs.Site(int(j))) <= reach {
				block = append(block, j)
			}
		}
		fn(lo, hi, block)
		lo = hi
	}
}

// inside reports whether program j lies within the catchment of a cell, and at what distance.
// The chord test settles all but the pairs within rounding of the limit without trigonometry;
// those, and every pair inside, get the haversine distance, which decides.
func (pg *partitionGrid) inside(site geo.Site, j int32) (float64, bool) {
	c2 := site.ChordSquared(pg.programs.Site(int(j)))
	if c2 > pg.chordLimit*(1+1e-9) {
		return 0, false
	}
	d := geo.KmForChordSquared(c2)
	return d, d <= pg.limit
}

// reaches is inside without the distance: only pairs within rounding of the limit need it.
func (pg *partitionGrid) reaches(site geo.Site, j int32) bool {
	c2 := site.ChordSquared(pg.programs.Site(int(j)))
	switch {
	case c2 > pg.chordLimit*(1+1e-9):
		return false
	case c2 < pg.chordLimit*(1-1e-9):
		return true
	}
	return geo.KmForChordSquared(c2) <= pg.limit
}

// pairs lists, for every program, the cells of g within its catchment, in g's order, counting
// them first so that each list is written once in place.
func (pg *partitionGrid) pairs(ctx context.Context, g *grid, candidates []int32, nPrograms int) (*reach, error) {
	// Runs of whole blocks on every core: chunk c's pairs follow chunk c−1's in each program's
	// list, so the lists are in g's order whatever finishes first.
	bounds := []int{0}
	for step := max(len(g.cells)/(4*runtime.GOMAXPROCS(0)), 1024); bounds[len(bounds)-1] < len(g.cells); {
		end := min(bounds[len(bounds)-1]+step, len(g.cells))
		for end < len(g.cells) && parentKey(g.cells[end], pg.blockRes) == parentKey(g.cells[end-1], pg.blockRes) {
			end++
		}
		bounds = append(bounds, end)
	}
	chunks := len(bounds) - 1
	next := make([][]int32, chunks) // counts, then where chunk c writes each program's next pair
	err := parallel(ctx, chunks, func(c int) error {
		count := make([]int32, nPrograms)
		pg.eachBlock(g, bounds[c], bounds[c+1], candidates, func(lo, hi int, block []int32) {
			for i := lo; i < hi; i++ {
				for _, j := range block {
					if pg.reaches(g.sites[i], j) {
						count[j]++
					}
				}
			}
		})
		next[c] = count
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := &reach{start: make([]int32, nPrograms+1)}
	for j := 0; j < nPrograms; j++ {
		at := r.start[j]
		for c := range next {
			at, next[c][j] = at+next[c][j], at
		}
		r.start[j+1] = at
	}
	r.cell, r.cost = make([]int32, r.start[nPrograms]), make([]float64, r.start[nPrograms])
	err = parallel(ctx, chunks, func(c int) error {
		at := next[c]
		pg.eachBlock(g, bounds[c], bounds[c+1], candidates, func(lo, hi int, block []int32) {
			for i := lo; i < hi; i++ {
				for _, j := range block {
					if d, in := pg.inside(g.sites[i], j); in {
						r.cell[at[j]], r.cost[at[j]] = int32(i), d
						at[j]++
					}
				}
			}
		})
		return nil
	})
	return r, err
}

// blockResolution groups a few hundred cells (three resolutions up) for the program searches.
func blockResolution(res int) int { return max(0, res-3) }

// programSet is the programs of one or more series: series with the same programs (a content
// area all of whose programs are out of school, say) share their work and their columns.
type programSet struct {
	rep      *contentResult // the series measured for the set
	programs []int32
	index    *geo.NearestIndex // over the set's programs, for the exact nearest search
	// The set's area rollups, once rolled up.
	areas   []data.AreaMeasures
	tallies []areaTally
	// sums gathers the set's figures per area as its cells are scored, for the rollups.
	sums []areaSums
}

// shareProgramSets gives every series its program set, one per distinct list of programs, and
// returns the series that stand for each set.
func shareProgramSets(series []*contentResult, locations func(programs []int32) *geo.NearestIndex) []*contentResult {
	var reps []*contentResult
	for _, cr := range series {
		for _, r := range reps {
			if slices.Equal(r.programs, cr.programs) {
				cr.set = r.set
				break
			}
		}
		if cr.set == nil {
			cr.set = &programSet{rep: cr, programs: cr.programs, index: locations(cr.programs)}
			reps = append(reps, cr)
		}
	}
	return reps
}

// nearestInBlocks finds, for the cells g[ownLo:ownHi] that no program reaches within the catchment
// (which[i] < 0), the nearest program of the set exactly, however far. Cells sharing a block
// parent are near one another: the nearest program to any of them lies within d* + 2r of the
// block's first cell, where d* is that cell's nearest distance and r the block's radius
// (triangle inequality), so each cell compares only those candidates. Ties go to the program
// listed first, as in the nearest index.
func nearestInBlocks(g *grid, ownLo, ownHi, blockRes int, set *programSet, cost []float64, which []int32) {
	ix := set.index
	if ix.Len() == 0 {
		return
	}
	var open, candidates []int32
	for lo := ownLo; lo < ownHi; {
		key := parentKey(g.cells[lo], blockRes)
		hi := lo + 1
		for hi < ownHi && parentKey(g.cells[hi], blockRes) == key {
			hi++
		}
		open = open[:0]
		for i := lo; i < hi; i++ {
			if which[i] < 0 {
				open = append(open, int32(i))
			}
		}
		lo = hi
		if len(open) == 0 {
			continue
		}
		center, farC2 := g.sites[open[0]], 0.0
		for _, i := range open[1:] {
			farC2 = math.Max(farC2, center.ChordSquared(g.sites[i]))
		}
		radius := geo.KmForChordSquared(farC2)
		_, dStar := ix.NearestSite(center)
		candidates = ix.Within(center, slack(dStar+2*radius), candidates[:0])
		for _, i := range open {
			site := g.sites[i]
			best, bestC2 := int32(-1), math.Inf(1)
			for _, k := range candidates {
				if c2 := site.ChordSquared(ix.Site(int(k))); c2 < bestC2 {
					best, bestC2 = k, c2
				}
			}
			cost[i], which[i] = geo.KmForChordSquared(bestC2), set.programs[best]
		}
	}
}

// measurer measures every program set on every partition of the region.
type measurer struct {
	p         Params
	region    *grid
	parts     []partition
	locations []orb.Point
	programs  *geo.NearestIndex // every program
	supply    []float64
	matrix    *matrixCosts // nil: great-circle km
	sets      []*contentResult
}

// partitions splits the region. RAAM moves demand between programs across the whole region at
// every step, and a cost matrix has no distance to bound a halo by, so both measure the region
// as one partition; so does a negative resolution, and with none given, a small region.
func (m *measurer) partitions(res int) ([]partition, error) {
	n := len(m.region.cells)
	if res < 0 || res == 0 && n <= wholeRegionCells || m.matrix != nil || m.p.Measure.Kind == MeasureRAAM || n == 0 {
		whole := partition{lo: 0, hi: len(m.region.cells)}
		if len(m.region.cells) > 0 {
			whole.center = m.region.sites[0]
			whole.radius = farthest(whole.center, m.region.sites)
		}
		return []partition{whole}, nil
	}
	if res == 0 {
		res = DefaultPartitionResolution
	}
	return partitionsOf(m.region, res)
}

// measured is one partition's figures for its own cells, per program set in the run's order.
type measured struct {
	nearest [][]float64
	count   [][]int32
	raw     [][]float64
	// reachUnknown lists the programs reaching one of its cells that has no demand figure.
	reachUnknown []int32
	// overstated flags, per program set, the own cells with a demand figure reached by one of
	// the set's programs that also reaches a cell with none (nil where access shares no seats).
	overstated [][]bool
}

// measure measures the partitions listed (indices into parts), in parallel, the largest first,
// and hands each result to keep, one at a time.
func (m *measurer) measure(ctx context.Context, which []int, keep func(k int, r *measured)) error {
	order := slices.Clone(which)
	size := func(k int) int { return m.parts[k].hi - m.parts[k].lo }
	slices.SortStableFunc(order, func(a, b int) int { return size(b) - size(a) })
	var mu sync.Mutex
	return parallel(ctx, len(order), func(o int) error {
		r, err := m.measurePartition(ctx, order[o])
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		keep(order[o], r)
		return nil
	})
}

// measureAll measures every partition into ms. It returns how many programs reach a cell
// without a demand figure.
func (m *measurer) measureAll(ctx context.Context, ms *measurements, done func(int)) (int, error) {
	all := make([]int, len(m.parts))
	for k := range all {
		all[k] = k
	}
	unknown := map[int32]bool{}
	finished := 0
	var putErr error
	err := m.measure(ctx, all, func(k int, r *measured) {
		if putErr == nil {
			putErr = ms.put(k, r)
		}
		for _, j := range r.reachUnknown {
			unknown[j] = true
		}
		finished++
		done(finished)
	})
	return len(unknown), errors.Join(err, putErr)
}

// measurePartition measures every set on partition k.
func (m *measurer) measurePartition(ctx context.Context, k int) (*measured, error) {
	var (
		g            *grid
		ownLo, ownHi int
		tr           travel
		rc           *reach
	)
	if m.matrix != nil {
		g, ownLo, ownHi, tr, rc = m.region, 0, len(m.region.cells), m.matrix, m.matrix.pairs(m.p.Measure.Catchment)
	} else {
		pg := &partitionGrid{region: m.region, parts: m.parts, k: k, programs: m.programs, limit: m.p.Measure.Catchment,
			chordLimit: geo.ChordSquaredForKm(m.p.Measure.Catchment), blockRes: blockResolution(m.p.Resolution)}
		var err error
		if g, ownLo, ownHi, rc, err = pg.build(ctx, len(m.supply)); err != nil {
			return nil, err
		}
		tr = &greatCircle{g: g, ownLo: ownLo, ownHi: ownHi, blockRes: pg.blockRes, programs: m.locations}
	}
	rc.weigh(decayWeight(m.p.Measure))
	r := &measured{nearest: make([][]float64, len(m.sets)), count: make([][]int32, len(m.sets)), raw: make([][]float64, len(m.sets)),
		overstated: make([][]bool, len(m.sets))}
	// reachesUnknown marks the programs reaching any cell without a demand figure, the halo's
	// too: a program's catchment lies wholly in the partition's grid, or its ratio would be wrong.
	reachesUnknown := make([]bool, len(rc.start)-1)
	for j := 0; j+1 < len(rc.start); j++ {
		cells, _ := rc.of(int32(j))
		own := false
		for _, i := range cells {
			if !g.known(int(i)) {
				reachesUnknown[j] = true
				if int(i) >= ownLo && int(i) < ownHi {
					own = true
					break
				}
			}
		}
		if own {
			r.reachUnknown = append(r.reachUnknown, int32(j))
		}
	}
	// Sets in parallel too: a region of few partitions keeps every core busy.
	err := parallel(ctx, len(m.sets), func(s int) error {
		cr := m.sets[s]
		nearest, which := tr.nearest(cr.set, rc)
		in := &accessInputs{g: g, reach: rc, programs: cr.programs, supply: m.supply}
		count := in.counts()
		var raw []float64
		switch m.p.Measure.Kind {
		case MeasureNearest:
			raw = nearest
		case MeasureCumulative:
			raw = cumulative(in)
		case Measure3SFCA:
			var err error
			if raw, err = threeStep(ctx, in, m.p.Measure, tr); err != nil {
				return err
			}
		case MeasureRAAM:
			var err error
			if raw, err = raam(ctx, in, m.p.Measure, which, nearest); err != nil {
				return err
			}
		default:
			raw = twoStep(in)
		}
		r.overstated[s] = overstated(g, rc, cr.programs, reachesUnknown, ownLo, ownHi, sharesSeats(m.p.Measure.Kind))
		// Only the own cells' figures are kept; the halo's are some other partition's.
		r.nearest[s], r.count[s], r.raw[s] = nearest[ownLo:ownHi], count[ownLo:ownHi], raw[ownLo:ownHi]
		if ownHi-ownLo < len(g.cells)/2 { // let the halo's memory go
			r.nearest[s], r.count[s], r.raw[s] = slices.Clone(r.nearest[s]), slices.Clone(r.count[s]), slices.Clone(r.raw[s])
		}
		return nil
	})
	return r, err
}

// sharesSeats reports whether a measure divides programs' seats among the demand they reach —
// every floating catchment, gravity and RAAM — so that demand left unknown overstates access.
// Distance to the nearest program and seats within reach count no demand.
func sharesSeats(kind string) bool { return kind != MeasureNearest && kind != MeasureCumulative }

// overstated flags the own cells (ownLo to ownHi of the grid) with a demand figure that one of
// the programs reaches which also reaches a cell without one: its seats are shared among the
// demand that is known alone, so access there is overstated. All false when the measure shares
// no seats.
func overstated(g *grid, rc *reach, programs []int32, reachesUnknown []bool, ownLo, ownHi int, shares bool) []bool {
	out := make([]bool, ownHi-ownLo)
	if !shares {
		return out
	}
	for _, j := range programs {
		if !reachesUnknown[j] {
			continue
		}
		cells, _ := rc.of(j)
		for _, i := range cells {
			if int(i) >= ownLo && int(i) < ownHi && g.known(int(i)) {
				out[int(i)-ownLo] = true
			}
		}
	}
	return out
}
