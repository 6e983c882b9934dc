package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"stemgap/data/labels"
	"stemgap/report"
)

// serveDir serves a data directory on a free port until the test ends, and returns its base URL.
func serveDir(t *testing.T, dir string, flags ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		stemgap(t, ctx, append([]string{"serve", "--addr", addr, "--data-dir", dir}, flags...)...)
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return "http://" + addr
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("server did not start")
		}
	}
}

// browserE2E skips a test unless browser tests are on (scripts/test installs Chromium and the npm
// packages and sets STEMGAP_BROWSER_TEST=1), and gives the folder of the browser scripts.
func browserE2E(t *testing.T) string {
	t.Helper()
	if os.Getenv("STEMGAP_BROWSER_TEST") != "1" {
		t.Skip("set STEMGAP_BROWSER_TEST=1 (scripts/test does) to run the browser test")
	}
	e2e, err := filepath.Abs(filepath.Join("..", "..", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	return e2e
}

// worstTract is the tract the region report ranks first for a series.
func worstTract(t *testing.T, base, setting, content string) string {
	t.Helper()
	resp, err := http.Get(base + "/report?format=csv&setting=" + setting + "&content=" + content)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) < 2 || rows[1][0] != "1" {
		t.Fatalf("ranked tracts: %v %v", err, rows[:min(2, len(rows))])
	}
	return rows[1][1]
}

// The advocate's path, on the St. Louis demo: the region report ranks the tracts for out-of-school
// science (too few programs to judge: the report must say so) and engineering (judged); each
// worst tract's report opens, prints to at most two Letter pages, and reads as a public document.
// e2e/report.mjs drives Chromium; pdfinfo and pdftotext (poppler) read the PDFs back.
func TestReportsInBrowser(t *testing.T) {
	e2e := browserE2E(t)
	base := serveDir(t, demoDir(t))
	for _, content := range []string{"science", "engineering"} {
		id := worstTract(t, base, "out_of_school", content)
		q := "?setting=out_of_school&content=" + content
		out := filepath.Join(e2e, "screenshots", "reports-"+content)
		cmd := exec.Command("node", "report.mjs", base+"/tracts/"+id+q, base+"/report"+q, out)
		cmd.Dir = e2e
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: browser check: %v\n%s", content, err, msg)
		} else {
			t.Logf("%s: %s", content, msg)
		}
		var rep struct {
			Title        string
			ContentAreas []struct{ Name, Verdict, Note string } `json:"content_areas"`
		}
		resp, err := http.Get(base + "/api/tracts/" + id + q)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&rep)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(out, "tract-report.pdf")
		if pages, letter := pdfPages(t, pdf); pages < 1 || pages > 2 || !letter {
			t.Errorf("%s: the tract report prints to %d pages (Letter: %v)", content, pages, letter)
		}
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		printed := strings.Join(strings.Fields(string(text)), " ")
		for _, want := range []string{rep.Title, "Read this first", "Is it a STEM desert?", "Who lives here", "Sources", "How to cite", "mixes vintages"} {
			if !strings.Contains(printed, want) {
				t.Errorf("%s: the printed report lacks %q", content, want)
			}
		}
		if strings.Contains(printed, `{"`) {
			t.Errorf("%s: the printed report holds JSON", content)
		}
		checkRegionPrint(t, base, q, filepath.Join(out, "region-report.pdf"))
		for _, c := range rep.ContentAreas {
			if c.Name == content && content == "science" && (c.Verdict != "Too few to judge" || !strings.Contains(printed, "Too few programs to judge: ")) {
				t.Errorf("science has 3 out-of-school programs: the report should say it is too few to judge (%+v)", c)
			}
			if c.Name == content && content == "engineering" && c.Verdict != "Desert" {
				t.Errorf("the region's worst tract for engineering is not a desert: %+v", c)
			}
		}
	}
}

// pdfPages reads a PDF's page count with pdfinfo (poppler), and whether its pages are Letter.
func pdfPages(t *testing.T, pdf string) (int, bool) {
	t.Helper()
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: %s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	return pages, strings.Contains(string(info), "612 x 792 pts")
}

// checkRegionPrint reads back the printed region report: at most 4 Letter pages (issue 9 sets no
// limit for it; a meeting reads a few pages, and the whole ranking is a CSV the print names), no
// JSON, and the first report.PrintedTracts tracts of the ranking — taken from the CSV — each on
// one printed line with its position, name and desert share, so that no row is split across
// pages or lines; the tract after them is left off.
func checkRegionPrint(t *testing.T, base, query, pdf string) {
	t.Helper()
	if pages, letter := pdfPages(t, pdf); pages < 1 || pages > 4 || !letter {
		t.Errorf("the region report prints to %d pages (Letter: %v); at most 4", pages, letter)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if strings.Contains(string(text), `{"`) {
		t.Error("the printed region report holds JSON")
	}
	resp, err := http.Get(base + "/report" + query + "&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil || len(rows) <= report.PrintedTracts+1 {
		t.Fatalf("ranked tracts: %v, %d rows; want more than the %d printed", err, len(rows)-1, report.PrintedTracts)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	lines := strings.Split(string(text), "\n")
	// A row reads "12 Census Tract 2202 Cook County, IL 1,008 95th …": position, name, place and
	// young people, which the CSV gives as 1008.
	printedRow := func(r []string) bool {
		youth, _ := strconv.ParseFloat(r[4], 64)
		row := regexp.MustCompile(`^\s*` + r[col["position"]] + `\s+` + regexp.QuoteMeta(r[col["tract"]]) + `\s+` +
			regexp.QuoteMeta(r[col["place"]]) + `\s+` + regexp.QuoteMeta(labels.Format{Style: labels.StyleCount}.Format(youth)) + `\s+\S`)
		for _, l := range lines {
			if row.MatchString(l) {
				return true
			}
		}
		return false
	}
	for _, r := range rows[1 : report.PrintedTracts+1] {
		if !printedRow(r) {
			t.Errorf("ranked tract %s (%s, %s) is not printed whole on one line", r[col["position"]], r[col["tract"]], r[col["id"]])
		}
	}
	if printedRow(rows[report.PrintedTracts+1]) {
		t.Errorf("tract %s of the ranking is printed; the print lists %d", rows[report.PrintedTracts+1][col["position"]], report.PrintedTracts)
	}
}

// The planner's path, on the St. Louis demo: the GeoPackage opens in GDAL with three typed layers
// holding every cell, tract and out-of-school program; the PMTiles archive of out-of-school
// engineering reads back with the pmtiles npm reader and MapLibre draws it from static files
// (e2e/pmtiles.mjs, in the browser test).
func TestPlannerExportsReadBack(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (Debian gdal-bin) is not installed; scripts/test installs it")
	}
	dir := demoDir(t)
	out := t.TempDir()
	gpkg := filepath.Join(out, "stlouis.gpkg")
	if code, _, errs := stemgap(t, context.Background(), "export", "gpkg", "-o", gpkg, "--data-dir", dir); code != 0 {
		t.Fatalf("export gpkg exited %d: %s", code, errs)
	}
	info, err := exec.Command("ogrinfo", "-so", "-al", gpkg).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%.2000s", err, info)
	}
	text := string(info)
	layers := regexp.MustCompile(`(?m)^Layer name: (\w+)$`).FindAllStringSubmatch(text, -1)
	counts := regexp.MustCompile(`(?m)^Feature Count: (\d+)$`).FindAllStringSubmatch(text, -1)
	if len(layers) != 3 || len(counts) != 3 || layers[0][1] != "cells" || counts[0][1] != "201393" || layers[1][1] != "tracts" || counts[1][1] != "615" ||
		layers[2][1] != "programs" {
		t.Fatalf("layers %v, counts %v", layers, counts)
	}
	for _, want := range []string{"desert_engineering: Integer(Boolean)", "count_engineering: Integer (0.0)", "e2sfca_engineering: Real", "rank_engineering: Integer (0.0)",
		"reason_engineering: String", "address: String", "Geometry: Multi Polygon", "Not judged: too few programs to map gaps in ", "too few programs to map gaps in science (3"} {
		if !strings.Contains(text, want) {
			t.Errorf("ogrinfo does not read %q", want)
		}
	}
	e2e := browserE2E(t)
	archive := filepath.Join(out, "engineering.pmtiles")
	if code, _, errs := stemgap(t, context.Background(), "export", "pmtiles", "-o", archive, "--content", "engineering", "--data-dir", dir); code != 0 {
		t.Fatalf("export pmtiles exited %d: %s", code, errs)
	}
	cmd := exec.Command("node", "pmtiles.mjs", archive, "-90.1994", "38.627", filepath.Join(e2e, "screenshots", "pmtiles-map.png"))
	cmd.Dir = e2e
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pmtiles check: %v\n%s", err, msg)
	}
	t.Logf("%s", msg)
}
