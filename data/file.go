package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file so that readers see either the old content or the whole new
// content, never a half-written file: it writes a temporary file beside the target, flushes it
// to disk and renames it into place.
func WriteFileAtomic(path string, write func(w *bufio.Writer) error) error {
	return WriteFileAtomicAt(path, func(tmp *os.File) error {
		w := bufio.NewWriterSize(tmp, 1<<20)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	})
}

// WriteFileAtomicAt is WriteFileAtomic for writers that open the file by its name (a SQLite
// database): write fills the temporary file, by the handle or by tmp.Name(), and may leave it
// open.
func WriteFileAtomicAt(path string, write func(tmp *os.File) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	SyncDir(dir)
	return nil
}

// SyncDir makes the names in a directory durable: a rename into it is durable only once the
// directory entry is. It does its best; a directory that cannot be opened is left as it is.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
