package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"stemgap/data"
)

// lazyCalls counts the reads of a run's inputs and rollups.
type lazyCalls struct {
	data.Store
	inputs, rollups atomic.Int64
}

func (s *lazyCalls) RunInputs(ctx context.Context, id string) (*data.Inputs, error) {
	s.inputs.Add(1)
	return s.Store.RunInputs(ctx, id)
}

func (s *lazyCalls) OpenRun(ctx context.Context, id string) (data.RunTables, error) {
	t, err := s.Store.OpenRun(ctx, id)
	if err != nil {
		return nil, err
	}
	return &rollupCalls{RunTables: t, calls: &s.rollups}, nil
}

type rollupCalls struct {
	data.RunTables
	calls *atomic.Int64
}

func (t *rollupCalls) Areas() []data.AreaResult {
	t.calls.Add(1)
	return t.RunTables.Areas()
}

// Issue 11: the first tile after serve starts must come at once at any scale. The cells tile a
// map opens on reads neither the run's inputs nor its rollups, which for a big region take
// longer to read than the tile to draw; the first tracts tile reads both, once.
func TestFirstCellsTileReadsNeitherInputsNorRollups(t *testing.T) {
	base, _, _ := syntheticStore(t)
	store := &lazyCalls{Store: base}
	h := New(store, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := h.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	// What the map asks before its first tile, then the tile.
	for _, path := range []string{"/api/labels", "/tiles/cells.json", tilePath("cells")} {
		if resp, body := do(t, http.MethodGet, srv.URL+path, "Accept-Encoding", "gzip"); resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	if n, m := store.inputs.Load(), store.rollups.Load(); n != 0 || m != 0 {
		t.Errorf("starting, the labels, the TileJSON and a cells tile read the inputs %d times and the rollups %d times; want neither", n, m)
	}
	for range 2 {
		if resp, body := do(t, http.MethodGet, srv.URL+tilePath("tracts"), "Accept-Encoding", "gzip"); resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("tracts tile: %d, %d bytes", resp.StatusCode, len(body))
		}
	}
	if n := store.inputs.Load(); n != 1 || store.rollups.Load() == 0 {
		t.Errorf("two tracts tiles read the inputs %d times and the rollups %d times; want once, and at least once", n, store.rollups.Load())
	}
}
