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
	st := s.cache.Stats()
	fmt.Fprintln(w, "# HELP stemgap_tile_cache_hits_total Tiles served from the encoded-tile cache.")
	fmt.Fprintln(w, "# TYPE stemgap_tile_cache_hits_total counter")
	fmt.Fprintf(w, "stemgap_tile_cache_hits_total %d\n", st.Hits)
	fmt.Fprintln(w, "# HELP stemgap_tile_cache_misses_total Tiles encoded because the cache did not hold them.")
	fmt.Fprintln(w, "# TYPE stemgap_tile_cache_misses_total counter")
	fmt.Fprintf(w, "stemgap_tile_cache_misses_total %d\n", st.Misses)
	fmt.Fprintln(w, "# HELP stemgap_tile_decompressions_total Tiles decompressed for clients that do not accept gzip (each once while cached).")
	fmt.Fprintln(w, "# TYPE stemgap_tile_decompressions_total counter")
	fmt.Fprintf(w, "stemgap_tile_decompressions_total %d\n", s.plain.decompressions())
	fmt.Fprintln(w, "# HELP stemgap_tile_cache_bytes Bytes of encoded tiles held.")
	fmt.Fprintln(w, "# TYPE stemgap_tile_cache_bytes gauge")
	fmt.Fprintf(w, "stemgap_tile_cache_bytes %d\n", st.Bytes)
}
