package data

import (
	"fmt"
	"math"
	"strings"
)

// ColumnSum is how a canonical variable is read from a table: one estimate column, or the sum
// of several, each with the column holding its margin of error. The CSV reader (--column
// youth_pop='sum(HD01_VD03,HD01_VD04)') and the Census Data API fetcher (ingest census) both
// read sums through it, so a figure and its margin are computed one way.
type ColumnSum struct {
	Spec      string   // as written: "B09001_001E" or "sum(HD01_VD03,HD01_VD04)"
	Estimates []string // the summed columns; one for a plain column
	// MOEs holds each estimate's margin-of-error column, in the same order; nil when any
	// estimate has none, and then the sum has no margin.
	MOEs []string
}

// NewColumnSum parses spec — a column name, or sum(A,B,…) — and pairs each estimate with its
// margin of error: from moeSpec when given (a column, or a sum of as many columns in the same
// order), else by the ACS naming conventions (see MOEColumn). has reports whether the table
// has a column.
func NewColumnSum(spec, moeSpec string, has func(column string) bool) (ColumnSum, error) {
	estimates, err := parseSum(spec)
	if err != nil {
		return ColumnSum{}, err
	}
	c := ColumnSum{Spec: spec, Estimates: estimates}
	if moeSpec != "" {
		moes, err := parseSum(moeSpec)
		if err != nil {
			return ColumnSum{}, fmt.Errorf("margin of error: %w", err)
		}
		if len(moes) != len(estimates) {
			return ColumnSum{}, fmt.Errorf("%s sums %d columns but its margin of error %s names %d; give one margin column per estimate, in the same order", spec, len(estimates), moeSpec, len(moes))
		}
		c.MOEs = moes
		return c, nil
	}
	for _, e := range estimates {
		m, ok := MOEColumn(e, has)
		if !ok {
			c.MOEs = nil
			break
		}
		c.MOEs = append(c.MOEs, m)
	}
	return c, nil
}

// parseSum splits "sum(A, B, …)" into its columns; anything else is one column.
func parseSum(spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("empty column name")
	}
	inner, ok := strings.CutPrefix(spec, "sum(")
	if !ok {
		return []string{spec}, nil
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return nil, fmt.Errorf("%q: a sum is written sum(A,B,…) with a closing parenthesis", spec)
	}
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(inner, ",") {
		col := strings.TrimSpace(part)
		switch {
		case col == "":
			return nil, fmt.Errorf("%q: an empty column name in the sum", spec)
		case seen[col]:
			return nil, fmt.Errorf("%q: column %s appears twice in the sum", spec, col)
		}
		seen[col] = true
		out = append(out, col)
	}
	return out, nil
}

// MOEColumn finds the margin-of-error column that the Census Bureau's naming pairs with an
// estimate column: …E with …M (Census Data API and data.census.gov, e.g. B01001_003E and
// B01001_003M; TOTAL_E and TOTAL_M) and HD01_… with HD02_… (American FactFinder downloads,
// e.g. HD01_VD03 and HD02_VD03).
func MOEColumn(estimate string, has func(column string) bool) (string, bool) {
	if base, ok := strings.CutSuffix(estimate, "E"); ok && has(base+"M") {
		return base + "M", true
	}
	if rest, ok := strings.CutPrefix(estimate, "HD01_"); ok && has("HD02_"+rest) {
		return "HD02_" + rest, true
	}
	return "", false
}

// Columns lists every column the sum reads, estimates then margins.
func (c ColumnSum) Columns() []string {
	return append(append([]string(nil), c.Estimates...), c.MOEs...)
}

// Figure evaluates the sum for one row. get returns a column's figure, ok false where the row
// has none (an empty cell or an annotation). When any summed estimate has no figure, the sum
// has none: adding what is known would understate it. The margin is √ΣMOE², the Census
// Bureau's approximation for a sum of estimates; NaN when any margin is missing.
func (c ColumnSum) Figure(get func(column string) (float64, bool, error)) (value, moe float64, ok bool, err error) {
	for _, col := range c.Estimates {
		v, has, err := get(col)
		if err != nil || !has {
			return 0, 0, false, err
		}
		value += v
	}
	if c.MOEs == nil {
		return value, math.NaN(), true, nil
	}
	sq := 0.0
	for _, col := range c.MOEs {
		m, has, err := get(col)
		if err != nil {
			return 0, 0, false, err
		}
		if !has {
			return value, math.NaN(), true, nil
		}
		sq += m * m
	}
	return value, math.Sqrt(sq), true, nil
}
