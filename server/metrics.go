package server

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// metrics counts requests for the Prometheus text format at /metrics. Every label comes from a
// fixed set — known methods, the router's route patterns, status classes — so that no request,
// however odd, adds a series.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]*requestStats
}

type requestKey struct {
	method, route, status string
}

// methodLabel is the method, or "other" for any a client invents.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// statusClass is 2xx, 3xx, 4xx or 5xx.
func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return fmt.Sprintf("%dxx", code/100)
}

type requestStats struct {
	count   uint64
	seconds float64
}

func newMetrics() *metrics { return &metrics{requests: map[requestKey]*requestStats{}} }

// observe counts a request; route must be a route pattern of the router (or "unmatched").
func (m *metrics) observe(method, route string, status int, d time.Duration) {
	k := requestKey{methodLabel(method), route, statusClass(status)}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.requests[k]
	if !ok {
		st = &requestStats{}
		m.requests[k] = st
	}
	st.count++
	st.seconds += d.Seconds()
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.mu.Lock()
	keys := make([]requestKey, 0, len(s.metrics.requests))
	for k := range s.metrics.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	fmt.Fprintln(w, "# HELP stemgap_http_requests_total HTTP requests served, by method, route pattern and status class.")
	fmt.Fprintln(w, "# TYPE stemgap_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "stemgap_http_requests_total{method=%q,route=%q,status=%q} %d\n", k.method, k.route, k.status, s.metrics.requests[k].count)
	}
	fmt.Fprintln(w, "# HELP stemgap_http_request_seconds_total Time spent serving requests, by method, route pattern and status class.")
	fmt.Fprintln(w, "# TYPE stemgap_http_request_seconds_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "stemgap_http_request_seconds_total{method=%q,route=%q,status=%q} %g\n", k.method, k.route, k.status, s.metrics.requests[k].seconds)
	}
	s.metrics.mu.Unlock()
	st, d := s.cache.Stats(), s.data.Stats()
	for _, m := range []struct {
		name, kind, help string
		value            uint64
	}{
		{"stemgap_tile_cache_hits_total", "counter", "Tiles served from the encoded-tile cache.", st.Hits},
		{"stemgap_tile_cache_misses_total", "counter", "Tiles encoded because the cache did not hold them.", st.Misses},
		{"stemgap_tile_decompressions_total", "counter", "Tiles decompressed for clients that do not accept gzip (each once while cached).", s.plain.decompressions()},
		{"stemgap_tile_cache_bytes", "gauge", "Bytes of encoded tiles held.", uint64(st.Bytes)},
		{"stemgap_tile_cache_limit_bytes", "gauge", "The encoded-tile cache's budget (a quarter of serve --cache-mb).", uint64(st.Limit)},
		{"stemgap_data_cache_bytes", "gauge", "Bytes of run data held: blocks and partitions read, and the levels aggregated from them.", uint64(d.Bytes)},
		{"stemgap_data_cache_limit_bytes", "gauge", "The run-data cache's budget (three quarters of serve --cache-mb).", uint64(d.Limit)},
		{"stemgap_data_cache_hits_total", "counter", "Run data found in the cache.", d.Hits},
		{"stemgap_data_cache_misses_total", "counter", "Run data read from the store or aggregated because the cache did not hold it.", d.Misses},
		{"stemgap_data_cache_evictions_total", "counter", "Run data dropped to keep to the budget.", d.Evictions},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", m.name, m.help, m.name, m.kind, m.name, m.value)
	}
}
