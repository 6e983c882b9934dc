package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/data"
	"stemgap/data/embedded"
	"stemgap/data/postgis"
	"stemgap/data/postgis/pgtest"
	"stemgap/server"
)

// storeUnderTest is one kind of store: the flags that select it and a way to open it directly.
type storeUnderTest struct {
	name  string
	flags []string
	open  func(t testing.TB) data.Store
}

// eachStore runs fn against a fresh embedded store and, when scripts/test started one, a fresh
// PostGIS schema.
func eachStore(t *testing.T, fn func(t *testing.T, s storeUnderTest)) {
	t.Run("embedded", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, storeUnderTest{name: "embedded", flags: []string{"--data-dir", dir}, open: func(t testing.TB) data.Store {
			s, err := embedded.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}})
	})
	t.Run("postgis", func(t *testing.T) {
		url := pgtest.FreshSchema(t)
		fn(t, storeUnderTest{name: "postgis", flags: []string{"--db", url}, open: func(t testing.TB) data.Store {
			s, err := postgis.Open(context.Background(), url, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}})
	})
}

// cli runs a command against the store and fails the test unless it succeeds.
func (s storeUnderTest) cli(t testing.TB, args ...string) string {
	t.Helper()
	var stdout, stderr strings.Builder
	if code := run(context.Background(), append(args, s.flags...), &stdout, &stderr); code != 0 {
		t.Fatalf("stemgap %s exited %d:\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// env is an environment for calling commands' functions directly.
func (s storeUnderTest) env() *environment {
	env := &environment{stdout: io.Discard, stderr: io.Discard, logLevel: "error"}
	if s.name == "postgis" {
		env.db = s.flags[1]
	} else {
		env.dataDir = s.flags[1]
	}
	return env
}

func fileDigest(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func runIDOf(t testing.TB, analyzeOutput string) string {
	t.Helper()
	var id string
	if _, err := fmt.Sscanf(analyzeOutput, "run %s", &id); err != nil {
		t.Fatalf("no run id in %q", analyzeOutput)
	}
	return strings.TrimSuffix(id, ":")
}

// programsUsed is how many programs the analysis counted under "all": what it actually read.
func programsUsed(t testing.TB, run *data.Run) int {
	t.Helper()
	k := run.SeriesIndex("all", "all")
	if k < 0 {
		t.Fatalf("run %s has no all series", run.ID)
	}
	return run.ContentAreas[k].Programs
}

// demandUsed is the youth the analysis counted in the region.
func demandUsed(t testing.TB, run *data.Run) float64 {
	t.Helper()
	return run.ContentAreas[run.SeriesIndex("all", "all")].DemandTotal
}

// recorded is the digest of the file of one kind a run says it used.
func recorded(run *data.Run, kind string) string {
	for _, r := range run.Inputs {
		if r.Kind == kind {
			return r.SHA256
		}
	}
	return ""
}

// Defect 2 of issue 12: analyze read areas, demographics, programs and the ingest records one
// after another, so an ingest in between gave runs whose recorded digests named other data.
// Here two writers swap the programs and the youth counts between two versions of their files as
// fast as they can while analyses run; every run must have used exactly the programs and the
// youth its recorded digests name.
func TestAnalyzeWhileIngestingUsesWhatItRecords(t *testing.T) {
	reg := writeSyntheticRegion(t, 6, 1)
	count := map[string]int{fileDigest(t, reg.ProgramsA): reg.CountA, fileDigest(t, reg.ProgramsB): reg.CountB}
	youth := map[string]int{fileDigest(t, reg.Demographics): reg.TotalA, fileDigest(t, reg.DemographicsB): reg.TotalB}
	eachStore(t, func(t *testing.T, s storeUnderTest) {
		for _, args := range reg.ingestArgs(reg.ProgramsA) {
			s.cli(t, args...)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var swaps atomic.Int64
		swap := func(kind string, paths []string, opts data.LoadOptions) {
			defer wg.Done()
			env := s.env()
			for i := 0; ctx.Err() == nil; i++ {
				if err := ingestFile(ctx, env, kind, paths[i%2], opts); err != nil && ctx.Err() == nil {
					t.Errorf("ingest: %v", err)
					return
				}
				swaps.Add(1)
			}
		}
		wg.Add(2)
		go swap(data.KindPrograms, []string{reg.ProgramsB, reg.ProgramsA}, data.LoadOptions{})
		go swap(data.KindDemographics, []string{reg.DemographicsB, reg.Demographics}, data.LoadOptions{Columns: map[string]string{"youth_pop": "youth"}})
		store := s.open(t)
		defer store.Close()
		flags := registerAnalysisFlags(flag.NewFlagSet("analyze", flag.ContinueOnError))
		const rounds = 30
		for i := 0; i < rounds; i++ {
			if err := analyzeStore(ctx, s.env(), store, flags); err != nil {
				t.Fatal(err)
			}
			run, err := store.Run(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			sha := recorded(run, data.KindPrograms)
			if got, want := programsUsed(t, run), count[sha]; got != want {
				t.Errorf("round %d: run %s records programs %.12s (%d programs) but analysed %d", i, run.ID, sha, want, got)
			}
			sha = recorded(run, data.KindDemographics)
			if got, want := demandUsed(t, run), youth[sha]; math.Abs(got-float64(want)) > 1e-6 {
				t.Errorf("round %d: run %s records demographics %.12s (%d youth) but analysed %g", i, run.ID, sha, want, got)
			}
		}
		cancel()
		wg.Wait()
		t.Logf("%s: %d analyses during %d ingests", s.name, rounds, swaps.Load())
	})
}

// Defect 5 of issue 12: after a re-ingest, `export --run R` listed the new programs under the
// old run's metadata, and `?run=R` tiles and reports drew on today's inputs while being sent as
// immutable. A pinned run must read its own inputs, whatever was loaded since.
func TestPinnedRunKeepsItsInputs(t *testing.T) {
	reg := writeSyntheticRegion(t, 6, 2)
	eachStore(t, func(t *testing.T, s storeUnderTest) {
		for _, args := range reg.ingestArgs(reg.ProgramsA) {
			s.cli(t, args...)
		}
		old := runIDOf(t, s.cli(t, "analyze"))
		s.cli(t, "ingest", "programs", reg.ProgramsB)
		s.cli(t, "ingest", "demographics", reg.DemographicsB, "--column", "youth_pop=youth")
		if latest := runIDOf(t, s.cli(t, "analyze")); latest == old {
			t.Fatal("new inputs gave the same run id")
		}

		exported := s.cli(t, "export", "csv", "--layer", "programs", "--run", old)
		rows, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, row := range rows[1:] {
			ids = append(ids, row[0])
		}
		slices.Sort(ids)
		want := slices.Sorted(slices.Values(reg.IDsA))
		if !slices.Equal(ids, want) {
			t.Errorf("export --run %s lists programs %v, want the run's own %v", old, ids, want)
		}

		store := s.open(t)
		defer store.Close()
		srv := httptest.NewServer(server.New(store, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
		defer srv.Close()
		var tiled []string
		bound := orb.Bound{Min: orb.Point{-90.5, 38.5}, Max: orb.Point{-90.44, 38.56}}
		for _, tile := range tilesOver(bound, 12) {
			resp, err := http.Get(fmt.Sprintf("%s/tiles/programs/%d/%d/%d.mvt?content=all&run=%s", srv.URL, tile.Z, tile.X, tile.Y, old))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("tile %v: %d %s", tile, resp.StatusCode, body)
			}
			layers, err := mvt.Unmarshal(body)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				for _, f := range l.Features {
					if id, ok := f.Properties["id"].(string); ok && !slices.Contains(tiled, id) {
						tiled = append(tiled, id)
					}
				}
			}
		}
		slices.Sort(tiled)
		if !slices.Equal(tiled, want) {
			t.Errorf("programs tiles of run %s show %v, want the run's own %v", old, tiled, want)
		}

		resp, err := http.Get(srv.URL + "/api/tracts/" + reg.Tract + "?run=" + old)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Figures []struct {
				Variable string
				Value    float64
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&report)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		youth := -1.0
		for _, f := range report.Figures {
			if f.Variable == "youth_pop" {
				youth = f.Value
			}
		}
		if youth != float64(reg.YouthA) {
			t.Errorf("report of tract %s in run %s gives youth %g, want the run's own %d (now loaded: %d)", reg.Tract, old, youth, reg.YouthA, reg.YouthB)
		}
	})
}

// tilesOver lists the tiles at zoom z covering a bound.
func tilesOver(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z), maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}
