package data

import (
	"slices"
	"strings"
)

// optionMerge is the ingest option of a demographics file loaded with --merge.
const optionMerge = "merge"

// Merges reports whether a demographics file adds to other files' figures (--merge) instead of
// replacing the variables it maps for every area.
func (r IngestRecord) Merges() bool {
	return r.Kind == KindDemographics && r.Options[optionMerge] == "true"
}

// FromSource reports whether a value was loaded from the named ingest source: a value's Source
// is its ingest's source, a colon, and the column it was read from.
func (d DemographicValue) FromSource(source string) bool {
	return strings.HasPrefix(d.Source, source+":")
}

// ApplyDemographics is what loading a demographics file does to the stored values and to the
// earlier files' records; every store implements exactly this.
//
// A file loaded plainly replaces every value of the variables it maps, in every area, and the
// earlier files' records no longer list those variables (a record left with none is dropped).
// A merged file replaces only what it loaded itself before and the (area, variable) pairs it
// gives figures for; other files keep their figures for other areas and their records. That is
// how two files that cover different areas — two states' youth counts — both provide a variable.
//
// The returned records do not yet hold in's own record: the store adds it.
func ApplyDemographics(values []DemographicValue, records []IngestRecord, in Ingest) ([]DemographicValue, []IngestRecord) {
	mapped := in.Record.Variables
	merge := in.Record.Merges()
	type key struct{ area, variable string }
	provided := make(map[key]bool, len(in.Demographics))
	for _, d := range in.Demographics {
		provided[key{d.AreaID, d.Variable}] = true
	}
	values = slices.DeleteFunc(values, func(d DemographicValue) bool {
		if !slices.Contains(mapped, d.Variable) {
			return false
		}
		return !merge || d.FromSource(in.Record.Source) || provided[key{d.AreaID, d.Variable}]
	})
	values = append(values, in.Demographics...)
	out := make([]IngestRecord, 0, len(records))
	for _, r := range records {
		if r.Kind == KindDemographics {
			if r.Source == in.Record.Source {
				continue
			}
			if !merge {
				r.Variables = slices.DeleteFunc(slices.Clone(r.Variables), func(v string) bool { return slices.Contains(mapped, v) })
				if len(r.Variables) == 0 {
					continue
				}
			}
		}
		out = append(out, r)
	}
	return values, out
}
