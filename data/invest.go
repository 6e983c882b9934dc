package data

import (
	"encoding/json"

	"github.com/paulmach/orb"
)

// CandidateSite is a place where a new program could open: an H3 cell's center, or a listed place (a
// library, a school, a community centre).
type CandidateSite struct {
	ID       string    `json:"id"`
	Name     string    `json:"name,omitempty"`
	Location orb.Point `json:"-"`
}

// Recommendations are the sites chosen, best first, with what each would change.
type Recommendations struct {
	Run        string  `json:"run"`
	Setting    string  `json:"setting"`
	Content    string  `json:"content"`
	Capacity   float64 `json:"capacity"`
	Catchment  float64 `json:"catchment"`
	CostUnit   string  `json:"cost_unit"`
	Measure    string  `json:"measure"`
	AccessUnit string  `json:"access_unit"`
	// Target is the access every cell is brought up to, in the run's access unit; unmet seats
	// are counted against it before and after the new programs.
	Target     float64 `json:"target"`
	NeedWeight float64 `json:"need_weight"`
	Candidates string  `json:"candidates"`
	// CandidateCount is how many candidate sites were weighed.
	CandidateCount int     `json:"candidate_count"`
	UnmetBefore    float64 `json:"unmet_before"`
	UnmetAfter     float64 `json:"unmet_after"`
	// NewlyInReach is the youth the new programs bring within the catchment of the first
	// program of the series near them.
	NewlyInReach float64          `json:"newly_in_reach"`
	Notes        []string         `json:"notes"`
	Sites        []Recommendation `json:"sites,omitempty"`
}

// Recommendation is one chosen site and what a program there would change, given the sites
// chosen before it.
type Recommendation struct {
	Rank int           `json:"rank"`
	Site CandidateSite `json:"site"`
	Lng  float64       `json:"lng"`
	Lat  float64       `json:"lat"`
	// H3 is the run's cell at the site; Area the area (tract) holding it, when the site lies in
	// the region.
	H3       string `json:"h3"`
	Area     string `json:"area,omitempty"`
	AreaName string `json:"area_name,omitempty"`
	// YouthInReach live within the catchment; NewlyInReach of them had no program of the series
	// within it before.
	YouthInReach float64 `json:"youth_in_reach"`
	NewlyInReach float64 `json:"newly_in_reach"`
	// UnmetInReach are the unmet seats within the catchment before the program; UnmetClosed
	// those it closes; NeedWeightedGain the same weighed by need, what the choice maximises.
	UnmetInReach     float64    `json:"unmet_in_reach"`
	UnmetClosed      float64    `json:"unmet_closed"`
	NeedWeightedGain float64    `json:"need_weighted_gain"`
	Areas            []AreaGain `json:"areas"`
	Reason           string     `json:"reason"`
}

// AreaGain is what a recommended program changes in one area (tract) it reaches.
type AreaGain struct {
	ID           string  `json:"id"`
	Name         string  `json:"name,omitempty"`
	Need         float64 `json:"need"`
	NewlyInReach float64 `json:"newly_in_reach"`
	UnmetClosed  float64 `json:"unmet_closed"`
}

// MarshalJSON writes an unknown need as null (JSON has no NaN).
func (a AreaGain) MarshalJSON() ([]byte, error) {
	type plain AreaGain
	return json.Marshal(struct {
		plain
		Need optionalFloat `json:"need"`
	}{plain(a), optionalFloat(a.Need)})
}

// UnmarshalJSON reads a null need as unknown.
func (a *AreaGain) UnmarshalJSON(b []byte) error {
	type plain AreaGain
	var j struct {
		plain
		Need optionalFloat `json:"need"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = AreaGain(j.plain)
	a.Need = float64(j.Need)
	return nil
}
