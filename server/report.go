package server

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"stemgap"
	"stemgap/data"
	"stemgap/report"
)

// reportRun is a run with the inputs it was computed from, as the reports read them: its cells
// block by block.
func (s *Server) reportRun(r *http.Request) (data.RunTables, *data.Inputs, error) {
	lr, err := s.runs.get(r.Context(), r.URL.Query().Get("run"))
	if err != nil {
		return nil, nil, err
	}
	return lr.tables, lr.inputs, nil
}

// reportOptions reads the series and order a report shows from the query.
func reportOptions(r *http.Request) (report.Options, error) {
	q := r.URL.Query()
	opt := report.Options{Setting: q.Get("setting"), Content: q.Get("content"), Sort: q.Get("sort"), BaseURL: baseURL(r)}
	if err := report.CheckSort(opt.Sort); err != nil {
		return opt, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return opt, nil
}

// page is how the server's report pages link their stylesheet: by a URL naming its content, so
// that it caches for a year.
func (s *Server) page() report.Page {
	href := "/static/report.css"
	if a, ok := s.assets().byPath["report.css"]; ok {
		href += "?v=" + a.hash
	}
	return report.Page{StylesheetURL: href}
}

func (s *Server) buildTract(r *http.Request) (*report.Tract, error) {
	opt, err := reportOptions(r)
	if err != nil {
		return nil, err
	}
	run, in, err := s.reportRun(r)
	if err != nil {
		return nil, err
	}
	t, err := report.BuildTract(r.Context(), run, in, chi.URLParam(r, "id"), opt)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tractReport serves /api/tracts/{id}: the tract report as JSON.
func (s *Server) tractReport(w http.ResponseWriter, r *http.Request) {
	t, err := s.buildTract(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// tractPage serves /tracts/{id}: the tract report as a page to read and print.
func (s *Server) tractPage(w http.ResponseWriter, r *http.Request) {
	t, err := s.buildTract(r)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	s.writePage(w, r, "text/html; charset=utf-8", "", func(b *bytes.Buffer) error { return t.WriteHTML(b, s.page()) })
}

// regionReport serves /report: the region report as a page, or its ranked tracts as CSV
// (format=csv) or the whole report as Markdown (format=md).
func (s *Server) regionReport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "html" && format != "csv" && format != "md" {
		s.failPage(w, r, fmt.Errorf("%w: format %q: want html, csv or md", errBadRequest, format))
		return
	}
	opt, err := reportOptions(r)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	run, in, err := s.reportRun(r)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	rep, err := report.BuildRegion(r.Context(), run, in, opt)
	if err != nil {
		s.failPage(w, r, err)
		return
	}
	switch format {
	case "csv":
		name := fmt.Sprintf("stemgap-ranked-tracts-%s-%s-%s.csv", rep.Focus, rep.Setting, run.Info().ID)
		s.writePage(w, r, "text/csv; charset=utf-8", name, func(b *bytes.Buffer) error { return rep.WriteCSV(b) })
	case "md":
		s.writePage(w, r, "text/markdown; charset=utf-8", "", func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) })
	default:
		s.writePage(w, r, "text/html; charset=utf-8", "", func(b *bytes.Buffer) error { return rep.WriteHTML(b, s.page()) })
	}
}

// methodPage serves /method: METHOD.md as a page.
func (s *Server) methodPage(w http.ResponseWriter, r *http.Request) {
	s.writePage(w, r, "text/html; charset=utf-8", "", func(b *bytes.Buffer) error { return report.WriteMethod(b, stemgap.Method, s.page()) })
}

// writePage renders a page whole before the status goes out, so that a failure midway is an
// error page rather than half a page.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, contentType, filename string, render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		s.failPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	if filename != "" {
		w.Header().Set("Content-Disposition", attachment(filename))
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// failPage answers an HTML route's error with a page a person can read, with the status an API
// would give.
func (s *Server) failPage(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, ok := s.errorStatus(r, err)
	if !ok {
		return
	}
	heading := "Something went wrong"
	switch status {
	case http.StatusNotFound:
		heading = "Not found"
	case http.StatusBadRequest:
		heading = "This address asks for something the report does not have"
	}
	var b bytes.Buffer
	if err := report.WriteError(&b, status, heading, msg, s.page()); err != nil {
		writeError(w, status, msg)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
