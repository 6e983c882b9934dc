package server

import (
	"encoding/json"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A CSV downloads under a name that says what it holds; its CSVW metadata names that very file,
// and the name resolves on the server too, as the metadata's url is resolved against the
// metadata's own address. GDAL's .csvt sidecar types the same columns.
func TestExportFilesNameWhatTheyHold(t *testing.T) {
	srv, run := newTestServer(t)
	resp, csv := get(t, srv.URL+"/api/export/tracts.csv?content=math&setting=all")
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	want := "stemgap-tracts-math-all-" + run.ID + ".csv"
	if err != nil || params["filename"] != want {
		t.Fatalf("Content-Disposition %q, want filename %s", resp.Header.Get("Content-Disposition"), want)
	}
	link := regexp.MustCompile(`<([^>]+)>; rel="describedby"`).FindStringSubmatch(resp.Header.Get("Link"))
	if link == nil || link[1] != "/api/export/"+want+"-metadata.json" {
		t.Fatalf("Link %q", resp.Header.Get("Link"))
	}
	resp, body := get(t, srv.URL+link[1])
	var meta struct {
		URL         string `json:"url"`
		TableSchema struct {
			Columns []struct{ Name, Datatype string }
		} `json:"tableSchema"`
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.URL != want {
		t.Fatalf("metadata url %q (%v), want the file's name %s", meta.URL, err, want)
	}
	base, _ := url.Parse(srv.URL + link[1])
	target, _ := base.Parse(meta.URL)
	resp, again := get(t, target.String())
	if resp.StatusCode != 200 || string(again) != string(csv) {
		t.Errorf("the metadata's url %s answers %d, not the same CSV", target, resp.StatusCode)
	}
	resp, csvt := get(t, srv.URL+"/api/export/"+want+"t")
	_, params, _ = mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	types := strings.Split(strings.TrimSpace(string(csvt)), ",")
	if resp.StatusCode != 200 || params["filename"] != strings.TrimSuffix(want, ".csv")+".csvt" || len(types) != len(meta.TableSchema.Columns) {
		t.Fatalf(".csvt: %d %q %q", resp.StatusCode, params["filename"], csvt)
	}
	gdal := map[string]string{"string": `"String"`, "double": `"Real"`, "integer": `"Integer"`, "boolean": `"Integer(Boolean)"`}
	for i, c := range meta.TableSchema.Columns {
		if types[i] != gdal[c.Datatype] {
			t.Errorf("column %s (%s) typed %s for GDAL", c.Name, c.Datatype, types[i])
		}
	}
	for _, bad := range []string{"stemgap-tracts-math-all-" + run.ID + ".json", "stemgap-tracts-math-all-0123.csv", "stemgap-tracts-poetry-all-" + run.ID + ".csv"} {
		if resp, _ := get(t, srv.URL+"/api/export/"+bad); resp.StatusCode < 400 {
			t.Errorf("%s answers %d", bad, resp.StatusCode)
		}
	}
}

// A large export goes gzip-compressed to a client that takes it, and plain to one that does not.
func TestExportsAreGzippedWhenAccepted(t *testing.T) {
	srv, _ := newTestServer(t)
	_, plain := get(t, srv.URL+"/api/export/cells.geojson?content=math", "Accept-Encoding", "identity")
	resp, zipped := get(t, srv.URL+"/api/export/cells.geojson?content=math", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v", resp.Header)
	}
	if string(gunzip(t, zipped)) != string(plain) || len(zipped)*3 > len(plain) {
		t.Errorf("gzip: %d bytes for %d plain, or not the same GeoJSON", len(zipped), len(plain))
	}
}
