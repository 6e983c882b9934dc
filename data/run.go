package data

import (
	"encoding/json"
	"time"

	"github.com/uber/h3-go/v4"
)

// Run is one analysis: what it was asked, what it read, and every figure it produced. The
// analysis builds it; stores keep it; tiles, exports and reports read it.
type Run struct {
	RunInfo
	Cells  CellTable
	Areas  []AreaResult
	Equity []EquityRow
}

// RunInfo is a run's provenance and summary, without its tables: what travels with every export.
type RunInfo struct {
	// ID is derived from the parameters, inputs and software, so the same analysis of the same
	// data always has the same id.
	ID           string          `json:"id"`
	CreatedAt    time.Time       `json:"created_at"`
	Software     string          `json:"software"`
	Params       json.RawMessage `json:"params"`
	Inputs       []IngestRecord  `json:"inputs"`
	Resolution   int             `json:"resolution"`
	Demand       string          `json:"demand"`         // canonical variable used as demand
	DemandSource []string        `json:"demand_sources"` // the source columns and vintages it came from
	Measure      string          `json:"measure"`        // the access measure, e.g. e2sfca
	AccessUnit   string          `json:"access_unit"`
	CostUnit     string          `json:"cost_unit"` // km (great circle) or min (cost matrix)
	ContentAreas []ContentArea   `json:"content_areas"`
	Notes        []string        `json:"notes"` // what the data lacked and how it was handled
}

// ContentArea summarises one content area (or "all") across the region.
type ContentArea struct {
	Name        string  `json:"name"`
	Programs    int     `json:"programs"`
	MeanAccess  float64 `json:"mean_access"` // demand-weighted regional mean of the access measure
	Target      float64 `json:"target"`      // the access that counts as enough
	DemandTotal float64 `json:"demand_total"`
	DesertYouth float64 `json:"desert_demand"`
	DesertShare float64 `json:"desert_share"`
	DesertAreas int     `json:"desert_areas"`
}

// ContentIndex returns the position of a content area in the run, or -1.
func (r *RunInfo) ContentIndex(name string) int {
	for i, c := range r.ContentAreas {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ValidRunID reports whether id has the form run ids take — lower-case letters, digits and
// hyphens, at most 64 — so that no id can name a file or anything else outside the runs.
func ValidRunID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ContentNames lists the run's content areas, "all" last.
func (r *RunInfo) ContentNames() []string {
	names := make([]string, len(r.ContentAreas))
	for i, c := range r.ContentAreas {
		names[i] = c.Name
	}
	return names
}

// CellTable holds the run's H3 cells column by column: the analysis fills whole columns, and a
// column per figure keeps a run of 10⁵–10⁶ cells compact.
type CellTable struct {
	H3     []h3.Cell
	Lat    []float64
	Lng    []float64
	Demand []float64 // NaN: the cell's area has no figure for the demand variable
	Area   []int32   // index into Run.Areas of the area holding the cell's center
	Need   []float64 // 0–1 need percentile; NaN when unknown
	Urban  []bool
	// Measures is aligned with RunInfo.ContentAreas.
	Measures []CellMeasures
}

// Len is the number of cells.
func (t *CellTable) Len() int { return len(t.H3) }

// CellMeasures is one content area's figures for every cell.
type CellMeasures struct {
	Nearest []float64 // distance or cost to the nearest program; +Inf when none is reachable
	Count   []int32   // programs within the catchment
	Access  []float64 // the run's access measure; NaN when the cell has no demand figure
	Unmet   []float64 // unmet seats; NaN where undefined
	Gap     []float64 // 0–1 need-weighted gap score; NaN where undefined
	Desert  []int8    // 1 desert, 0 not, -1 no data
}

// Desert flag values.
const (
	DesertNoData int8 = -1
	DesertNo     int8 = 0
	DesertYes    int8 = 1
)

// AreaResult rolls a run up to one area (tract).
type AreaResult struct {
	ID       string  `json:"id"`
	Name     string  `json:"name,omitempty"`
	Demand   float64 `json:"demand"` // NaN: no figure
	Need     float64 `json:"need"`   // NaN: unknown
	Urban    bool    `json:"urban"`
	UrbanWhy string  `json:"urban_basis"`
	Cells    int     `json:"cells"`
	// Measures is aligned with RunInfo.ContentAreas.
	Measures []AreaMeasures `json:"measures"`
}

// AreaMeasures is one content area's rollup for one area.
type AreaMeasures struct {
	Access      float64 `json:"access"`  // demand-weighted mean over the area's cells
	Nearest     float64 `json:"nearest"` // demand-weighted mean nearest distance or cost
	Unmet       float64 `json:"unmet"`
	Gap         float64 `json:"gap"`
	DesertYouth float64 `json:"desert_demand"`
	DesertShare float64 `json:"desert_share"`
	Desert      bool    `json:"desert"`
	Reason      string  `json:"reason"`
	Rank        int     `json:"rank"`       // 1 = lowest access in the region; 0 = unranked (no data)
	Percentile  float64 `json:"percentile"` // share of ranked areas with access at or below this one
}

// EquityRow compares one demographic group's exposure to deserts with the region's.
type EquityRow struct {
	ContentArea string  `json:"content_area"`
	Group       string  `json:"group"`
	Variable    string  `json:"variable"`
	Total       float64 `json:"total"`
	InDesert    float64 `json:"in_desert"`
	Share       float64 `json:"share"`        // InDesert / Total
	Reference   float64 `json:"region_share"` // the same share for the whole population counted
	Ratio       float64 `json:"ratio"`        // Share / Reference: above 1 means over-exposed
	Difference  float64 `json:"difference"`   // Share − Reference
	Areas       int     `json:"areas"`        // areas with a figure for the group
}
