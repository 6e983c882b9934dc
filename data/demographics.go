package data

import (
	"fmt"
	"io"
	"slices"
	"sort"
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

// ReadDemographics reads a CSV keyed by area id and returns one value per area and mapped
// variable that has a figure. An empty cell is "no data", never zero.
func ReadDemographics(r io.Reader, file string, opts DemographicOptions) ([]DemographicValue, error) {
	t, err := openCSV(r, file)
	if err != nil {
		return nil, err
	}
	idField := opts.IDField
	if idField == "" {
		idField = DefaultIDField
	}
	idCol, err := t.column(idField, "the area id (choose it with --id-field)")
	if err != nil {
		return nil, err
	}
	mapped, err := mapColumns(t, opts)
	if err != nil {
		return nil, err
	}
	num := numberFormat{decimalComma: opts.DecimalComma, switchFlag: decimalCommaFlag}
	tracts := idField == DefaultIDField
	lim := opts.Limits.resolve(tracts)
	errs := &errorList{file: file}
	seen := map[string]int{}
	var out []DemographicValue
	err = t.each(func(rec []string, line int) {
		ref := lineRef(line)
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
			errs.add(ref, "%s %q repeats line %d", idField, id, prev)
			return
		}
		seen[id] = line
		for _, m := range mapped {
			v, moe, ok, err := m.sum.Figure(func(col string) (float64, bool, error) {
				x, ok, err := parseFigure(rec[t.index[col]], num)
				if err == nil && ok && x < 0 && slices.Contains(m.sum.MOEs, col) {
					err = fmt.Errorf("%v is negative", x)
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
		return nil, err
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if len(seen) == 0 {
		return nil, &InputError{File: file, Reason: "no rows after the header"}
	}
	return out, nil
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
			return nil, &InputError{File: t.file, Ref: "line 1", Reason: "no column is mapped to a canonical variable: map them with --column canonical=SOURCE (e.g. --column youth_pop=B09001_001E, or youth_pop='sum(B01001_003E,B01001_004E)')"}
		}
	}
	var out []mappedColumn
	for name, source := range columns {
		v, ok := LookupVariable(name)
		if !ok {
			return nil, &InputError{File: t.file, Reason: unknownVariable(name).Error()}
		}
		sum, err := NewColumnSum(source, opts.MOE[name], t.has)
		if err != nil {
			return nil, &InputError{File: t.file, Ref: "line 1", Reason: fmt.Sprintf("variable %s: %v", name, err)}
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
	for name := range opts.MOE {
		if _, ok := columns[name]; !ok {
			return nil, &InputError{File: t.file, Reason: fmt.Sprintf("a margin of error is mapped for %s, but %s itself is not mapped", name, name)}
		}
	}
	sort.Slice(out, func(i, j int) bool { return variableOrder(out[i].variable.Name) < variableOrder(out[j].variable.Name) })
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
