package analysis

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// reach holds, for each program, the cells it reaches and the cost to each, in compressed rows:
// program j's cells are cell[start[j]:start[j+1]]. Programs are few and cells many, so
// catchments are driven from the programs.
type reach struct {
	start  []int32
	cell   []int32
	cost   []float64
	weight []float64 // W(cost), filled once by weigh: every content area shares it
}

func (r *reach) of(j int32) ([]int32, []float64) {
	a, b := r.start[j], r.start[j+1]
	return r.cell[a:b], r.cost[a:b]
}

func (r *reach) weighted(j int32) ([]int32, []float64) {
	a, b := r.start[j], r.start[j+1]
	return r.cell[a:b], r.weight[a:b]
}

func (r *reach) weigh(w weightFunc) {
	r.weight = make([]float64, len(r.cost))
	for k, c := range r.cost {
		r.weight[k] = w(c)
	}
}

// travel is how costs between cells and programs are known.
type travel interface {
	// pairs returns every cell–program pair with cost at most limit.
	pairs(ctx context.Context, limit float64) (*reach, error)
	// nearest returns, for every cell, the least cost to any of the given programs and which
	// program that is (+Inf and -1 when none is reachable). rc holds the pairs within the
	// catchment, which settle most cells without a search.
	nearest(programs []int32, rc *reach) ([]float64, []int32)
	// weightSums returns, for the given cells (indexed like the grid; others 0), Σ_j w(c_ij)
	// over the given programs and every pair with a known cost, however far: PySAL's 3SFCA
	// selection weights sum over its whole table.
	weightSums(ctx context.Context, cells, programs []int32, w weightFunc) ([]float64, error)
	unit() string
}

// greatCircle measures haversine km from each cell center to each program.
type greatCircle struct {
	g        *grid
	res      int
	programs []orb.Point
}

func (t *greatCircle) unit() string { return "km" }

// centerOf reads a cell's center from the grid when it is there.
func (t *greatCircle) centerOf(c h3.Cell) (geo.Site, error) {
	if i, ok := t.g.index[c]; ok {
		return t.g.sites[i], nil
	}
	p, err := geo.CellCenter(c)
	return geo.NewSite(p), err
}

func (t *greatCircle) pairs(ctx context.Context, limit float64) (*reach, error) {
	// Each worker fills whole programs; rows are joined in program order so the result does not
	// depend on scheduling.
	type row struct {
		cells []int32
		costs []float64
	}
	rows := make([]row, len(t.programs))
	// The chord test only skips cells surely beyond the limit; the margin keeps rounding from
	// skipping one the haversine would admit.
	chordLimit := geo.ChordSquaredForKm(limit) * (1 + 1e-9)
	err := parallel(ctx, len(t.programs), func(j int) error {
		disk, err := geo.DiskCovering(t.programs[j], limit, t.res, t.centerOf)
		if err != nil {
			return fmt.Errorf("catchment of program %d: %w", j, err)
		}
		site := geo.NewSite(t.programs[j])
		var r row
		for _, c := range disk {
			i, ok := t.g.index[c]
			if !ok {
				continue
			}
			c2 := site.ChordSquared(t.g.sites[i])
			if c2 > chordLimit {
				continue
			}
			if d := geo.KmForChordSquared(c2); d <= limit {
				r.cells = append(r.cells, i)
				r.costs = append(r.costs, d)
			}
		}
		rows[j] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &reach{start: make([]int32, 1, len(rows)+1)}
	for _, r := range rows {
		out.cell = append(out.cell, r.cells...)
		out.cost = append(out.cost, r.costs...)
		out.start = append(out.start, int32(len(out.cell)))
	}
	return out, nil
}

func (t *greatCircle) nearest(programs []int32, rc *reach) ([]float64, []int32) {
	cost, which := nearestWithin(len(t.g.cells), programs, rc)
	var ix *geo.NearestIndex
	k := -1
	for i, site := range t.g.sites {
		if which[i] >= 0 {
			continue
		}
		// No program within the catchment: search them all, exactly, however far.
		if ix == nil {
			pts := make([]orb.Point, len(programs))
			for n, j := range programs {
				pts[n] = t.programs[j]
			}
			ix = geo.NewNearestIndex(pts)
		}
		// Cells are in H3 order, which keeps neighbours together: the last answer is a good guess.
		var d float64
		k, d = ix.NearestSiteFrom(site, k)
		if k >= 0 {
			cost[i], which[i] = d, programs[k]
		}
	}
	return cost, which
}

// weightSums visits every pair of the given cells and programs: without a matrix, the cost table
// is every pair.
func (t *greatCircle) weightSums(ctx context.Context, cells, programs []int32, w weightFunc) ([]float64, error) {
	sites := make([]geo.Site, len(programs))
	for n, j := range programs {
		sites[n] = geo.NewSite(t.programs[j])
	}
	out := make([]float64, len(t.g.cells))
	err := parallelChunks(ctx, len(cells), func(lo, hi int) error {
		for _, i := range cells[lo:hi] {
			sum := 0.0
			for _, s := range sites {
				sum += w(s.DistanceKm(t.g.sites[i]))
			}
			out[i] = sum
		}
		return nil
	})
	return out, err
}

// nearestWithin is the least cost over the given pairs, per cell; on a tie the program listed
// first wins, as in the nearest index.
func nearestWithin(n int, programs []int32, rc *reach) ([]float64, []int32) {
	cost, which := make([]float64, n), make([]int32, n)
	for i := range cost {
		cost[i], which[i] = math.Inf(1), -1
	}
	for _, j := range programs {
		cells, costs := rc.of(j)
		for k, i := range cells {
			if costs[k] < cost[i] {
				cost[i], which[i] = costs[k], j
			}
		}
	}
	return cost, which
}

// matrixCosts uses an origin–destination table, as produced by r5, OSRM or OpenTripPlanner.
type matrixCosts struct {
	g     *grid
	all   *reach // every pair the matrix gives
	costU string
}

func (t *matrixCosts) unit() string { return t.costU }

func (t *matrixCosts) pairs(ctx context.Context, limit float64) (*reach, error) {
	out := &reach{start: make([]int32, 1, len(t.all.start))}
	for j := 0; j+1 < len(t.all.start); j++ {
		cells, costs := t.all.of(int32(j))
		for k, c := range costs {
			if c <= limit {
				out.cell = append(out.cell, cells[k])
				out.cost = append(out.cost, c)
			}
		}
		out.start = append(out.start, int32(len(out.cell)))
	}
	return out, nil
}

func (t *matrixCosts) nearest(programs []int32, _ *reach) ([]float64, []int32) {
	// The catchment's pairs are not enough here: the matrix may reach farther.
	return nearestWithin(len(t.g.cells), programs, t.all)
}

// weightSums sums over every pair the matrix lists, for every cell: that is cheap.
func (t *matrixCosts) weightSums(_ context.Context, _, programs []int32, w weightFunc) ([]float64, error) {
	out := make([]float64, len(t.g.cells))
	for _, j := range programs {
		cells, costs := t.all.of(j)
		for k, i := range cells {
			out[i] += w(costs[k])
		}
	}
	return out, nil
}

// matrixTravel joins the matrix to the grid and programs. Origins are all area ids or all H3
// cells at the run's resolution; rows naming unknown origins or programs are skipped and counted.
func matrixTravel(m *data.CostMatrix, g *grid, areaIndex map[string]int32, programIndex map[string]int32, nPrograms, res int) (*matrixCosts, []string, error) {
	type pair struct{ cell, program int32 }
	seen := map[pair]int{}
	perProgram := make([][]struct {
		cell int32
		cost float64
	}, nPrograms)
	var byArea, byCell, unknownOrigin, unknownProgram int
	for _, r := range m.Rows {
		j, ok := programIndex[r.Program]
		if !ok {
			unknownProgram++
			continue
		}
		var cells []int32
		if a, ok := areaIndex[r.Origin]; ok {
			byArea++
			cells = g.areaCells[a]
		} else if c := h3.Cell(h3.IndexFromString(r.Origin)); c.IsValid() {
			byCell++
			if c.Resolution() != res {
				return nil, nil, &data.InputError{File: m.File, Ref: fmt.Sprintf("line %d", r.Line), Reason: fmt.Sprintf("origin cell %s is at H3 resolution %d; the run uses %d", r.Origin, c.Resolution(), res)}
			}
			if i, ok := g.index[c]; ok {
				cells = []int32{i}
			}
		} else {
			unknownOrigin++
			continue
		}
		if byArea > 0 && byCell > 0 {
			return nil, nil, &data.InputError{File: m.File, Ref: fmt.Sprintf("line %d", r.Line), Reason: "origins mix area ids and H3 cells; use one kind"}
		}
		for _, i := range cells {
			k := pair{i, j}
			if prev, dup := seen[k]; dup {
				return nil, nil, &data.InputError{File: m.File, Ref: fmt.Sprintf("line %d", r.Line), Reason: fmt.Sprintf("origin %s and program %s repeat line %d", r.Origin, r.Program, prev)}
			}
			seen[k] = r.Line
			perProgram[j] = append(perProgram[j], struct {
				cell int32
				cost float64
			}{i, r.Cost})
		}
	}
	all := &reach{start: make([]int32, 1, nPrograms+1)}
	for _, rows := range perProgram {
		for _, r := range rows {
			all.cell = append(all.cell, r.cell)
			all.cost = append(all.cost, r.cost)
		}
		all.start = append(all.start, int32(len(all.cell)))
	}
	var notes []string
	if unknownOrigin > 0 || unknownProgram > 0 {
		notes = append(notes, fmt.Sprintf("cost matrix %s: %d rows name an origin and %d a program not in this run; they were skipped", m.File, unknownOrigin, unknownProgram))
	}
	return &matrixCosts{g: g, all: all, costU: m.Unit}, notes, nil
}

// parallelChunks runs fn over 0…n-1 in chunks on every core, for work too fine to hand out one
// item at a time.
func parallelChunks(ctx context.Context, n int, fn func(lo, hi int) error) error {
	const chunk = 4096
	return parallel(ctx, (n+chunk-1)/chunk, func(c int) error {
		return fn(c*chunk, min((c+1)*chunk, n))
	})
}

// parallel runs fn for 0…n-1 on every core and returns the first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		next     int
		firstErr error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := firstErr != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := ctx.Err(); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
