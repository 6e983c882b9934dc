package export

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/geo"
)

// Layers that export.
const (
	LayerCells    = "cells"
	LayerTracts   = "tracts"
	LayerPrograms = "programs"
	LayerEquity   = "equity" // a table without geometry: CSV only
)

// column is one exported field.
type column struct {
	name        string
	datatype    string // CSVW datatype: string, double, integer, boolean
	description string
}

// table is a layer laid out for export: named columns, typed values per row, and each row's
// geometry for GeoJSON.
type table struct {
	title    string
	columns  []column
	rows     int
	value    func(row, col int) any // string, float64 (NaN: no data), int, bool, nil (no data)
	geometry func(row int) (orb.Geometry, error)
	// next, for a layer too big to hold at once (the cells, a block at a time), loads the
	// following part into rows, value and geometry, and says false after the last.
	next func() (bool, error)
}

// each calls fn for every row, part after part.
func (t *table) each(fn func(row int) error) error {
	for {
		for row := 0; row < t.rows; row++ {
			if err := fn(row); err != nil {
				return err
			}
		}
		if t.next == nil {
			return nil
		}
		more, err := t.next()
		if err != nil || !more {
			return err
		}
	}
}

// Selection says which content areas to export; empty means all.
type Selection []string

// indexes finds the selected content areas' series within a setting group.
func (s Selection) indexes(r *data.RunInfo, setting string) ([]int, error) {
	names := []string(s)
	if len(names) == 0 {
		names = r.ContentNames()
	}
	var out []int
	for _, name := range names {
		k, err := r.CheckSeries(setting, name)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// nearestName is the nearest-cost column stem: nearest_km for great-circle runs.
func nearestName(r *data.RunInfo) string { return "nearest_" + r.CostUnit }

// cellsTable lays out the cells: h3, lat, lng, youth, then for each content area nearest,
// count, access, gap and desert — the columns other tools read — then area, need and urban, and
// unmet seats per content area. It reads the run a block at a time, with the selected series
// only, so an export's memory follows a block, not the region.
func cellsTable(ctx context.Context, run data.RunTables, setting string, sel Selection) (*table, error) {
	info := run.Info()
	ks, err := sel.indexes(info, setting)
	if err != nil {
		return nil, err
	}
	cols := []column{
		{"h3", "string", "H3 cell index"},
		{"lat", "double", "latitude of the cell center"},
		{"lng", "double", "longitude of the cell center"},
		{"youth", "double", "demand allocated to the cell (" + info.Demand + "); empty: no data"},
	}
	// t is the block being written; the getters read it.
	t := &data.CellTable{}
	type getter func(i int) any
	var gets []getter
	for _, k := range ks {
		name := info.ContentAreas[k].Name
		cols = append(cols,
			column{nearestName(info) + "_" + name, "double", "cost to the nearest " + name + " program (" + info.CostUnit + "); empty: none reachable"},
			column{"count_" + name, "integer", name + " programs within the catchment"},
			column{info.Measure + "_" + name, "double", info.AccessUnit + " (" + name + ")"},
			column{"gap_" + name, "double", "0–1 need-weighted gap score (" + name + ")" + notJudged(info, k)},
			column{"desert_" + name, "boolean", "whether the cell is a " + name + " desert; empty: no data" + notJudged(info, k)},
		)
		gets = append(gets,
			func(i int) any { return t.Measures[k].Nearest[i] },
			func(i int) any { return int(t.Measures[k].Count[i]) },
			func(i int) any { return t.Measures[k].Access[i] },
			func(i int) any { return t.Measures[k].Gap[i] },
			func(i int) any { return desertFlag(t.Measures[k].Desert[i]) },
		)
	}
	cols = append(cols,
		column{"area", "string", "id of the area holding the cell center"},
		column{"need", "double", "0–1 need percentile of the area"},
		column{"urban", "boolean", "whether the urban desert distance applies"},
	)
	areaIDs := run.AreaIDs()
	gets = append(gets,
		func(i int) any { return areaIDs[t.Area[i]] },
		func(i int) any { return t.Need[i] },
		func(i int) any { return t.Urban[i] },
	)
	for _, k := range ks {
		name := info.ContentAreas[k].Name
		cols = append(cols, column{"unmet_" + name, "double", "unmet seats (" + name + "); empty where the measure is not per capita" + notJudged(info, k)})
		gets = append(gets, func(i int) any { return t.Measures[k].Unmet[i] })
	}
	out := &table{
		title:   fmt.Sprintf("stemgap cells (%s settings), run %s", info.SettingOrDefault(setting), info.ID),
		columns: cols,
		value: func(row, col int) any {
			switch col {
			case 0:
				return t.H3[row].String()
			case 1:
				return t.Lat[row]
			case 2:
				return t.Lng[row]
			case 3:
				return t.Demand[row]
			}
			return gets[col-4](row)
		},
		geometry: func(row int) (orb.Geometry, error) {
			hex, err := geo.CellPolygon(t.H3[row])
			return roundPolygon(hex), err
		},
	}
	block := 0
	out.next = func() (bool, error) {
		if block == len(run.Blocks()) {
			return false, nil
		}
		// The block written is let go before the next is read: two at once would double the
		// export's memory.
		*t = data.CellTable{}
		b, err := run.Cells(ctx, block, ks)
		if err != nil {
			return false, err
		}
		*t = *b
		out.rows = t.Len()
		block++
		return true, nil
	}
	return out, nil
}

// desertFlag is a cell's desert flag as the boolean every layer writes: nil for no data.
func desertFlag(flag int8) any {
	switch flag {
	case data.DesertYes:
		return true
	case data.DesertNo:
		return false
	}
	return nil
}

// coordinateScale keeps six decimals of a degree, about 0.1 m: the precision of the tract
// files, and enough for a hexagon a few hundred metres across.
const coordinateScale = 1e6

// roundPolygon rounds a computed polygon's coordinates to six decimals.
func roundPolygon(p orb.Polygon) orb.Polygon {
	for _, ring := range p {
		for i, pt := range ring {
			ring[i] = orb.Point{math.Round(pt[0]*coordinateScale) / coordinateScale, math.Round(pt[1]*coordinateScale) / coordinateScale}
		}
	}
	return p
}

// notJudged adds to a judged column's description why a series has no figures in it.
func notJudged(info *data.RunInfo, k int) string {
	if note := info.ContentAreas[k].TooFewNote(); note != "" {
		return "; empty throughout: " + note
	}
	return ""
}

// tractsTable lays out the area rollups.
func tractsTable(run data.RunTables, areas []data.Area, setting string, sel Selection) (*table, error) {
	info := run.Info()
	ks, err := sel.indexes(info, setting)
	if err != nil {
		return nil, err
	}
	results := run.Areas()
	shapes := make(map[string]orb.MultiPolygon, len(areas))
	for _, a := range areas {
		shapes[a.ID] = a.Geometry
	}
	cols := []column{
		{"id", "string", "area id (GEOID for tracts)"},
		{"name", "string", "area name"},
		{"demand", "double", info.Demand + "; empty: no data"},
		{"need", "double", "0–1 need percentile"},
		{"urban", "boolean", "whether the urban desert distance applies"},
		{"urban_basis", "string", "why the area counts as urban or rural"},
		{"cells", "integer", "H3 cells holding the area's demand"},
	}
	type getter func(a *data.AreaResult) any
	gets := []getter{
		func(a *data.AreaResult) any { return a.ID },
		func(a *data.AreaResult) any { return a.Name },
		func(a *data.AreaResult) any { return a.Demand },
		func(a *data.AreaResult) any { return a.Need },
		func(a *data.AreaResult) any { return a.Urban },
		func(a *data.AreaResult) any { return a.UrbanWhy },
		func(a *data.AreaResult) any { return a.Cells },
	}
	for _, k := range ks {
		name := info.ContentAreas[k].Name
		cols = append(cols,
			column{info.Measure + "_" + name, "double", "demand-weighted mean " + info.AccessUnit + " (" + name + ")"},
			column{nearestName(info) + "_" + name, "double", "demand-weighted mean, over the area's cells, of each cell's cost to its nearest " + name + " program (" + info.CostUnit + "); not the cost from the area to its nearest program"},
			column{"unmet_" + name, "double", "unmet seats (" + name + ")" + notJudged(info, k)},
			column{"gap_" + name, "double", "mean gap score (" + name + ")" + notJudged(info, k)},
			column{"desert_demand_" + name, "double", "demand living in " + name + " desert cells" + notJudged(info, k)},
			column{"desert_share_" + name, "double", "share of demand living in " + name + " desert cells" + notJudged(info, k)},
			column{"desert_" + name, "boolean", "whether the area is a " + name + " desert; empty: not assessed (no demand figure, no one living there, or too few programs)" + notJudged(info, k)},
			column{"rank_" + name, "integer", "rank from the lowest access (1); empty: not assessed" + notJudged(info, k)},
			column{"percentile_" + name, "double", "share of assessed areas with lower access (0 = lowest)"},
			column{"reason_" + name, "string", "the desert rule applied, in words"},
		)
		gets = append(gets,
			func(a *data.AreaResult) any { return a.Measures[k].Access },
			func(a *data.AreaResult) any { return a.Measures[k].Nearest },
			func(a *data.AreaResult) any { return a.Measures[k].Unmet },
			func(a *data.AreaResult) any { return a.Measures[k].Gap },
			func(a *data.AreaResult) any { return a.Measures[k].DesertYouth },
			func(a *data.AreaResult) any { return a.Measures[k].DesertShare },
			func(a *data.AreaResult) any {
				if !assessed(info, a, k) {
					return nil
				}
				return a.Measures[k].Desert
			},
			func(a *data.AreaResult) any {
				if a.Measures[k].Rank == 0 {
					return nil
				}
				return a.Measures[k].Rank
			},
			func(a *data.AreaResult) any {
				if a.Measures[k].Rank == 0 {
					return math.NaN()
				}
				return a.Measures[k].Percentile
			},
			func(a *data.AreaResult) any { return a.Measures[k].Reason },
		)
	}
	return &table{
		title:   fmt.Sprintf("stemgap tracts (%s settings), run %s", info.SettingOrDefault(setting), info.ID),
		columns: cols,
		rows:    len(results),
		value:   func(row, col int) any { return gets[col](&results[row]) },
		geometry: func(row int) (orb.Geometry, error) {
			g, ok := shapes[results[row].ID]
			if !ok {
				return nil, fmt.Errorf("area %s of run %s is no longer stored; re-run the analysis", results[row].ID, info.ID)
			}
			return g, nil
		},
	}, nil
}

// assessed reports whether the desert rule judged an area in a series: someone lives there and
// the series has enough programs.
func assessed(info *data.RunInfo, a *data.AreaResult, k int) bool {
	return a.Demand > 0 && !info.ContentAreas[k].TooFew
}

// programsTable lays out the programs of a setting group that the run read, those offering the
// selected content areas (all of them when none is selected), with every extra column their
// files had: the standard fields first, then the extras by name. An extra column whose name the
// standard fields take is written as source_NAME.
func programsTable(run *data.RunInfo, setting string, sel Selection, programs []data.Program) (*table, error) {
	group, ok := run.SettingGroup(run.SettingOrDefault(setting))
	if !ok {
		_, err := run.CheckSeries(setting, data.AllContentAreas)
		return nil, err
	}
	if _, err := sel.indexes(run, setting); err != nil {
		return nil, err
	}
	cols := []column{
		{"id", "string", "program id"}, {"name", "string", ""}, {"provider", "string", ""},
		{"lat", "double", ""}, {"lng", "double", ""},
		{"content_areas", "string", "content areas, ;-separated; empty: general (counted under all)"},
		{"setting", "string", ""}, {"capacity", "double", "seats; empty: not given (the analysis used default_capacity)"},
		{"source", "string", "the dataset the program was loaded from"},
	}
	standard := len(cols)
	var sorted []data.Program
	extras := map[string]bool{}
	for _, p := range programs {
		if !group.Includes(p.Setting) || !offersAny(p, sel) {
			continue
		}
		sorted = append(sorted, p)
		for k := range p.Extra {
			extras[k] = true
		}
	}
	slices.SortFunc(sorted, func(a, b data.Program) int { return strings.Compare(a.ID, b.ID) })
	keys := make([]string, 0, len(extras))
	for k := range extras {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if slices.ContainsFunc(cols[:standard], func(c column) bool { return c.name == k }) {
			name = "source_" + k
		}
		cols = append(cols, column{name, "string", "the source file's column " + k + ", as loaded"})
	}
	return &table{
		title:   fmt.Sprintf("stemgap programs (%s settings), run %s", group.Name, run.ID),
		columns: cols,
		rows:    len(sorted),
		value: func(row, col int) any {
			p := &sorted[row]
			if col >= standard {
				return p.Extra[keys[col-standard]]
			}
			return []any{p.ID, p.Name, p.Provider, p.Location[1], p.Location[0], strings.Join(p.ContentAreas, ";"), p.Setting, p.Capacity, p.Source}[col]
		},
		geometry: func(row int) (orb.Geometry, error) { return sorted[row].Location, nil },
	}, nil
}

// offersAny reports whether a program counts under any selected content area; with none selected,
// every program does.
func offersAny(p data.Program, sel Selection) bool {
	if len(sel) == 0 {
		return true
	}
	return slices.ContainsFunc(sel, p.Offers)
}

// equityTable lays out the equity breakdown of a setting group: each demographic group's share in
// desert cells against its reference population's, per content area.
func equityTable(run data.RunTables, setting string, sel Selection) (*table, error) {
	info := run.Info()
	if _, err := info.CheckSeries(setting, data.AllContentAreas); err != nil {
		return nil, err
	}
	if _, err := sel.indexes(info, setting); err != nil {
		return nil, err
	}
	setting = info.SettingOrDefault(setting)
	var rows []data.EquityRow
	for _, e := range run.Equity() {
		if e.Setting == setting && (len(sel) == 0 || slices.Contains(sel, e.ContentArea)) {
			rows = append(rows, e)
		}
	}
	cols := []column{
		{"setting", "string", "the setting group"}, {"content_area", "string", ""}, {"group", "string", ""}, {"variable", "string", "canonical variable counting the group"},
		{"total", "double", "the group's people in the areas assessed"}, {"in_desert", "double", "of them, living in desert cells"},
		{"share", "double", "in_desert / total"}, {"region_share", "double", "the same share for the reference population"},
		{"ratio", "double", "share / region_share: above 1, the group is over-exposed to deserts"},
		{"difference", "double", "share − region_share"}, {"areas", "integer", "areas with figures for the group and its reference"},
	}
	return &table{
		title:   fmt.Sprintf("stemgap equity (%s settings), run %s", setting, info.ID),
		columns: cols,
		rows:    len(rows),
		value: func(row, col int) any {
			e := &rows[row]
			return []any{e.Setting, e.ContentArea, e.Group, e.Variable, e.Total, e.InDesert, e.Share, e.Reference, e.Ratio, e.Difference, e.Areas}[col]
		},
	}, nil
}
