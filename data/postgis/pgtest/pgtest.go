// Package pgtest gives tests a schema of their own on the throwaway PostGIS that scripts/test
// starts (STEMGAP_TEST_DATABASE_URL). Without that variable, tests that need PostGIS skip.
package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL is the test server's URL, or a skip.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("STEMGAP_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("STEMGAP_TEST_DATABASE_URL is not set: scripts/test starts a PostGIS and sets it")
	}
	return u
}

// FreshSchema creates an empty schema, dropped when the test ends, and returns a URL whose
// connections use it (with public on the path, where PostGIS lives).
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := URL(t)
	name := fmt.Sprintf("t_%x", rand.Uint64())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx, base); err == nil {
			c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
