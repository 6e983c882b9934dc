// Package storetest is the contract every data.Store passes: the embedded store and PostGIS run
// the same suite and must give the same answers.
package storetest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// Run runs the contract. open returns a new, empty store for each subtest.
func Run(t *testing.T, open func(t *testing.T) data.Store) {
	t.Run("ingest and read back", func(t *testing.T) { ingestAndRead(t, open(t)) })
	t.Run("same file again changes nothing", func(t *testing.T) { sameFileAgain(t, open(t)) })
	t.Run("replace semantics", func(t *testing.T) { replaceSemantics(t, open(t)) })
	t.Run("merged demographics", func(t *testing.T) { mergedDemographics(t, open(t)) })
	t.Run("dry run writes nothing", func(t *testing.T) { dryRun(t, open(t)) })
	t.Run("bad row leaves everything as it was", func(t *testing.T) { badRow(t, open(t)) })
	t.Run("one validator for every store", func(t *testing.T) { oneValidator(t, open(t)) })
	t.Run("runs", func(t *testing.T) { runs(t, open(t)) })
	t.Run("snapshot is what is loaded", func(t *testing.T) { snapshotIsLoaded(t, open(t)) })
	t.Run("runs keep their inputs", func(t *testing.T) { runsKeepInputs(t, open(t)) })
}

var ctx = context.Background()

// Synthetic rows for the contract (not real data).
func square(x, y, size float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}}
}

func areasIngest(ids ...string) data.Ingest {
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: "synthetic-tracts.geojson", SHA256: strings.Repeat("a", 64), LoadedAt: stamp(1)}}
	for i, id := range ids {
		in.Areas = append(in.Areas, data.Area{ID: id, Name: "Synthetic tract " + id, County: "Synthetic County", Geometry: square(-90.3+0.01*float64(i), 38.6, 0.01), LandKm2: 0.8 + float64(i), Ref: "feature " + string(rune('1'+i))})
	}
	in.Record.Rows = len(in.Areas)
	return in
}

func demographicsIngest(source string, vars map[string]float64, ids ...string) data.Ingest {
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindDemographics, Source: source, SHA256: strings.Repeat("b", 64), Vintage: "synthetic", LoadedAt: stamp(2)}}
	for name := range vars {
		in.Record.Variables = append(in.Record.Variables, name)
	}
	slices.Sort(in.Record.Variables)
	for i, id := range ids {
		for _, name := range in.Record.Variables {
			moe := math.NaN()
			if name == "total_pop" {
				moe = 12.5
			}
			in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: id, Variable: name, Value: vars[name] + float64(i), MOE: moe,
				Vintage: "synthetic", Source: source + ":" + name, Ref: "line 2"})
		}
	}
	in.Record.Rows = len(ids)
	return in
}

func programsIngest(source string, ids ...string) data.Ingest {
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindPrograms, Source: source, SHA256: strings.Repeat("c", 64), LoadedAt: stamp(3)}}
	for i, id := range ids {
		p := data.Program{ID: id, Name: "Synthetic " + id, Provider: "Synthetic provider", Location: orb.Point{-90.25 + 0.001*float64(i), 38.61},
			ContentAreas: []string{"math", "science"}, Setting: "library", Capacity: 20, Source: source, Ref: "line 2",
			Extra: map[string]string{"address": "1 Test St"}}
		if i%2 == 1 {
			p.Capacity = math.NaN()
			p.ContentAreas = nil
			p.Extra = map[string]string{}
		}
		in.Programs = append(in.Programs, p)
	}
	in.Record.Rows = len(in.Programs)
	return in
}

// stamp is a time with microsecond precision, which every store keeps exactly.
func stamp(n int) time.Time {
	return time.Date(2026, 11, 25, 12, n, 0, 123456000, time.UTC)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sameValue compares with NaN equal to NaN and nil maps equal to empty ones.
func sameValue(a, b any) bool {
	var ba, bb bytes.Buffer
	if err := gob.NewEncoder(&ba).Encode(a); err != nil {
		return false
	}
	if err := gob.NewEncoder(&bb).Encode(b); err != nil {
		return false
	}
	return bytes.Equal(ba.Bytes(), bb.Bytes())
}

func ingestAndRead(t *testing.T, s data.Store) {
	defer s.Close()
	areas := areasIngest("29510000100", "29510000200", "29510000300")
	demo := demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 100, "total_pop": 1000}, "29510000100", "29510000200")
	progs := programsIngest("synthetic-programs.csv", "p1", "p2", "p3")
	for _, in := range []data.Ingest{areas, demo, progs} {
		must(t, s.Ingest(ctx, in))
	}
	gotAreas, err := s.Areas(ctx)
	must(t, err)
	sortAreas(gotAreas)
	for i := range gotAreas {
		gotAreas[i].Ref = areas.Areas[i].Ref
	}
	if !reflect.DeepEqual(gotAreas, areas.Areas) {
		t.Errorf("areas read back differ:\n got %+v\nwant %+v", gotAreas, areas.Areas)
	}
	gotDemo, err := s.Demographics(ctx)
	must(t, err)
	sortDemographics(gotDemo)
	want := append([]data.DemographicValue(nil), demo.Demographics...)
	sortDemographics(want)
	for i := range gotDemo {
		gotDemo[i].Ref = ""
	}
	for i := range want {
		want[i].Ref = ""
	}
	if !sameValue(gotDemo, want) {
		t.Errorf("demographics read back differ:\n got %+v\nwant %+v", gotDemo, want)
	}
	gotProgs, err := s.Programs(ctx)
	must(t, err)
	sortPrograms(gotProgs)
	for i := range gotProgs {
		gotProgs[i].Ref = progs.Programs[i].Ref
	}
	if !sameValue(normalizePrograms(gotProgs), normalizePrograms(progs.Programs)) {
		t.Errorf("programs read back differ:\n got %+v\nwant %+v", gotProgs, progs.Programs)
	}
	recs, err := s.Ingests(ctx)
	must(t, err)
	if len(recs) != 3 || recs[0].Kind != data.KindAreas || recs[1].Kind != data.KindDemographics || recs[2].Kind != data.KindPrograms {
		t.Fatalf("ingest records: %+v", recs)
	}
	if !recs[1].LoadedAt.Equal(demo.Record.LoadedAt) || recs[1].SHA256 != demo.Record.SHA256 || recs[1].Rows != 2 ||
		!reflect.DeepEqual(recs[1].Variables, []string{"total_pop", "youth_pop"}) {
		t.Errorf("demographics record read back as %+v", recs[1])
	}
}

func normalizePrograms(ps []data.Program) []data.Program {
	out := append([]data.Program(nil), ps...)
	for i := range out {
		if len(out[i].Extra) == 0 {
			out[i].Extra = nil
		}
		if len(out[i].ContentAreas) == 0 {
			out[i].ContentAreas = nil
		}
	}
	return out
}

func sortAreas(a []data.Area) {
	slices.SortFunc(a, func(x, y data.Area) int { return strings.Compare(x.ID, y.ID) })
}

func sortPrograms(p []data.Program) {
	slices.SortFunc(p, func(x, y data.Program) int { return strings.Compare(x.ID, y.ID) })
}

func sortDemographics(d []data.DemographicValue) {
	slices.SortFunc(d, func(x, y data.DemographicValue) int {
		return cmp.Or(strings.Compare(x.AreaID, y.AreaID), strings.Compare(x.Variable, y.Variable))
	})
}

// readEach reads every kind of input on its own.
func readEach(t *testing.T, s data.Store) *data.Inputs {
	t.Helper()
	var in data.Inputs
	var err error
	in.Areas, err = s.Areas(ctx)
	must(t, err)
	in.Demographics, err = s.Demographics(ctx)
	must(t, err)
	in.Programs, err = s.Programs(ctx)
	must(t, err)
	in.Records, err = s.Ingests(ctx)
	must(t, err)
	return &in
}

// snapshot captures everything a store holds, for before-and-after comparisons.
func snapshot(t *testing.T, s data.Store) []byte {
	t.Helper()
	each := readEach(t, s)
	areas, demo, progs, recs := each.Areas, each.Demographics, each.Programs, each.Records
	sortAreas(areas)
	sortDemographics(demo)
	sortPrograms(progs)
	for i := range recs {
		recs[i].LoadedAt = recs[i].LoadedAt.UTC()
	}
	var b bytes.Buffer
	state := struct {
		Areas    []data.Area
		Demo     []data.DemographicValue
		Programs []data.Program
		Records  []data.IngestRecord
	}{areas, demo, normalizePrograms(progs), recs}
	must(t, gob.NewEncoder(&b).Encode(state))
	return b.Bytes()
}

func sameFileAgain(t *testing.T, s data.Store) {
	defer s.Close()
	areas := areasIngest("29510000100", "29510000200")
	progs := programsIngest("synthetic-programs.csv", "p1", "p2")
	must(t, s.Ingest(ctx, areas))
	must(t, s.Ingest(ctx, progs))
	before := snapshot(t, s)
	// The same files, loaded later: nothing changes, not even the load times.
	areas.Record.LoadedAt, progs.Record.LoadedAt = stamp(30), stamp(31)
	must(t, s.Ingest(ctx, areas))
	must(t, s.Ingest(ctx, progs))
	if !bytes.Equal(before, snapshot(t, s)) {
		t.Error("loading the same files again changed the store")
	}
}

func replaceSemantics(t *testing.T, s data.Store) {
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200", "29510000300")))
	smaller := areasIngest("29510000400")
	smaller.Record.SHA256 = strings.Repeat("d", 64)
	must(t, s.Ingest(ctx, smaller))
	areas, err := s.Areas(ctx)
	must(t, err)
	if len(areas) != 1 || areas[0].ID != "29510000400" {
		t.Errorf("loading areas again should replace them all; have %d areas", len(areas))
	}

	must(t, s.Ingest(ctx, demographicsIngest("a.csv", map[string]float64{"youth_pop": 1, "total_pop": 2}, "29510000400")))
	again := demographicsIngest("b.csv", map[string]float64{"youth_pop": 50}, "29510000400")
	again.Record.SHA256 = strings.Repeat("e", 64)
	must(t, s.Ingest(ctx, again))
	demo, err := s.Demographics(ctx)
	must(t, err)
	got := map[string]float64{}
	for _, d := range demo {
		got[d.Variable] = d.Value
	}
	if len(demo) != 2 || got["youth_pop"] != 50 || got["total_pop"] != 2 {
		t.Errorf("a second file mapping youth_pop should replace youth_pop only; have %+v", demo)
	}
	recs, err := s.Ingests(ctx)
	must(t, err)
	var first *data.IngestRecord
	for i := range recs {
		if recs[i].Source == "a.csv" {
			first = &recs[i]
		}
	}
	if first == nil || !reflect.DeepEqual(first.Variables, []string{"total_pop"}) {
		t.Errorf("the first file's record should now list total_pop only: %+v", recs)
	}

	must(t, s.Ingest(ctx, programsIngest("one.csv", "p1", "p2")))
	must(t, s.Ingest(ctx, programsIngest("two.csv", "q1")))
	replaced := programsIngest("one.csv", "p3")
	replaced.Record.SHA256 = strings.Repeat("f", 64)
	must(t, s.Ingest(ctx, replaced))
	progs, err := s.Programs(ctx)
	must(t, err)
	sortPrograms(progs)
	if len(progs) != 2 || progs[0].ID != "p3" || progs[1].ID != "q1" {
		t.Errorf("re-loading a program source should replace its programs and keep others'; have %v", ids(progs))
	}
}

func ids(ps []data.Program) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func dryRun(t *testing.T, s data.Store) {
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100")))
	before := snapshot(t, s)
	in := programsIngest("synthetic-programs.csv", "p1")
	in.DryRun = true
	must(t, s.Ingest(ctx, in))
	bad := areasIngest("29510000900")
	bad.DryRun = true
	bad.Areas[0].Geometry = orb.MultiPolygon{{{{-90.3, 38.6}, {-90.2, 38.7}, {-90.2, 38.6}, {-90.3, 38.7}, {-90.3, 38.6}}}}
	if err := s.Ingest(ctx, bad); err == nil {
		t.Error("a dry run of a bow-tie polygon should fail")
	}
	if !bytes.Equal(before, snapshot(t, s)) {
		t.Error("a dry run changed the store")
	}
}

func badRow(t *testing.T, s data.Store) {
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200")))
	must(t, s.Ingest(ctx, programsIngest("synthetic-programs.csv", "p1")))
	before := snapshot(t, s)

	bad := areasIngest("29510000300", "29510000400", "29510000500")
	bad.Record.SHA256 = strings.Repeat("9", 64)
	// A bow tie: its edges cross.
	bad.Areas[1].Geometry = orb.MultiPolygon{{{{-90.3, 38.6}, {-90.2, 38.7}, {-90.2, 38.6}, {-90.3, 38.7}, {-90.3, 38.6}}}}
	bad.Areas[1].Ref = "feature 57"
	err := s.Ingest(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "feature 57") {
		t.Errorf("a bow-tie polygon should fail naming feature 57, got %v", err)
	}
	holed := areasIngest("29510000300")
	holed.Record.SHA256 = strings.Repeat("7", 64)
	holed.Areas[0].Geometry[0] = append(holed.Areas[0].Geometry[0], orb.Ring{{-80, 30}, {-79.9, 30}, {-79.9, 30.1}, {-80, 30}})
	holed.Areas[0].Ref = "feature 12"
	if err := s.Ingest(ctx, holed); err == nil || !strings.Contains(err.Error(), "feature 12") {
		t.Errorf("a hole outside its shell should fail naming feature 12, got %v", err)
	}
	badProgs := programsIngest("synthetic-programs.csv", "p1", "p2")
	badProgs.Record.SHA256 = strings.Repeat("8", 64)
	badProgs.Programs[1].Location = orb.Point{38.61, -190.25}
	badProgs.Programs[1].Ref = "line 3"
	err = s.Ingest(ctx, badProgs)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a program off the Earth should fail naming line 3, got %v", err)
	}
	stolen := programsIngest("other-programs.csv", "p9", "p1")
	stolen.Programs[1].Ref = "line 3"
	err = s.Ingest(ctx, stolen)
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "synthetic-programs.csv") {
		t.Errorf("a program id another source loaded should fail naming line 3 and the other source, got %v", err)
	}
	if !bytes.Equal(before, snapshot(t, s)) {
		t.Error("a failed ingest changed the store")
	}
}

// syntheticRun is a small run with every kind of value a run holds, NaN and ±Inf included.
func syntheticRun(id string, created time.Time) *data.Run {
	c1, _ := h3.LatLngToCell(h3.LatLng{Lat: 38.6, Lng: -90.2}, 9)
	c2, _ := h3.LatLngToCell(h3.LatLng{Lat: 38.7, Lng: -90.3}, 9)
	return &data.Run{
		RunInfo: data.RunInfo{ID: id, CreatedAt: created, Software: "stemgap test", Params: []byte(`{"resolution":9}`),
			Inputs:     []data.IngestRecord{{Kind: data.KindAreas, Source: "synthetic.geojson", SHA256: strings.Repeat("a", 64), Rows: 2, LoadedAt: stamp(1)}},
			Resolution: 9, Demand: "youth_pop", DemandSource: []string{"synthetic.csv:youth (synthetic)"}, Measure: "e2sfca",
			AccessUnit: "seats per 1,000 youth", CostUnit: "km", Notes: []string{"synthetic"},
			SettingGroups: []data.SettingGroup{{Name: "out_of_school", Settings: []string{"out_of_school"}}, {Name: "all"}},
			ContentAreas: []data.ContentArea{{Setting: "all", Name: "math", Programs: 1, MeanAccess: 1.5, Target: 1.5, DemandTotal: 10, DesertYouth: 4, DesertShare: 0.4, DesertAreas: 1},
				{Setting: "out_of_school", Name: "all", Programs: 1, TooFew: true, MinPrograms: 2, MeanAccess: 2.5, Target: 2.5, DemandTotal: 10,
					DesertYouth: math.NaN(), DesertShare: math.NaN()}}},
		Cells: data.CellTable{H3: []h3.Cell{c1, c2}, Lat: []float64{38.6, 38.7}, Lng: []float64{-90.2, -90.3}, Demand: []float64{10, math.NaN()},
			Area: []int32{0, 1}, Need: []float64{0.25, math.NaN()}, Urban: []bool{true, false},
			Measures: []data.CellMeasures{
				{Nearest: []float64{1.25, math.Inf(1)}, Count: []int32{1, 0}, Access: []float64{1.5, math.NaN()}, Unmet: []float64{0.1, math.NaN()}, Gap: []float64{0.2, math.NaN()}, Desert: []int8{1, -1}, Overstated: []bool{true, false}},
				{Nearest: []float64{0.5, 2.5}, Count: []int32{2, 1}, Access: []float64{2.5, math.NaN()}, Unmet: []float64{0, math.NaN()}, Gap: []float64{0, math.NaN()}, Desert: []int8{0, -1}, Overstated: []bool{false, false}},
			}},
		Areas: []data.AreaResult{
			{ID: "29510000100", Name: "one", Demand: 10, Need: 0.25, Urban: true, UrbanWhy: "urban flag", Cells: 1,
				Measures: []data.AreaMeasures{{Access: 1.5, Nearest: 1.25, Unmet: 0.1, Gap: 0.2, DesertYouth: 4, DesertShare: 0.4, Desert: true, Reason: "desert: because", Rank: 1, Percentile: 0},
					{Access: 2.5, Nearest: 0.5, Rank: 1, Reason: "not a desert"}}},
			{ID: "29510000200", Demand: math.NaN(), Need: math.NaN(), UrbanWhy: "density 10/km²", Cells: 1,
				Measures: []data.AreaMeasures{{Access: math.NaN(), Nearest: math.Inf(1), Unmet: math.NaN(), Gap: math.NaN(), DesertYouth: math.NaN(), DesertShare: math.NaN(), Reason: "no figure"},
					{Access: math.NaN(), Nearest: 2.5, Unmet: math.NaN(), Gap: math.NaN(), DesertYouth: math.NaN(), DesertShare: math.NaN(), Reason: "no figure"}}},
		},
		Equity: []data.EquityRow{{Setting: "all", ContentArea: "math", Group: "all youth", Variable: "youth_pop", Total: 10, InDesert: 4, Share: 0.4, Reference: 0.4, Ratio: 1, Difference: 0, Areas: 1}},
	}
}

func runs(t *testing.T, s data.Store) {
	defer s.Close()
	if _, err := s.Run(ctx, ""); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("latest run of an empty store: %v, want ErrNotFound", err)
	}
	older, newer := syntheticRun("aaaa000000000001", stamp(10)), syntheticRun("bbbb000000000002", stamp(20))
	inputs := syntheticInputs()
	must(t, s.SaveRun(ctx, older, inputs))
	must(t, s.SaveRun(ctx, newer, inputs))
	got, err := s.Run(ctx, older.ID)
	must(t, err)
	got.CreatedAt = got.CreatedAt.UTC()
	for i := range got.Inputs {
		got.Inputs[i].LoadedAt = got.Inputs[i].LoadedAt.UTC()
	}
	if !sameValue(got, older) {
		t.Errorf("run read back differs:\n got %+v\nwant %+v", got.RunInfo, older.RunInfo)
	}
	opened, err := s.OpenRun(ctx, older.ID)
	must(t, err)
	defer opened.Close()
	var cells data.CellTable
	rows := 0
	for b, block := range opened.Blocks() {
		if block.Start != rows {
			t.Errorf("block %d starts at row %d, want %d", b, block.Start, rows)
		}
		rows += block.Len
		part, err := opened.Cells(ctx, b, older.AllSeries())
		must(t, err)
		cells.Append(part)
	}
	if !sameValue(cells, older.Cells) || !sameValue(opened.Areas(), older.Areas) || !sameValue(opened.Equity(), older.Equity) || opened.Info().ID != older.ID {
		t.Error("the run read block by block differs from the run saved")
	}
	latest, err := s.Run(ctx, "")
	must(t, err)
	if latest.ID != newer.ID {
		t.Errorf("latest run is %s, want %s", latest.ID, newer.ID)
	}
	list, err := s.Runs(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
		t.Errorf("runs listed as %v, want newest first", list)
	}
	// Saving a run again under its id replaces it.
	newer.Notes = []string{"replaced"}
	must(t, s.SaveRun(ctx, newer, inputs))
	list, err = s.Runs(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Notes[0] != "replaced" {
		t.Errorf("saving a run again should replace it: %+v", list)
	}
	if _, err := s.Run(ctx, "cccc000000000003"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("missing run: %v, want ErrNotFound", err)
	}
	if _, err := s.OpenRun(ctx, "cccc000000000003"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("opening a missing run: %v, want ErrNotFound", err)
	}
	if _, err := s.RunInputs(ctx, "cccc000000000003"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("inputs of a missing run: %v, want ErrNotFound", err)
	}
	if err := s.SaveRun(ctx, syntheticRun("dddd000000000004", stamp(30)), nil); err == nil {
		t.Error("a run saved without its inputs should be refused")
	}
}

// syntheticInputs holds every kind of value inputs hold — NaN capacity and margin of error,
// holes, extras, no content areas — in an order no store would sort them into.
func syntheticInputs() *data.Inputs {
	areas := areasIngest("29510000300", "29510000100", "29510000200")
	areas.Areas[1].Geometry = orb.MultiPolygon{{{{-90.3, 38.6}, {-90.2, 38.6}, {-90.2, 38.7}, {-90.3, 38.7}, {-90.3, 38.6}},
		{{-90.26, 38.64}, {-90.24, 38.64}, {-90.24, 38.66}, {-90.26, 38.64}}}}
	demo := demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 100, "total_pop": 1000.25}, "29510000200", "29510000100")
	progs := programsIngest("synthetic-programs.csv", "p9", "p1", "p5")
	return &data.Inputs{Areas: areas.Areas, Demographics: demo.Demographics, Programs: progs.Programs,
		Records: []data.IngestRecord{areas.Record, demo.Record, progs.Record}}
}

// sameInputs compares inputs as stores keep them: load times in UTC, NaN equal to NaN, nil
// maps and slices equal to empty ones.
func sameInputs(t *testing.T, what string, got, want *data.Inputs) {
	t.Helper()
	for i := range got.Records {
		got.Records[i].LoadedAt = got.Records[i].LoadedAt.UTC()
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"areas", got.Areas, want.Areas}, {"demographics", got.Demographics, want.Demographics},
		{"programs", normalizePrograms(got.Programs), normalizePrograms(want.Programs)}, {"records", got.Records, want.Records},
	} {
		if !sameValue(c.got, c.want) {
			t.Errorf("%s: %s differ:\n got %+v\nwant %+v", what, c.name, c.got, c.want)
		}
	}
}

// A snapshot holds what the separate reads return when nothing is being written.
func snapshotIsLoaded(t *testing.T, s data.Store) {
	defer s.Close()
	empty, err := s.Snapshot(ctx)
	must(t, err)
	if len(empty.Areas)+len(empty.Demographics)+len(empty.Programs)+len(empty.Records) != 0 {
		t.Errorf("snapshot of an empty store: %+v", empty)
	}
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200")))
	must(t, s.Ingest(ctx, demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 100}, "29510000100")))
	must(t, s.Ingest(ctx, programsIngest("synthetic-programs.csv", "p1", "p2")))
	snap, err := s.Snapshot(ctx)
	must(t, err)
	sameInputs(t, "snapshot", snap, readEach(t, s))
	if len(snap.Areas) != 2 || len(snap.Demographics) != 1 || len(snap.Programs) != 2 || len(snap.Records) != 3 {
		t.Errorf("snapshot holds %d areas, %d values, %d programs, %d records", len(snap.Areas), len(snap.Demographics), len(snap.Programs), len(snap.Records))
	}
}

// Defect 5 of issue 12: a run's exports, tiles and reports drew on whatever was loaded now. A
// run keeps exactly the inputs it was saved with, through any later ingest, until it is
// replaced.
func runsKeepInputs(t *testing.T, s data.Store) {
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200", "29510000300")))
	must(t, s.Ingest(ctx, demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 100}, "29510000100")))
	must(t, s.Ingest(ctx, programsIngest("one.csv", "p1", "p2")))
	first, err := s.Snapshot(ctx)
	must(t, err)
	runA := syntheticRun("aaaa000000000001", stamp(10))
	must(t, s.SaveRun(ctx, runA, first))

	smaller := areasIngest("29510000400")
	smaller.Record.SHA256 = strings.Repeat("d", 64)
	must(t, s.Ingest(ctx, smaller))
	demo := demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 7}, "29510000400")
	demo.Record.SHA256 = strings.Repeat("e", 64)
	must(t, s.Ingest(ctx, demo))
	progs := programsIngest("one.csv", "p3")
	progs.Record.SHA256 = strings.Repeat("f", 64)
	must(t, s.Ingest(ctx, progs))
	second, err := s.Snapshot(ctx)
	must(t, err)
	runB := syntheticRun("bbbb000000000002", stamp(20))
	must(t, s.SaveRun(ctx, runB, second))

	got, err := s.RunInputs(ctx, runA.ID)
	must(t, err)
	sameInputs(t, "the first run after new files were loaded", got, first)
	got, err = s.RunInputs(ctx, "")
	must(t, err)
	sameInputs(t, "the latest run", got, second)

	// Inputs a caller built itself are kept as given, in their order, NaN and holes included.
	own := syntheticInputs()
	runC := syntheticRun("cccc000000000003", stamp(30))
	must(t, s.SaveRun(ctx, runC, own))
	got, err = s.RunInputs(ctx, runC.ID)
	must(t, err)
	sameInputs(t, "a run of inputs built in memory", got, own)

	// Saving the first run again with other inputs replaces them.
	must(t, s.SaveRun(ctx, runA, second))
	got, err = s.RunInputs(ctx, runA.ID)
	must(t, err)
	sameInputs(t, "the first run saved again", got, second)
	got, err = s.RunInputs(ctx, runC.ID)
	must(t, err)
	sameInputs(t, "a run of inputs built in memory, later", got, own)
}

// mergedDemographics checks data.ApplyDemographics's merge: two files provide youth_pop for
// different areas (as Missouri's and Illinois's files do in the St. Louis demo).
func mergedDemographics(t *testing.T, s data.Store) {
	ctx := context.Background()
	youth := func() map[string]float64 {
		demo, err := s.Demographics(ctx)
		must(t, err)
		out := map[string]float64{}
		for _, d := range demo {
			if d.Variable == "youth_pop" {
				out[d.AreaID] = d.Value
			}
		}
		return out
	}
	record := func(source string) *data.IngestRecord {
		recs, err := s.Ingests(ctx)
		must(t, err)
		for _, r := range recs {
			if r.Kind == data.KindDemographics && r.Source == source {
				return &r
			}
		}
		return nil
	}
	merged := func(sha string, ids ...string) data.Ingest {
		in := demographicsIngest("il.csv", map[string]float64{"youth_pop": 700}, ids...)
		in.Record.SHA256 = strings.Repeat(sha, 64)
		in.Record.Options = map[string]string{"merge": "true"}
		return in
	}
	must(t, s.Ingest(ctx, demographicsIngest("mo.csv", map[string]float64{"youth_pop": 100, "total_pop": 1000}, "29510000100", "29510000200")))
	must(t, s.Ingest(ctx, merged("1", "17163000300", "29510000200")))
	// mo.csv keeps tract 100; il.csv adds tract 300 and overrides tract 200.
	if got := youth(); !reflect.DeepEqual(got, map[string]float64{"29510000100": 100, "17163000300": 700, "29510000200": 701}) {
		t.Errorf("after merging il.csv, youth_pop is %v", got)
	}
	if r := record("mo.csv"); r == nil || !reflect.DeepEqual(r.Variables, []string{"total_pop", "youth_pop"}) {
		t.Errorf("a merged file must leave mo.csv's record whole: %+v", r)
	}
	// Loaded again with tract 200 gone, il.csv takes away its own figure there, and only its own.
	must(t, s.Ingest(ctx, merged("2", "17163000300")))
	if got := youth(); !reflect.DeepEqual(got, map[string]float64{"29510000100": 100, "17163000300": 700}) {
		t.Errorf("after re-loading il.csv, youth_pop is %v", got)
	}
	// A plain load of youth_pop replaces it everywhere, and il.csv's record goes with its figures.
	plain := demographicsIngest("new.csv", map[string]float64{"youth_pop": 5}, "29510000100")
	must(t, s.Ingest(ctx, plain))
	if got := youth(); !reflect.DeepEqual(got, map[string]float64{"29510000100": 5}) {
		t.Errorf("after a plain load, youth_pop is %v", got)
	}
	if r := record("il.csv"); r != nil {
		t.Errorf("il.csv provides nothing any more but keeps its record %+v", r)
	}
	if r := record("mo.csv"); r == nil || !reflect.DeepEqual(r.Variables, []string{"total_pop"}) {
		t.Errorf("mo.csv should now provide total_pop only: %+v", r)
	}
}
