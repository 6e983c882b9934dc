package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"stemgap/data"
	"stemgap/data/runfile"
)

// saveRunFile stores the run file staged in f, size bytes, under a new token. The file goes up
// piece bytes at a time into a large object of the transaction, which the server then copies
// into run_files: a big region's file is never whole in the client's memory.
func saveRunFile(ctx context.Context, tx pgx.Tx, id string, f io.ReaderAt, size, piece int64) error {
	var oid uint32
	if err := tx.QueryRow(ctx, "SELECT lo_create(0)").Scan(&oid); err != nil {
		return err
	}
	buf := make([]byte, min(size, piece))
	for off := int64(0); off < size; off += int64(len(buf)) {
		buf = buf[:min(int64(cap(buf)), size-off)]
		if _, err := f.ReadAt(buf, off); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT lo_put($1, $2, $3)", oid, off, buf); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO run_files (run_id, token, data) SELECT $1, $2, lo_get($3)", id, rand.Int64(), oid); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "SELECT lo_unlink($1)", oid)
	return err
}

// runFilePiece is how much of a run file SaveRun sends to the database at once.
const runFilePiece = 8 << 20

// OpenRun opens a run's file in run_files: its footer is read now, each block's columns when
// asked for, each read fetching just its bytes. Runs stored before run_files are assembled from
// their tables.
func (s *Store) OpenRun(ctx context.Context, id string) (data.RunTables, error) {
	q := `SELECT r.id, f.token, length(f.data) FROM analysis_runs r LEFT JOIN run_files f ON f.run_id = r.id WHERE r.id = $1`
	args := []any{id}
	if id == "" {
		q, args = `SELECT r.id, f.token, length(f.data) FROM analysis_runs r LEFT JOIN run_files f ON f.run_id = r.id
			ORDER BY r.created_at DESC, r.id LIMIT 1`, nil
	}
	var runID string
	var token, size *int64
	err := s.pool.QueryRow(ctx, q, args...).Scan(&runID, &token, &size)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	if token == nil {
		run, err := s.legacyRun(ctx, runID)
		if err != nil {
			return nil, err
		}
		return data.TablesOf(run)
	}
	r, err := runfile.NewReader(&storedFile{pool: s.pool, id: runID, token: *token}, *size, nil)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runID, err)
	}
	return r, nil
}

// storedFile reads byte ranges of a run's file.
type storedFile struct {
	pool  *pgxpool.Pool
	id    string
	token int64
}

// readTimeout bounds one read of a stored run file; the reads have no caller's context.
const readTimeout = time.Minute

func (f *storedFile) ReadAt(p []byte, off int64) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	var b []byte
	err := f.pool.QueryRow(ctx, "SELECT substring(data FROM $3 FOR $4) FROM run_files WHERE run_id = $1 AND token = $2",
		f.id, f.token, off+1, len(p)).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("run %s: %w", f.id, data.ErrReplaced)
	}
	if err != nil {
		return 0, err
	}
	n := copy(p, b)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
