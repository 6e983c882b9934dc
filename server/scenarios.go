package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/export"
)

// Scenarios live in memory for ScenarioTTL after they are posted, at most MaxScenarios at once
// (the oldest goes first), or until deleted: they are what-ifs, not records.
const (
	ScenarioTTL  = time.Hour
	MaxScenarios = 64
)

// scenarioStore keeps the scenarios posted to the server.
type scenarioStore struct {
	mu   sync.Mutex
	byID map[string]*storedScenario
}

type storedScenario struct {
	result   *analysis.ScenarioResult
	baseline *loadedRun
	posted   time.Time
	expires  time.Time
	took     time.Duration
}

func (st *scenarioStore) put(sc *storedScenario) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byID == nil {
		st.byID = map[string]*storedScenario{}
	}
	st.expire(sc.posted)
	for len(st.byID) >= MaxScenarios {
		oldest := ""
		for id, s := range st.byID {
			if oldest == "" || s.posted.Before(st.byID[oldest].posted) {
				oldest = id
			}
		}
		delete(st.byID, oldest)
	}
	st.byID[sc.result.Run.ID] = sc
}

// get returns a scenario that has not expired.
func (st *scenarioStore) get(id string, now time.Time) (*storedScenario, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expire(now)
	sc, ok := st.byID[id]
	return sc, ok
}

func (st *scenarioStore) remove(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.byID[id]
	delete(st.byID, id)
	return ok
}

// expire forgets the scenarios past their time. Called with mu held.
func (st *scenarioStore) expire(now time.Time) {
	for id, sc := range st.byID {
		if now.After(sc.expires) {
			delete(st.byID, id)
		}
	}
}

// forgetScenario drops a scenario from the loaded runs, with every comparison that names it, so
// that a deleted or expired scenario's tiles are not served from memory.
func (r *runs) forgetScenario(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for loaded := range r.loaded {
		if _, b, ok := analysis.ParseDeltaID(loaded); loaded == id || ok && b == id {
			delete(r.loaded, loaded)
			r.recency = slices.DeleteFunc(r.recency, func(v string) bool { return v == loaded })
		}
	}
}

// checkLive refuses a scenario that has expired or been deleted, or a comparison with one, and
// forgets its loaded tiles.
func (r *runs) checkLive(id string) error {
	scenario := id
	if _, b, ok := analysis.ParseDeltaID(id); ok {
		scenario = b
	}
	if !analysis.IsScenarioID(scenario) {
		return nil
	}
	if _, ok := r.scenarios.get(scenario, time.Now()); !ok {
		r.forgetScenario(scenario)
		return fmt.Errorf("scenario %s (it may have expired or been deleted): %w", scenario, data.ErrNotFound)
	}
	return nil
}

// loadScenario serves a scenario as a run: its figures over its baseline's areas and its own
// programs.
func (r *runs) loadScenario(id string) (*data.Run, *data.Inputs, error) {
	sc, ok := r.scenarios.get(id, time.Now())
	if !ok {
		return nil, nil, fmt.Errorf("scenario %s (it may have expired or been deleted): %w", id, data.ErrNotFound)
	}
	inputs := *sc.baseline.inputs
	inputs.Programs = sc.result.Programs
	return sc.result.Run, &inputs, nil
}

// scenarioAnswer is what POST and GET /api/scenarios/{id} answer.
type scenarioAnswer struct {
	ID         string              `json:"id"`
	Baseline   string              `json:"baseline"`
	PostedAt   string              `json:"posted_at"`
	ExpiresAt  string              `json:"expires_at"`
	Cells      int                 `json:"cells_recomputed"`
	Areas      int                 `json:"areas_recomputed"`
	TookMs     float64             `json:"took_ms"`
	Changes    []data.SeriesChange `json:"changes"`
	Notes      []string            `json:"notes"`
	Tiles      map[string]string   `json:"tiles"`
	Provenance export.Provenance   `json:"provenance"`
}

func (sc *storedScenario) answer() scenarioAnswer {
	run := sc.result.Run
	base := sc.baseline.set.Info().ID
	tilesOf := func(id string) string { return "/tiles/cells/{z}/{x}/{y}.mvt?" + url.Values{"run": {id}}.Encode() }
	return scenarioAnswer{ID: run.ID, Baseline: base, PostedAt: sc.posted.UTC().Format(time.RFC3339), ExpiresAt: sc.expires.UTC().Format(time.RFC3339),
		Cells: sc.result.Cells, Areas: sc.result.Areas, TookMs: float64(sc.took.Microseconds()) / 1000, Changes: sc.result.Changes, Notes: sc.result.Notes,
		Tiles:      map[string]string{"baseline": tilesOf(base), "scenario": tilesOf(run.ID), "delta": tilesOf(analysis.DeltaID(base, run.ID))},
		Provenance: export.ProvenanceOf(&run.RunInfo)}
}

// postScenario computes a what-if against a run (POST /api/scenarios with a JSON body; see
// analysis.DecodeScenario) and keeps it for ScenarioTTL.
func (s *Server) postScenario(w http.ResponseWriter, r *http.Request) {
	runID, sc, err := analysis.DecodeScenario(r.Body)
	if err != nil {
		s.fail(w, r, fmt.Errorf("body: %w", err))
		return
	}
	if analysis.IsScenarioID(runID) {
		s.fail(w, r, fmt.Errorf("%w: body: run %q is a scenario: post scenarios against a stored run", errBadRequest, runID))
		return
	}
	if _, _, derived := analysis.ParseDeltaID(runID); derived {
		s.fail(w, r, fmt.Errorf("%w: body: run %q is a comparison: post scenarios against a stored run", errBadRequest, runID))
		return
	}
	lr, err := s.runs.get(r.Context(), runID)
	if err != nil {
		s.fail(w, r, fmt.Errorf("body: run: %w", err))
		return
	}
	m, err := lr.accessModel(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	start := time.Now()
	res, err := m.Scenario(r.Context(), sc)
	if err != nil {
		s.fail(w, r, fmt.Errorf("body: %w", err))
		return
	}
	now := time.Now()
	stored := &storedScenario{result: res, baseline: lr, posted: now, expires: now.Add(ScenarioTTL), took: now.Sub(start)}
	s.runs.forgetScenario(res.Run.ID) // the same what-if posted again replaces its tiles' run
	s.runs.scenarios.put(stored)
	s.log.Info("scenario", "id", res.Run.ID, "baseline", lr.set.Info().ID, "cells", res.Cells, "took", stored.took)
	w.Header().Set("Location", "/api/scenarios/"+res.Run.ID)
	writeJSON(w, http.StatusCreated, stored.answer())
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.runs.scenarios.get(chi.URLParam(r, "id"), time.Now())
	if !ok {
		s.fail(w, r, fmt.Errorf("scenario %q (it may have expired or been deleted): %w", chi.URLParam(r, "id"), data.ErrNotFound))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sc.answer())
}

func (s *Server) deleteScenario(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if !s.runs.scenarios.remove(id) {
		s.fail(w, r, fmt.Errorf("scenario %q (it may have expired or been deleted): %w", id, data.ErrNotFound))
		return
	}
	s.runs.forgetScenario(id)
	w.WriteHeader(http.StatusNoContent)
}
