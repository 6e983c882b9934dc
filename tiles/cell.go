package tiles

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/data/labels"
)

// CellFigures are one cell's figures exactly as the cells layer carries them at the cell's
// resolution; NaN where the tile has no such property.
type CellFigures struct {
	Cell h3.Cell
	Res  int
	// Demand, Access, Unmet, Gap and Desert (the share of demand in desert cells) exist only
	// where the cell has a demand figure.
	Demand, Access, Nearest, Count, Need, Unmet, Gap, Desert float64
	NoData                                                   bool
	// Overstated: a program reaching the cell (one of its children with data) also reaches
	// cells with no demand figure, so its seats are shared among too few. Recorded says whether
	// the run records it at all.
	Overstated, Recorded bool
	// Area is the row in Areas() of the tract holding the cell's center child at the run's
	// resolution; -1 when that child is not in the run.
	Area int
}

// figuresOf is row i of a level as the tile draws it.
func figuresOf(lv *level, m *levelMeasures, i int) CellFigures {
	f := CellFigures{Cell: lv.cells[i], Res: lv.res, Area: -1, Nearest: finite(m.nearest[i]),
		// A parent's count is the demand-weighted mean of its children's: rounded, it reads as
		// the number of programs a typical young person there can reach.
		Count: finite(math.Round(m.count[i])), Need: finite(lv.need[i]),
		Demand: math.NaN(), Access: math.NaN(), Unmet: math.NaN(), Gap: math.NaN(), Desert: math.NaN()}
	f.Recorded = m.overstated != nil
	if math.IsNaN(lv.demand[i]) {
		f.NoData = true
		return f
	}
	f.Demand, f.Access, f.Unmet, f.Gap, f.Desert = finite(lv.demand[i]), finite(m.access[i]), finite(m.unmet[i]), finite(m.gap[i]), finite(m.desertShare[i])
	f.Overstated = f.Recorded && m.overstated[i]
	return f
}

// finite is v, or NaN for ±Inf: a figure a tile leaves out.
func finite(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// Resolutions gives the H3 resolution the cells layer draws at each zoom, 0 to MaxZoom.
func (s *Set) Resolutions() []int { return slices.Clone(s.resolutions) }

// CellsMinZoom is the first zoom from which the cells layer's hexagons are at least
// minReadableCellPx across at the run's latitude; below it they are specks, and the map shows
// tracts.
func (s *Set) CellsMinZoom() int { return s.cellsMinZoom }

// Cell gives one cell's figures for a series at the cell's own resolution, which must be one the
// cells layer draws: aggregated exactly as the tiles aggregate it.
func (s *Set) Cell(ctx context.Context, setting, content string, cell h3.Cell) (CellFigures, error) {
	k, _, err := s.seriesOf(setting, content)
	if err != nil {
		return CellFigures{}, err
	}
	res := cell.Resolution()
	if !slices.Contains(s.resolutions, res) {
		return CellFigures{}, fmt.Errorf("%w: cell %s is at H3 resolution %d; the map draws resolutions %d–%d for this run",
			ErrBadCell, cell, res, minCellResolution, s.info.Resolution)
	}
	part, err := data.PartitionOf(cell)
	if err != nil {
		return CellFigures{}, fmt.Errorf("%w: %v", ErrBadCell, err)
	}
	pieces, unit := s.pieces(res)
	for p := range pieces {
		if pieces[p].key != part {
			continue
		}
		lv, m, err := s.measures(ctx, unit, p, res, k)
		if err != nil {
			return CellFigures{}, err
		}
		rows := lv.rowsOf([]h3.Cell{cell}, true)
		if len(rows) == 0 {
			continue
		}
		f := figuresOf(lv, m, rows[0])
		base, err := s.base(ctx, unit, p)
		if err != nil {
			return CellFigures{}, err
		}
		f.Area = s.areaOf(base, cell)
		return f, nil
	}
	return CellFigures{}, fmt.Errorf("%w: %s (run %s)", ErrNoCell, cell, s.info.ID)
}

// areaOf is the run's area holding a cell's center child at the run's resolution, or -1.
func (s *Set) areaOf(base *baseCells, cell h3.Cell) int {
	child, err := cell.CenterChild(s.info.Resolution)
	if err != nil {
		return -1
	}
	for i, c := range base.cells {
		if c == child {
			return int(base.area[i])
		}
	}
	return -1
}

// AreaTitle names a run's area (a row of Areas()) as reports do: "Census Tract 1011, St. Louis
// city, MO"; by its id and name alone when the run's inputs cannot be read.
func (s *Set) AreaTitle(i int) string {
	results := s.tables.Areas()
	a := data.Area{ID: results[i].ID, Name: results[i].Name}
	sh, err := s.shapes()
	if err != nil {
		return labels.AreaTitle(a)
	}
	for _, stored := range sh.storedAreas {
		if stored.ID == a.ID {
			a = stored
			break
		}
	}
	return labels.AreaTitle(a)
}
