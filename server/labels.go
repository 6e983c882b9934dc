package server

import (
	"errors"
	"net/http"

	"stemgap/data"
	"stemgap/data/labels"
)

// labelTable serves the label table the map writes its words and numbers with: the fixed names,
// and the measures in the units of the run asked for (the latest by default). Before any run
// exists it serves the fixed names alone.
func (s *Server) labelTable(w http.ResponseWriter, r *http.Request) {
	lr, err := s.runs.open(r.Context(), r.URL.Query().Get("run"))
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, labels.ForRun(lr.set.Info()))
	case errors.Is(err, data.ErrNotFound) && r.URL.Query().Get("run") == "":
		writeJSON(w, http.StatusOK, labels.ForRun(nil))
	default:
		s.fail(w, r, err)
	}
}
