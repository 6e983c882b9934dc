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

// fail answers with the status an error calls for. Bad parameters are 400, unknown things 404,
// anything else 500 — logged, with its detail kept from the client.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, tiles.ErrBadTile), errors.Is(err, tiles.ErrUnknownContent), errors.Is(err, data.ErrUnknownSeries),
		errors.Is(err, analysis.ErrRequest), errors.Is(err, analysis.ErrNotLocal), errors.Is(err, analysis.ErrIncomparable):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, errNotFound), errors.Is(err, data.ErrNotFound), errors.Is(err, tiles.ErrUnknownLayer):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "the request took too long")
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads an answer.
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
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
