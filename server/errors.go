package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/tiles"
)

var (
	errBadRequest = errors.New("bad request")
	errNotFound   = errors.New("not found")
)

// fail answers with the status an error calls for, as JSON.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if status, msg, ok := s.errorStatus(r, err); ok {
		writeError(w, status, msg)
	}
}

// errorStatus is the status an error calls for and what to tell the client. Bad parameters are
// 400, unknown things 404, anything else 500 — logged, with its detail kept from the client. ok
// is false when the client went away and nobody reads an answer.
func (s *Server) errorStatus(r *http.Request, err error) (status int, msg string, ok bool) {
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, tiles.ErrBadTile), errors.Is(err, tiles.ErrBadCell), errors.Is(err, tiles.ErrBadBreaks), errors.Is(err, tiles.ErrUnknownContent), errors.Is(err, data.ErrUnknownSeries),
		errors.Is(err, analysis.ErrRequest), errors.Is(err, analysis.ErrNotLocal), errors.Is(err, analysis.ErrIncomparable):
		return http.StatusBadRequest, err.Error(), true
	case errors.Is(err, errNotFound), errors.Is(err, data.ErrNotFound), errors.Is(err, tiles.ErrUnknownLayer):
		return http.StatusNotFound, err.Error(), true
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the request took too long", true
	case errors.Is(err, context.Canceled):
		return 0, "", false
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error", true
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
