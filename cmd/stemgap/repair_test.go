package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/data/embedded"
	"stemgap/data/postgis"
	"stemgap/data/postgis/pgtest"
)

// ingest tracts --repair loads the corpus files whose only fault is a polygon's topology, on both
// stores, to the same polygons; it names the repaired feature in the log and in the ingest's
// record. Faults a repair cannot mend are still refused with the same message as without it.
func TestRepairOnBothStores(t *testing.T) {
	db := pgtest.FreshSchema(t)
	dir := t.TempDir()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, name := range []string{"bowtie", "figure-eight", "overlapping-parts", "nested-holes", "hole-cuts-interior", "hole-outside"} {
		file := filepath.Join(corpusDir, "stl-excerpt-tracts-"+name+".geojson")
		var read [2][]data.Area
		var records [2][]data.IngestRecord
		for i, flag := range [][]string{{"--data-dir", dir}, {"--db", db}} {
			code, _, errs := stemgap(t, ctx, append([]string{"ingest", "tracts", file, "--repair"}, flag...)...)
			if code != 0 || !strings.Contains(errs, `msg="repairing an invalid polygon" source=stl-excerpt-tracts-`+name+`.geojson feature="feature 2" problem="GEOID \"29510101200\": `) {
				t.Fatalf("%s %s: exit %d: %s", name, flag[0], code, errs)
			}
			var s data.Store
			var err error
			if i == 0 {
				s, err = embedded.Open(dir)
			} else {
				s, err = postgis.Open(ctx, db, log)
			}
			if err != nil {
				t.Fatal(err)
			}
			read[i], err = s.Areas(ctx)
			if err == nil {
				records[i], err = s.Ingests(ctx)
			}
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		emb, pg := byID(read[0]), byID(read[1])
		a, b := emb["29510101200"], pg["29510101200"]
		if len(a.Geometry) == 0 || !orb.Equal(a.Geometry, b.Geometry) || a.LandKm2 != b.LandKm2 {
			t.Errorf("%s: the stores repaired feature 2 differently:\n embedded %v (%v km²)\n  PostGIS %v (%v km²)", name, a.Geometry, a.LandKm2, b.Geometry, b.LandKm2)
		}
		if len(emb) != 3 || !orb.Equal(emb["29510101100"].Geometry, pg["29510101100"].Geometry) {
			t.Errorf("%s: the valid tracts differ or are missing", name)
		}
		for i, recs := range records {
			if len(recs) != 1 || recs[0].Options["repair"] != "ST_MakeValid" || !strings.HasPrefix(recs[0].Options["repaired"], `feature 2: GEOID "29510101200": `) {
				t.Errorf("%s: store %d records %+v", name, i, recs)
			}
		}
	}
	// Too few points is no topology to repair: refused as without --repair, by both stores.
	file := filepath.Join(corpusDir, "stl-excerpt-tracts-too-few-points.geojson")
	for _, flag := range [][]string{{"--data-dir", dir}, {"--db", db}} {
		code, _, errs := stemgap(t, ctx, append([]string{"ingest", "tracts", file, "--repair"}, flag...)...)
		if code != 1 || !strings.Contains(errs, "feature 2: GEOID \"29510101200\": outer ring has 3 points") {
			t.Errorf("%s: exit %d: %s", flag[0], code, errs)
		}
	}
	if code, _, errs := stemgap(t, ctx, "ingest", "programs", file, "--repair", "--data-dir", dir); code != 2 || !strings.Contains(errs, "--repair applies to tracts only") {
		t.Errorf("--repair on programs: exit %d: %s", code, errs)
	}
}

func byID(areas []data.Area) map[string]data.Area {
	out := map[string]data.Area{}
	for _, a := range areas {
		out[a.ID] = a
	}
	return out
}
