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

// travel is how costs between a partition's cells and the programs are known.
type travel interface {
	// nearest returns, for every cell of the partition, the least cost to any program of the set
	// and which program that is (+Inf and -1 when none is reachable). rc holds the pairs within
	// the catchment, which settle most cells without a search.
	nearest(set *programSet, rc *reach) ([]float64, []int32)
	// weightSums returns, for the given cells (indexed like the grid; others 0), Σ_j w(c_ij)
	// over the given programs and every pair with a known cost, however far: PySAL's 3SFCA
	// selection weights sum over its whole table.
	weightSums(ctx context.Context, cells, programs []int32, w weightFunc) ([]float64, error)
	unit() string
}

// greatCircle measures haversine km from each cell center to each program.
type greatCircle struct {
	g            *grid // the partition's cells and its halo
	ownLo, ownHi int   // where its own cells lie in g
	blockRes     int
	programs     []orb.Point
}

func (t *greatCircle) unit() string { return "km" }

// nearest is exact for the partition's own cells, however far the program; its halo cells are
// only there for the programs' ratios and get none.
func (t *greatCircle) nearest(set *programSet, rc *reach) ([]float64, []int32) {
	cost, which := nearestWithin(len(t.g.cells), set.programs, rc)
	nearestInBlocks(t.g, t.ownLo, t.ownHi, t.blockRes, set, cost, which)
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

func (t *matrixCosts) pairs(limit float64) *reach {
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
	return out
}

func (t *matrixCosts) nearest(set *programSet, _ *reach) ([]float64, []int32) {
	// The catchment's pairs are not enough here: the matrix may reach farther.
	return nearestWithin(len(t.g.cells), set.programs, t.all)
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
			if i := g.find(c); i >= 0 {
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
