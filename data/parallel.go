package data

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inParallel calls fn(i) for every i in [0, n) on all cores. Decoding and checking a tract
// file's polygons is most of an ingest's time (9,840 tracts: 0.7 of 1.1 s) and each feature
// stands alone, so workers take runs of indices in turn; fn writes only to slot i of its own
// slice, and the caller reads the slots in order afterwards, so verdicts and messages come out
// as they would one by one.
func inParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	const run = 32
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(run)) - run
				if start >= n {
					return
				}
				for i := start; i < min(start+run, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
