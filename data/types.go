// Package data holds stemgap's domain types, the readers that validate each input format, and the
// Store interface that the embedded and PostGIS stores implement.
package data

import (
	"time"

	"github.com/paulmach/orb"
)

// Area is a polygon that holds demand: a census tract by default, or any areal unit keyed by
// another id field (ZCTA, neighbourhood, precinct).
type Area struct {
	ID       string
	Name     string
	County   string // the county's name where the file gives it (COUNTY, NAMELSADCO); the map outlines counties with it
	Geometry orb.MultiPolygon
	// LandKm2 is the land area: the source's ALAND (m²) when given, else the polygon's spherical
	// area. It makes population density, and so the urban/rural split, computable.
	LandKm2 float64
	Ref     string // where the area came from in its file, e.g. "feature 57"
}

// DemographicValue is one canonical variable's figure for one area, as loaded from a source column.
type DemographicValue struct {
	AreaID   string
	Variable string  // canonical name, see Variables
	Value    float64 //
	MOE      float64 // margin of error (90% for ACS); NaN when the source gives none
	Vintage  string  // e.g. "ACS 2014–2018 5-year"
	Source   string  // file name and column, e.g. "msa_tract_demographics.csv:kids_0_17_census2010"
	Ref      string  // e.g. "line 12"
}

// Program is a place where young people can take part in STEM learning: the supply side.
type Program struct {
	ID           string
	Name         string
	Provider     string
	Location     orb.Point // lon/lat
	ContentAreas []string  // normalised labels; empty means general programming, counted only under "all"
	Setting      string
	Capacity     float64 // seats; NaN when the source gives none (the analysis applies its default)
	Source       string  // the dataset it was loaded from; re-loading a source replaces its programs
	Extra        map[string]string
	Ref          string
}

// IngestRecord describes one loaded input file: what it was, its digest, and how it was read.
type IngestRecord struct {
	Kind    string `json:"kind"` // tracts (areas), demographics, programs
	Source  string `json:"source"`
	SHA256  string `json:"sha256"`
	Rows    int    `json:"rows"`
	Vintage string `json:"vintage,omitempty"`
	// Variables lists the canonical variables a demographics file provides.
	Variables []string          `json:"variables,omitempty"`
	Options   map[string]string `json:"options,omitempty"` // id field, column mapping…
	LoadedAt  time.Time         `json:"loaded_at"`
}

// Ingest kinds.
const (
	KindAreas        = "tracts"
	KindDemographics = "demographics"
	KindPrograms     = "programs"
)

// Ingest is one validated input file ready to be stored.
type Ingest struct {
	Record       IngestRecord
	Areas        []Area
	Demographics []DemographicValue
	Programs     []Program
	// Repair lists areas read with --repair whose polygons are invalid: the store makes them
	// valid (see RepairAreas) before it checks and writes them.
	Repair []Repair
	// Limits are the plausibility bounds the rows were read with; zero fields take the defaults.
	Limits Limits
	// DryRun validates everything, the store's own checks included, and writes nothing.
	DryRun bool
	// proven are the areas whose polygons the reader found valid (see provenPolygons).
	proven *provenPolygons
}

// Repair is an area whose polygons a store must make valid before writing them.
type Repair struct {
	Index  int    // into Ingest.Areas
	Reason string // what is wrong, as the refusal would have said
}
