// Command precompress writes a brotli (.br) and a gzip (.gz) copy beside every script and style
// sheet under a directory, so that the server sends the vendored libraries compressed without
// compressing them on each start. Run by go generate ./server (scripts/vendor-web does).
// Usage: go run ./internal/precompress DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"stemgap/server/internal/compress"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress DIR")
		os.Exit(2)
	}
	err := filepath.WalkDir(os.Args[1], func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compress.Worthwhile(path) {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		br, err := compress.Brotli(raw, compress.BestBrotli)
		if err != nil {
			return err
		}
		gz, err := compress.Gzip(raw)
		if err != nil {
			return err
		}
		for ext, b := range map[string][]byte{".br": br, ".gz": gz} {
			if err := os.WriteFile(path+ext, b, 0o644); err != nil {
				return err
			}
		}
		fmt.Printf("%s: %d bytes, brotli %d, gzip %d\n", path, len(raw), len(br), len(gz))
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}
