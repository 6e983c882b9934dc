package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// LoadOptions says how to read an input file of any kind.
type LoadOptions struct {
	IDField string            // areas and demographics: the id property or column
	Columns map[string]string // demographics: canonical → source; programs: field → source
	MOE     map[string]string // demographics: canonical → margin-of-error column
	Vintage string            // the file's vintage, recorded with it
	// Vintages gives demographics variables their own vintage.
	Vintages map[string]string
	Source   string // programs: the dataset name (the file name by default)
	// SettingValues (programs) maps the setting column's values onto settings; Setting is the
	// setting of programs the file gives none. See ProgramOptions.
	SettingValues map[string]string
	Setting       string
	// Merge (demographics) adds the file's figures to other files' instead of replacing the
	// variables it maps in every area; see ApplyDemographics.
	Merge bool
	// Counties (areas) names counties by state and county FIPS code, for tract files that name none.
	Counties map[string]string
	Region   *orb.Bound // areas and programs: every point must lie inside
	// DecimalComma reads numbers written with a decimal comma (12,5); without it they are refused.
	DecimalComma bool
	Limits       Limits // plausibility bounds; zero fields take the defaults
	// Repair (areas) makes invalid polygons valid as PostGIS's ST_MakeValid does, where by
	// default they are refused; each repaired feature is named in the ingest record.
	Repair bool
	// Strict fails a demographics file with ids that are not loaded areas (see CheckAreaIDs),
	// where by default they are reported and stored.
	Strict bool
	DryRun bool
}

// optionACSSymbols records, with a demographics file, the ACS symbols that stood for a figure and
// how they were read (see parseACSFigure).
const optionACSSymbols = "acs_symbols"

// LoadFile reads and validates an input file of the given kind and describes it for the store:
// its name, SHA-256, row count, vintage and the options it was read with.
func LoadFile(kind, path string, opts LoadOptions, now time.Time) (Ingest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Ingest{}, err
	}
	sum := sha256.Sum256(raw)
	name := filepath.Base(path)
	in := Ingest{DryRun: opts.DryRun, Limits: opts.Limits, Record: IngestRecord{Kind: kind, Source: name, SHA256: hex.EncodeToString(sum[:]),
		Vintage: opts.Vintage, Options: opts.record(), LoadedAt: now.UTC()}}
	switch kind {
	case KindAreas:
		in.Areas, in.Repair, in.proven, err = readAreas(bytes.NewReader(raw), name, AreaOptions{IDField: opts.IDField, Counties: opts.Counties, Region: opts.Region, Limits: opts.Limits}, opts.Repair)
		in.Record.Rows = len(in.Areas)
		if len(in.Repair) > 0 {
			in.Record.Options["repaired"] = repairNote(in)
		}
	case KindDemographics:
		var symbols string
		in.Demographics, symbols, err = readDemographics(bytes.NewReader(raw), name, DemographicOptions{
			IDField: opts.IDField, Columns: opts.Columns, MOE: opts.MOE, Vintage: opts.Vintage, Vintages: opts.Vintages,
			DecimalComma: opts.DecimalComma, Limits: opts.Limits})
		if symbols != "" {
			if in.Record.Options == nil {
				in.Record.Options = map[string]string{}
			}
			in.Record.Options[optionACSSymbols] = symbols
		}
		in.Record.Variables = variablesOf(in.Demographics, opts.Columns)
		in.Record.Rows = countAreas(in.Demographics)
	case KindPrograms:
		source := opts.Source
		if source == "" {
			source = name
		}
		in.Record.Source = source
		in.Programs, err = ReadPrograms(bytes.NewReader(raw), name, ProgramOptions{Source: source, Columns: opts.Columns, Region: opts.Region,
			SettingValues: opts.SettingValues, Setting: opts.Setting, DecimalComma: opts.DecimalComma, Limits: opts.Limits})
		in.Record.Rows = len(in.Programs)
	default:
		return Ingest{}, fmt.Errorf("unknown input kind %q (tracts, demographics, programs)", kind)
	}
	return in, err
}

// record renders the options as the strings an ingest record keeps.
func (o LoadOptions) record() map[string]string {
	out := map[string]string{}
	if o.IDField != "" {
		out["id_field"] = o.IDField
	}
	join := func(m map[string]string) string {
		parts := make([]string, 0, len(m))
		for k, v := range m {
			parts = append(parts, k+"="+v)
		}
		sort.Strings(parts)
		return strings.Join(parts, ",")
	}
	if len(o.Columns) > 0 {
		out["columns"] = join(o.Columns)
	}
	if len(o.MOE) > 0 {
		out["moe"] = join(o.MOE)
	}
	if len(o.Vintages) > 0 {
		out["vintages"] = join(o.Vintages)
	}
	if len(o.Counties) > 0 {
		out["counties"] = join(o.Counties)
	}
	if len(o.SettingValues) > 0 {
		out["setting_values"] = join(o.SettingValues)
	}
	if o.Setting != "" {
		out["setting"] = o.Setting
	}
	if o.Merge {
		out[optionMerge] = "true"
	}
	if o.Region != nil {
		out["region"] = fmt.Sprintf("%g,%g,%g,%g", o.Region.Min[0], o.Region.Min[1], o.Region.Max[0], o.Region.Max[1])
	}
	if o.DecimalComma {
		out["decimal_comma"] = "true"
	}
	if o.Repair {
		out["repair"] = "ST_MakeValid"
	}
	o.Limits.record(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// variablesOf lists the canonical variables a demographics file provides: those it maps, or,
// without a mapping, those it has values for.
func variablesOf(values []DemographicValue, columns map[string]string) []string {
	seen := map[string]bool{}
	for k := range columns {
		seen[k] = true
	}
	if len(columns) == 0 {
		for _, v := range values {
			seen[v.Variable] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return variableOrder(out[i]) < variableOrder(out[j]) })
	return out
}

func countAreas(values []DemographicValue) int {
	seen := map[string]bool{}
	for _, v := range values {
		seen[v.AreaID] = true
	}
	return len(seen)
}
