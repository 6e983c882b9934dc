package export

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// formulaLeads are the first characters that make a spreadsheet (Excel, LibreOffice Calc,
// Google Sheets) read a CSV cell as a formula or start one: OWASP's CSV-injection list (=, +, -,
// @, tab, carriage return), with line feed and NUL (ASVS 1.2.10) and the full-width forms of
// = + - @ that some East Asian locales also take as formula signs.
const formulaLeads = "=+-@\t\r\n\x00＝＋－＠"

// plainNumber is a decimal number as spreadsheets and CSV readers take it: sign, digits, an
// optional fraction and exponent. Such a cell is a value, never a formula.
var plainNumber = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// spreadsheetSafe neutralises a text cell that a spreadsheet would run as a formula, following
// OWASP's CSV-injection guidance: the cell gets a leading apostrophe, which spreadsheets take as
// "this is text" and do not show. A cell that is a plain number, such as -3.5 or +2, stays as it
// is, so that it still reads as that number.
func spreadsheetSafe(s string) string {
	first, _ := utf8.DecodeRuneInString(s)
	if s == "" || !strings.ContainsRune(formulaLeads, first) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}
