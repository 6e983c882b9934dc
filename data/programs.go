package data

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
	"stemgap/geo"
)

// Program fields that --column can map a source column onto.
var programFields = []string{"id", "name", "provider", "lat", "lng", "content_areas", "setting", "capacity"}

// AllContentAreas names the measure over every program together; no content area may take it.
const AllContentAreas = "all"

// ProgramOptions says how to read a programs file.
type ProgramOptions struct {
	Source  string            // dataset name; re-loading a source replaces its programs
	Columns map[string]string // program field → source column or property, for files laid out otherwise
	Region  *orb.Bound        // when set, every program must lie inside
	// SettingValues maps the setting column's values (compared as normalised labels) onto
	// settings, e.g. k12_public_school → in_school; every non-empty value must be listed.
	SettingValues map[string]string
	// Setting is the setting of every program whose own is empty, or of all programs of a file
	// without a setting column.
	Setting string
	// DecimalComma reads "38,6" as 38.6; without it a decimal comma is an error.
	DecimalComma bool
	Limits       Limits
}

// ReadPrograms reads programs from CSV (id,name,provider,lat,lng,content_areas,setting,capacity,
// more columns kept) or from GeoJSON points with the same properties; the format is recognised
// from the content.
func ReadPrograms(r io.Reader, file string, opts ProgramOptions) ([]Program, error) {
	raw, err := readText(r, file)
	if err != nil {
		return nil, err
	}
	for field := range opts.Columns {
		if !slices.Contains(programFields, field) {
			return nil, &InputError{File: file, Reason: fmt.Sprintf("--column %s: programs have no field %q (fields: %s)", field, field, strings.Join(programFields, ", "))}
		}
	}
	var rows []programRow
	if isGeoJSON(raw) {
		rows, err = programRowsFromGeoJSON(raw, file, opts)
	} else {
		rows, err = programRowsFromCSV(raw, file, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := applySettings(rows, file, opts); err != nil {
		return nil, err
	}
	return buildPrograms(rows, file, opts)
}

// programRow is one program's fields as text, whatever the file format.
type programRow struct {
	ref      string
	get      func(field string) (string, bool)
	location *orb.Point // set by GeoJSON geometry
	extra    map[string]string
}

func sourceName(opts ProgramOptions, field string) string {
	if s, ok := opts.Columns[field]; ok {
		return s
	}
	return field
}

func programRowsFromCSV(raw []byte, file string, opts ProgramOptions) ([]programRow, error) {
	t, err := openCSV(bytes.NewReader(raw), file)
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for _, field := range programFields {
		name := sourceName(opts, field)
		if i, ok := t.index[name]; ok {
			cols[field] = i
		} else if _, mapped := opts.Columns[field]; mapped || field == "id" || field == "lat" || field == "lng" {
			_, err := t.column(name, "program field "+field)
			return nil, err
		}
	}
	used := map[int]bool{}
	for _, i := range cols {
		used[i] = true
	}
	var rows []programRow
	err = t.each(func(rec []string, line int) {
		extra := map[string]string{}
		for i, v := range rec {
			if !used[i] && v != "" {
				extra[t.header[i]] = v
			}
		}
		rows = append(rows, programRow{ref: lineRef(line), extra: extra, get: func(field string) (string, bool) {
			i, ok := cols[field]
			if !ok {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}})
	})
	return rows, err
}

func programRowsFromGeoJSON(raw []byte, file string, opts ProgramOptions) ([]programRow, error) {
	errs := &errorList{file: file}
	features, err := decodeFeatures(raw, file, errs)
	if err != nil {
		return nil, err
	}
	var rows []programRow
	for _, df := range features {
		ref, f := df.ref, df.feature
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			errs.add(ref, "programs must be Point features, not %v", geometryType(f.Geometry))
			continue
		}
		props := f.Properties
		fieldOf := map[string]string{}
		for _, field := range programFields {
			fieldOf[sourceName(opts, field)] = field
		}
		extra := map[string]string{}
		for k, v := range props {
			if _, isField := fieldOf[k]; !isField && v != nil {
				extra[k] = fmt.Sprint(v)
			}
		}
		rows = append(rows, programRow{ref: ref, location: &pt, extra: extra, get: func(field string) (string, bool) {
			v, ok := props[sourceName(opts, field)]
			if !ok || v == nil {
				return "", ok
			}
			switch x := v.(type) {
			case string:
				return strings.TrimSpace(x), true
			case float64:
				return strconv.FormatFloat(x, 'f', -1, 64), true
			case []any:
				parts := make([]string, len(x))
				for i, p := range x {
					parts[i] = fmt.Sprint(p)
				}
				return strings.Join(parts, ";"), true
			}
			return fmt.Sprint(v), true
		}})
	}
	return rows, errs.err()
}

func geometryType(g orb.Geometry) string {
	if g == nil {
		return "a feature without geometry"
	}
	return g.GeoJSONType()
}

func buildPrograms(rows []programRow, file string, opts ProgramOptions) ([]Program, error) {
	num := numberFormat{decimalComma: opts.DecimalComma, switchFlag: decimalCommaFlag}
	lim := opts.Limits.resolve(false)
	errs := &errorList{file: file}
	seen := map[string]string{}
	programs := make([]Program, 0, len(rows))
	for _, row := range rows {
		id, _ := row.get("id")
		if id == "" {
			errs.add(row.ref, "empty program id")
			continue
		}
		if prev, dup := seen[id]; dup {
			errs.add(row.ref, "program id %q repeats %s", id, prev)
			continue
		}
		seen[id] = row.ref
		p := Program{ID: id, Source: opts.Source, Extra: row.extra, Ref: row.ref, Capacity: math.NaN()}
		p.Name, _ = row.get("name")
		p.Provider, _ = row.get("provider")
		setting, _ := row.get("setting")
		p.Setting = NormalizeSetting(setting)
		if row.location != nil {
			p.Location = *row.location
		} else {
			loc, err := parseLocation(row, num)
			if err != nil {
				errs.add(row.ref, "program %q: %v", id, err)
				continue
			}
			p.Location = loc
		}
		if err := geo.CheckLonLat(p.Location); err != nil {
			errs.add(row.ref, "program %q: %v", id, err)
			continue
		}
		if opts.Region != nil {
			if err := geo.CheckInRegion(p.Location, *opts.Region); err != nil {
				errs.add(row.ref, "program %q: %v", id, err)
				continue
			}
		}
		if s, _ := row.get("capacity"); s != "" {
			c, ok, err := parseFigure(s, num)
			if err == nil && ok {
				err = lim.checkCapacity(c)
			} else if err != nil {
				err = fmt.Errorf("capacity %v", err)
			}
			if err != nil {
				errs.add(row.ref, "program %q: %v", id, err)
				continue
			}
			if ok {
				p.Capacity = c
			}
		}
		areas, _ := row.get("content_areas")
		labels, err := ParseContentAreas(areas)
		if err != nil {
			errs.add(row.ref, "program %q: %v", id, err)
			continue
		}
		p.ContentAreas = labels
		programs = append(programs, p)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if len(programs) == 0 {
		return nil, &InputError{File: file, Reason: "no programs"}
	}
	return programs, nil
}

func parseLocation(row programRow, num numberFormat) (orb.Point, error) {
	var p orb.Point
	for i, field := range []string{"lng", "lat"} {
		s, _ := row.get(field)
		if s == "" {
			return p, fmt.Errorf("empty %s", field)
		}
		v, err := num.parse(s, false)
		if err != nil {
			return p, fmt.Errorf("%s %v", field, err)
		}
		p[i] = v
	}
	return p, nil
}

// ParseContentAreas splits a ";"-separated list of content-area labels and normalises each to
// lower case with runs of other characters turned into "_" ("Early STEM play" → "early_stem_play"),
// so that labels are stable column and URL names. Order is sorted and duplicates dropped.
func ParseContentAreas(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ";") {
		label := NormalizeLabel(part)
		if label == "" {
			continue
		}
		if label == AllContentAreas {
			return nil, fmt.Errorf("content area %q is reserved for all programs together", AllContentAreas)
		}
		if !slices.Contains(out, label) {
			out = append(out, label)
		}
	}
	sort.Strings(out)
	return out, nil
}

// settingAliases maps the words inventories use for a program's setting onto the four settings
// the method names; any other label is kept as it is.
var settingAliases = map[string]string{
	"out_of_school": "out_of_school", "out_of_school_time": "out_of_school", "ost": "out_of_school",
	"after_school": "out_of_school", "afterschool": "out_of_school", "summer": "out_of_school",
	"in_school": "in_school", "school": "in_school", "school_day": "in_school",
	"work_based": "work_based", "work_based_learning": "work_based", "workplace": "work_based", "internship": "work_based",
	"online": "online", "virtual": "online", "remote": "online",
}

// NormalizeSetting normalises a program's setting like a content-area label and maps common
// synonyms ("after-school", "OST", "virtual"…) onto in_school, out_of_school, work_based and
// online.
func NormalizeSetting(s string) string {
	label := NormalizeLabel(s)
	if canonical, ok := settingAliases[label]; ok {
		return canonical
	}
	return label
}

// NormalizeLabel turns a label into a stable column and URL name: compatibility-normalised
// (NFKC, so "ｆｉ" and "ﬁ" read "fi"), lower-cased, its letters, marks and digits — of any script —
// kept, and every run of other characters turned into one "_" between words. ASCII labels read
// as they always have ("Early STEM play" → "early_stem_play"); "Física" → "física", "数学" → "数学".
func NormalizeLabel(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(norm.NFKC.String(strings.TrimSpace(s))) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (unicode.IsMark(r) && b.Len() > 0 && !gap) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	// A mark kept after a letter that NFKC left apart (a rare sequence) composes with it here.
	return norm.NFC.String(b.String())
}

// Offers reports whether a program counts under a content area: every program counts under
// "all", others under the areas they list.
func (p Program) Offers(content string) bool {
	return content == AllContentAreas || slices.Contains(p.ContentAreas, content)
}
