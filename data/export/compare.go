package export

import (
	"fmt"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/geo"
)

// Comparison layers.
const (
	CompareSeries = "series"
	CompareTracts = "tracts"
	CompareCells  = "cells"
	CompareGroups = "groups"
)

// ComparisonProvenance travels with an exported comparison: both runs' provenance and what
// differs between them besides their figures.
type ComparisonProvenance struct {
	A           Provenance `json:"a"`
	B           Provenance `json:"b"`
	Differences []string   `json:"differences"`
	Note        string     `json:"note"`
}

// ComparisonProvenanceOf is the provenance of a comparison of run a with run b.
func ComparisonProvenanceOf(c *data.Comparison, a, b *data.RunInfo) ComparisonProvenance {
	return ComparisonProvenance{A: ProvenanceFor(a, c.Setting), B: ProvenanceFor(b, c.Setting), Differences: c.Differences,
		Note: fmt.Sprintf("every change is run %s's figure less run %s's (B − A)", b.ID, a.ID)}
}

// ComparisonTable lays out one layer of a comparison: series (one row per series both runs
// have), tracts (the areas of the compared series, with their geometry), groups (the demographic
// groups' shares in deserts; no geometry), or cells (of the compared series, with their hexagons;
// a and b are then needed).
func ComparisonTable(layer string, c *data.Comparison, a, b *data.Run, areas []data.Area) (Table, error) {
	switch layer {
	case CompareSeries:
		return seriesChanges(c), nil
	case CompareTracts:
		return tractChanges(c, areas), nil
	case CompareGroups:
		return groupChanges(c), nil
	case CompareCells:
		return cellChanges(c, a, b)
	}
	return Table{}, fmt.Errorf("unknown comparison layer %q (series, tracts, cells, groups)", layer)
}

func seriesChanges(c *data.Comparison) Table {
	cols := []Column{
		exportColumn("setting", "string", "setting group"),
		exportColumn("content", "string", "content area"),
		exportColumn("programs_a", "integer", "programs in run A"),
		exportColumn("programs_b", "integer", "programs in run B"),
		exportColumn("judged_a", "boolean", "whether run A judged the series (enough programs)"),
		exportColumn("judged_b", "boolean", "whether run B judged the series"),
		exportColumn("mean_access_a", "double", "demand-weighted regional mean access, run A"),
		exportColumn("mean_access_b", "double", "demand-weighted regional mean access, run B"),
		exportColumn("desert_share_a", "double", "share of demand in desert cells, run A; empty: not judged"),
		exportColumn("desert_share_b", "double", "share of demand in desert cells, run B; empty: not judged"),
		exportColumn("cells_rose", "integer", "cells whose access rose"),
		exportColumn("cells_fell", "integer", "cells whose access fell"),
		exportColumn("demand_rose", "double", "demand in cells whose access rose"),
		exportColumn("demand_fell", "double", "demand in cells whose access fell"),
		exportColumn("newly_in_reach", "double", "demand with no program within the catchment in A and one in B"),
		exportColumn("no_longer_in_reach", "double", "demand with a program within the catchment in A and none in B"),
		exportColumn("entered_desert", "double", "demand in cells that became deserts"),
		exportColumn("left_desert", "double", "demand in cells that stopped being deserts"),
		exportColumn("note", "string", "what the comparison of the series cannot say"),
	}
	return Table{Title: fmt.Sprintf("stemgap comparison of runs %s and %s: series", c.A, c.B), Columns: cols, Rows: len(c.Series),
		Value: func(row, col int) any {
			s := c.Series[row]
			return []any{s.Setting, s.Name, s.ProgramsA, s.ProgramsB, s.JudgedA, s.JudgedB, s.MeanAccessA, s.MeanAccessB, s.DesertShareA,
				s.DesertShareB, s.CellsRose, s.CellsFell, s.DemandRose, s.DemandFell, s.NewlyInReach, s.NoLongerInReach, s.EnteredDesert,
				s.LeftDesert, s.Note}[col]
		},
		Geometry: func(int) (orb.Geometry, error) {
			return nil, fmt.Errorf("the series comparison has no geometry: export it as csv")
		}}
}

func tractChanges(c *data.Comparison, areas []data.Area) Table {
	shapes := make(map[string]orb.MultiPolygon, len(areas))
	for _, a := range areas {
		shapes[a.ID] = a.Geometry
	}
	what := c.Setting + "/" + c.Content
	cols := []Column{
		exportColumn("id", "string", "area id (GEOID for tracts)"),
		exportColumn("name", "string", "area name"),
		exportColumn("access_a", "double", "demand-weighted mean access ("+what+"), run A"),
		exportColumn("access_b", "double", "the same, run B"),
		exportColumn("access_change", "double", "B − A"),
		exportColumn("desert_share_a", "double", "share of demand in desert cells, run A"),
		exportColumn("desert_share_b", "double", "the same, run B"),
		exportColumn("desert_a", "boolean", "whether the area is a desert in run A"),
		exportColumn("desert_b", "boolean", "whether the area is a desert in run B"),
		exportColumn("rank_a", "integer", "rank from the lowest access (1), run A; empty: not assessed"),
		exportColumn("rank_b", "integer", "the same, run B"),
	}
	rank := func(r int) any {
		if r == 0 {
			return nil
		}
		return r
	}
	return Table{Title: fmt.Sprintf("stemgap comparison of runs %s and %s: areas (%s)", c.A, c.B, what), Columns: cols, Rows: len(c.Areas),
		Value: func(row, col int) any {
			a := c.Areas[row]
			return []any{a.ID, a.Name, a.AccessA, a.AccessB, a.AccessB - a.AccessA, a.DesertShareA, a.DesertShareB, a.DesertA, a.DesertB,
				rank(a.RankA), rank(a.RankB)}[col]
		},
		Geometry: func(row int) (orb.Geometry, error) {
			g, ok := shapes[c.Areas[row].ID]
			if !ok {
				return nil, fmt.Errorf("area %s: no geometry among the run's inputs", c.Areas[row].ID)
			}
			return g, nil
		}}
}

func groupChanges(c *data.Comparison) Table {
	cols := []Column{
		exportColumn("setting", "string", "setting group"),
		exportColumn("content", "string", "content area"),
		exportColumn("group", "string", "demographic group"),
		exportColumn("variable", "string", "the group's variable"),
		exportColumn("share_a", "double", "the group's share in desert cells, run A"),
		exportColumn("share_b", "double", "the same, run B"),
		exportColumn("share_change", "double", "B − A"),
		exportColumn("ratio_a", "double", "the group's share over its reference population's, run A"),
		exportColumn("ratio_b", "double", "the same, run B"),
		exportColumn("changed", "boolean", "whether the share moved beyond rounding"),
	}
	return Table{Title: fmt.Sprintf("stemgap comparison of runs %s and %s: demographic groups", c.A, c.B), Columns: cols, Rows: len(c.Groups),
		Value: func(row, col int) any {
			g := c.Groups[row]
			return []any{g.Setting, g.ContentArea, g.Group, g.Variable, g.ShareA, g.ShareB, g.ShareB - g.ShareA, g.RatioA, g.RatioB, g.Changed}[col]
		},
		Geometry: func(int) (orb.Geometry, error) {
			return nil, fmt.Errorf("the groups comparison has no geometry: export it as csv")
		}}
}

func cellChanges(c *data.Comparison, a, b *data.Run) (Table, error) {
	ka, err := a.CheckSeries(c.Setting, c.Content)
	if err != nil {
		return Table{}, err
	}
	kb, err := b.CheckSeries(c.Setting, c.Content)
	if err != nil {
		return Table{}, err
	}
	ma, mb := a.Cells.Measures[ka], b.Cells.Measures[kb]
	what := c.Setting + "/" + c.Content
	cols := []Column{
		exportColumn("h3", "string", "H3 cell index"),
		exportColumn("lat", "double", "latitude of the cell center"),
		exportColumn("lng", "double", "longitude of the cell center"),
		exportColumn("youth_a", "double", "demand allocated to the cell, run A"),
		exportColumn("youth_b", "double", "the same, run B"),
		exportColumn("access_a", "double", a.AccessUnit+" ("+what+"), run A"),
		exportColumn("access_b", "double", "the same, run B"),
		exportColumn("access_change", "double", "B − A"),
		exportColumn("nearest_a", "double", "cost to the nearest program ("+a.CostUnit+"), run A; empty: none reachable"),
		exportColumn("nearest_b", "double", "the same, run B"),
		exportColumn("count_a", "integer", "programs within the catchment, run A"),
		exportColumn("count_b", "integer", "the same, run B"),
		exportColumn("desert_a", "integer", "1 desert, 0 not, run A; empty: no data or not judged"),
		exportColumn("desert_b", "integer", "the same, run B"),
	}
	t := &b.Cells
	return Table{Title: fmt.Sprintf("stemgap comparison of runs %s and %s: cells (%s)", c.A, c.B, what), Columns: cols, Rows: t.Len(),
		Value: func(i, col int) any {
			switch col {
			case 0:
				return t.H3[i].String()
			case 1:
				return t.Lat[i]
			case 2:
				return t.Lng[i]
			case 3:
				return a.Cells.Demand[i]
			case 4:
				return t.Demand[i]
			case 5:
				return ma.Access[i]
			case 6:
				return mb.Access[i]
			case 7:
				return mb.Access[i] - ma.Access[i]
			case 8:
				return ma.Nearest[i]
			case 9:
				return mb.Nearest[i]
			case 10:
				return int(ma.Count[i])
			case 11:
				return int(mb.Count[i])
			case 12:
				return ma.Desert[i]
			}
			return mb.Desert[i]
		},
		Geometry: func(i int) (orb.Geometry, error) { return geo.CellPolygon(t.H3[i]) }}, nil
}
