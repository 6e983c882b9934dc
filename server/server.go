// Package server is stemgap's HTTP API and web map: vector tiles, TileJSON, exports, run
// provenance, tract reports, health and metrics. It holds no analysis logic.
package server

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"stemgap/data"
	"stemgap/tiles"
)

//go:embed web
var webFiles embed.FS

// Options configure the server.
type Options struct {
	Logger *slog.Logger
	// CacheBytes bounds what serving keeps in memory: a quarter for encoded tiles, the rest for
	// the run data they are drawn from (a run's partitions, read and aggregated as tiles need
	// them). Default 256 MiB.
	CacheBytes int
	// RequestTimeout bounds each request's work.
	RequestTimeout time.Duration
	// ExtraOrigins are origins beyond this server's that the map may fetch from and draw images
	// of, such as a basemap's style and tile hosts (see Origin): they extend the
	// Content-Security-Policy's connect-src and img-src.
	ExtraOrigins []string
	// CORSOrigins are the origins whose pages may read the API, "*" for any; none by default.
	CORSOrigins []string
	// Token is the bearer token that writing endpoints require; without one, writing is off.
	Token string
	// Basemap is what the map draws beneath the data; by default, context from the data alone.
	Basemap Basemap
}

// Server routes requests to handlers.
type Server struct {
	store   data.Store
	runs    *runs
	cache   *tiles.Cache
	data    *tiles.DataCache
	plain   *plainTiles
	log     *slog.Logger
	metrics *metrics
	timeout time.Duration
	handler http.Handler
	// assets are built on first use (or by Warm): hashing, rewriting and compressing the map's
	// files takes longer than drawing a tile, so it must not stand between start and the first one.
	assets  func() *assets
	basemap Basemap

	csp         string
	corsOrigins []string
	tokenDigest []byte // SHA-256 of Options.Token; nil when writing is off
}

// New builds the HTTP server over a store.
func New(store data.Store, opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.CacheBytes == 0 {
		opt.CacheBytes = 256 << 20
	}
	if opt.RequestTimeout == 0 {
		opt.RequestTimeout = 60 * time.Second
	}
	tileBytes := opt.CacheBytes / 4
	cache := tiles.NewCache(tileBytes)
	dataCache := tiles.NewDataCache(opt.CacheBytes - tileBytes)
	web := sync.OnceValue(func() *assets {
		static, err := fs.Sub(webFiles, "web")
		if err != nil {
			panic(err) // the embedded tree is fixed at build time
		}
		a, err := loadAssets(static)
		if err != nil {
			panic(err) // likewise
		}
		return a
	})
	s := &Server{assets: web, basemap: opt.Basemap, store: store, runs: newRuns(store, cache, dataCache, 2), cache: cache, data: dataCache, log: opt.Logger, metrics: newMetrics(), timeout: opt.RequestTimeout}
	// Clients without gzip are few (scripts, some GIS tools): an eighth of the budget serves them.
	s.plain = newPlainTiles(tileBytes / 8)
	s.csp = contentSecurityPolicy(s.origins("extra origin", opt.ExtraOrigins))
	s.corsOrigins = s.origins("CORS origin", opt.CORSOrigins)
	if opt.Token != "" {
		d := sha256.Sum256([]byte(opt.Token))
		s.tokenDigest = d[:]
	}
	s.handler = s.routes()
	return s
}

// origins normalises configured origins, leaving out (and logging) any that is not one: the
// command line checks them with Origin before it starts a server.
func (s *Server) origins(what string, list []string) []string {
	var out []string
	for _, raw := range list {
		if raw == "*" {
			out = append(out, raw)
			continue
		}
		o, err := Origin(raw)
		if err != nil {
			s.log.Error("ignored "+what, "err", err)
			continue
		}
		out = append(out, o)
	}
	return out
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Warm opens the latest run — its provenance and the directory of its cells, which stay in the
// store until tiles ask for them — so that the first visitor does not wait for that, then builds
// the map's files. Its rollups and inputs, which the cells tiles a map opens on do not need, are
// read on first need: for a big region they take longer than a tile, and hold more memory than
// the rest.
func (s *Server) Warm(ctx context.Context) error {
	start := time.Now()
	lr, err := s.runs.open(ctx, "")
	if err == nil {
		s.log.Info("latest run ready", "run", lr.set.Info().ID, "took", time.Since(start).Round(time.Millisecond))
	}
	s.assets()
	return err
}

func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	// GetHead answers HEAD wherever GET is routed (monitors probe /healthz with HEAD).
	r.Use(s.recoverPanics, s.observe, s.secureHeaders, s.cors, middleware.GetHead, compressText, s.limitRequests)
	r.Get("/healthz", s.health)
	r.Get("/metrics", s.serveMetrics)

	r.Get("/tiles/{layer}.json", s.tileJSON)
	r.Get("/tiles/{layer}/{z}/{x}/{y}.mvt", s.tile)

	r.Get("/api/labels", s.labelTable)
	r.Get("/api/basemap", s.basemapInfo)
	r.Get("/basemap.pmtiles", s.servePMTiles)
	r.Get("/api/runs", s.listRuns)
	r.Get("/api/runs/{run}", s.getRun)
	r.Get("/api/runs/{run}/equity", s.equity)
	r.Get("/api/tracts/{id}", s.tractReport)
	r.Get("/api/cells/{h3}", s.cell)
	r.Get("/api/search", s.search)
	r.Get("/api/breaks", s.breaks)
	r.Get("/api/recommendations", s.recommendations)
	r.Get("/api/compare", s.compare)
	r.With(s.requireToken).Post("/api/scenarios", s.postScenario)
	r.Get("/api/scenarios/{id}", s.getScenario)
	r.With(s.requireToken).Delete("/api/scenarios/{id}", s.deleteScenario)
	r.Get("/api/export/{file}", s.export)
	r.Get("/tracts/{id}", s.tractPage)
	r.Get("/report", s.regionReport)
	r.Get("/method", s.methodPage)

	r.Get("/", func(w http.ResponseWriter, req *http.Request) {
		s.assets().serve(w, req, "index.html")
	})
	r.Get("/static/*", func(w http.ResponseWriter, req *http.Request) {
		if !s.assets().serve(w, req, chi.URLParam(req, "*")) {
			s.fail(w, req, fmt.Errorf("%w: no file %s", errNotFound, req.URL.Path))
		}
	})
	r.NotFound(func(w http.ResponseWriter, req *http.Request) {
		s.fail(w, req, errNotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed on this route")
	})
	return r
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	status := map[string]any{"status": "ok"}
	if id, err := s.runs.latestNow(r.Context()); err == nil {
		status["run"] = id
	} else if !errors.Is(err, data.ErrNotFound) {
		// The store is unreachable: say so, with the status code a load balancer reads.
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "store unavailable", "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, status)
}
