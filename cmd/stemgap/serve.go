package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"stemgap/data"
	"stemgap/server"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "serve the map, vector tiles and the HTTP API",
		usage:   "[--addr HOST:PORT] [--basemap STYLE-URL | --basemap-pmtiles FILE] [--cors-origin ORIGIN …] [--token-file FILE]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			sf := registerServeFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("serve takes no arguments")
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				return serve(ctx, env, store, sf)
			}
		},
	}
}

// serveFlags are the flags of serve, shared by demo.
type serveFlags struct {
	addr        string
	corsOrigins multiFlag
	tokenFile   string
	basemap     string
	pmtiles     string
	cacheMB     int
}

func registerServeFlags(fs *flag.FlagSet) *serveFlags {
	sf := &serveFlags{}
	fs.StringVar(&sf.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.Var(&sf.corsOrigins, "cors-origin", "ORIGIN (scheme://host[:port], or * for any) whose pages may read the API; repeatable; none by default")
	fs.StringVar(&sf.basemap, "basemap", "", "URL of a MapLibre style to draw beneath the data (a hosted OpenFreeMap, Protomaps or MapTiler style); its origin is allowed by the page's CSP")
	fs.StringVar(&sf.pmtiles, "basemap-pmtiles", "", "a regional vector basemap in PMTiles v3 (Protomaps schema, e.g. cut with pmtiles extract), served by stemgap and drawn with the Protomaps style")
	fs.StringVar(&sf.tokenFile, "token-file", "", "file holding the bearer token that writing endpoints require (else $STEMGAP_TOKEN; without either, writing is off)")
	fs.IntVar(&sf.cacheMB, "cache-mb", 256, "MiB of memory for encoded tiles (a quarter) and the run data they are drawn from (the rest); /metrics shows their use")
	return sf
}

// minTokenBytes keeps a bearer token out of reach of guessing.
const minTokenBytes = 16

// options checks the flags and turns them into the server's options.
func (sf *serveFlags) options(log *slog.Logger) (server.Options, error) {
	if sf.cacheMB < 16 {
		return server.Options{}, usagef("--cache-mb %d: want at least 16", sf.cacheMB)
	}
	opt := server.Options{Logger: log, Token: os.Getenv("STEMGAP_TOKEN"), CacheBytes: sf.cacheMB << 20}
	for _, raw := range sf.corsOrigins {
		if raw == "*" {
			opt.CORSOrigins = append(opt.CORSOrigins, raw)
			continue
		}
		o, err := server.Origin(raw)
		if err == nil && strings.Contains(o, "*") {
			err = fmt.Errorf("origin %q: a browser sends exact origins; list each, or give * alone for any", raw)
		}
		if err != nil {
			return opt, usagef("--cors-origin: %v", err)
		}
		opt.CORSOrigins = append(opt.CORSOrigins, o)
	}
	if sf.tokenFile != "" {
		b, err := os.ReadFile(sf.tokenFile)
		if err != nil {
			return opt, fmt.Errorf("--token-file: %w", err)
		}
		opt.Token = strings.TrimSpace(string(b))
		if opt.Token == "" {
			return opt, fmt.Errorf("--token-file %s is empty", sf.tokenFile)
		}
	}
	if opt.Token != "" && len(opt.Token) < minTokenBytes {
		return opt, fmt.Errorf("the bearer token is %d bytes; use at least %d (for example: openssl rand -hex 32)", len(opt.Token), minTokenBytes)
	}
	// The archive is opened last, so that no earlier refusal leaves it open.
	switch {
	case sf.basemap != "" && sf.pmtiles != "":
		return opt, usagef("choose one of --basemap and --basemap-pmtiles")
	case sf.basemap != "":
		o, err := server.Origin(sf.basemap)
		if err != nil {
			return opt, usagef("--basemap: %v", err)
		}
		opt.Basemap.StyleURL = sf.basemap
		opt.ExtraOrigins = append(opt.ExtraOrigins, o)
	case sf.pmtiles != "":
		p, err := server.OpenPMTiles(sf.pmtiles)
		if err != nil {
			return opt, fmt.Errorf("--basemap-pmtiles: %w", err)
		}
		opt.Basemap.PMTiles = p
	}
	return opt, nil
}

// serve listens until ctx ends (SIGINT or SIGTERM), then lets requests in flight finish.
func serve(ctx context.Context, env *environment, store data.Store, sf *serveFlags) error {
	log, err := env.logger()
	if err != nil {
		return err
	}
	opt, err := sf.options(log)
	if err != nil {
		return err
	}
	if opt.Basemap.PMTiles != nil {
		defer opt.Basemap.PMTiles.Close()
	}
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return err
	}
	handler := server.New(store, opt)
	go func() {
		if err := handler.Warm(ctx); err != nil && !errors.Is(err, data.ErrNotFound) {
			log.Warn("could not load the latest run ahead of requests", "err", err)
		}
	}()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute, // a full cells export is large
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving", "url", "http://"+ln.Addr().String()+"/")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
