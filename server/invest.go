package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
)

// investState is what recommendations and scenarios keep beside a loaded run: its access model,
// rebuilt once from the run and its own inputs, and the recommendations asked of it lately.
type investState struct {
	modelOnce sync.Once
	model     *analysis.Model
	modelErr  error

	mu   sync.Mutex
	recs map[string]*data.Recommendations
}

// keptRecommendations bounds the answers kept per run: the map asks the same few again and
// again, and each takes seconds to compute.
const keptRecommendations = 16

// accessModel returns the run's model, built by the first request that needs it.
func (lr *loadedRun) accessModel(ctx context.Context) (*analysis.Model, error) {
	lr.invest.modelOnce.Do(func() {
		// Building must outlive the request that triggered it: others wait on it.
		lr.invest.model, lr.invest.modelErr = analysis.NewModel(context.WithoutCancel(ctx), lr.set.Run(), lr.inputs)
	})
	return lr.invest.model, lr.invest.modelErr
}

// recommendationQuery reads and checks /api/recommendations' parameters, naming the one that is
// wrong.
func recommendationQuery(q url.Values) (analysis.RecommendRequest, string, error) {
	req := analysis.RecommendRequest{Setting: q.Get("setting"), Content: q.Get("content"), Count: 5}
	if req.Content == "" {
		return req, "", fmt.Errorf("%w: content is required (a content area of the run, or all)", errBadRequest)
	}
	var err error
	if v := q.Get("count"); v != "" {
		if req.Count, err = strconv.Atoi(v); err != nil || req.Count < 1 || req.Count > analysis.MaxRecommendations {
			return req, "", fmt.Errorf("%w: count %q: want a whole number 1–%d", errBadRequest, v, analysis.MaxRecommendations)
		}
	}
	if v := q.Get("capacity"); v != "" {
		if req.Capacity, err = strconv.ParseFloat(v, 64); err != nil || !(req.Capacity > 0) {
			return req, "", fmt.Errorf("%w: capacity %q: want a positive number of seats", errBadRequest, v)
		}
	}
	if v := q.Get("cell_res"); v != "" {
		if req.CellResolution, err = strconv.Atoi(v); err != nil || req.CellResolution < 0 {
			return req, "", fmt.Errorf("%w: cell_res %q: want an H3 resolution no finer than the run's", errBadRequest, v)
		}
	}
	candidates := q.Get("candidates")
	switch candidates {
	case "", "cells", "sites":
	default:
		return req, "", fmt.Errorf("%w: candidates %q: want cells (H3 cells, the default) or sites (the run's program sites)", errBadRequest, candidates)
	}
	key := url.Values{"setting": {req.Setting}, "content": {req.Content}, "count": {strconv.Itoa(req.Count)},
		"capacity": {strconv.FormatFloat(req.Capacity, 'g', -1, 64)}, "cell_res": {strconv.Itoa(req.CellResolution)}, "candidates": {candidates}}
	return req, key.Encode(), nil
}

// recommendations serves /api/recommendations: the sites where new programs of a series would
// close the most need-weighted unmet demand, as JSON, GeoJSON (format=geojson) or CSV (format=csv,
// its CSV on the Web metadata at format=csv-metadata).
func (s *Server) recommendations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	switch format {
	case "", "json", export.FormatCSV, export.FormatGeoJSON, "csv-metadata":
	default:
		s.fail(w, r, fmt.Errorf("%w: format %q: want json, geojson, csv or csv-metadata", errBadRequest, format))
		return
	}
	req, key, err := recommendationQuery(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lr, err := s.runs.get(r.Context(), q.Get("run"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run := lr.set.Run()
	if _, err := run.CheckSeries(req.Setting, req.Content); err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := lr.recommend(r.Context(), req, key, q.Get("candidates") == "sites")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pinned := url.Values{}
	for k, v := range q {
		pinned[k] = v
	}
	pinned.Set("run", run.ID)
	w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
	switch format {
	case export.FormatCSV:
		pinned.Set("format", "csv-metadata")
		w.Header().Set("Link", fmt.Sprintf(`</api/recommendations?%s>; rel="describedby"; type="application/csvm+json"`, pinned.Encode()))
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		if err := export.WriteTable(w, format, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, &run.RunInfo)); err != nil {
			s.log.Error("recommendations csv", "err", err)
		}
	case export.FormatGeoJSON:
		w.Header().Set("Content-Type", "application/geo+json")
		if err := export.WriteTable(w, format, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, &run.RunInfo)); err != nil {
			s.log.Error("recommendations geojson", "err", err)
		}
	case "csv-metadata":
		pinned.Set("format", "csv")
		w.Header().Set("Content-Type", "application/csvm+json")
		if err := export.WriteTableMetadata(w, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, &run.RunInfo), "/api/recommendations?"+pinned.Encode()); err != nil {
			s.log.Error("recommendations metadata", "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, map[string]any{"provenance": export.ProvenanceFor(&run.RunInfo, req.Setting), "recommendations": rec})
	}
}

// recommend answers a recommendation request from the run's kept answers or computes it.
func (lr *loadedRun) recommend(ctx context.Context, req analysis.RecommendRequest, key string, sites bool) (*data.Recommendations, error) {
	st := &lr.invest
	st.mu.Lock()
	rec, ok := st.recs[key]
	st.mu.Unlock()
	if ok {
		return rec, nil
	}
	m, err := lr.accessModel(ctx)
	if err != nil {
		return nil, err
	}
	if sites {
		req.Sites, req.SitesLabel = analysis.SitesOf(lr.inputs.Programs, "the run's own program sites")
	}
	if rec, err = m.Recommend(ctx, req); err != nil {
		return nil, err
	}
	st.mu.Lock()
	if len(st.recs) >= keptRecommendations {
		clear(st.recs)
	}
	if st.recs == nil {
		st.recs = map[string]*data.Recommendations{}
	}
	st.recs[key] = rec
	st.mu.Unlock()
	return rec, nil
}
