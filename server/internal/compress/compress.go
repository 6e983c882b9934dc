// Package compress makes the brotli and gzip copies of the web map's files, the same way at build
// time (precompress) and at start-up (the server's own small files).
package compress

import (
	"bytes"
	"compress/gzip"
	"path/filepath"

	"github.com/andybalholm/brotli"
)

// Brotli qualities: the best for files compressed once at build time, a fast one at start-up.
const (
	BestBrotli = brotli.BestCompression
	FastBrotli = 6
)

// Worthwhile reports whether a file is text that compresses: scripts, style sheets, pages, JSON.
// Fonts (woff2) and images are compressed already.
func Worthwhile(name string) bool {
	switch filepath.Ext(name) {
	case ".js", ".mjs", ".css", ".html", ".json", ".svg":
		return true
	}
	return false
}

// Brotli compresses b at a quality.
func Brotli(b []byte, quality int) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, quality)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Gzip compresses b at the best level, with no name or time in the header, so the same input
// always gives the same bytes.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
