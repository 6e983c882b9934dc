package server

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"stemgap/data"
	"stemgap/data/export"
)

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Runs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]runSummary, len(list))
	for i := range list {
		out[i] = summarize(&list[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// runSummary is a run's provenance and summary for the API: the export provenance plus when it
// ran and its content areas' regional figures.
type runSummary struct {
	export.Provenance
	CreatedAt    string            `json:"created_at"`
	ContentAreas []contentSummary  `json:"content_area_summary"`
	Links        map[string]string `json:"links"`
}

type contentSummary struct {
	Setting     string `json:"setting"`
	Name        string `json:"name"`
	Programs    int    `json:"programs"`
	TooFew      bool   `json:"too_few"`
	Note        string `json:"note,omitempty"` // why a series is not judged
	MeanAccess  any    `json:"mean_access"`
	Target      any    `json:"target"`
	Demand      any    `json:"demand_total"`
	DesertYouth any    `json:"desert_demand"`
	DesertShare any    `json:"desert_share"`
	DesertAreas int    `json:"desert_areas"`
}

func summarize(info *data.RunInfo) runSummary {
	rs := runSummary{Provenance: export.ProvenanceOf(info), CreatedAt: info.CreatedAt.Format("2006-01-02T15:04:05Z"),
		Links: map[string]string{
			"cells_csv":   "/api/export/cells.csv?run=" + info.ID,
			"tracts_csv":  "/api/export/tracts.csv?run=" + info.ID,
			"tracts_json": "/api/export/tracts.geojson?run=" + info.ID,
			"equity":      "/api/runs/" + info.ID + "/equity",
		}}
	for _, c := range info.ContentAreas {
		rs.ContentAreas = append(rs.ContentAreas, contentSummary{Setting: c.Setting, Name: c.Name, Programs: c.Programs, TooFew: c.TooFew, Note: c.TooFewNote(), MeanAccess: export.Number(c.MeanAccess),
			Target: export.Number(c.Target), Demand: export.Number(c.DemandTotal), DesertYouth: export.Number(c.DesertYouth),
			DesertShare: export.Number(c.DesertShare), DesertAreas: c.DesertAreas})
	}
	return rs
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) {
	id, err := s.runs.resolve(r.Context(), chi.URLParam(r, "run"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.store.Runs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range list {
		if list[i].ID == id {
			writeJSON(w, http.StatusOK, summarize(&list[i]))
			return
		}
	}
	s.fail(w, r, fmt.Errorf("run %q: %w", id, data.ErrNotFound))
}

func (s *Server) equity(w http.ResponseWriter, r *http.Request) {
	lr, err := s.runs.get(r.Context(), chi.URLParam(r, "run"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run := lr.view()
	rows := make([]map[string]any, 0, len(run.Equity))
	for _, e := range run.Equity {
		rows = append(rows, map[string]any{"setting": e.Setting, "content_area": e.ContentArea, "group": e.Group, "variable": e.Variable,
			"total": export.Number(e.Total), "in_desert": export.Number(e.InDesert), "share": export.Number(e.Share),
			"region_share": export.Number(e.Reference), "ratio": export.Number(e.Ratio), "difference": export.Number(e.Difference), "areas": e.Areas})
	}
	writeJSON(w, http.StatusOK, map[string]any{"provenance": export.ProvenanceOf(run.RunInfo), "equity": rows})
}

// export serves /api/export/{layer}.{csv|geojson} with the CSV's sidecars,
// /api/export/{layer}.csv-metadata.json (CSV on the Web) and /api/export/{layer}.csvt (GDAL's
// column types), chosen by the query; and the same files by the names they download as,
// /api/export/stemgap-LAYER-CONTENT-SETTING-RUN.csv (and .csv-metadata.json, .csvt), which pin
// everything, so that the metadata's url, the file's name, resolves on the server too.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	file := chi.URLParam(r, "file")
	sidecar := ""
	for _, suffix := range []string{"-metadata.json", "t"} {
		if strings.HasSuffix(file, ".csv"+suffix) {
			file, sidecar = strings.TrimSuffix(file, suffix), suffix
		}
	}
	var req export.Request
	runID := r.URL.Query().Get("run")
	named := strings.HasPrefix(file, "stemgap-")
	if named {
		var ok bool
		if req, runID, ok = export.ParseFileName(file); !ok {
			s.fail(w, r, fmt.Errorf("%w: %s is not a name stemgap gives an export", errNotFound, file))
			return
		}
	} else {
		layer, format, ok := strings.Cut(file, ".")
		if !ok {
			s.fail(w, r, fmt.Errorf("%w: want /api/export/LAYER.csv or LAYER.geojson", errNotFound))
			return
		}
		req = export.Request{Format: format, Layer: layer, Setting: settingParam(r)}
		if c := r.URL.Query().Get("content"); c != "" {
			req.Content = strings.Split(c, ",")
		}
	}
	if err := req.Check(); err != nil {
		s.fail(w, r, fmt.Errorf("%w: %v", errNotFound, err))
		return
	}
	lr, err := s.runs.get(r.Context(), runID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run := lr.view()
	// Check the selection before the first byte goes out: afterwards no error status can be sent.
	if err := req.CheckRun(run.RunInfo); err != nil {
		s.fail(w, r, fmt.Errorf("%w: %v", errBadRequest, err))
		return
	}
	if named && req.FileName(run.RunInfo) != file {
		s.fail(w, r, fmt.Errorf("%w: %s is not a name stemgap gives an export", errNotFound, file))
		return
	}
	name := req.FileName(run.RunInfo)
	areas, programs := lr.inputs.Areas, lr.inputs.Programs
	h := w.Header()
	h.Set("X-Stemgap-Run", run.ID)
	switch sidecar {
	case "-metadata.json":
		h.Set("Content-Type", "application/csvm+json")
		h.Set("Content-Disposition", attachment(name+sidecar))
		// The metadata names the CSV by its file name: beside it on disk, or here.
		if err := export.WriteCSVMetadata(r.Context(), w, req, lr.tables, areas, programs, name); err != nil {
			s.log.Error("export failed midway", "file", file, "run", run.ID, "err", err)
		}
		return
	case "t":
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Disposition", attachment(strings.TrimSuffix(name, ".csv")+".csvt"))
		if err := export.WriteCSVT(r.Context(), w, req, lr.tables, areas, programs); err != nil {
			s.log.Error("export failed midway", "file", file, "run", run.ID, "err", err)
		}
		return
	}
	if req.Format == export.FormatCSV {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Link", fmt.Sprintf(`</api/export/%s-metadata.json>; rel="describedby"; type="application/csvm+json"`, url.PathEscape(name)))
	} else {
		h.Set("Content-Type", "application/geo+json")
	}
	h.Set("Content-Disposition", attachment(name))
	if err := export.Write(r.Context(), w, req, lr.tables, areas, programs); err != nil {
		s.log.Error("export failed midway", "file", file, "run", run.ID, "err", err)
	}
}

// attachment is a Content-Disposition that saves a response as a file of the given name (RFC
// 6266; a name beyond ASCII, as a content area in another script makes, goes as filename*).
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}
