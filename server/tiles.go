package server

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"stemgap/data"
	"stemgap/tiles"
)

// contentParam reads the content area asked for; "all" by default.
func contentParam(r *http.Request) string {
	if c := r.URL.Query().Get("content"); c != "" {
		return c
	}
	return data.AllContentAreas
}

// settingParam reads the setting group asked for; empty means the run's default group.
func settingParam(r *http.Request) string { return r.URL.Query().Get("setting") }

// cacheControl lets clients keep tiles of a pinned run for good (a run id digests its inputs and
// parameters, so its tiles never change), and tiles of "the latest run" only briefly.
func cacheControl(r *http.Request) string {
	if id := r.URL.Query().Get("run"); id != "" && id != "latest" {
		return "public, max-age=86400, immutable"
	}
	return "public, max-age=60"
}

func (s *Server) tile(w http.ResponseWriter, r *http.Request) {
	var zxy [3]int
	for i, name := range []string{"z", "x", "y"} {
		v, err := strconv.Atoi(chi.URLParam(r, name))
		if err != nil {
			s.fail(w, r, fmt.Errorf("%w: tile %s %q is not an integer", errBadRequest, name, chi.URLParam(r, name)))
			return
		}
		zxy[i] = v
	}
	t, err := tiles.CheckTile(zxy[0], zxy[1], zxy[2])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body []byte
	lr, err := s.runs.read(r.Context(), r.URL.Query().Get("run"), func(lr *loadedRun) (err error) {
		body, err = lr.set.Tile(r.Context(), chi.URLParam(r, "layer"), settingParam(r), contentParam(r), t)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := fnv.New64a()
	h.Write(body)
	etag := fmt.Sprintf(`"%s-%x"`, lr.set.Info().ID, h.Sum64())
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", cacheControl(r))
	w.Header().Add("Vary", "Accept-Encoding")
	w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if len(body) == 0 {
		w.WriteHeader(http.StatusOK)
		return
	}
	if accepts(r, "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
		return
	}
	plain, err := s.plain.get(etag, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(plain)))
	w.Write(plain)
}

func (s *Server) tileJSON(w http.ResponseWriter, r *http.Request) {
	lr, err := s.runs.open(r.Context(), r.URL.Query().Get("run"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	layer, content := chi.URLParam(r, "layer"), contentParam(r)
	q := url.Values{"content": {content}}
	if setting := settingParam(r); setting != "" {
		q.Set("setting", setting)
	}
	if id := r.URL.Query().Get("run"); id != "" {
		q.Set("run", id)
	}
	tmpl := fmt.Sprintf("%s/tiles/%s/{z}/{x}/{y}.mvt?%s", baseURL(r), url.PathEscape(layer), q.Encode())
	tj, err := lr.set.TileJSON(layer, settingParam(r), content, tmpl)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", cacheControl(r))
	writeJSON(w, http.StatusOK, tj)
}

// baseURL is the scheme and host the client reached us by.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
