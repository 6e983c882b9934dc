package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"stemgap/data"
)

// The St. Louis inputs and how their columns map onto stemgap's variables. Each vintage is the
// one ../shared/data/PROVENANCE.md gives for the column.
const (
	demoTracts       = "stl/msa_tracts_2010.geojson"
	demoDemographics = "stl/msa_tract_demographics.csv"
	demoPrograms     = "stl/msa_learning_sites.csv"
)

var demoColumns = []struct{ variable, column, vintage string }{
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

// demoSitesVintage says plainly what the program layer is.
const demoSitesVintage = "schools 2013–15, libraries FY2018, museums FY2018, colleges 2019–20: learning sites standing in for a STEM program inventory; content areas from each site's type"

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "load the St. Louis data, analyse it and serve the map (the README's first command)",
		usage:   "[--inputs DIR] [--addr HOST:PORT] [analysis flags]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			inputs := fs.String("inputs", filepath.Join("..", "shared", "data"), "folder holding stl/ with the St. Louis files")
			addr := fs.String("addr", "127.0.0.1:8080", "address to serve on")
			noServe := fs.Bool("no-serve", false, "load and analyse, then exit without serving")
			f := registerAnalysisFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("demo takes no arguments")
				}
				if _, err := os.Stat(filepath.Join(*inputs, demoTracts)); err != nil {
					return fmt.Errorf("St. Louis data not found under %s (want %s): pass --inputs DIR", *inputs, demoTracts)
				}
				if err := loadDemo(ctx, env, *inputs); err != nil {
					return err
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				if err := analyzeStore(ctx, env, store, f); err != nil {
					return err
				}
				if *noServe {
					return nil
				}
				return serve(ctx, env, store, *addr)
			}
		},
	}
}

func loadDemo(ctx context.Context, env *environment, dir string) error {
	columns, vintages := map[string]string{}, map[string]string{}
	for _, c := range demoColumns {
		columns[c.variable] = c.column
		vintages[c.variable] = c.vintage
	}
	steps := []struct {
		kind, file string
		opts       data.LoadOptions
	}{
		{data.KindAreas, demoTracts, data.LoadOptions{Vintage: "Census cartographic boundaries 2018, 2010 tract geography"}},
		{data.KindDemographics, demoDemographics, data.LoadOptions{Columns: columns, Vintages: vintages}},
		{data.KindPrograms, demoPrograms, data.LoadOptions{Vintage: demoSitesVintage,
			Columns: map[string]string{"content_areas": "content_hint", "setting": "category"}}},
	}
	for _, s := range steps {
		if err := ingestFile(ctx, env, s.kind, filepath.Join(dir, s.file), s.opts); err != nil {
			return err
		}
	}
	return nil
}
