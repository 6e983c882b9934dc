package server

import (
	"context"
	"fmt"
	"sync"

	"stemgap/data"
	"stemgap/tiles"
)

// runs loads runs from the store on first use and keeps the most recent few, each with its tile
// set, so that a run's cells are read and aggregated once however many tiles are asked of it.
type runs struct {
	store data.Store
	cache *tiles.Cache
	keep  int

	mu      sync.Mutex
	loaded  map[string]*loadedRun
	recency []string // most recent last
}

type loadedRun struct {
	once     sync.Once
	set      *tiles.Set
	areas    []data.Area
	programs []data.Program
	err      error
}

func newRuns(store data.Store, cache *tiles.Cache, keep int) *runs {
	return &runs{store: store, cache: cache, keep: keep, loaded: map[string]*loadedRun{}}
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
	if !ok {
		lr = &loadedRun{}
		r.loaded[id] = lr
	}
	r.touch(id)
	r.mu.Unlock()
	lr.once.Do(func() {
		// Loading must outlive the request that triggered it: other requests wait on it.
		ctx := context.WithoutCancel(ctx)
		run, err := r.store.Run(ctx, id)
		if err != nil {
			lr.err = err
			return
		}
		if lr.areas, lr.err = r.store.Areas(ctx); lr.err != nil {
			return
		}
		if lr.programs, lr.err = r.store.Programs(ctx); lr.err != nil {
			return
		}
		lr.set = tiles.NewSet(run, lr.areas, lr.programs, r.cache)
	})
	if lr.err != nil {
		r.mu.Lock()
		delete(r.loaded, id) // a failed load is retried by the next request
		r.mu.Unlock()
		return nil, lr.err
	}
	return lr, nil
}

// touch marks id most recently used and forgets the least recent beyond keep. Called with mu held.
func (r *runs) touch(id string) {
	for i, x := range r.recency {
		if x == id {
			r.recency = append(r.recency[:i], r.recency[i+1:]...)
			break
		}
	}
	r.recency = append(r.recency, id)
	for len(r.recency) > r.keep {
		delete(r.loaded, r.recency[0])
		r.recency = r.recency[1:]
	}
}
