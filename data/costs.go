package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CostMatrix is a parsed origin–destination cost table: rows of origin (an area id or an H3
// cell), program id and cost.
type CostMatrix struct {
	File string
	Unit string
	Rows []CostRow
}

// CostRow is one origin–program cost.
type CostRow struct {
	Origin, Program string
	Cost            float64
	Line            int
}

// ReadCostMatrix reads a cost CSV with columns origin, program and a cost column named minutes,
// km or cost (which also names the unit).
func ReadCostMatrix(r io.Reader, file string) (*CostMatrix, error) {
	t, err := openCSV(r, file)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range t.header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	origin, ok1 := col["origin"]
	program, ok2 := col["program"]
	costCol, unit := -1, ""
	for _, name := range []string{"minutes", "km", "cost"} {
		if i, ok := col[name]; ok {
			costCol, unit = i, name
			break
		}
	}
	if !ok1 || !ok2 || costCol < 0 {
		return nil, &InputError{File: file, Ref: "line 1", Reason: fmt.Sprintf("a cost matrix needs columns origin, program and one of minutes, km, cost; the header has %s", strings.Join(t.header, ", "))}
	}
	if unit == "minutes" {
		unit = "min"
	}
	m := &CostMatrix{File: file, Unit: unit}
	errs := &errorList{file: file}
	err = t.each(func(rec []string, line int) {
		c, err := numberFormat{}.parse(strings.TrimSpace(rec[costCol]), true)
		switch {
		case err != nil:
			errs.add(lineRef(line), "cost %v", err)
			return
		case c < 0:
			errs.add(lineRef(line), "cost %v is not a non-negative number", c)
			return
		}
		row := CostRow{Origin: strings.TrimSpace(rec[origin]), Program: strings.TrimSpace(rec[program]), Cost: c, Line: line}
		switch {
		case row.Origin == "":
			errs.add(lineRef(line), "empty origin")
		case row.Program == "":
			errs.add(lineRef(line), "empty program")
		default:
			m.Rows = append(m.Rows, row)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if len(m.Rows) == 0 {
		return nil, &InputError{File: file, Reason: "no rows after the header"}
	}
	return m, nil
}

// LoadCostMatrix reads a cost matrix file and describes it like an ingested input, so that its
// digest travels with the run.
func LoadCostMatrix(path string, now time.Time) (*CostMatrix, *IngestRecord, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	name := filepath.Base(path)
	m, err := ReadCostMatrix(bytes.NewReader(raw), name)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256(raw)
	return m, &IngestRecord{Kind: "costs", Source: name, SHA256: hex.EncodeToString(sum[:]), Rows: len(m.Rows), LoadedAt: now.UTC(),
		Options: map[string]string{"unit": m.Unit}}, nil
}
