package server

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"stemgap/data"
	"stemgap/tiles"
)

// runs loads runs from the store on first use and keeps them, each with its tile set, so that a
// run's cells are read and aggregated once however many tiles are asked of it. The latest run is
// pinned; besides it, the keep most recently used other runs stay. A run joins the cache only once it
// has loaded, so requests for runs that do not exist evict nothing.
type runs struct {
	store data.Store
	cache *tiles.Cache
	keep  int

	mu      sync.Mutex
	latest  string                // id of the newest run, as last resolved
	loading map[string]*loadedRun // loads in flight, shared by the requests that wait on them
	loaded  map[string]*loadedRun
	recency []string // ids in loaded, most recent last
}

type loadedRun struct {
	once sync.Once
	set  *tiles.Set
	// tables reads the run block by block, for exports. An evicted run's file is not closed
	// here — a request may still be streaming from it — but by its finalizer.
	tables data.RunTables
	// inputs are the run's own — what it was computed from, whatever was loaded since — so that
	// its tiles, exports and reports never change.
	inputs *data.Inputs
	err    error
	invest investState // recommendations and scenarios (invest.go)
}

func newRuns(store data.Store, cache *tiles.Cache, keep int) *runs {
	return &runs{store: store, cache: cache, keep: keep, loading: map[string]*loadedRun{}, loaded: map[string]*loadedRun{}}
}

// resolve turns a requested run id ("" or "latest" for the newest) into a stored run's id.
func (r *runs) resolve(ctx context.Context, id string) (string, error) {
	if id != "" && id != "latest" {
		if !data.ValidRunID(id) {
			return "", fmt.Errorf("%w: run id %q is not of the form [a-z0-9-]", errBadRequest, id)
		}
		return id, nil
	}
	list, err := r.store.Runs(ctx)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "", fmt.Errorf("no analysis run yet (run stemgap analyze): %w", data.ErrNotFound)
	}
	r.mu.Lock()
	r.latest = list[0].ID
	r.mu.Unlock()
	return list[0].ID, nil
}

// get returns a run's tile set with the inputs it was drawn from.
func (r *runs) get(ctx context.Context, id string) (*loadedRun, error) {
	id, err := r.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	lr, ok := r.loaded[id]
	if ok {
		r.touch(id)
	} else if lr, ok = r.loading[id]; !ok {
		lr = &loadedRun{}
		r.loading[id] = lr
	}
	r.mu.Unlock()
	lr.once.Do(func() {
		// Loading must outlive the request that triggered it: other requests wait on it.
		ctx := context.WithoutCancel(ctx)
		if set, inputs, ok, err := r.loadDerived(ctx, id); ok {
			lr.set, lr.inputs, lr.err = set, inputs, err
			if err == nil {
				lr.tables, lr.err = data.TablesOf(set.Run())
			}
			return
		}
		if lr.tables, lr.err = r.store.OpenRun(ctx, id); lr.err != nil {
			return
		}
		run, err := data.ReadRun(ctx, lr.tables)
		if err != nil {
			lr.err = err
			return
		}
		if lr.inputs, lr.err = r.store.RunInputs(ctx, id); lr.err != nil {
			return
		}
		lr.set = tiles.NewSet(run, lr.inputs.Areas, lr.inputs.Programs, r.cache)
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
