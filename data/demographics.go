package data

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// DemographicOptions says how to read a demographics CSV.
type DemographicOptions struct {
	IDField string            // column holding the area id; DefaultIDField when empty
	Columns map[string]string // canonical variable → source column; empty maps same-named columns
	MOE     map[string]string // canonical variable → margin-of-error column, where not found by ACS naming
	Vintage string            // vintage of every variable without its own
	// Vintages gives a vintage per canonical variable, for files that join several sources.
	Vintages map[string]string
	// DecimalComma reads "12,5" as 12.5; without it a decimal comma is an error.
	DecimalComma bool
	Limits       Limits
}

// acsAnnotation holds the values the Census Bureau writes in ACS estimate columns where no
// estimate exists (e.g. -666666666: too few sample observations). They mean "no figure".
var acsAnnotation = map[float64]bool{-999999999: true, -888888888: true, -666666666: true, -555555555: true, -333333333: true, -222222222: true}

// ReadDemographics reads a CSV file, or a GeoJSON FeatureCollection whose feature properties are
// the columns, keyed by area id, and returns one value per area and mapped variable that has a
// figure. An empty cell is "no data", never zero.
func ReadDemographics(r io.Reader, file string, opts DemographicOptions) ([]DemographicValue, error) {
	values, _, err := readDemographics(r, file, opts)
	return values, err
}

// readDemographics is ReadDemographics that also says which American Community Survey symbols
// the file used and how they were read (see acsSymbols), for its ingest record.
func readDemographics(r io.Reader, file string, opts DemographicOptions) ([]DemographicValue, string, error) {
	raw, err := readText(r, file)
	if err != nil {
		return nil, "", err
	}
	var t *csvTable
	if isGeoJSON(raw) {
		t, err = openFeatureTable(raw, file)
	} else {
		t, err = openCSV(bytes.NewReader(raw), file)
	}
	if err != nil {
		return nil, "", err
	}
	idField := opts.IDField
	if idField == "" {
		idField = DefaultIDField
	}
	idCol, err := t.column(idField, "the area id (choose it with --id-field)")
	if err != nil {
		return nil, "", err
	}
	mapped, err := mapColumns(t, opts)
	if err != nil {
		return nil, "", err
	}
	num := numberFormat{decimalComma: opts.DecimalComma, switchFlag: decimalCommaFlag}
	tracts := idField == DefaultIDField
	lim := opts.Limits.resolve(tracts)
	errs := &errorList{file: file}
	seen := map[string]string{}
	symbols := &acsSymbols{}
	var out []DemographicValue
	err = t.rows(func(rec []string, ref string) {
		id := strings.TrimSpace(rec[idCol])
		switch {
		case id == "":
			errs.add(ref, "empty %s", idField)
			return
		case idField == DefaultIDField && !geoidPattern.MatchString(id):
			errs.add(ref, "GEOID %q is not an 11-digit census tract id; for other areal units pass --id-field", id)
			return
		}
		if prev, dup := seen[id]; dup {
			errs.add(ref, "%s %q repeats %s", idField, id, prev)
			return
		}
		seen[id] = ref
		if t.features() {
			// A feature's number alone is hard to find in a file of one line; its id is not.
			ref = fmt.Sprintf("%s (%s %s)", ref, idField, id)
		}
		for _, m := range mapped {
			v, moe, ok, err := m.sum.Figure(func(col string) (float64, bool, error) {
				isMOE := slices.Contains(m.sum.MOEs, col)
				x, ok, symbol, err := parseACSFigure(rec[t.index[col]], num, isMOE)
				if err == nil && ok && x < 0 && isMOE {
					err = fmt.Errorf("%v is negative", x)
				}
				if err == nil && symbol != "" {
					symbols.add(col, symbol, ref)
				}
				if err != nil {
					return 0, false, fmt.Errorf("column %s (%s): %v", col, m.role(col), err)
				}
				return x, ok, nil
			})
			if err != nil {
				errs.add(ref, "%v", err)
				continue
			}
			if !ok {
				continue
			}
			if err := checkRange(m.variable, v, lim, tracts); err != nil {
				errs.add(ref, "column %s (%s): %v", m.sum.Spec, m.variable.Name, err)
				continue
			}
			out = append(out, DemographicValue{AreaID: id, Variable: m.variable.Name, Value: v, MOE: moe,
				Vintage: m.vintage, Source: file + ":" + m.sum.Spec, Ref: ref})
		}
	})
	if err != nil {
		return nil, "", err
	}
	if err := errs.err(); err != nil {
		return nil, "", err
	}
	if len(seen) == 0 {
		reason := "no rows after the header"
		if t.features() {
			reason = "no features"
		}
		return nil, "", &InputError{File: file, Reason: reason}
	}
	return out, symbols.String(), nil
}

type mappedColumn struct {
	variable Variable
	sum      ColumnSum
	vintage  string
}

// role names what a column holds for the mapped variable, for error messages.
func (m mappedColumn) role(col string) string {
	if slices.Contains(m.sum.MOEs, col) {
		return "margin of error of " + m.variable.Name
	}
	return m.variable.Name
}

// mapColumns resolves --column and --moe against the header: each canonical variable gets its
// column or sum of columns, and their margins of error.
func mapColumns(t *csvTable, opts DemographicOptions) ([]mappedColumn, error) {
	columns := opts.Columns
	if len(columns) == 0 {
		columns = map[string]string{}
		for _, v := range variables {
			if t.has(v.Name) {
				columns[v.Name] = v.Name
			}
		}
		if len(columns) == 0 {
			return nil, &InputError{File: t.file, Ref: t.headerRef(), Reason: "no column is mapped to a canonical variable: map them with --column canonical=SOURCE (e.g. --column youth_pop=B09001_001E, or youth_pop='sum(B01001_003E,B01001_004E)')"}
		}
	}
	var out []mappedColumn
	// In the canonical variables' order, so that of several faults the same one is named each time.
	names := slices.SortedFunc(maps.Keys(columns), func(a, b string) int {
		return cmp.Or(cmp.Compare(variableOrder(a), variableOrder(b)), strings.Compare(a, b))
	})
	for _, name := range names {
		source := columns[name]
		v, ok := LookupVariable(name)
		if !ok {
			return nil, &InputError{File: t.file, Reason: unknownVariable(name).Error()}
		}
		sum, err := NewColumnSum(source, opts.MOE[name], t.has)
		if err != nil {
			return nil, &InputError{File: t.file, Ref: t.headerRef(), Reason: fmt.Sprintf("variable %s: %v", name, err)}
		}
		m := mappedColumn{variable: v, sum: sum, vintage: opts.Vintage}
		for _, col := range sum.Columns() {
			if _, err := t.column(col, m.role(col)); err != nil {
				return nil, err
			}
		}
		if vin, ok := opts.Vintages[name]; ok {
			m.vintage = vin
		}
		out = append(out, m)
	}
	for _, name := range slices.Sorted(maps.Keys(opts.MOE)) {
		if _, ok := columns[name]; !ok {
			return nil, &InputError{File: t.file, Reason: fmt.Sprintf("a margin of error is mapped for %s, but %s itself is not mapped", name, name)}
		}
	}
	return out, nil
}

func variableOrder(name string) int {
	for i, v := range variables {
		if v.Name == name {
			return i
		}
	}
	return len(variables)
}

// parseFigure reads a number; an empty cell, NA or an ACS annotation value means no figure.
func parseFigure(s string, num numberFormat) (float64, bool, error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "", "NA", "N/A", "NULL", "NAN", "-":
		return 0, false, nil
	}
	v, err := num.parse(s, true)
	if err != nil {
		return 0, false, err
	}
	if acsAnnotation[v] {
		return 0, false, nil
	}
	return v, true, nil
}

// parseACSFigure reads a figure as parseFigure does, and the symbols American Community Survey
// tables write in place of one, as the Census Bureau's "Explanation of Symbols" defines them
// (ACS table notes; census.gov, "Data Notes" of the ACS supplemental estimates):
//   - "**" and "***" (margin columns: too few sample cases, or a median in an open-ended
//     interval), "-" (estimate columns: too few cases), "N" (too few cases to display) and "(X)"
//     (not applicable) mean there is no figure: read as missing, never as 0;
//   - "*****" in a margin column means the estimate is controlled, so that "a statistical test
//     for sampling variability is not appropriate": its margin is read as 0;
//   - a median followed by "+" or "-" ("250,000+", "2,500-") falls in the open top or bottom
//     interval of its distribution: the number is kept, as the bound it is.
//
// symbol names the symbol read, for the ingest record; "" for a plain figure. Anything else that
// is not a number is an error.
func parseACSFigure(s string, num numberFormat, moe bool) (v float64, ok bool, symbol string, err error) {
	t := strings.TrimSpace(s)
	switch t {
	case "**", "***", "N", "(X)":
		return 0, false, "", nil
	case "*****":
		if !moe {
			return 0, false, "", fmt.Errorf("%q is the Census Bureau's mark of a controlled estimate, which belongs in a margin-of-error column, not an estimate column", t)
		}
		return 0, true, "*****", nil
	}
	if n := len(t); n > 1 && (t[n-1] == '+' || t[n-1] == '-') {
		body, suffix := t[:n-1], t[n-1:]
		if moe {
			return 0, false, "", fmt.Errorf("%q: a + or - after a figure marks a median in an open-ended interval, which belongs in an estimate column, not a margin-of-error column", t)
		}
		x, err := num.parse(body, true)
		if err != nil {
			return 0, false, "", err
		}
		return x, true, "N" + suffix, nil
	}
	v, ok, err = parseFigure(s, num)
	return v, ok, "", err
}

// acsSymbols tallies the ACS symbols a file used that stand for a figure, by column, for the
// ingest record: controlled margins read as 0, and medians kept at the bound of an open interval.
type acsSymbols struct {
	keys  []string
	count map[string]int
	first map[string]string
}

func (a *acsSymbols) add(column, symbol, ref string) {
	if a.count == nil {
		a.count, a.first = map[string]int{}, map[string]string{}
	}
	key := column + "\x00" + symbol
	if a.count[key] == 0 {
		a.keys = append(a.keys, key)
		a.first[key] = ref
	}
	a.count[key]++
}

// String says what was read, e.g. "HD02_VD01: ***** (estimate controlled: margin read as 0) in
// 3 rows, first line 2".
func (a *acsSymbols) String() string {
	meaning := map[string]string{
		"*****": "***** (estimate controlled: margin read as 0)",
		"N+":    "N+ (median in the open top interval: kept as its lower bound)",
		"N-":    "N- (median in the open bottom interval: kept as its upper bound)",
	}
	parts := make([]string, len(a.keys))
	for i, key := range a.keys {
		column, symbol, _ := strings.Cut(key, "\x00")
		parts[i] = fmt.Sprintf("%s: %s in %d rows, first %s", column, meaning[symbol], a.count[key], a.first[key])
	}
	return strings.Join(parts, "; ")
}

// checkRange refuses a figure its variable cannot take: a flag other than 0 or 1, a share
// outside 0–100, a negative figure, or a count beyond the plausible maximum for one area.
func checkRange(v Variable, x float64, lim Limits, tracts bool) error {
	switch {
	case v.Flag && x != 0 && x != 1:
		return fmt.Errorf("%v is not a flag (0 or 1)", x)
	case v.Percent && (x < 0 || x > 100):
		return fmt.Errorf("%v is not a percentage (0–100)", x)
	case x < 0:
		return fmt.Errorf("%v is negative", x)
	case v.counts() && x > lim.MaxPopulation:
		unit := "one area"
		if tracts {
			unit = "a census tract"
		}
		return fmt.Errorf("%v is more than %v, the plausible maximum for %s (raise it with --max-population)", x, lim.MaxPopulation, unit)
	}
	return nil
}
