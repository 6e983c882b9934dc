package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"stemgap/data"
	"stemgap/data/postgis"
	"stemgap/data/postgis/pgtest"
)

// storeCalls counts every call a server makes to its store, and to the runs it opens.
type storeCalls struct {
	data.Store
	calls, lists atomic.Int64
}

// Runs is counted apart: the latest run's id is asked for at most once in latestFor.
func (s *storeCalls) Runs(ctx context.Context) ([]data.RunInfo, error) {
	s.lists.Add(1)
	return s.Store.Runs(ctx)
}

func (s *storeCalls) OpenRun(ctx context.Context, id string) (data.RunTables, error) {
	s.calls.Add(1)
	t, err := s.Store.OpenRun(ctx, id)
	if err != nil {
		return nil, err
	}
	return &tableCalls{RunTables: t, calls: &s.calls}, nil
}

func (s *storeCalls) RunInputs(ctx context.Context, id string) (*data.Inputs, error) {
	s.calls.Add(1)
	return s.Store.RunInputs(ctx, id)
}

type tableCalls struct {
	data.RunTables
	calls *atomic.Int64
}

func (t *tableCalls) Cells(ctx context.Context, b int, series []int) (*data.CellTable, error) {
	t.calls.Add(1)
	return t.RunTables.Cells(ctx, b, series)
}

func (t *tableCalls) Base(ctx context.Context, b int) (*data.CellTable, error) {
	t.calls.Add(1)
	return t.RunTables.Base(ctx, b)
}

func (t *tableCalls) Series(ctx context.Context, b, k int) (*data.CellMeasures, error) {
	t.calls.Add(1)
	return t.RunTables.Series(ctx, b, k)
}

// Issue 11: the PostGIS server made about three database transactions for every tile, even a
// cached one. Once a tile has been drawn, asking for it again by run id asks nothing of the
// store, and as the latest run only which run is the latest, at most once a second.
func TestCachedTilesAskNothingOfTheStore(t *testing.T) {
	base, run, _ := syntheticStore(t)
	store := &storeCalls{Store: base}
	srv := serveStore(t, store, Options{})
	for _, q := range []string{"", "&run=" + run.ID} {
		url := srv.URL + tilePath("cells") + q
		if resp, body := do(t, http.MethodGet, url, "Accept-Encoding", "gzip"); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", url, resp.StatusCode, body)
		}
		before, lists := store.calls.Load(), store.lists.Load()
		start := time.Now()
		for i := 0; i < 20; i++ {
			if resp, _ := do(t, http.MethodGet, url, "Accept-Encoding", "gzip"); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", url, resp.StatusCode)
			}
		}
		seconds := int64(time.Since(start)/latestFor) + 1
		if n := store.calls.Load() - before; n != 0 {
			t.Errorf("20 cached tiles (%s) made %d calls to the store", url, n)
		}
		if n := store.lists.Load() - lists; n > seconds || q != "" && n > 0 {
			t.Errorf("20 cached tiles (%s) over %d seconds listed the runs %d times", url, seconds, n)
		}
	}
}

// /metrics shows both caches' use against their budgets, which serve's --cache-mb sets.
func TestMetricsShowTheCacheBudget(t *testing.T) {
	base, _, _ := syntheticStore(t)
	srv := serveStore(t, base, Options{CacheBytes: 64 << 20})
	do(t, http.MethodGet, srv.URL+tilePath("cells"), "Accept-Encoding", "gzip")
	_, body := do(t, http.MethodGet, srv.URL+"/metrics")
	metric := func(name string) float64 {
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
		}
		t.Fatalf("no %s in /metrics", name)
		return 0
	}
	if metric("stemgap_tile_cache_limit_bytes") != 16<<20 || metric("stemgap_data_cache_limit_bytes") != 48<<20 {
		t.Error("the budgets shown are not a quarter and three quarters of 64 MiB")
	}
	if b := metric("stemgap_data_cache_bytes"); b <= 0 || b > 48<<20 {
		t.Errorf("run data held after a tile: %v bytes", b)
	}
	if metric("stemgap_tile_cache_bytes") <= 0 || metric("stemgap_data_cache_misses_total") == 0 {
		t.Error("the tile drawn is not counted")
	}
}

// postgisCopy saves the synthetic store's run, with its inputs, in a fresh PostGIS schema too.
func postgisCopy(t *testing.T) (data.Store, *postgis.Store, *data.Run, *data.Inputs) {
	t.Helper()
	url := pgtest.FreshSchema(t)
	base, run, _ := syntheticStore(t)
	ctx := context.Background()
	inputs, err := base.RunInputs(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := postgis.Open(ctx, url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	if err := pg.SaveRun(ctx, run, inputs); err != nil {
		t.Fatal(err)
	}
	return base, pg, run, inputs
}

// The PostGIS store serves the same run as the embedded one from the same run format: every tile
// comes out byte for byte the same, and a cached one asks nothing of the database either.
func TestPostGISServesTheSameTiles(t *testing.T) {
	base, pg, run, _ := postgisCopy(t)
	counted := &storeCalls{Store: pg}
	embeddedSrv, pgSrv := serveStore(t, base, Options{}), serveStore(t, counted, Options{})
	var paths []string
	for z := maptile.Zoom(9); z <= 14; z++ {
		tile := maptile.At(orb.Point{-90.22, 38.63}, z)
		for _, layer := range []string{"cells", "tracts", "programs"} {
			paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt?content=math&run=%s", layer, tile.Z, tile.X, tile.Y, run.ID))
		}
	}
	drawn := 0
	for _, p := range paths {
		_, want := do(t, http.MethodGet, embeddedSrv.URL+p, "Accept-Encoding", "gzip")
		resp, got := do(t, http.MethodGet, pgSrv.URL+p, "Accept-Encoding", "gzip")
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Errorf("%s: PostGIS answered %d with %d bytes, the embedded store %d bytes", p, resp.StatusCode, len(got), len(want))
		}
		if len(want) > 0 {
			drawn++
		}
	}
	if drawn < len(paths)*2/3 {
		t.Errorf("only %d of %d tiles hold anything", drawn, len(paths))
	}
	before := counted.calls.Load() + counted.lists.Load()
	for _, p := range paths {
		do(t, http.MethodGet, pgSrv.URL+p, "Accept-Encoding", "gzip")
	}
	if n := counted.calls.Load() + counted.lists.Load() - before; n != 0 {
		t.Errorf("%d cached tiles made %d calls to PostGIS", len(paths), n)
	}
}

// The same analysis saved again replaces a PostGIS run's file under the server's feet: the next
// tile it has not drawn yet reads the run afresh instead of failing.
func TestPostGISRunSavedAgainIsReadAfresh(t *testing.T) {
	_, pg, run, inputs := postgisCopy(t)
	srv := serveStore(t, pg, Options{})
	tile := func(z maptile.Zoom) int {
		t.Helper()
		at := maptile.At(orb.Point{-90.22, 38.63}, z)
		resp, _ := do(t, http.MethodGet, fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?content=math&run=%s", srv.URL, at.Z, at.X, at.Y, run.ID))
		return resp.StatusCode
	}
	if code := tile(14); code != http.StatusOK {
		t.Fatalf("first tile: %d", code)
	}
	if err := pg.SaveRun(context.Background(), run, inputs); err != nil {
		t.Fatal(err)
	}
	if code := tile(10); code != http.StatusOK {
		t.Errorf("a tile of the run saved again: %d", code)
	}
	// A cell's figures and a legend's breaks read the run's columns too: each, first to read after
	// another save, reads afresh.
	if err := pg.SaveRun(context.Background(), run, inputs); err != nil {
		t.Fatal(err)
	}
	cell := run.Cells.H3[run.Cells.Len()-1]
	if resp, body := do(t, http.MethodGet, fmt.Sprintf("%s/api/cells/%s?content=math&run=%s", srv.URL, cell, run.ID)); resp.StatusCode != http.StatusOK {
		t.Errorf("a cell of the run saved again: %d %s", resp.StatusCode, body)
	}
	if err := pg.SaveRun(context.Background(), run, inputs); err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, http.MethodGet, fmt.Sprintf("%s/api/breaks?property=access&content=math&run=%s", srv.URL, run.ID)); resp.StatusCode != http.StatusOK {
		t.Errorf("breaks of the run saved again: %d %s", resp.StatusCode, body)
	}
}

// heldRuns holds every Runs call after the first until release is closed, counting them.
type heldRuns struct {
	data.Store
	lists   atomic.Int64
	release chan struct{}
}

func (s *heldRuns) Runs(ctx context.Context) ([]data.RunInfo, error) {
	if s.lists.Add(1) > 1 {
		<-s.release
	}
	return s.Store.Runs(ctx)
}

// Once the latest run's id is due to be asked again, a cached tile of it is still served from
// what is known — the store is asked once, in the background — rather than after a round trip
// to the store, which the PostGIS server made once a second with every request waiting on it.
func TestCachedTilesOfTheLatestRunWaitForNoStore(t *testing.T) {
	base, _, _ := syntheticStore(t)
	store := &heldRuns{Store: base, release: make(chan struct{})}
	h := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	release := sync.OnceFunc(func() { close(store.release) })
	t.Cleanup(release) // before the server closes, which waits for a request held by the store
	url := srv.URL + tilePath("cells")
	get := func() int {
		t.Helper()
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("a cached tile while the store is held: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("first tile: %d", code)
	}
	h.runs.mu.Lock()
	h.runs.latestAt = time.Now().Add(-latestFor)
	h.runs.mu.Unlock()
	for i := 0; i < 20; i++ {
		if code := get(); code != http.StatusOK {
			t.Fatalf("cached tile %d: %d", i, code)
		}
	}
	if n := store.lists.Load(); n != 2 {
		t.Errorf("the runs were listed %d times; want 2: at start, then once in the background", n)
	}
	release()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		h.runs.mu.Lock()
		done := !h.runs.refreshing && time.Since(h.runs.latestAt) < latestFor
		h.runs.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the latest run's id was not asked again once the store answered")
		}
	}
}
