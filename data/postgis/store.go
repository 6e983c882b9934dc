// Package postgis is the store for deployments: PostgreSQL with PostGIS, through a pgx pool.
// Ingests stage rows with COPY and validate them in SQL inside one transaction; runs are
// written in one transaction too. Tables live in the connection's schema.
package postgis

import (
	"context"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// lockSpace is the first key of every advisory lock stemgap takes; the second names what it
// guards ("ingest tracts", "runs").
const lockSpace = 0x57e6a9

// Store is a data.Store over PostGIS.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// Open connects, registers PostGIS's geometry type with pgx and applies pending migrations.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	cfg.AfterConnect = registerGeometry
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostGIS: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostGIS: %w", err)
	}
	s := &Store{pool: pool, log: log}
	if _, err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// registerGeometry teaches a connection PostGIS's geometry type. Its binary form is EWKB, so
// raw bytes pass through unchanged in both directions — in COPY as in queries. Before the first
// migration the type may not exist yet; the connection then works without it.
func registerGeometry(ctx context.Context, conn *pgx.Conn) error {
	var oid *uint32
	if err := conn.QueryRow(ctx, "SELECT to_regtype('geometry')::oid").Scan(&oid); err != nil {
		return err
	}
	if oid != nil {
		conn.TypeMap().RegisterType(&pgtype.Type{Name: "geometry", OID: *oid, Codec: pgtype.ByteaCodec{}})
	}
	return nil
}

// Close releases the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool exposes the pool to tests and benchmarks in this module.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
