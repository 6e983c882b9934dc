package data

import "encoding/json"

// Comparison says what changed from run A to run B, both of one geography: which parameters and
// inputs differ, and per series, area and demographic group how access and deserts moved. Every
// change is B − A.
type Comparison struct {
	A string `json:"a"`
	B string `json:"b"`
	// Differences says plainly what differs between the runs besides their figures: parameters,
	// inputs, software, series present in one run only, demand.
	Differences []string       `json:"differences"`
	Series      []SeriesChange `json:"series"`
	// Setting and Content name the series whose areas are listed.
	Setting string        `json:"setting"`
	Content string        `json:"content"`
	Areas   []AreaChange  `json:"areas"`
	Groups  []GroupChange `json:"groups"`
}

// SeriesChange is how one series (a content area within a setting group) moved across the region.
type SeriesChange struct {
	Setting   string `json:"setting"`
	Name      string `json:"name"`
	ProgramsA int    `json:"programs_a"`
	ProgramsB int    `json:"programs_b"`
	// JudgedA and JudgedB say whether each run judged the series (enough programs): desert
	// figures are compared only where both did.
	JudgedA       bool    `json:"judged_a"`
	JudgedB       bool    `json:"judged_b"`
	MeanAccessA   float64 `json:"mean_access_a"`
	MeanAccessB   float64 `json:"mean_access_b"`
	DesertShareA  float64 `json:"desert_share_a"`
	DesertShareB  float64 `json:"desert_share_b"`
	DesertDemandA float64 `json:"desert_demand_a"`
	DesertDemandB float64 `json:"desert_demand_b"`
	DesertAreasA  int     `json:"desert_areas_a"`
	DesertAreasB  int     `json:"desert_areas_b"`
	// Cells and demand whose access rose or fell (beyond rounding), whose count of programs within
	// the catchment went from none to some (newly in reach) or from some to none, and who entered
	// or left a desert.
	CellsRose       int     `json:"cells_rose"`
	CellsFell       int     `json:"cells_fell"`
	DemandRose      float64 `json:"demand_rose"`
	DemandFell      float64 `json:"demand_fell"`
	NewlyInReach    float64 `json:"newly_in_reach"`
	NoLongerInReach float64 `json:"no_longer_in_reach"`
	EnteredDesert   float64 `json:"entered_desert"`
	LeftDesert      float64 `json:"left_desert"`
	Note            string  `json:"note,omitempty"`
}

// AreaChange is how one area's rollup moved in the compared series.
type AreaChange struct {
	ID           string  `json:"id"`
	Name         string  `json:"name,omitempty"`
	AccessA      float64 `json:"access_a"`
	AccessB      float64 `json:"access_b"`
	DesertShareA float64 `json:"desert_share_a"`
	DesertShareB float64 `json:"desert_share_b"`
	DesertA      bool    `json:"desert_a"`
	DesertB      bool    `json:"desert_b"`
	RankA        int     `json:"rank_a"`
	RankB        int     `json:"rank_b"`
}

// GroupChange is how one demographic group's share in deserts moved in one series.
type GroupChange struct {
	Setting     string  `json:"setting"`
	ContentArea string  `json:"content_area"`
	Group       string  `json:"group"`
	Variable    string  `json:"variable"`
	ShareA      float64 `json:"share_a"`
	ShareB      float64 `json:"share_b"`
	RatioA      float64 `json:"ratio_a"`
	RatioB      float64 `json:"ratio_b"`
	// Changed is set when the group's share in deserts moved beyond rounding.
	Changed bool `json:"changed"`
}

// The figures below may be missing (a series not judged, an area without youth): JSON has no NaN,
// so they are written as null and read back as NaN.

func (s SeriesChange) MarshalJSON() ([]byte, error) {
	type plain SeriesChange
	return json.Marshal(struct {
		plain
		MeanAccessA   optionalFloat `json:"mean_access_a"`
		MeanAccessB   optionalFloat `json:"mean_access_b"`
		DesertShareA  optionalFloat `json:"desert_share_a"`
		DesertShareB  optionalFloat `json:"desert_share_b"`
		DesertDemandA optionalFloat `json:"desert_demand_a"`
		DesertDemandB optionalFloat `json:"desert_demand_b"`
	}{plain(s), optionalFloat(s.MeanAccessA), optionalFloat(s.MeanAccessB), optionalFloat(s.DesertShareA), optionalFloat(s.DesertShareB),
		optionalFloat(s.DesertDemandA), optionalFloat(s.DesertDemandB)})
}

func (a AreaChange) MarshalJSON() ([]byte, error) {
	type plain AreaChange
	return json.Marshal(struct {
		plain
		AccessA      optionalFloat `json:"access_a"`
		AccessB      optionalFloat `json:"access_b"`
		DesertShareA optionalFloat `json:"desert_share_a"`
		DesertShareB optionalFloat `json:"desert_share_b"`
	}{plain(a), optionalFloat(a.AccessA), optionalFloat(a.AccessB), optionalFloat(a.DesertShareA), optionalFloat(a.DesertShareB)})
}

func (g GroupChange) MarshalJSON() ([]byte, error) {
	type plain GroupChange
	return json.Marshal(struct {
		plain
		ShareA optionalFloat `json:"share_a"`
		ShareB optionalFloat `json:"share_b"`
		RatioA optionalFloat `json:"ratio_a"`
		RatioB optionalFloat `json:"ratio_b"`
	}{plain(g), optionalFloat(g.ShareA), optionalFloat(g.ShareB), optionalFloat(g.RatioA), optionalFloat(g.RatioB)})
}
