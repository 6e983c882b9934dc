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
		// Building must outlive the request that triggered it: others wait on it. The model needs
		// the whole run, read from the store once for it.
		ctx := context.WithoutCancel(ctx)
		run, err := lr.whole(ctx)
		if err != nil {
			lr.invest.modelErr = err
			return
		}
		lr.invest.model, lr.invest.modelErr = analysis.NewModel(ctx, run, lr.inputs)
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
	run := lr.set.Info()
	if _, err := run.CheckSeries(req.Setting, req.Content); err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := lr.recommend(r.Context(), req, key, q.Get("candidates") == "sites")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", cacheControl(r))
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"provenance": export.ProvenanceFor(run, req.Setting), "recommendations": rec})
		return
	}
	pinned := url.Values{}
	for k, v := range q {
		pinned[k] = v
	}
	pinned.Set("run", run.ID)
	s.writeTable(w, format, export.RecommendationsTable(rec), export.RecommendationsProvenance(rec, run), "/api/recommendations", pinned)
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

// loadDerived builds the runs derived from stored ones: a scenario posted to the server, and a
// comparison of two runs (analysis.DeltaID), which holds B − A of every figure, drawn over B's
// areas and programs. ok is false for any other id.
func (r *runs) loadDerived(ctx context.Context, id string) (run *data.Run, inputs *data.Inputs, ok bool, err error) {
	if analysis.IsScenarioID(id) {
		run, inputs, err := r.loadScenario(id)
		return run, inputs, true, err
	}
	a, b, ok := analysis.ParseDeltaID(id)
	if !ok {
		return nil, nil, false, nil
	}
	la, err := r.get(ctx, a)
	if err != nil {
		return nil, nil, true, fmt.Errorf("comparison %s: run A: %w", id, err)
	}
	lb, err := r.get(ctx, b)
	if err != nil {
		return nil, nil, true, fmt.Errorf("comparison %s: run B: %w", id, err)
	}
	runA, err := la.whole(ctx)
	if err != nil {
		return nil, nil, true, err
	}
	runB, err := lb.whole(ctx)
	if err != nil {
		return nil, nil, true, err
	}
	d, err := analysis.DeltaRun(runA, runB)
	if err != nil {
		return nil, nil, true, err
	}
	return d, lb.inputs, true, nil
}

// compare serves /api/compare?a=RUN&b=RUN: what changed from run a to run b (b: the latest run
// by default), as JSON, or one layer (series, tracts, cells, groups) as CSV or GeoJSON. Its
// tiles are served as the run analysis.DeltaID(a, b).
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, layer := q.Get("format"), q.Get("layer")
	switch format {
	case "", "json", export.FormatCSV, export.FormatGeoJSON, "csv-metadata":
	default:
		s.fail(w, r, fmt.Errorf("%w: format %q: want json, geojson, csv or csv-metadata", errBadRequest, format))
		return
	}
	if layer == "" {
		layer = export.CompareTracts
	}
	if q.Get("a") == "" {
		s.fail(w, r, fmt.Errorf("%w: a is required: the run to compare from (b, the run to compare to, is the latest by default)", errBadRequest))
		return
	}
	var pair [2]*loadedRun
	for n, name := range []string{"a", "b"} {
		id := q.Get(name)
		if _, _, derived := analysis.ParseDeltaID(id); derived {
			s.fail(w, r, fmt.Errorf("%w: %s %q: compare stored runs, not comparisons", errBadRequest, name, id))
			return
		}
		lr, err := s.runs.get(r.Context(), id)
		if err != nil {
			s.fail(w, r, fmt.Errorf("%s: %w", name, err))
			return
		}
		pair[n] = lr
	}
	a, err := pair[0].whole(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := pair[1].whole(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cmp, err := analysis.Compare(a, b, analysis.CompareOptions{Setting: q.Get("setting"), Content: q.Get("content")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prov := export.ComparisonProvenanceOf(cmp, &a.RunInfo, &b.RunInfo)
	// Two pinned runs never change; "the latest" may.
	w.Header().Set("Cache-Control", "public, max-age=60")
	if q.Get("b") != "" && q.Get("b") != "latest" {
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
	}
	if format == "" || format == "json" {
		tilesQuery := url.Values{"run": {analysis.DeltaID(a.ID, b.ID)}, "setting": {cmp.Setting}, "content": {cmp.Content}}
		writeJSON(w, http.StatusOK, map[string]any{"provenance": prov, "comparison": cmp,
			"tiles": "/tiles/cells/{z}/{x}/{y}.mvt?" + tilesQuery.Encode()})
		return
	}
	table, err := export.ComparisonTable(layer, cmp, a, b, pair[1].inputs.Areas)
	if err != nil {
		s.fail(w, r, fmt.Errorf("%w: layer: %v", errBadRequest, err))
		return
	}
	pinned := url.Values{"a": {a.ID}, "b": {b.ID}, "setting": {cmp.Setting}, "content": {cmp.Content}, "layer": {layer}}
	s.writeTable(w, format, table, prov, "/api/compare", pinned)
}

// writeTable answers with a table as CSV (linking its CSV on the Web metadata), GeoJSON or that
// metadata; pinned is the query that gives the same table again.
func (s *Server) writeTable(w http.ResponseWriter, format string, table export.Table, prov any, path string, pinned url.Values) {
	var err error
	switch format {
	case export.FormatCSV:
		pinned.Set("format", "csv-metadata")
		w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="describedby"; type="application/csvm+json"`, path, pinned.Encode()))
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		err = export.WriteTable(w, format, table, prov)
	case export.FormatGeoJSON:
		w.Header().Set("Content-Type", "application/geo+json")
		err = export.WriteTable(w, format, table, prov)
	default:
		pinned.Set("format", "csv")
		w.Header().Set("Content-Type", "application/csvm+json")
		err = export.WriteTableMetadata(w, table, prov, path+"?"+pinned.Encode())
	}
	if err != nil {
		// The status is sent: all that is left is to say so in the log.
		s.log.Error("writing a table", "path", path, "err", err)
	}
}
