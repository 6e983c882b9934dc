// Package stlouis describes the St. Louis demo: the three real public files in
// ../shared/data/stl and how their columns map onto stemgap's variables, each with the vintage
// ../shared/data/PROVENANCE.md gives it. The demo command and the tests load the same way.
package stlouis

import (
	"path/filepath"
	"time"

	"stemgap/data"
)

// Files, relative to the shared data folder.
const (
	Tracts       = "stl/msa_tracts_2010.geojson"
	Demographics = "stl/msa_tract_demographics.csv"
	Sites        = "stl/msa_learning_sites.csv"
)

var columns = []struct{ variable, column, vintage string }{
	{"total_pop", "pop_total_acs2018", "ACS 2014–2018 5-year"},
	{"youth_pop", "kids_0_17_census2010", "2010 Census via USDA Food Access Research Atlas 2015 (Missouri tracts only)"},
	{"poverty_pct", "pct_poverty_acs2018", "ACS 2014–2018 5-year"},
	{"no_internet_pct", "pct_hh_no_internet_acs2019", "ACS 2015–2019 5-year (no internet subscription)"},
	{"hh_no_vehicle", "hh_no_vehicle_acs2014", "ACS 2010–2014 via USDA FARA 2015 (housing units; Missouri tracts only)"},
	{"households", "fara2019_occ_housing_units2010", "2010 Census occupied housing units via USDA FARA 2019"},
	{"race_white", "white_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"race_black", "black_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"race_asian", "asian_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"race_aian", "aian_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"race_nhpi", "nhopi_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"race_other", "other_multirace_census2010", "2010 Census, other and multiracial together (Missouri tracts only)"},
	{"hispanic", "hispanic_census2010", "2010 Census, all ages (Missouri tracts only)"},
	{"median_hh_income", "median_hh_income_acs", "ACS 5-year, year not recorded by the source (City and County only)"},
	{"median_family_income", "fara2019_median_family_income", "ACS 2014–2018 via USDA FARA 2019"},
	{"urban", "fara2019_urban", "USDA FARA 2019 urban flag (2010 Census urbanized areas)"},
}

// sitesVintage says plainly what the program layer is.
const sitesVintage = "schools 2013–15, libraries FY2018, museums FY2018, colleges 2019–20: learning sites standing in for a STEM program inventory; content areas from each site's type"

// File is one demo input and how to read it.
type File struct {
	Kind    string
	Path    string
	Options data.LoadOptions
}

// Files lists the demo's inputs under dir (the shared data folder), in loading order.
func Files(dir string) []File {
	cols, vintages := map[string]string{}, map[string]string{}
	for _, c := range columns {
		cols[c.variable] = c.column
		vintages[c.variable] = c.vintage
	}
	return []File{
		{data.KindAreas, filepath.Join(dir, Tracts), data.LoadOptions{Vintage: "Census cartographic boundaries 2018, 2010 tract geography"}},
		{data.KindDemographics, filepath.Join(dir, Demographics), data.LoadOptions{Columns: cols, Vintages: vintages}},
		{data.KindPrograms, filepath.Join(dir, Sites), data.LoadOptions{Vintage: sitesVintage,
			Columns: map[string]string{"content_areas": "content_hint", "setting": "category"}}},
	}
}

// Load reads and validates the three files: areas, demographics, programs.
func Load(dir string, now time.Time) (areas, demographics, programs data.Ingest, err error) {
	var ins [3]data.Ingest
	for i, f := range Files(dir) {
		if ins[i], err = data.LoadFile(f.Kind, f.Path, f.Options, now); err != nil {
			return
		}
	}
	return ins[0], ins[1], ins[2], nil
}
