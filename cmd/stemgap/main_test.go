package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"stemgap/data/embedded"
	"stemgap/data/region"
)

// inputs is the real data beside the project.
var inputs = filepath.Join("..", "..", "..", "shared", "data")

// stLouisTracts is the St. Louis demo's areas file.
func stLouisTracts() string {
	m, err := region.Builtin(region.Default)
	if err != nil {
		panic(err) // the built-in manifests are checked by data/region's tests
	}
	return m.Files(inputs)[0].Path
}

func needInputs(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(stLouisTracts()); err != nil {
		t.Skipf("St. Louis data not beside the project: %v", err)
	}
}

// stemgap runs the CLI in-process and returns its exit code and output.
func stemgap(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// demoDir runs the demo once (load, analyse, no serving) into a fresh data directory.
func demoDir(t *testing.T) string {
	t.Helper()
	needInputs(t)
	dir := t.TempDir()
	code, out, errs := stemgap(t, context.Background(), "demo", "--no-serve", "--inputs", inputs, "--data-dir", dir)
	if code != 0 {
		t.Fatalf("demo exited %d: %s", code, errs)
	}
	if !strings.Contains(out, "201393 cells at H3 resolution 9") || !strings.Contains(out, "k12") || strings.Contains(out, "no figure for youth_pop") ||
		!strings.Contains(out, "youth_pop mixes vintages: 455 areas from 2010 Census via USDA Food Access Research Atlas 2015 (Missouri tracts); 160 areas from ACS 2010–2014 5-year, table B01001 (Illinois tracts)") {
		t.Fatalf("demo summary:\n%s", out)
	}
	return dir
}

func TestDemoThenExport(t *testing.T) {
	dir := demoDir(t)
	out := filepath.Join(t.TempDir(), "cells.csv")
	if code, _, errs := stemgap(t, context.Background(), "export", "csv", "--layer", "cells", "-o", out, "--data-dir", dir); code != 0 {
		t.Fatalf("export exited %d: %s", code, errs)
	}
	rows := readCSVRows(t, out)
	if len(rows) != 201393+1 || strings.Join(rows[0][:9], ",") != "h3,lat,lng,youth,nearest_km_arts,count_arts,e2sfca_arts,gap_arts,desert_arts" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0][:9])
	}
	meta, err := os.ReadFile(out + "-metadata.json")
	if err != nil || !bytes.Contains(meta, []byte("msa_learning_sites.csv")) || !bytes.Contains(meta, []byte("kids_0_17_census2010")) {
		t.Fatalf("metadata sidecar: %v %.300s", err, meta)
	}
	code, geo, errs := stemgap(t, context.Background(), "export", "geojson", "--layer", "tracts", "--content", "science", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("geojson export exited %d: %s", code, errs)
	}
	var fc struct {
		Features []struct{ Properties map[string]any }
		Stemgap  struct{ Run string }
	}
	if err := json.Unmarshal([]byte(geo), &fc); err != nil || len(fc.Features) != 615 || fc.Stemgap.Run == "" {
		t.Fatalf("tracts GeoJSON: %v, %d features", err, len(fc.Features))
	}

	// Loading and analysing the same data again gives the same run and the same bytes.
	if code, _, errs := stemgap(t, context.Background(), "demo", "--no-serve", "--inputs", inputs, "--data-dir", dir); code != 0 {
		t.Fatal(errs)
	}
	again := filepath.Join(t.TempDir(), "again.csv")
	stemgap(t, context.Background(), "export", "csv", "--layer", "cells", "-o", again, "--data-dir", dir)
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("the same analysis exported different bytes")
	}
}

func TestIngestErrorsNameTheRowAndChangeNothing(t *testing.T) {
	dir := demoDir(t)
	raw, err := os.ReadFile(stLouisTracts())
	if err != nil {
		t.Fatal(err)
	}
	var fc map[string]any
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	// Feature 57 becomes a bow tie.
	feature := fc["features"].([]any)[56].(map[string]any)
	feature["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{-90.3, 38.6}, {-90.2, 38.7}, {-90.2, 38.6}, {-90.3, 38.7}, {-90.3, 38.6}}}}
	bad := filepath.Join(t.TempDir(), "corrupt_tracts.geojson")
	b, _ := json.Marshal(fc)
	os.WriteFile(bad, b, 0o644)
	store, _ := embedded.Open(dir)
	before, _ := store.Ingests(context.Background())

	code, _, errs := stemgap(t, context.Background(), "ingest", "tracts", bad, "--data-dir", dir)
	if code != 1 || !strings.Contains(errs, "corrupt_tracts.geojson: feature 57") || !strings.Contains(errs, "cross") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	after, _ := store.Ingests(context.Background())
	areas, _ := store.Areas(context.Background())
	if len(areas) != 615 || fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("a failed ingest changed the store: %d areas", len(areas))
	}

	csvPath := filepath.Join(t.TempDir(), "demo.csv")
	os.WriteFile(csvPath, []byte("GEOID,kids\n29510101100,12\n29510101200,lots\n"), 0o644)
	code, _, errs = stemgap(t, context.Background(), "ingest", "demographics", csvPath, "--column", "youth_pop=kids", "--data-dir", dir)
	if code != 1 || !strings.Contains(errs, "demo.csv: line 3: column kids (youth_pop)") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = stemgap(t, context.Background(), "ingest", "demographics", csvPath, "--column", "youth_pop=KIDS", "--data-dir", dir)
	if code != 1 || !strings.Contains(errs, `no column "KIDS"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestAnalyzeFlags(t *testing.T) {
	dir := demoDir(t)
	code, out, errs := stemgap(t, context.Background(), "analyze", "--demand", "total_pop", "--res", "8", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "demand total_pop") || !strings.Contains(out, "H3 resolution 8") {
		t.Errorf("analyze --demand total_pop --res 8: exit %d\n%s%s", code, out, errs)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--res", "11"}, "resolution 11 is outside 6–10"},
		{[]string{"--demand", "kids"}, `unknown variable "kids"`},
		{[]string{"--demand", "youth_female"}, "try --demand total_pop"},
		{[]string{"--measure", "magic"}, "measure.kind"},
	} {
		code, _, errs := stemgap(t, context.Background(), append([]string{"analyze", "--data-dir", dir}, c.args...)...)
		if code != 1 || !strings.Contains(errs, c.says) {
			t.Errorf("analyze %v: exit %d, %s", c.args, code, errs)
		}
	}
}

func TestHelpAndUsage(t *testing.T) {
	for _, c := range commands() {
		code, _, errs := stemgap(t, context.Background(), c.name, "--help")
		if code != 0 || !strings.Contains(errs, "usage: stemgap "+c.name) || !strings.Contains(errs, "-data-dir") {
			t.Errorf("%s --help: exit %d\n%s", c.name, code, errs)
		}
	}
	if code, _, errs := stemgap(t, context.Background(), "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: exit %d %s", code, errs)
	}
	if code, _, errs := stemgap(t, context.Background(), "ingest", "roads", "x.csv"); code != 2 || !strings.Contains(errs, `unknown kind "roads"`) {
		t.Errorf("bad kind: exit %d %s", code, errs)
	}
	code, out, _ := stemgap(t, context.Background(), "config", "print")
	if code != 0 || !strings.Contains(out, `"catchment": 8`) || !strings.Contains(out, `"sigma": null`) {
		t.Errorf("config print: %d\n%s", code, out)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Downtown St. Louis at z11–z14: the tiles hold hexagons with their measures.
func TestServeDowntownTilesThenShutDown(t *testing.T) {
	dir := demoDir(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		code, _, _ := stemgap(t, ctx, "serve", "--addr", addr, "--data-dir", dir)
		done <- code
	}()
	base := "http://" + addr
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("server did not start")
		}
	}
	downtown := orb.Point{-90.1994, 38.6270}
	for z := maptile.Zoom(11); z <= 14; z++ {
		tile := maptile.At(downtown, z)
		resp, err := http.Get(fmt.Sprintf("%s/tiles/cells/%d/%d/%d.mvt?setting=all", base, z, tile.X, tile.Y))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		layers, err := mvt.Unmarshal(body) // the client transport undid the gzip
		if err != nil || len(layers) != 1 {
			t.Fatalf("z%d: %v %v", z, err, layers)
		}
		withMeasures := 0
		for _, f := range layers[0].Features {
			if _, ok := f.Properties["access"].(float64); ok && f.Properties["nearest"] != nil && f.Properties["gap"] != nil {
				withMeasures++
			}
		}
		if withMeasures == 0 {
			t.Errorf("z%d: no hexagon with measures among %d features", z, len(layers[0].Features))
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGINT-like cancel", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// One run measured as two processes would — half the partitions each — and merged exports the
// same cells, byte for byte, as the run analysed at once.
func TestAnalyzeInPartitionsThenMerge(t *testing.T) {
	dir := demoDir(t)
	ctx := context.Background()
	export := func() []byte {
		t.Helper()
		out := filepath.Join(t.TempDir(), "cells.csv")
		if code, _, errs := stemgap(t, ctx, "export", "csv", "--layer", "cells", "-o", out, "--data-dir", dir); code != 0 {
			t.Fatalf("export exited %d: %s", code, errs)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	whole := export()
	code, list, errs := stemgap(t, ctx, "analyze", "--list-partitions", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("--list-partitions exited %d: %s", code, errs)
	}
	var halves [2][]string
	cells := 0
	for n, line := range strings.Split(strings.TrimSpace(list), "\n") {
		parent, count, _ := strings.Cut(line, "\t")
		k, _ := strconv.Atoi(count)
		cells += k
		halves[n%2] = append(halves[n%2], parent)
	}
	if cells != 201393 || len(halves[1]) == 0 {
		t.Fatalf("partitions list %d cells:\n%s", cells, list)
	}
	var files []string
	for n, half := range halves {
		file := filepath.Join(t.TempDir(), fmt.Sprintf("part%d.bin", n))
		code, out, errs := stemgap(t, ctx, "analyze", "--partitions", strings.Join(half, ","), "-o", file, "--data-dir", dir)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("measured %d partitions", len(half))) {
			t.Fatalf("--partitions exited %d: %s%s", code, out, errs)
		}
		files = append(files, file)
	}
	if code, _, errs := stemgap(t, ctx, "analyze", "--merge", files[0], "--data-dir", dir); code != 1 || !strings.Contains(errs, "were not measured") {
		t.Errorf("merging half the partitions: exit %d, %s", code, errs)
	}
	if code, _, errs := stemgap(t, ctx, append([]string{"analyze", "--merge", "--data-dir", dir}, files...)...); code != 0 {
		t.Fatalf("--merge exited %d: %s", code, errs)
	}
	if !bytes.Equal(whole, export()) {
		t.Error("the merged run exports other cells than the whole run")
	}
	if code, _, errs := stemgap(t, ctx, "analyze", "--merge", stLouisTracts(), "--data-dir", dir); code != 1 || !strings.Contains(errs, "not a partial run") {
		t.Errorf("merging a GeoJSON file: exit %d, %s", code, errs)
	}
}
