package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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
	// SettingGroups are the groups of program settings the run measured, the default first.
	SettingGroups []SettingGroup `json:"setting_groups"`
	// ContentAreas lists the run's series: every content area (and "all", last) within every
	// setting group, group by group in SettingGroups order.
	ContentAreas []ContentArea `json:"content_areas"`
	Notes        []string      `json:"notes"` // what the data lacked and how it was handled
}

// ContentArea summarises one series — a content area (or "all") within a setting group — across
// the region.
type ContentArea struct {
	Setting  string `json:"setting"` // the setting group's name
	Name     string `json:"name"`
	Programs int    `json:"programs"`
	// TooFew marks a series with fewer programs than min_programs: too few to judge, so it has
	// no desert flags, gap scores, unmet seats or ranks — only distances, counts and access.
	TooFew      bool    `json:"too_few"`
	MinPrograms int     `json:"min_programs"`
	MeanAccess  float64 `json:"mean_access"` // demand-weighted regional mean of the access measure
	Target      float64 `json:"target"`      // the access that counts as enough
	DemandTotal float64 `json:"demand_total"`
	DesertYouth float64 `json:"desert_demand"`
	DesertShare float64 `json:"desert_share"`
	DesertAreas int     `json:"desert_areas"`
}

// contentAreaFields is ContentArea without its JSON methods.
type contentAreaFields ContentArea

// contentAreaJSON writes a summary's figures as JSON numbers, or null where a figure does not
// exist (JSON has no NaN): a series too thin to judge has no desert share.
type contentAreaJSON struct {
	contentAreaFields
	MeanAccess  optionalFloat `json:"mean_access"`
	Target      optionalFloat `json:"target"`
	DemandTotal optionalFloat `json:"demand_total"`
	DesertYouth optionalFloat `json:"desert_demand"`
	DesertShare optionalFloat `json:"desert_share"`
}

func (c ContentArea) MarshalJSON() ([]byte, error) {
	return json.Marshal(contentAreaJSON{contentAreaFields(c), optionalFloat(c.MeanAccess), optionalFloat(c.Target),
		optionalFloat(c.DemandTotal), optionalFloat(c.DesertYouth), optionalFloat(c.DesertShare)})
}

func (c *ContentArea) UnmarshalJSON(b []byte) error {
	var j contentAreaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = ContentArea(j.contentAreaFields)
	c.MeanAccess, c.Target, c.DemandTotal = float64(j.MeanAccess), float64(j.Target), float64(j.DemandTotal)
	c.DesertYouth, c.DesertShare = float64(j.DesertYouth), float64(j.DesertShare)
	return nil
}

// optionalFloat is a float64 that reads and writes a missing figure (NaN, ±Inf) as JSON null.
type optionalFloat float64

func (f optionalFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

func (f *optionalFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = optionalFloat(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(f))
}

// TooFewNote says in words why a series is not judged; empty when it is.
func (c ContentArea) TooFewNote() string {
	if !c.TooFew {
		return ""
	}
	return fmt.Sprintf("too few programs to map gaps in %s (%d; setting group %s needs at least %d)", c.Name, c.Programs, c.Setting, c.MinPrograms)
}

// SettingGroup is a named set of program settings measured together. An empty Settings list
// takes every program, whatever its setting (or none).
type SettingGroup struct {
	Name     string   `json:"name"`
	Settings []string `json:"settings"`
}

// AllSettings names the group of every program.
const AllSettings = "all"

// Includes reports whether a program with this setting belongs to the group.
func (g SettingGroup) Includes(setting string) bool {
	return len(g.Settings) == 0 || slices.Contains(g.Settings, setting)
}

// SeriesIndex returns the position of a (setting group, content area) series in the run, or -1.
// The empty setting means the run's default group.
func (r *RunInfo) SeriesIndex(setting, content string) int {
	setting = r.SettingOrDefault(setting)
	for i, c := range r.ContentAreas {
		if c.Setting == setting && c.Name == content {
			return i
		}
	}
	return -1
}

// DefaultSetting is the setting group shown when none is asked for: the first the run measured.
func (r *RunInfo) DefaultSetting() string {
	if len(r.SettingGroups) == 0 {
		return AllSettings
	}
	return r.SettingGroups[0].Name
}

// SettingOrDefault is the setting group asked for, or the run's default when none is.
func (r *RunInfo) SettingOrDefault(setting string) string {
	if setting == "" {
		return r.DefaultSetting()
	}
	return setting
}

// SettingGroup returns a setting group of the run by name.
func (r *RunInfo) SettingGroup(name string) (SettingGroup, bool) {
	for _, g := range r.SettingGroups {
		if g.Name == name {
			return g, true
		}
	}
	return SettingGroup{}, false
}

// SettingNames lists the run's setting groups, the default first.
func (r *RunInfo) SettingNames() []string {
	names := make([]string, len(r.SettingGroups))
	for i, g := range r.SettingGroups {
		names[i] = g.Name
	}
	return names
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

// ContentNames lists the run's content areas, "all" last. Every setting group has the same list.
func (r *RunInfo) ContentNames() []string {
	var names []string
	for _, c := range r.ContentAreas {
		if c.Setting == r.ContentAreas[0].Setting {
			names = append(names, c.Name)
		}
	}
	return names
}

// CheckSeries says what is wrong with a requested setting group and content area, naming what
// the run has.
func (r *RunInfo) CheckSeries(setting, content string) (int, error) {
	setting = r.SettingOrDefault(setting)
	if _, ok := r.SettingGroup(setting); !ok {
		return -1, fmt.Errorf("setting group %q is not in run %s (it has %s): %w", setting, r.ID, strings.Join(r.SettingNames(), ", "), ErrUnknownSeries)
	}
	k := r.SeriesIndex(setting, content)
	if k < 0 {
		return -1, fmt.Errorf("content area %q is not in run %s (it has %s): %w", content, r.ID, strings.Join(r.ContentNames(), ", "), ErrUnknownSeries)
	}
	return k, nil
}

// ErrUnknownSeries is returned for a setting group or content area a run does not have.
var ErrUnknownSeries = errors.New("unknown setting group or content area")

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
	// Overstated marks cells whose access is overstated: a program of the series reaching them
	// also reaches cells with no demand figure, so its seats are shared among too few. Nil when
	// the run does not record it (runs stored before it was, derived runs).
	Overstated []bool
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
	Rank        int     `json:"rank"`       // 1 = lowest access in the region; 0 = unranked (no demand, no data or too few programs)
	Percentile  float64 `json:"percentile"` // share of ranked areas with access at or below this one
}

// EquityRow compares one demographic group's exposure to deserts with the region's.
type EquityRow struct {
	Setting     string  `json:"setting"`
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
