// Package export writes a run's layers as CSV and GeoJSON, each carrying the run's provenance:
// method, parameters, inputs with their digests and vintages, and software.
package export

import (
	"encoding/json"

	"stemgap/data"
)

// Provenance is what travels with every export: enough to say how each figure was computed and
// from what. It leaves out clock times, so the same analysis of the same files exports the same
// bytes.
type Provenance struct {
	Run          string          `json:"run"`
	Software     string          `json:"software"`
	Method       string          `json:"method"`
	Measure      string          `json:"measure"`
	AccessUnit   string          `json:"access_unit"`
	CostUnit     string          `json:"cost_unit"`
	Resolution   int             `json:"h3_resolution"`
	Demand       string          `json:"demand"`
	DemandSource []string        `json:"demand_sources"`
	Params       json.RawMessage `json:"params"`
	Inputs       []Input         `json:"inputs"`
	ContentAreas []string        `json:"content_areas"`
	// SettingGroups are the run's groups of program settings; Setting, in an export, the one
	// the file holds.
	SettingGroups []data.SettingGroup `json:"setting_groups"`
	Setting       string              `json:"setting,omitempty"`
	// NotJudged says, for each series with too few programs, that it has no desert flags, gap
	// scores, unmet seats or ranks.
	NotJudged []string `json:"not_judged,omitempty"`
	Notes     []string `json:"notes"`
}

// Input is one input file as loaded.
type Input struct {
	Kind      string            `json:"kind"`
	Source    string            `json:"source"`
	SHA256    string            `json:"sha256"`
	Rows      int               `json:"rows"`
	Vintage   string            `json:"vintage,omitempty"`
	Variables []string          `json:"variables,omitempty"`
	Options   map[string]string `json:"options,omitempty"`
}

// MethodReference points readers at the written method.
const MethodReference = "METHOD.md in the stemgap repository"

// ProvenanceOf extracts a run's provenance.
func ProvenanceOf(r *data.RunInfo) Provenance {
	p := Provenance{Run: r.ID, Software: r.Software, Method: MethodReference, Measure: r.Measure, AccessUnit: r.AccessUnit,
		CostUnit: r.CostUnit, Resolution: r.Resolution, Demand: r.Demand, DemandSource: r.DemandSource, Params: r.Params,
		ContentAreas: r.ContentNames(), SettingGroups: r.SettingGroups, Notes: r.Notes}
	for _, in := range r.Inputs {
		p.Inputs = append(p.Inputs, Input{Kind: in.Kind, Source: in.Source, SHA256: in.SHA256, Rows: in.Rows, Vintage: in.Vintage, Variables: in.Variables, Options: in.Options})
	}
	return p
}

// ProvenanceFor is a run's provenance for what one setting group shows: the group, and which of
// its content areas have too few programs to judge.
func ProvenanceFor(r *data.RunInfo, setting string) Provenance {
	p := ProvenanceOf(r)
	setting = r.SettingOrDefault(setting)
	p.Setting = setting
	for _, c := range r.ContentAreas {
		if c.Setting == setting && c.TooFew {
			p.NotJudged = append(p.NotJudged, c.TooFewNote())
		}
	}
	return p
}
