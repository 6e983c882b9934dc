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
)

// serveDir serves a data directory on a free port until the test ends, and returns its base URL.
func serveDir(t *testing.T, dir string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		stemgap(t, ctx, "serve", "--addr", addr, "--data-dir", dir)
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
	if os.Getenv("STEMGAP_BROWSER_TEST") != "1" {
		t.Skip("set STEMGAP_BROWSER_TEST=1 (scripts/test does) to run the browser test")
	}
	base := serveDir(t, demoDir(t))
	e2e, err := filepath.Abs(filepath.Join("..", "..", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
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
		info, err := exec.Command("pdfinfo", pdf).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
		if m == nil {
			t.Fatalf("pdfinfo: %s", info)
		}
		if pages, _ := strconv.Atoi(string(m[1])); pages < 1 || pages > 2 {
			t.Errorf("%s: the tract report prints to %d Letter pages", content, pages)
		}
		if !strings.Contains(string(info), "612 x 792 pts") {
			t.Errorf("%s: the PDF is not Letter: %s", content, info)
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
