package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"stemgap/search"
)

// Bounds of /api/search's parameters.
const (
	searchLimit    = 10
	searchMaxLimit = 50
	searchMaxQuery = 100
)

// index is the run's search index, built on first use.
func (lr *loadedRun) index() *search.Index {
	lr.searchOnce.Do(func() { lr.searchIndex = search.New(lr.inputs.Areas, lr.set.Counties(), lr.inputs.Programs) })
	return lr.searchIndex
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if n := utf8.RuneCountInString(strings.TrimSpace(q)); n < 1 || n > searchMaxQuery || !utf8.ValidString(q) {
		s.fail(w, r, fmt.Errorf("%w: q must be 1–%d characters", errBadRequest, searchMaxQuery))
		return
	}
	limit := searchLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > searchMaxLimit {
			s.fail(w, r, fmt.Errorf("%w: limit must be a whole number from 1 to %d", errBadRequest, searchMaxLimit))
			return
		}
		limit = n
	}
	lr, err := s.runs.get(r.Context(), r.URL.Query().Get("run"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", cacheControl(r))
	writeJSON(w, http.StatusOK, map[string]any{"query": q, "results": lr.index().Find(q, limit)})
}
