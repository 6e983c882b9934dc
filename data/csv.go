package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvTable reads a CSV file with a header, remembering each record's line number so that errors
// can name it (1-based; the header is line 1). A GeoJSON file's feature properties are read as
// one too (see openFeatureTable), so that demographics from either take one code path.
type csvTable struct {
	file   string
	header []string
	index  map[string]int
	r      *csv.Reader
	// held holds the rows of a table read whole, from feature properties; r is nil then, and
	// columns are called properties in messages.
	held []tableRow
}

// tableRow is one record of a table read whole, with where it is ("feature 7").
type tableRow struct {
	rec []string
	ref string
}

func openCSV(r io.Reader, file string) (*csvTable, error) {
	// readText drops a byte-order mark, which would otherwise stick to the first column name.
	raw, err := readText(r, file)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &InputError{File: file, Reason: "empty file: a header line is required"}
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	t := &csvTable{file: file, header: header, index: map[string]int{}, r: cr}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if prev, dup := t.index[h]; dup {
			return nil, &InputError{File: file, Ref: "line 1", Reason: fmt.Sprintf("column %q appears twice (columns %d and %d)", h, prev+1, i+1)}
		}
		t.index[h] = i
	}
	return t, nil
}

// each calls fn with every record and its line, stopping at the first malformed record.
func (t *csvTable) each(fn func(rec []string, line int)) error {
	for {
		rec, err := t.r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return csvError(t.file, err)
		}
		line, _ := t.r.FieldPos(0)
		fn(rec, line)
	}
}

// rows calls fn with every record and where it is: "line 12" in a CSV file, "feature 7" in a
// GeoJSON file.
func (t *csvTable) rows(fn func(rec []string, ref string)) error {
	if t.r == nil {
		for _, row := range t.held {
			fn(row.rec, row.ref)
		}
		return nil
	}
	return t.each(func(rec []string, line int) { fn(rec, lineRef(line)) })
}

// headerRef is where a problem with the columns themselves is: the header line of a CSV file;
// nowhere in particular in a GeoJSON file.
func (t *csvTable) headerRef() string {
	if t.features() {
		return ""
	}
	return "line 1"
}

// features says whether the table is a GeoJSON file's feature properties.
func (t *csvTable) features() bool { return t.r == nil }

// column finds a header column, failing with the list of columns the file has.
func (t *csvTable) column(name, purpose string) (int, error) {
	if i, ok := t.index[name]; ok {
		return i, nil
	}
	if t.features() {
		return -1, &InputError{File: t.file, Reason: fmt.Sprintf("no feature has a property %q for %s (the features have: %s)", name, purpose, strings.Join(t.header, ", "))}
	}
	reason := fmt.Sprintf("no column %q for %s (the header has: %s)", name, purpose, strings.Join(t.header, ", "))
	if len(t.header) == 1 && strings.Contains(t.header[0], ";") {
		// Spreadsheets set to a decimal comma separate fields with semicolons.
		reason += "; the fields seem to be separated by semicolons: save the file with commas between fields"
	}
	return -1, &InputError{File: t.file, Ref: "line 1", Reason: reason}
}

func (t *csvTable) has(name string) bool {
	_, ok := t.index[name]
	return ok
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{File: file, Ref: lineRef(pe.Line), Reason: pe.Err.Error()}
	}
	return fmt.Errorf("%s: %w", file, err)
}
