package data

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// utf8BOM is the byte-order mark that spreadsheet and GIS exports often put before UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readText reads a whole input file and checks that it is UTF-8 text: a NUL byte or an invalid
// UTF-8 sequence is reported with its line, because PostGIS would refuse it with no place named
// and the embedded store would keep it as garbage. A leading byte-order mark is dropped, in
// every format.
func readText(r io.Reader, file string) ([]byte, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	raw = bytes.TrimPrefix(raw, utf8BOM)
	if utf8.Valid(raw) && bytes.IndexByte(raw, 0) < 0 {
		return raw, nil
	}
	errs := &errorList{file: file}
	for line, rest := 1, raw; len(rest) > 0; line++ {
		text := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			text, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if reason := textProblem(text); reason != "" {
			errs.add(lineRef(line), "%s", reason)
		}
	}
	return nil, errs.err()
}

// textProblem describes the first NUL byte or invalid UTF-8 sequence in one line, with a hint
// at the usual cause.
func textProblem(line []byte) string {
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		switch {
		case r == 0:
			return fmt.Sprintf("NUL byte at byte %d: not a text file, or saved as UTF-16 — save it as UTF-8", i+1)
		case r == utf8.RuneError && size <= 1:
			return fmt.Sprintf("invalid UTF-8 (byte 0x%02X at byte %d): save the file as UTF-8 (it may be Latin-1 or Windows-1252)", line[i], i+1)
		}
		i += size
	}
	return ""
}

// stringProblem checks a string that reached a row by any path — a JSON escape such as \u0000,
// a census download — for what PostgreSQL's text type and every CSV reader refuse.
func stringProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "holds a NUL character"
	}
	return ""
}
