package server

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The report pages are people's pages: HTML errors, static HTML under the CSP, the method served.
func TestReportPagesAnswerInHTML(t *testing.T) {
	srv, run := newTestServer(t)
	id := run.Areas[4].ID
	inline := regexp.MustCompile(`<script|<style|\sstyle=|\son[a-z]+=`)
	for _, c := range []struct {
		path, contentType, want string
		status                  int
	}{
		{"/tracts/" + id + "?content=math", "text/html", "How to cite", 200},
		{"/tracts/00000000000", "text/html", "not in run", 404},
		{"/tracts/" + id + "?setting=work", "text/html", "out_of_school, all", 400},
		{"/api/tracts/00000000000", "application/json", `"error"`, 404},
		{"/report?content=math", "text/html", "Tracts ranked", 200},
		{"/report?content=math&sort=unmet", "text/html", `aria-sort="descending"><a href="http`, 200},
		{"/report?sort=fastest", "text/html", "sort &#34;fastest&#34;", 400},
		{"/report?format=csv&content=math", "text/csv", "position,id,tract", 200},
		{"/report?format=md", "text/markdown", "## Tracts ranked by gap", 200},
		{"/method", "text/html", "How stemgap measures STEM-learning gaps</h1>", 200},
	} {
		resp, body := get(t, srv.URL+c.path)
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s, want %d %s holding %q: %.300s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), c.status, c.contentType, c.want, body)
		}
		if strings.HasPrefix(c.contentType, "text/html") {
			if m := inline.FindString(string(body)); m != "" {
				t.Errorf("%s holds inline code or style %q, which the CSP forbids", c.path, m)
			}
			if !strings.Contains(string(body), `<link rel="stylesheet" href="/static/report.css?v=`) {
				t.Errorf("%s does not link the report stylesheet by its content hash", c.path)
			}
		}
	}
	// The JSON report keeps its fields and adds the words people read.
	_, body := get(t, srv.URL+"/api/tracts/"+id+"?content=math")
	var rep struct {
		Title        string
		Summary      string
		Area         struct{ ID string }
		ContentAreas []struct{ Name, Verdict, Reason string } `json:"content_areas"`
		Citation     struct{ URL string }
	}
	if err := json.Unmarshal(body, &rep); err != nil || rep.Area.ID != id || rep.Summary == "" || rep.ContentAreas[0].Verdict == "" ||
		!strings.HasPrefix(rep.Citation.URL, srv.URL+"/tracts/"+id) {
		t.Errorf("tract JSON: %v %.400s", err, body)
	}
}
