package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"stemgap/data"
	"stemgap/data/census"
	"stemgap/geo"
)

func ingestCommand() command {
	return command{
		name:    "ingest",
		summary: "load areas (tracts), demographics or programs into the store",
		usage: `tracts|demographics|programs FILE [flags]
       stemgap ingest census --state 29 --county 510 --year 2022 [flags]

  tracts        GeoJSON FeatureCollection of Polygon/MultiPolygon areas keyed by GEOID (or --id-field)
  demographics  CSV keyed by the same id; map columns with --column canonical=SOURCE
  programs      CSV (id,name,provider,lat,lng,content_areas,setting,capacity) or GeoJSON points
  census        download TIGER/Line tracts and the ACS 5-year tables the method needs from the
                Census Bureau (replaces the loaded areas)`,
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			var columns, moe, vintages, settingValues multiFlag
			idField := fs.String("id-field", "", "property or column holding the area id (default GEOID, checked as an 11-digit tract id)")
			fs.Var(&columns, "column", "canonical=SOURCE: read a canonical variable (demographics) from a source column or a sum of columns, sum(A,B,…), or a program field from a column; repeatable")
			fs.Var(&moe, "moe", "canonical=SOURCE: margin-of-error column of a demographics variable (found automatically for ACS …E/…M and FactFinder HD01_/HD02_ pairs; sum(…) for a sum); repeatable")
			fs.Var(&vintages, "vintage", "TEXT for the whole file, or canonical=TEXT for one variable (e.g. youth_pop=\"Census 2010\"); repeatable")
			merge := fs.Bool("merge", false, "demographics: add to other files' figures, replacing only this file's earlier ones and the areas it gives figures for (e.g. a second state's youth counts)")
			fs.Var(&settingValues, "setting-value", "programs: VALUE=SETTING maps a value of the setting column onto a setting (e.g. k12_public_school=in_school); every value must be mapped; repeatable")
			setting := fs.String("setting", "", "programs: the setting of every program the file gives none (e.g. out_of_school)")
			source := fs.String("source", "", "programs: dataset name, so re-loading it replaces its programs (default: the file name)")
			region := fs.String("region", "", "minLng,minLat,maxLng,maxLat: reject points outside this region")
			dryRun := fs.Bool("dry-run", false, "validate everything and write nothing")
			repair := fs.Bool("repair", false, "tracts: repair invalid polygons (self-intersecting rings, overlapping parts) as PostGIS's ST_MakeValid does, naming each, instead of refusing the file")
			strict := fs.Bool("strict", false, "demographics: fail when an area id is not among the loaded areas (by default they are reported and stored)")
			decimalComma := fs.Bool("decimal-comma", false, "read numbers written with a decimal comma (12,5 is 12.5, and 1.234 is 1234); without it a decimal comma is an error")
			var limits data.Limits
			fs.Float64Var(&limits.MaxPopulation, "max-population", 0, fmt.Sprintf("plausible maximum of a count of people or households in one area (default %d for census tracts, %d for other areal units)", data.DefaultMaxTractPopulation, data.DefaultMaxAreaPopulation))
			fs.Float64Var(&limits.MaxCapacity, "max-capacity", 0, fmt.Sprintf("plausible maximum of one program's seats (default %d)", data.DefaultMaxCapacity))
			fs.Float64Var(&limits.MaxAreaKm2, "max-area-km2", 0, fmt.Sprintf("plausible maximum of one area's surface in km² (default %d)", data.DefaultMaxAreaKm2))
			var req census.Request
			fs.StringVar(&req.State, "state", "", "census: 2-digit state FIPS code")
			counties := fs.String("county", "", "census: comma-separated 3-digit county FIPS codes (default: every county of the state)")
			fs.IntVar(&req.Year, "year", 0, "census: ACS 5-year end year and TIGER/Line vintage")
			fetcher := &census.Fetcher{Attempts: 4, Backoff: 2 * time.Second}
			fs.StringVar(&fetcher.APIKey, "api-key", os.Getenv("CENSUS_API_KEY"), "census: Census Data API key (default $CENSUS_API_KEY; optional for small pulls)")
			fs.StringVar(&fetcher.TigerURL, "tiger-url", census.DefaultTigerURL, "census: base URL of TIGER/Line files (a mirror)")
			fs.StringVar(&fetcher.ACSURL, "acs-url", census.DefaultACSURL, "census: base URL of the Census Data API (a mirror)")
			return func(ctx context.Context, args []string) error {
				if len(args) == 1 && args[0] == "census" {
					if *counties != "" {
						req.Counties = strings.Split(*counties, ",")
					}
					if err := req.Check(); err != nil {
						return usagef("%v", err)
					}
					return ingestCensus(ctx, env, fetcher, req, *dryRun)
				}
				if len(args) != 2 {
					return usagef("want a kind and a file")
				}
				kind := args[0]
				switch kind {
				case data.KindAreas, data.KindDemographics, data.KindPrograms:
				default:
					return usagef("unknown kind %q: want tracts, demographics or programs", kind)
				}
				opts, err := loadOptions(*idField, columns, moe, vintages, *source, *region)
				if err != nil {
					return err
				}
				if *merge && kind != data.KindDemographics {
					return usagef("--merge applies to demographics only")
				}
				if (*setting != "" || len(settingValues) > 0) && kind != data.KindPrograms {
					return usagef("--setting and --setting-value apply to programs only")
				}
				opts.DryRun, opts.Merge, opts.Setting, opts.Strict = *dryRun, *merge, *setting, *strict
				if *repair && kind != data.KindAreas {
					return usagef("--repair applies to tracts only")
				}
				opts.Repair = *repair
				if opts.SettingValues, err = pairs("setting-value", settingValues); err != nil {
					return err
				}
				opts.DecimalComma = *decimalComma
				if err := limits.Check(); err != nil {
					return usagef("%v", err)
				}
				opts.Limits = limits
				return ingestFile(ctx, env, kind, args[1], opts)
			}
		},
	}
}

func loadOptions(idField string, columns, moe, vintages []string, source, region string) (data.LoadOptions, error) {
	opts := data.LoadOptions{IDField: idField, Source: source}
	var err error
	if opts.Columns, err = pairs("column", columns); err != nil {
		return opts, err
	}
	if opts.MOE, err = pairs("moe", moe); err != nil {
		return opts, err
	}
	var perVariable []string
	for _, v := range vintages {
		if name, _, ok := strings.Cut(v, "="); ok && !strings.ContainsAny(name, " \t") {
			perVariable = append(perVariable, v)
		} else if opts.Vintage == "" {
			opts.Vintage = v
		} else {
			return opts, usagef("--vintage is given twice for the whole file")
		}
	}
	if opts.Vintages, err = pairs("vintage", perVariable); err != nil {
		return opts, err
	}
	if region != "" {
		b, err := geo.ParseBound(region)
		if err != nil {
			return opts, usagef("--region: %v", err)
		}
		opts.Region = &b
	}
	return opts, nil
}

// ingestFile loads one file into the store.
func ingestFile(ctx context.Context, env *environment, kind, path string, opts data.LoadOptions) error {
	in, err := data.LoadFile(kind, path, opts, time.Now())
	if err != nil {
		return err
	}
	if len(in.Repair) > 0 {
		log, err := env.logger()
		if err != nil {
			return err
		}
		for _, r := range in.Repair {
			log.Warn("repairing an invalid polygon", "source", in.Record.Source, "feature", in.Areas[r.Index].Ref, "problem", r.Reason)
		}
	}
	return storeIngest(ctx, env, in, opts.Strict)
}

// ingestCensus downloads tracts and ACS tables and loads both.
func ingestCensus(ctx context.Context, env *environment, f *census.Fetcher, req census.Request, dryRun bool) error {
	log, err := env.logger()
	if err != nil {
		return err
	}
	f.Log = log
	tracts, err := f.Tracts(ctx, req, time.Now())
	if err != nil {
		return err
	}
	demographics, err := f.Demographics(ctx, req, time.Now())
	if err != nil {
		return err
	}
	for _, in := range []data.Ingest{tracts, demographics} {
		in.DryRun = dryRun
		if err := storeIngest(ctx, env, in, false); err != nil {
			return err
		}
	}
	return nil
}

// storeIngest writes one validated ingest and logs what happened. Demographics whose ids are not
// loaded areas are reported with a count and a sample, and refused when strict.
func storeIngest(ctx context.Context, env *environment, in data.Ingest, strict bool) error {
	s, err := env.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := checkAreaIDs(ctx, env, s, in, strict); err != nil {
		return err
	}
	return ingestInto(ctx, env, s, in)
}

// checkAreaIDs compares a demographics file's ids with the store's areas: unknown ids are a
// warning, or under strict an error.
func checkAreaIDs(ctx context.Context, env *environment, s data.Store, in data.Ingest, strict bool) error {
	if in.Record.Kind != data.KindDemographics {
		return nil
	}
	log, err := env.logger()
	if err != nil {
		return err
	}
	areas, err := s.Areas(ctx)
	if err != nil {
		return err
	}
	unknown := data.CheckAreaIDs(in, areas)
	switch {
	case unknown == nil:
		return nil
	case strict:
		return fmt.Errorf("%w (refused under --strict)", unknown)
	}
	log.Warn("area ids not loaded", "source", unknown.File, "unknown", unknown.Count, "of", unknown.Of, "loaded", unknown.Loaded, "sample", strings.Join(unknown.Sample, "; "))
	return nil
}

// ingestInto writes one validated ingest into an open store and logs what happened.
func ingestInto(ctx context.Context, env *environment, s data.Store, in data.Ingest) error {
	log, err := env.logger()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := s.Ingest(ctx, in); err != nil {
		return err
	}
	verb := "loaded"
	if in.DryRun {
		verb = "validated (dry run, nothing written)"
	}
	log.Info(verb, "kind", in.Record.Kind, "source", in.Record.Source, "rows", in.Record.Rows, "sha256", in.Record.SHA256[:12], "took", time.Since(start).Round(time.Millisecond))
	return nil
}
