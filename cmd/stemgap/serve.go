package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"stemgap/data"
	"stemgap/server"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "serve the map, vector tiles and the HTTP API",
		usage:   "[--addr HOST:PORT]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
			return func(ctx context.Context, args []string) error {
				if len(args) != 0 {
					return usagef("serve takes no arguments")
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				return serve(ctx, env, store, *addr)
			}
		},
	}
}

// serve listens until ctx ends (SIGINT or SIGTERM), then lets requests in flight finish.
func serve(ctx context.Context, env *environment, store data.Store, addr string) error {
	log, err := env.logger()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	handler := server.New(store, server.Options{Logger: log})
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
