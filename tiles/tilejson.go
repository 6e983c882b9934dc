package tiles

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// TileJSON is the TileJSON 3.0.0 description of a layer.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	// Resolutions (cells only) gives the H3 resolution drawn at each zoom, keyed by the zoom.
	Resolutions map[string]int `json:"resolutions,omitempty"`
	// CellsMinZoom (cells only) is the first zoom at which hexagons are big enough to read.
	CellsMinZoom *int `json:"cells_minzoom,omitempty"`
}

// VectorLayer describes one MVT layer's fields.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// TileJSON describes a layer for one setting group and content area. tileURL is the URL
// template clients fetch tiles from, with {z}, {x} and {y} in it.
func (s *Set) TileJSON(layer, setting, content, tileURL string) (TileJSON, error) {
	k, group, err := s.seriesOf(setting, content)
	if err != nil {
		return TileJSON{}, err
	}
	fields, ok := s.fields(layer)
	if !ok {
		return TileJSON{}, fmt.Errorf("%w %q (layers: %s)", ErrUnknownLayer, layer, strings.Join(Layers(), ", "))
	}
	b := s.bound()
	r := s.info
	tj := TileJSON{
		TileJSON:    "3.0.0",
		Name:        fmt.Sprintf("stemgap %s — %s, %s settings", layer, content, group.Name),
		Description: fmt.Sprintf("Run %s: %s access (%s) to %s programs in setting group %s for %s, H3 resolution %d.%s", r.ID, r.Measure, r.AccessUnit, content, group.Name, r.Demand, r.Resolution, tooFewSentence(r.ContentAreas[k])),
		Version:     "1.0.0",
		Attribution: "stemgap; data: U.S. Census Bureau, ACS, USDA ERS, CDC/ATSDR, IMLS, NCES (see the run's inputs)",
		Scheme:      "xyz",
		Tiles:       []string{tileURL},
		MinZoom:     0,
		MaxZoom:     MaxZoom,
		Bounds:      [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
		Center:      [3]float64{b.Center()[0], b.Center()[1], 9},
		VectorLayers: []VectorLayer{{
			ID: layer, Description: layerDescription[layer], MinZoom: 0, MaxZoom: MaxZoom, Fields: fields,
		}},
	}
	if layer == LayerCells {
		tj.Resolutions = map[string]int{}
		for z, res := range s.Resolutions() {
			tj.Resolutions[strconv.Itoa(z)] = res
		}
		z := s.CellsMinZoom()
		tj.CellsMinZoom = &z
	}
	return tj, nil
}

func tooFewSentence(c data.ContentArea) string {
	if !c.TooFew {
		return ""
	}
	return " Not judged: " + c.TooFewNote() + "."
}

var layerDescription = map[string]string{
	LayerCells:    "H3 hexagons; below the run's resolution, parents aggregate their children (demand summed, figures demand-weighted)",
	LayerTracts:   "areas (tracts) with their rollups",
	LayerPrograms: "programs offering the content area",
	LayerCounties: "county outlines dissolved from the areas, county label points (kind county) and, from zoom 11, tract numbers (kind tract)",
}

func (s *Set) fields(layer string) (map[string]string, bool) {
	unit := s.info.AccessUnit
	switch layer {
	case LayerCells:
		return map[string]string{
			"h3": "String", "res": "Number: H3 resolution",
			"demand": "Number: " + s.info.Demand + " in the cell (absent: no data)", "nodata": "Boolean: no figure for the demand variable",
			"nearest": "Number: cost to the nearest program (" + s.info.CostUnit + ")", "count": "Number: programs within the catchment (below the run's resolution: the demand-weighted mean over the children, rounded)",
			"access": "Number: " + unit, "unmet": "Number: unmet seats", "gap": "Number: 0–1 need-weighted gap score",
			"desert": "Number: share of demand in desert cells (1 or 0 at the run's resolution)", "need": "Number: 0–1 need percentile",
			"overstated": "Boolean: access overstated, since a program reaching the cell also reaches cells with no demand figure (below the run's resolution: any child's; absent where the cell has no data or the run does not record it)",
		}, true
	case LayerTracts:
		return map[string]string{
			"id": "String", "name": "String", "demand": "Number", "nodata": "Boolean", "access": "Number: " + unit,
			"nearest": "Number", "unmet": "Number", "gap": "Number", "desert_share": "Number", "desert": "Boolean",
			"rank": "Number: 1 = lowest access", "percentile": "Number: 0 = lowest access", "need": "Number", "urban": "Boolean",
		}, true
	case LayerCounties:
		return map[string]string{"county": "String: the county's name", "kind": "String: county or tract (label points)",
			"tract": "String: the tract number"}, true
	case LayerPrograms:
		return map[string]string{"id": "String", "name": "String", "provider": "String", "setting": "String",
			"content_areas": "String: ;-separated", "capacity": "Number (absent: not given)"}, true
	}
	return nil, false
}

// bound covers the run's cells' hexagons.
func (s *Set) bound() orb.Bound {
	if len(s.parts) == 0 {
		return orb.Bound{Min: orb.Point{-180, -85}, Max: orb.Point{180, 85}}
	}
	b := s.parts[0].bound
	for _, p := range s.parts[1:] {
		b = b.Union(p.bound)
	}
	return b
}
