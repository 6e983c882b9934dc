package analysis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

// grid is the set of H3 cells the analysis scores: every cell whose center falls inside an
// area, plus the interior-point cell of each area too small to hold a center.
//
// The region's grid holds every cell, sorted, with centers, areas and areaCells; a partition's
// grid (partition.go) holds its own cells and its halo, with sites and demand only. Sites are
// the centers placed on the sphere once, for the many distances measured from them.
type grid struct {
	cells   []h3.Cell // sorted (a partition's halo follows its own cells)
	centers []orb.Point
	sites   []geo.Site
	demand  []float64 // NaN where no contributing area has a figure
	area    []int32   // the area whose allocation the cell received first (its center's area)
	// areaCells lists, per area, the cells that share its demand.
	areaCells [][]int32
}

// allocation is one area's share of demand in one cell.
type allocation struct {
	cell h3.Cell
	area int32
}

// buildGrid allocates each area's demand equally to the cells whose centers it holds; an area
// holding no center gives its demand to the cell of its interior point. areaDemand is NaN for
// areas without a figure. The sum of cell demand equals the sum of area demand.
func buildGrid(ctx context.Context, areas []data.Area, areaDemand []float64, res int) (*grid, error) {
	perArea := make([][]h3.Cell, len(areas))
	err := parallel(ctx, len(areas), func(a int) error {
		cells, err := areaCells(areas[a], res)
		perArea[a] = cells
		return err
	})
	if err != nil {
		return nil, err
	}
	var allocs []allocation
	for a, cells := range perArea {
		for _, c := range cells {
			allocs = append(allocs, allocation{cell: c, area: int32(a)})
		}
	}
	slices.SortStableFunc(allocs, func(x, y allocation) int { return cmp.Compare(x.cell, y.cell) })

	// Allocations sorted by cell, then area: each cell's shares add up in area order.
	g := &grid{areaCells: make([][]int32, len(areas))}
	for k, al := range allocs {
		if k == 0 || al.cell != allocs[k-1].cell {
			g.cells = append(g.cells, al.cell)
			g.area = append(g.area, al.area)
		}
	}
	n := len(g.cells)
	g.centers = make([]orb.Point, n)
	g.sites = make([]geo.Site, n)
	g.demand = make([]float64, n)
	err = parallelChunks(ctx, n, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			p, err := geo.CellCenter(g.cells[i])
			if err != nil {
				return err
			}
			g.centers[i], g.sites[i] = p, geo.NewSite(p)
			g.demand[i] = math.NaN()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	i := int32(-1)
	for k, al := range allocs {
		if k == 0 || al.cell != allocs[k-1].cell {
			i++
		}
		g.areaCells[al.area] = append(g.areaCells[al.area], i)
		share := areaDemand[al.area] / float64(len(perArea[al.area]))
		if math.IsNaN(share) {
			continue
		}
		if math.IsNaN(g.demand[i]) {
			g.demand[i] = 0
		}
		g.demand[i] += share
	}
	return g, nil
}

// areaCells are the cells holding an area's demand: those whose centers it holds, or the cell of
// its interior point when it holds none.
func areaCells(area data.Area, res int) ([]h3.Cell, error) {
	cells, err := geo.PolygonCells(area.Geometry, res)
	if err != nil {
		return nil, fmt.Errorf("area %s: %w", area.ID, err)
	}
	if len(cells) > 0 {
		return cells, nil
	}
	p, ok := geo.InteriorPoint(area.Geometry)
	if !ok {
		return nil, fmt.Errorf("area %s: no interior point (degenerate polygon)", area.ID)
	}
	c, err := geo.PointCell(p, res)
	if err != nil {
		return nil, fmt.Errorf("area %s: %w", area.ID, err)
	}
	return []h3.Cell{c}, nil
}

// find returns the index of cell c, or -1 when the grid does not hold it.
func (g *grid) find(c h3.Cell) int32 {
	i, ok := slices.BinarySearch(g.cells, c)
	if !ok {
		return -1
	}
	return int32(i)
}

// known reports whether cell i has a demand figure.
func (g *grid) known(i int) bool { return !math.IsNaN(g.demand[i]) }

// demandOrZero is the cell's demand, counting no data as no one: used where programs share their
// seats, so a program's ratio rests on the demand that is known (METHOD.md says so).
func (g *grid) demandOrZero(i int) float64 {
	if math.IsNaN(g.demand[i]) {
		return 0
	}
	return g.demand[i]
}
