package data

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// decimalCommaFlag is the ingest option that reads decimal commas.
const decimalCommaFlag = "--decimal-comma"

// numberFormat says how a file writes decimal numbers: with a decimal point (the default), or,
// when the user says so, with a decimal comma.
type numberFormat struct {
	decimalComma bool
	// switchFlag is the option that reads decimal commas, named in the hint; empty where none exists.
	switchFlag string
}

var (
	plainDecimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	commaGrouped = regexp.MustCompile(`^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?$`)
	pointGrouped = regexp.MustCompile(`^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]*)?$`)
)

// parse reads one decimal number. Thousands separators are accepted where grouping allows them
// and only in whole groups of three ("1,234.5", or "1.234,5" with a decimal comma); any other
// comma in a decimal-point file is a decimal comma and is refused with a hint, because reading
// "12,5" as 125 would be silently wrong. Hexadecimal, Inf and NaN spellings are not numbers here.
func (f numberFormat) parse(s string, grouping bool) (float64, error) {
	text := s
	grouped, thousands := commaGrouped, ","
	if f.decimalComma {
		grouped, thousands = pointGrouped, "."
	}
	if grouping && grouped.MatchString(text) {
		text = strings.ReplaceAll(text, thousands, "")
	}
	switch {
	case f.decimalComma && strings.Contains(text, "."):
		return 0, fmt.Errorf("%q has a decimal point, but %s reads commas as decimal marks", s, f.switchFlag)
	case f.decimalComma:
		text = strings.Replace(text, ",", ".", 1)
	case strings.Count(text, ",") == 1 && plainDecimal.MatchString(strings.Replace(text, ",", ".", 1)):
		hint := "write " + strings.Replace(text, ",", ".", 1)
		if f.switchFlag != "" {
			hint += ", or read the file with " + f.switchFlag
		}
		return 0, fmt.Errorf("%q has a decimal comma: %s", s, hint)
	}
	if !plainDecimal.MatchString(text) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is beyond the range of numbers (±1.8e308)", s)
	}
	return v, nil
}
