package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"weak"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/uber/h3-go/v4"
	"stemgap/analysis"
	"stemgap/data"
)

// syntheticRun analyses a SYNTHETIC region (not real data) with two content areas and a tract
// without a youth figure.
func syntheticRun(t *testing.T) (*data.Run, []data.Area, []data.Program) {
	t.Helper()
	return syntheticRunWith(t, 0) // two programs: judge them anyway
}

func syntheticRunWith(t *testing.T, minPrograms int) (*data.Run, []data.Area, []data.Program) {
	t.Helper()
	var in analysis.Inputs
	for i := 0; i < 6; i++ {
		x := -90.3 + 0.02*float64(i)
		a := data.Area{ID: fmt.Sprintf("2951000%04d", i), LandKm2: 3, Geometry: orb.MultiPolygon{{{{x, 38.6}, {x + 0.02, 38.6}, {x + 0.02, 38.62}, {x, 38.62}, {x, 38.6}}}}}
		in.Areas = append(in.Areas, a)
		if i != 2 {
			in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: a.ID, Variable: "youth_pop", Value: 300 + 10*float64(i)})
		}
	}
	in.Programs = []data.Program{
		{ID: "m1", Location: orb.Point{-90.29, 38.61}, Capacity: 30, ContentAreas: []string{"math"}, Setting: "out_of_school"},
		{ID: "s1", Location: orb.Point{-90.22, 38.61}, Capacity: math.NaN(), ContentAreas: []string{"science"}, Setting: "out_of_school"},
	}
	p := analysis.DefaultParams()
	p.MinPrograms = minPrograms
	run, err := analysis.Analyze(context.Background(), in, p, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run, in.Areas, in.Programs
}

func TestCellsCSVColumnsAndFullPrecision(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatCSV, Layer: LayerCells}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "h3,lat,lng,youth"
	for _, a := range []string{"math", "science", "all"} {
		want += fmt.Sprintf(",nearest_km_%[1]s,count_%[1]s,e2sfca_%[1]s,gap_%[1]s,desert_%[1]s", a)
	}
	if got := strings.Join(rows[0], ","); !strings.HasPrefix(got, want+",") {
		t.Fatalf("header\n got %s\nwant %s…", got, want)
	}
	if len(rows)-1 != run.Cells.Len() {
		t.Fatalf("%d rows for %d cells", len(rows)-1, run.Cells.Len())
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	k := run.SeriesIndex("out_of_school", "math")
	noData := 0
	for i, row := range rows[1:] {
		if row[0] != run.Cells.H3[i].String() {
			t.Fatalf("row %d is cell %s, want %s", i, row[0], run.Cells.H3[i])
		}
		// Every figure reads back to the same float64, bit for bit.
		for name, v := range map[string]float64{"lat": run.Cells.Lat[i], "lng": run.Cells.Lng[i], "nearest_km_math": run.Cells.Measures[k].Nearest[i]} {
			if got, err := strconv.ParseFloat(row[col[name]], 64); err != nil || got != v {
				t.Fatalf("row %d %s = %q, want %v", i, name, row[col[name]], v)
			}
		}
		if math.IsNaN(run.Cells.Demand[i]) {
			noData++
			if row[col["youth"]] != "" || row[col["e2sfca_math"]] != "" || row[col["desert_math"]] != "" {
				t.Fatalf("no-data cell %d exported as %v", i, row)
			}
			continue
		}
		if got, _ := strconv.ParseFloat(row[col["e2sfca_math"]], 64); got != run.Cells.Measures[k].Access[i] {
			t.Fatalf("row %d e2sfca %q, want %v", i, row[col["e2sfca_math"]], run.Cells.Measures[k].Access[i])
		}
		// A boolean, as in every layer: true exactly where the cell is a desert.
		if d, want := row[col["desert_math"]], strconv.FormatBool(run.Cells.Measures[k].Desert[i] == data.DesertYes); d != want {
			t.Fatalf("row %d desert %q, want %q", i, d, want)
		}
	}
	if noData == 0 {
		t.Fatal("the tract without a figure should give no-data cells")
	}
}

func TestTractsGeoJSONCarriesProvenance(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatGeoJSON, Layer: LayerTracts, Content: Selection{"math"}}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(areas) {
		t.Fatalf("%d features for %d tracts", len(fc.Features), len(areas))
	}
	prov, ok := fc.ExtraMembers["stemgap"].(map[string]any)
	if !ok || prov["run"] != run.ID || prov["measure"] != "e2sfca" || prov["params"] == nil {
		t.Fatalf("provenance member: %v", fc.ExtraMembers["stemgap"])
	}
	for _, f := range fc.Features {
		if _, ok := f.Properties["e2sfca_science"]; ok {
			t.Fatal("a content area that was not asked for was exported")
		}
		if f.Properties["id"] == "29510000002" && f.Properties["demand"] != nil {
			t.Errorf("no-data tract exported with demand %v", f.Properties["demand"])
		}
	}
}

func TestCSVMetadataDescribesEveryColumn(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	req := Request{Format: FormatCSV, Layer: LayerTracts}
	var data, meta bytes.Buffer
	if err := Write(context.Background(), &data, req, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSVMetadata(context.Background(), &meta, req, tablesOf(t, run), areas, programs, "tracts.csv"); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Context string `json:"@context"`
		URL     string `json:"url"`
		Schema  struct {
			Columns []struct{ Name string } `json:"columns"`
		} `json:"tableSchema"`
		Stemgap Provenance `json:"stemgap"`
	}
	if err := json.Unmarshal(meta.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	header, _ := csv.NewReader(&data).Read()
	if m.Context != "http://www.w3.org/ns/csvw" || m.URL != "tracts.csv" || len(m.Schema.Columns) != len(header) || m.Stemgap.Run != run.ID {
		t.Fatalf("metadata %+v for header %v", m, header)
	}
	for i, c := range m.Schema.Columns {
		if c.Name != header[i] {
			t.Errorf("metadata column %d is %q, CSV has %q", i, c.Name, header[i])
		}
	}
}

func TestUnknownContentAreaIsAnError(t *testing.T) {
	run, _, _ := syntheticRun(t)
	if err := (Request{Format: FormatCSV, Layer: LayerCells, Content: Selection{"astrology"}}).CheckRun(&run.RunInfo); err == nil || !strings.Contains(err.Error(), "math") {
		t.Errorf("error %v should list the run's content areas", err)
	}
	if err := (Request{Format: "xlsx", Layer: LayerCells}).Check(); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestFormatFloat(t *testing.T) {
	for _, v := range []float64{0, 1, -90.19933, 38.6270025, 1.0 / 3, 2.5e-9, 1234567.125, 1e20} {
		s := formatFloat(v)
		if got, err := strconv.ParseFloat(s, 64); err != nil || got != v {
			t.Errorf("formatFloat(%v) = %q reads back as %v", v, s, got)
		}
	}
	if formatFloat(math.NaN()) != "" || formatFloat(math.Inf(1)) != "" {
		t.Error("no data should export as an empty field")
	}
}

func TestEquityExportsAsCSVOnly(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatCSV, Layer: LayerEquity}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	// The default setting group's rows: half of the run's, which measures two groups.
	if err != nil || len(rows) != len(run.Equity)/2+1 || rows[0][1] != "content_area" || rows[1][0] != "out_of_school" || rows[1][2] != "all youth" {
		t.Fatalf("%v %v", err, rows)
	}
	if err := (Request{Format: FormatGeoJSON, Layer: LayerEquity}).Check(); err == nil {
		t.Error("equity as GeoJSON should be refused")
	}
}

// An area without a figure, and every area of a series with too few programs, is not assessed:
// its desert and rank fields are empty, never false and 0.
func TestUnassessedAreasExportEmptyDesertAndRank(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	read := func(req Request) (map[string]int, [][]string) {
		t.Helper()
		var b bytes.Buffer
		if err := Write(context.Background(), &b, req, tablesOf(t, run), areas, programs); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		return col, rows[1:]
	}
	col, rows := read(Request{Format: FormatCSV, Layer: LayerTracts, Content: Selection{"math"}})
	for _, row := range rows {
		desert, rank := row[col["desert_math"]], row[col["rank_math"]]
		if row[col["id"]] == "29510000002" {
			if desert != "" || rank != "" {
				t.Errorf("no-data tract exports desert %q and rank %q, want empty", desert, rank)
			}
		} else if (desert != "true" && desert != "false") || rank == "" {
			t.Errorf("tract %s: desert %q rank %q, want a verdict and a rank", row[col["id"]], desert, rank)
		}
	}
	// The same inputs judged only from ten programs up: math (1 program) is too few everywhere.
	thin, _, _ := syntheticRunWith(t, 10)
	run = thin
	col, rows = read(Request{Format: FormatCSV, Layer: LayerTracts, Content: Selection{"math"}})
	for _, row := range rows {
		if row[col["id"]] == "29510000002" {
			continue // no figure: said above
		}
		if row[col["desert_math"]] != "" || row[col["rank_math"]] != "" || !strings.HasPrefix(row[col["reason_math"]], "too few programs to map gaps in math (1") {
			t.Errorf("tract %s of a thin series: desert %q rank %q reason %q", row[col["id"]], row[col["desert_math"]], row[col["rank_math"]], row[col["reason_math"]])
		}
	}
}

// An area's nearest figure is the mean of its cells' nearest costs, and its description says so.
func TestTractNearestIsDescribedAsAMean(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	var meta bytes.Buffer
	if err := WriteCSVMetadata(context.Background(), &meta, Request{Format: FormatCSV, Layer: LayerTracts}, tablesOf(t, run), areas, programs, "tracts.csv"); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schema struct {
			Columns []struct {
				Name        string
				Description string `json:"dc:description"`
			} `json:"columns"`
		} `json:"tableSchema"`
	}
	if err := json.Unmarshal(meta.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range m.Schema.Columns {
		if strings.HasPrefix(c.Name, "nearest_km_") {
			found = true
			if !strings.Contains(c.Description, "demand-weighted mean, over the area's cells, of each cell's cost to its nearest") {
				t.Errorf("%s is described as %q", c.Name, c.Description)
			}
		}
	}
	if !found {
		t.Fatal("no nearest_km_ column in the tracts metadata")
	}
}

func tablesOf(t *testing.T, run *data.Run) data.RunTables {
	t.Helper()
	tables, err := data.TablesOf(run)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// rollupsRefused is a run whose area rollups must not be read: a big region's take memory that
// grows with it (20 MB decoded for 2,460 areas, gob's buffer as much again), where a cells export
// is to stream in the same memory at any size. It counts the blocks read.
type rollupsRefused struct {
	data.RunTables
	t      *testing.T
	blocks []int
}

func (r *rollupsRefused) Areas() []data.AreaResult {
	r.t.Error("the cells export read the run's area rollups")
	return r.RunTables.Areas()
}

func (r *rollupsRefused) Cells(ctx context.Context, block int, series []int) (*data.CellTable, error) {
	r.blocks = append(r.blocks, block)
	return r.RunTables.Cells(ctx, block, series)
}

// The cells export, its CSV metadata and column types name each cell's area from the run's area
// ids alone, and read each block once, in order.
func TestCellsExportLeavesTheRollupsUnread(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	ctx := context.Background()
	for _, format := range []string{FormatCSV, FormatGeoJSON} {
		r := &rollupsRefused{RunTables: tablesOf(t, run), t: t}
		req := Request{Format: format, Layer: LayerCells}
		var b bytes.Buffer
		if err := Write(ctx, &b, req, r, areas, programs); err != nil {
			t.Fatal(err)
		}
		if want := len(r.Blocks()); len(r.blocks) != want || !slices.IsSorted(r.blocks) || len(slices.Compact(slices.Clone(r.blocks))) != want {
			t.Errorf("%s: blocks read %v, want each of %d once in order", format, r.blocks, want)
		}
		if format == FormatCSV {
			if err := WriteCSVMetadata(ctx, io.Discard, req, r, areas, programs, "cells.csv"); err != nil {
				t.Fatal(err)
			}
			if err := WriteCSVT(ctx, io.Discard, req, r, areas, programs); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&b).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := slices.Index(rows[0], "area")
			for i, row := range rows[1:] {
				// The tracts are 0.02° columns from -90.3° east, named 2951000 and their number.
				lng, _ := strconv.ParseFloat(row[slices.Index(rows[0], "lng")], 64)
				want := fmt.Sprintf("2951000%04d", int((lng+90.3)/0.02))
				if row[col] != want {
					t.Fatalf("row %d at lng %v: area %q, want %q", i, lng, row[col], want)
				}
			}
		}
	}
}

// blocksLetGo is a run of its blocks three times over, each read handed out in columns of its
// own, that checks, as each block is asked for, that the one before has been let go: an
// export holding two blocks at once needs twice the memory.
type blocksLetGo struct {
	data.RunTables
	t    *testing.T
	last weak.Pointer[h3.Cell]
}

func (r *blocksLetGo) Blocks() []data.CellBlock {
	b := r.RunTables.Blocks()
	return slices.Concat(b, b, b)
}

func (r *blocksLetGo) Cells(ctx context.Context, block int, series []int) (*data.CellTable, error) {
	if r.last != (weak.Pointer[h3.Cell]{}) {
		runtime.GC()
		if r.last.Value() != nil {
			r.t.Errorf("block %d was asked for while the export still held block %d", block, block-1)
		}
	}
	c, err := r.RunTables.Cells(ctx, block%len(r.RunTables.Blocks()), series)
	if err != nil {
		return nil, err
	}
	own := *c
	own.H3 = slices.Clone(c.H3)
	r.last = weak.Make(&own.H3[0])
	return &own, nil
}

func TestCellsExportHoldsOneBlockAtATime(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	for _, format := range []string{FormatCSV, FormatGeoJSON} {
		r := &blocksLetGo{RunTables: tablesOf(t, run), t: t}
		var b bytes.Buffer
		if err := Write(context.Background(), &b, Request{Format: format, Layer: LayerCells}, r, areas, programs); err != nil {
			t.Fatal(err)
		}
		if format == FormatCSV && bytes.Count(b.Bytes(), []byte("\n")) != 1+3*run.Cells.Len() {
			t.Errorf("%d lines for three times %d cells", bytes.Count(b.Bytes(), []byte("\n")), run.Cells.Len())
		}
	}
}
