package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"stemgap/data"
	"stemgap/search"
	"stemgap/tiles"
)

// runs opens runs in the store on first use and keeps them, each with its tile set. Opening a run
// reads its provenance, rollups and inputs only; its cells are read by the tiles and exports as
// they need them, and what they decode is kept in the data cache. The latest run is pinned;
// besides it, the keep most recently used other runs stay. A run joins the cache only once it has
// loaded, so requests for runs that do not exist evict nothing. Once a run is loaded, serving a
// cached tile of it asks nothing of the store.
type runs struct {
	store data.Store
	cache *tiles.Cache
	data  *tiles.DataCache
	keep  int

	mu       sync.Mutex
	latest   string    // id of the newest run, as last resolved
	latestAt time.Time // when it was
	// refreshing: the store is being asked for the latest run in the background (resolve).
	refreshing bool
	loading    map[string]*loadedRun // loads in flight, shared by the requests that wait on them
	loaded     map[string]*loadedRun
	recency    []string // ids in loaded, most recent last
	asking     singleflight.Group

	scenarios scenarioStore // what-ifs posted to the server (scenarios.go)
}

// latestFor is how long the latest run's id is taken as known: the store is asked at most once
// in it however many requests come. A request after it still gets the id known so far while the
// store is asked in the background, so that no request waits on the store for a run it already
// has: a new run is served within latestFor and the time the store takes to answer.
const latestFor = time.Second

type loadedRun struct {
	once sync.Once
	set  *tiles.Set
	// tables reads the run block by block, for tiles and exports. An evicted run's file is not
	// closed here — a request may still be streaming from it — but by its finalizer.
	tables data.RunTables
	// inputs are the run's own — what it was computed from, whatever was loaded since — so that
	// its tiles, exports and reports never change. They are read on first need (readInputs):
	// the cells tiles a map opens on do without them.
	inputs   *data.Inputs
	inputsMu sync.Mutex
	store    data.Store
	id       string
	err      error
	invest   investState // recommendations and scenarios (invest.go)

	searchOnce  sync.Once
	searchIndex *search.Index

	wholeOnce sync.Once
	wholeRun  *data.Run
	wholeErr  error
}

// whole reads the whole run, once, for what needs every cell at once — comparisons and
// recommendations; tiles and exports read it piece by piece.
func (lr *loadedRun) whole(ctx context.Context) (*data.Run, error) {
	lr.wholeOnce.Do(func() {
		// Reading must outlive the request that triggered it: others wait on it.
		lr.wholeRun, lr.wholeErr = data.ReadRun(context.WithoutCancel(ctx), lr.tables)
	})
	return lr.wholeRun, lr.wholeErr
}

func newRuns(store data.Store, cache *tiles.Cache, dataCache *tiles.DataCache, keep int) *runs {
	return &runs{store: store, cache: cache, data: dataCache, keep: keep, loading: map[string]*loadedRun{}, loaded: map[string]*loadedRun{}}
}

// resolve turns a requested run id ("" or "latest" for the newest) into a stored run's id.
func (r *runs) resolve(ctx context.Context, id string) (string, error) {
	if id != "" && id != "latest" {
		if !data.ValidRunID(id) {
			return "", fmt.Errorf("%w: run id %q is not of the form [a-z0-9-]", errBadRequest, id)
		}
		return id, nil
	}
	r.mu.Lock()
	known, fresh := r.latest, time.Since(r.latestAt) < latestFor
	ask := known != "" && !fresh && !r.refreshing
	if ask {
		r.refreshing = true
	}
	r.mu.Unlock()
	if ask {
		go func() {
			// A failure leaves the id known so far, to be asked again by the next request.
			r.askLatest(context.WithoutCancel(ctx))
			r.mu.Lock()
			r.refreshing = false
			r.mu.Unlock()
		}()
	}
	if known != "" {
		return known, nil
	}
	return r.askLatest(ctx)
}

// latestNow is the latest run's id as the store says it, unless asked within latestFor: for
// the health check, which must notice a store gone.
func (r *runs) latestNow(ctx context.Context) (string, error) {
	r.mu.Lock()
	known, fresh := r.latest, time.Since(r.latestAt) < latestFor
	r.mu.Unlock()
	if known != "" && fresh {
		return known, nil
	}
	return r.askLatest(ctx)
}

// askLatest asks the store for the latest run's id, once however many ask at the same time.
func (r *runs) askLatest(ctx context.Context) (string, error) {
	v, err, _ := r.asking.Do("latest", func() (any, error) {
		list, err := r.store.Runs(context.WithoutCancel(ctx))
		if err != nil {
			return "", err
		}
		if len(list) == 0 {
			return "", fmt.Errorf("no analysis run yet (run stemgap analyze): %w", data.ErrNotFound)
		}
		r.mu.Lock()
		r.latest, r.latestAt = list[0].ID, time.Now()
		r.mu.Unlock()
		return list[0].ID, nil
	})
	return v.(string), err
}

// get returns a run's tile set with the inputs it was drawn from.
func (r *runs) get(ctx context.Context, id string) (*loadedRun, error) {
	lr, err := r.open(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := lr.readInputs(ctx); err != nil {
		return nil, err
	}
	return lr, nil
}

// readInputs reads the run's inputs unless they are read already; a failed read is tried again
// by the next request.
func (lr *loadedRun) readInputs(ctx context.Context) (*data.Inputs, error) {
	lr.inputsMu.Lock()
	defer lr.inputsMu.Unlock()
	if lr.inputs == nil {
		// Reading must outlive the request that triggered it: others wait on it.
		in, err := lr.store.RunInputs(context.WithoutCancel(ctx), lr.id)
		if err != nil {
			return nil, err
		}
		lr.inputs = in
	}
	return lr.inputs, nil
}

// open returns a run's tile set, its inputs not necessarily read yet: what tiles need.
func (r *runs) open(ctx context.Context, id string) (*loadedRun, error) {
	id, err := r.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.checkLive(id); err != nil {
		return nil, err
	}
	r.mu.Lock()
	lr, ok := r.loaded[id]
	if ok {
		r.touch(id)
	} else if lr, ok = r.loading[id]; !ok {
		lr = &loadedRun{store: r.store, id: id}
		r.loading[id] = lr
	}
	r.mu.Unlock()
	lr.once.Do(func() {
		// Loading must outlive the request that triggered it: other requests wait on it.
		ctx := context.WithoutCancel(ctx)
		if run, inputs, ok, err := r.loadDerived(ctx, id); ok {
			if lr.err = err; err != nil {
				return
			}
			// A derived run is computed, not stored: it is held whole.
			lr.inputs = inputs
			lr.wholeOnce.Do(func() { lr.wholeRun = run })
			if lr.tables, lr.err = data.TablesOf(run); lr.err != nil {
				return
			}
			lr.set = tiles.NewSet(lr.tables, inputs.Areas, inputs.Programs, r.cache, r.data)
			return
		}
		if lr.tables, lr.err = r.store.OpenRun(ctx, id); lr.err != nil {
			return
		}
		lr.set = tiles.NewLazySet(lr.tables, func() (*data.Inputs, error) { return lr.readInputs(ctx) }, r.cache, r.data)
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loading[id] == lr {
		// The first to finish waiting moves the load out of flight: into the cache when it
		// succeeded; a failed load is forgotten, to be retried by the next request.
		delete(r.loading, id)
		if lr.err == nil {
			r.loaded[id] = lr
			r.touch(id)
		}
	}
	if lr.err != nil {
		return nil, lr.err
	}
	return lr, nil
}

// read opens a run and reads from its tables with use; its inputs are read only if use needs
// them (the tile set reads them itself). When the same analysis was saved again since the run
// was opened (a PostGIS run's tables replaced), it opens the run afresh and reads once more.
func (r *runs) read(ctx context.Context, id string, use func(*loadedRun) error) (*loadedRun, error) {
	lr, err := r.open(ctx, id)
	if err != nil {
		return nil, err
	}
	if err = use(lr); errors.Is(err, data.ErrReplaced) {
		r.forget(lr)
		if lr, err = r.open(ctx, id); err == nil {
			err = use(lr)
		}
	}
	return lr, err
}

// forget drops a loaded run, so that the next request opens it again.
func (r *runs) forget(lr *loadedRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, x := range r.loaded {
		if x == lr {
			delete(r.loaded, id)
			r.recency = slices.DeleteFunc(r.recency, func(v string) bool { return v == id })
		}
	}
}

// touch marks a cached run most recently used and forgets the least recent beyond keep, never the
// latest run. Called with mu held.
func (r *runs) touch(id string) {
	if i := slices.Index(r.recency, id); i >= 0 {
		r.recency = slices.Delete(r.recency, i, i+1)
	}
	r.recency = append(r.recency, id)
	others := len(r.recency)
	if slices.Contains(r.recency, r.latest) {
		others--
	}
	for i := 0; others > r.keep; {
		if old := r.recency[i]; old != r.latest {
			delete(r.loaded, old)
			r.recency = slices.Delete(r.recency, i, i+1)
			others--
			continue
		}
		i++
	}
}

// runView is what a loaded run answers without reading its cells: its provenance, rollups and
// equity, named as a data.Run names them.
type runView struct {
	*data.RunInfo
	Areas  []data.AreaResult
	Equity []data.EquityRow
}

func (lr *loadedRun) view() runView {
	return runView{RunInfo: lr.set.Info(), Areas: lr.tables.Areas(), Equity: lr.tables.Equity()}
}
