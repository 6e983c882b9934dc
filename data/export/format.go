package export

import (
	"math"
	"strconv"
)

// formatFloat writes a figure at full precision — the shortest text that reads back to the same
// float64 — in plain decimals where that stays short, and empty for no data.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case v == 0 || (math.Abs(v) >= 1e-6 && math.Abs(v) < 1e15):
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Number is a figure for JSON, or nil for no data (JSON has no NaN or infinity).
func Number(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
