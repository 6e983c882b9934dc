package labels

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Style is how a figure is written. The browser formats with the same rules
// (server/web/format.js); testdata/formats.json holds cases both must pass.
type Style string

// Styles.
const (
	// StyleCount is a whole number with thousands separators: 1,495.
	StyleCount Style = "count"
	// StyleNumber keeps three significant digits, at most six decimals: 2.41, 12.3, 1,235,
	// 0.00011 — small figures (unmet seats per hexagon) keep their digits rather than read as 0.
	StyleNumber Style = "number"
	// StyleMoney is whole dollars: $81,710.
	StyleMoney Style = "money"
	// StyleShare is a 0–1 share as a percentage, one decimal below 10% and above 90%: 31%, 4.5%,
	// 99.8%.
	StyleShare Style = "share"
	// StylePercent is a figure already on a 0–100 scale, written like a share: 31%, 4.5%.
	StylePercent Style = "percent"
	// StylePercentile is a 0–1 rank as an ordinal percentile: 31st percentile.
	StylePercentile Style = "percentile"
	// StyleScore is a 0–1 score with two decimals: 0.42.
	StyleScore Style = "score"
)

// NoData is written for a missing figure (NaN or infinite).
const NoData = "no data"

// Format says how one figure is written: its style and a unit after it (" km").
type Format struct {
	Style  Style  `json:"style"`
	Suffix string `json:"suffix,omitempty"`
}

// Format writes v as people write it; NoData for NaN or an infinity.
func (f Format) Format(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NoData
	}
	var s string
	switch f.Style {
	case StyleCount:
		s = fixed(v, 0)
	case StyleMoney:
		s = fixed(v, 0)
		if strings.HasPrefix(s, "-") {
			s = "-$" + s[1:]
		} else {
			s = "$" + s
		}
	case StyleShare:
		s = percent(100 * v)
	case StylePercent:
		s = percent(v)
	case StylePercentile:
		s = fixed(100*v, 0)
		s += ordinalSuffix(s) + " percentile"
	case StyleScore:
		s = fixed(v, 2)
	default: // StyleNumber
		s = fixed(v, significantDecimals(v))
	}
	return s + f.Suffix
}

// percent writes a figure on a 0–100 scale, with one decimal below 10 and above 90, so that small
// shares do not read as none and large ones as all.
func percent(p float64) string {
	decimals := 0
	if a := math.Abs(p); a < 10 || a > 90 {
		decimals = 1
	}
	return fixed(p, decimals) + "%"
}

// significantDecimals is how many decimals keep three significant digits of v, at most six (a
// millionth: finer than any figure stemgap reports means).
// It compares against powers of ten rather than taking a logarithm, so that the browser, which
// follows the same steps, gets the same count at exact powers of ten.
func significantDecimals(v float64) int {
	a := math.Abs(v)
	d := 2
	for limit := 1.0; d > 0 && a >= limit*10; limit *= 10 {
		d--
	}
	for limit := 1.0; d < 6 && a > 0 && a < limit; limit /= 10 {
		d++
	}
	return d
}

// fixed writes v rounded to at most `decimals` places, trailing zeros dropped, thousands grouped
// with commas, and no sign on a result that rounds to zero. It rounds half away from zero on the
// shortest decimal that reads back as v (1.005 → 1.01), as the browser's Intl.NumberFormat does.
func fixed(v float64, decimals int) string {
	x, _ := new(big.Rat).SetString(strconv.FormatFloat(math.Abs(v), 'g', -1, 64))
	x.Mul(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
	x.Add(x, big.NewRat(1, 2))
	n := new(big.Int).Quo(x.Num(), x.Denom()) // the floor of a non-negative number
	digits := n.String()
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	whole, frac := digits[:len(digits)-decimals], strings.TrimRight(digits[len(digits)-decimals:], "0")
	var b strings.Builder
	if v < 0 && n.Sign() != 0 {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// ordinalSuffix is the English ordinal suffix of a whole number written in digits.
func ordinalSuffix(digits string) string {
	n := len(digits)
	if n >= 2 && digits[n-2] == '1' {
		return "th"
	}
	switch digits[n-1] {
	case '1':
		return "st"
	case '2':
		return "nd"
	case '3':
		return "rd"
	}
	return "th"
}
