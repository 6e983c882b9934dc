package main

import (
	"bufio"
	"io"
	"path/filepath"

	"stemgap/data"
)

// writeOutput writes to stdout when file is empty, else atomically to file; metadata, when set,
// writes the file's CSV on the Web metadata to FILE-metadata.json beside it, given the CSV's name.
func writeOutput(stdout io.Writer, file string, write func(io.Writer) error, metadata func(w io.Writer, csvName string) error) error {
	if file == "" {
		return write(stdout)
	}
	if err := data.WriteFileAtomic(file, func(w *bufio.Writer) error { return write(w) }); err != nil {
		return err
	}
	if metadata == nil {
		return nil
	}
	return data.WriteFileAtomic(file+"-metadata.json", func(w *bufio.Writer) error { return metadata(w, filepath.Base(file)) })
}
