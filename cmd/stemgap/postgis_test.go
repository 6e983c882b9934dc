package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"stemgap/data/postgis/pgtest"
)

// With PostGIS as the store, the St. Louis data goes through ingest, analyze and export, and the
// exports are byte-identical to the embedded store's for the same inputs and parameters.
func TestPostGISMatchesEmbedded(t *testing.T) {
	db := pgtest.FreshSchema(t)
	needInputs(t)
	ctx := context.Background()
	if code, out, errs := stemgap(t, ctx, "demo", "--no-serve", "--inputs", inputs, "--db", db); code != 0 {
		t.Fatalf("demo --db exited %d:\n%s%s", code, out, errs)
	}
	dir := demoDir(t)
	tmp := t.TempDir()
	for _, layer := range []string{"cells", "tracts", "programs"} {
		pg, emb := filepath.Join(tmp, layer+"-pg.csv"), filepath.Join(tmp, layer+"-embedded.csv")
		if code, _, errs := stemgap(t, ctx, "export", "csv", "--layer", layer, "-o", pg, "--db", db); code != 0 {
			t.Fatalf("export from PostGIS: %s", errs)
		}
		if code, _, errs := stemgap(t, ctx, "export", "csv", "--layer", layer, "-o", emb, "--data-dir", dir); code != 0 {
			t.Fatalf("export from the embedded store: %s", errs)
		}
		a, _ := os.ReadFile(pg)
		b, _ := os.ReadFile(emb)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s CSV from PostGIS (%d bytes) differs from the embedded store's (%d bytes)", layer, len(a), len(b))
		}
		ma, _ := os.ReadFile(pg + "-metadata.json")
		mb, _ := os.ReadFile(emb + "-metadata.json")
		if !bytes.Equal(bytes.ReplaceAll(ma, []byte(filepath.Base(pg)), nil), bytes.ReplaceAll(mb, []byte(filepath.Base(emb)), nil)) {
			t.Errorf("%s provenance differs between the stores", layer)
		}
	}
}

// A corrupt file — a bad geometry at feature 57 — leaves every table exactly as it was.
func TestPostGISCorruptIngestChangesNothing(t *testing.T) {
	db := pgtest.FreshSchema(t)
	needInputs(t)
	ctx := context.Background()
	if code, _, errs := stemgap(t, ctx, "demo", "--no-serve", "--inputs", inputs, "--db", db); code != 0 {
		t.Fatal(errs)
	}
	fingerprint := func() string {
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var s string
		err = conn.QueryRow(ctx, `SELECT concat_ws('|',
			(SELECT md5(string_agg(id || name || ST_AsEWKT(geom), ',' ORDER BY id)) FROM tracts),
			(SELECT md5(string_agg(area_id || variable || value::text, ',' ORDER BY area_id, variable)) FROM demographics),
			(SELECT md5(string_agg(id || ST_AsEWKT(geom), ',' ORDER BY id)) FROM programs),
			(SELECT md5(string_agg(kind || source || sha256 || loaded_at::text, ',' ORDER BY kind, source)) FROM ingests),
			(SELECT count(*)::text FROM cells), (SELECT count(*)::text FROM analysis_runs))`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := fingerprint()

	raw, _ := os.ReadFile(stLouisTracts())
	var fc map[string]any
	json.Unmarshal(raw, &fc)
	// Feature 57 gets a hole outside its shell: each ring alone is fine, the polygon is not —
	// the kind of fault the validator judges as ST_IsValid does.
	feature := fc["features"].([]any)[56].(map[string]any)
	shell := feature["geometry"].(map[string]any)["coordinates"].([]any)[0]
	feature["geometry"] = map[string]any{"type": "Polygon", "coordinates": []any{shell,
		[][]float64{{-80.0, 30.0}, {-79.9, 30.0}, {-79.9, 30.1}, {-80.0, 30.0}}}}
	bad := filepath.Join(t.TempDir(), "corrupt_tracts.geojson")
	b, _ := json.Marshal(fc)
	os.WriteFile(bad, b, 0o644)
	code, _, errs := stemgap(t, ctx, "ingest", "tracts", bad, "--db", db)
	if code != 1 || !strings.Contains(errs, "corrupt_tracts.geojson: feature 57") || !strings.Contains(errs, "invalid geometry") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if after := fingerprint(); after != before {
		t.Errorf("a failed ingest changed the database:\n%s\n%s", before, after)
	}
	// --dry-run of a good file writes nothing either.
	if code, _, errs := stemgap(t, ctx, "ingest", "programs", filepath.Join(inputs, "stl", "library_systems_pls2022.csv"), "--dry-run", "--db", db); code != 0 {
		t.Fatalf("dry run: %s", errs)
	}
	if after := fingerprint(); after != before {
		t.Error("a dry run changed the database")
	}
}
