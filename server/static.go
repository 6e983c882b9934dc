package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"stemgap/server/internal/compress"
)

//go:generate go run ./internal/precompress web/vendor

// asset is one file of the web map as it is sent: its bytes, their brotli and gzip copies, and an
// ETag naming the content.
type asset struct {
	contentType string
	hash        string // hex of the content's SHA-256, cut to 16
	raw, br, gz []byte
	// policyless: the file is sent without the Content-Security-Policy (see needsPolicy).
	policyless bool
}

// assets holds the web map's files by path, ready to send. Our own pages and scripts name the
// files they load with ?v=HASH, so that those URLs can be cached for a year: a new build changes
// the hash, and so the URL.
type assets struct {
	byPath map[string]*asset
}

// staticRef finds the paths our pages and scripts load: '/static/…' in quotes.
var staticRef = regexp.MustCompile(`(["'` + "`" + `])/static/([A-Za-z0-9_./-]+)(["'` + "`" + `])`)

// loadAssets reads every file under fsys. Files with .br or .gz copies beside them (made by
// go generate) use those; other text is compressed here, once.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byPath: map[string]*asset{}}
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		files[p] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	// Hash what others load before the files that load them: repeat until no reference changes
	// (references form no cycle, so the depth of the chain bounds the rounds).
	content := map[string][]byte{}
	for p, b := range files {
		if !isCompressedCopy(p) {
			content[p] = b
		}
	}
	hashes := map[string]string{}
	for p, b := range content {
		hashes[p] = contentHash(b)
	}
	for round := 0; ; round++ {
		changed := false
		for p, b := range content {
			if !rewritable(p) {
				continue
			}
			out := staticRef.ReplaceAllFunc(files[p], func(m []byte) []byte {
				sub := staticRef.FindSubmatch(m)
				h, ok := hashes[string(sub[2])]
				if !ok {
					return m
				}
				return []byte(fmt.Sprintf("%s/static/%s?v=%s%s", sub[1], sub[2], h, sub[3]))
			})
			if !bytes.Equal(out, b) {
				content[p], changed = out, true
			}
		}
		for p, b := range content {
			hashes[p] = contentHash(b)
		}
		if !changed {
			break
		}
		if round > 10 {
			return nil, fmt.Errorf("web files reference each other in a cycle")
		}
	}
	for p, b := range content {
		as := &asset{contentType: contentType(p), hash: hashes[p], raw: b, policyless: !needsPolicy(p)}
		if compress.Worthwhile(p) {
			// Copies made by go generate stand beside vendored files only; ours are rewritten
			// above, so theirs are made here.
			br, gz := files[p+".br"], files[p+".gz"]
			if br == nil || gz == nil || rewritable(p) {
				if br, err = compress.Brotli(b, compress.FastBrotli); err != nil {
					return nil, err
				}
				if gz, err = compress.Gzip(b); err != nil {
					return nil, err
				}
			}
			as.br, as.gz = br, gz
		}
		a.byPath[p] = as
	}
	return a, nil
}

// needsPolicy says whether a file's response must carry the Content-Security-Policy. A policy
// governs only the document or worker that its response creates (HTML's policy containers): a
// module the page imports, a style sheet or a font is held to the page's policy whatever its own
// response says, and opened on its own it is shown as text or downloaded, never run. Leaving the
// policy off those saves its few hundred bytes on each of the map's scripts and styles. A
// worker's script is the exception: a dedicated worker started from a URL takes its policy from
// that script's response, so any file named *worker* keeps it, as do the page and every other file.
func needsPolicy(p string) bool {
	switch path.Ext(p) {
	case ".js", ".mjs", ".css", ".woff2":
		return strings.Contains(path.Base(p), "worker")
	}
	return true
}

func isCompressedCopy(p string) bool {
	return strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz")
}

// rewritable files are ours (not vendored) and may name other files.
func rewritable(p string) bool {
	switch path.Ext(p) {
	case ".html", ".js", ".css":
		return !strings.HasPrefix(p, "vendor/")
	}
	return false
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".mjs", ".js":
		return "text/javascript; charset=utf-8"
	case ".woff2":
		return "font/woff2"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serve sends one file: brotli or gzip when the client takes it, an ETag per encoding, and a year's
// cache when the URL names the content's hash (?v=), else revalidation on every use.
func (a *assets) serve(w http.ResponseWriter, r *http.Request, p string) bool {
	as, ok := a.byPath[p]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", as.contentType)
	if as.policyless {
		h.Del("Content-Security-Policy") // set for every response by secureHeaders
	}
	if v := r.URL.Query().Get("v"); v != "" && v == as.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, enc := as.raw, ""
	if as.br != nil {
		h.Add("Vary", "Accept-Encoding")
		switch {
		case accepts(r, "br"):
			body, enc = as.br, "br"
		case accepts(r, "gzip"):
			body, enc = as.gz, "gzip"
		}
	}
	etag := `"` + as.hash + `"`
	if enc != "" {
		etag = `"` + as.hash + "-" + enc + `"`
		h.Set("Content-Encoding", enc)
	}
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
	return true
}

// accepts reports whether the client takes a content coding (Accept-Encoding, q=0 refusing it).
func accepts(r *http.Request, coding string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == coding && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// ReportStylesheet is the reports' stylesheet, for pages written to files, which have no server to
// link it from.
func ReportStylesheet() string {
	b, err := webFiles.ReadFile("web/report.css")
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}
