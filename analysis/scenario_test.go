package analysis

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// applyScenario makes a scenario's changes to the inputs themselves, for a full analysis.
func applyScenario(in Inputs, sc Scenario) Inputs {
	out := in
	out.Programs = nil
	for _, p := range in.Programs {
		if slices.Contains(sc.Remove, p.ID) {
			continue
		}
		for _, r := range sc.Resize {
			if r.ID == p.ID {
				p.Capacity = r.Capacity
			}
		}
		out.Programs = append(out.Programs, p)
	}
	for i, p := range sc.Add {
		if p.ID == "" {
			p.ID = fmt.Sprintf("scenario-%d", i+1)
		}
		out.Programs = append(out.Programs, p)
	}
	return out
}

// near compares figures to 1e-9 (relative to the larger); missing figures and equal infinities
// agree.
func near(a, b float64) bool { return agreesTo1e9(a, b) }

// A scenario computed incrementally — only the cells within the changed programs' catchments and
// those whose nearest program changed, scored again against the baseline's yardstick, and only
// their areas rolled up again — equals a full recompute: analysing the changed inputs in full,
// then scoring every cell and rolling up every area against the same yardstick. Checked to 1e-9
// for every measure a scenario can change, for additions, removals and resizes together, and for
// a series whose additions carry it over min_programs. The baseline run is not altered.
func TestScenarioEqualsFullRecompute(t *testing.T) {
	for _, kind := range []string{MeasureE2SFCA, Measure2SFCA, MeasureGravity, MeasureCumulative, MeasureNearest} {
		t.Run(kind, func(t *testing.T) {
			in := syntheticRegion(41, 20)
			p := testParams()
			p.Measure.Kind = kind
			p.Measure.Catchment = 2.5
			p.MinPrograms = 3
			run, m := modelOf(t, in, p)
			var before bytes.Buffer
			if err := gob.NewEncoder(&before).Encode(run); err != nil {
				t.Fatal(err)
			}
			sc := Scenario{
				Add: []data.Program{
					{Name: "New lab", Location: orb.Point{-90.33, 38.60}, ContentAreas: []string{"science"}, Setting: "out_of_school", Capacity: 30},
					{ID: "new-2", Location: orb.Point{-90.36, 38.62}, ContentAreas: []string{"math", "science"}, Setting: "out_of_school", Capacity: math.NaN()},
				},
				Remove: []string{in.Programs[3].ID, in.Programs[8].ID},
				Resize: []Resize{{ID: in.Programs[5].ID, Capacity: 77}},
			}
			res, err := m.Scenario(context.Background(), sc)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range res.Changes {
				was := run.ContentAreas[run.SeriesIndex(c.Setting, c.Name)]
				if c.ProgramsA != was.Programs || c.DesertAreasA != was.DesertAreas || !near(c.DesertShareA, was.DesertShare) || !near(c.MeanAccessA, was.MeanAccess) {
					t.Errorf("%s/%s: the baseline of the change %+v is not the run's %+v", c.Setting, c.Name, c, was)
				}
			}
			// What the scenario did not recompute is the run's own, to the bit.
			moved := 0
			for k, m := range res.Run.Cells.Measures {
				for i, a := range m.Access {
					if b := run.Cells.Measures[k].Access[i]; a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
						moved++
					}
				}
			}
			if moved == 0 || moved > res.Cells {
				t.Errorf("access differs from the run's in %d cells; %d were recomputed", moved, res.Cells)
			}
			full := analyze(t, applyScenario(in, sc), p)
			var after bytes.Buffer
			if err := gob.NewEncoder(&after).Encode(run); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before.Bytes(), after.Bytes()) {
				t.Fatal("the scenario altered its baseline run")
			}
			if res.Cells == 0 || res.Cells >= run.Cells.Len() && len(res.Changes) == len(run.ContentAreas) {
				t.Errorf("recomputed %d of %d cells", res.Cells, run.Cells.Len())
			}
			flipped := false
			for k, c := range res.Run.ContentAreas {
				kf := full.SeriesIndex(c.Setting, c.Name)
				if kf < 0 {
					if c.Programs != 0 {
						t.Errorf("%s/%s: %d programs in the scenario, none in the full analysis", c.Setting, c.Name, c.Programs)
					}
					continue
				}
				fc := full.ContentAreas[kf]
				if c.Programs != fc.Programs || c.TooFew != fc.TooFew {
					t.Errorf("%s/%s: %d programs (too few %v); full analysis %d (%v)", c.Setting, c.Name, c.Programs, c.TooFew, fc.Programs, fc.TooFew)
				}
				flipped = flipped || c.TooFew != run.ContentAreas[k].TooFew
				checkSeriesAgainstFull(t, m, res.Run, k, full, kf)
			}
			if !flipped {
				t.Error("no series crossed min_programs: the test does not exercise a change of verdict")
			}
		})
	}
}

// checkSeriesAgainstFull compares series k of a scenario run with series kf of a full analysis
// of the changed inputs, scored and rolled up in full against the baseline's yardstick.
func checkSeriesAgainstFull(t *testing.T, m *Model, got *data.Run, k int, full *data.Run, kf int) {
	t.Helper()
	base, err := m.baseline(k)
	if err != nil {
		t.Fatal(err)
	}
	fm := full.Cells.Measures[kf]
	fc := full.ContentAreas[kf]
	cr := &contentResult{setting: fc.Setting, name: fc.Name, programs: make([]int32, fc.Programs), tooFew: fc.TooFew,
		raw: fm.Access, nearest: fm.Nearest, count: fm.Count, mean: base.mean, target: base.target}
	if m.p.Measure.Kind == MeasureNearest {
		cr.raw = fm.Nearest
	}
	n := len(cr.raw)
	cr.cells = data.CellMeasures{Nearest: fm.Nearest, Count: fm.Count, Access: make([]float64, n), Unmet: make([]float64, n), Gap: make([]float64, n), Desert: make([]int8, n)}
	for i := range n {
		m.ac.scoreCell(cr, &cr.cells, i)
	}
	cr.summary = data.ContentArea{Setting: fc.Setting, Name: fc.Name, Programs: fc.Programs, TooFew: fc.TooFew, MinPrograms: fc.MinPrograms}
	areas, tallies := m.ac.rollup(cr)
	equity, _ := m.ac.equity(cr, tallies, m.figs)

	gm := got.Cells.Measures[k]
	what := fmt.Sprintf("%s/%s", fc.Setting, fc.Name)
	for i := range n {
		if gm.Count[i] != fm.Count[i] || gm.Desert[i] != cr.cells.Desert[i] ||
			!near(gm.Nearest[i], fm.Nearest[i]) || !near(gm.Access[i], cr.cells.Access[i]) || !near(gm.Unmet[i], cr.cells.Unmet[i]) || !near(gm.Gap[i], cr.cells.Gap[i]) {
			t.Fatalf("%s, cell %s: scenario nearest %v count %d access %v unmet %v gap %v desert %d; full %v %d %v %v %v %d", what, got.Cells.H3[i],
				gm.Nearest[i], gm.Count[i], gm.Access[i], gm.Unmet[i], gm.Gap[i], gm.Desert[i],
				fm.Nearest[i], fm.Count[i], cr.cells.Access[i], cr.cells.Unmet[i], cr.cells.Gap[i], cr.cells.Desert[i])
		}
	}
	for a, want := range areas {
		g := got.Areas[a].Measures[k]
		if g.Desert != want.Desert || g.Rank != want.Rank || g.Reason != want.Reason || !near(g.Access, want.Access) || !near(g.Nearest, want.Nearest) ||
			!near(g.Unmet, want.Unmet) || !near(g.Gap, want.Gap) || !near(g.DesertYouth, want.DesertYouth) || !near(g.DesertShare, want.DesertShare) || !near(g.Percentile, want.Percentile) {
			t.Fatalf("%s, area %s: scenario %+v; full %+v", what, got.Areas[a].ID, g, want)
		}
	}
	var rows []data.EquityRow
	for _, e := range got.Equity {
		if e.Setting == fc.Setting && e.ContentArea == fc.Name {
			rows = append(rows, e)
		}
	}
	if len(rows) != len(equity) {
		t.Fatalf("%s: %d equity rows, full %d", what, len(rows), len(equity))
	}
	for r, want := range equity {
		if g := rows[r]; g.Group != want.Group || !near(g.Share, want.Share) || !near(g.Reference, want.Reference) || g.Areas != want.Areas {
			t.Fatalf("%s, %s: scenario %+v; full %+v", what, want.Group, g, want)
		}
	}
	s := got.ContentAreas[k]
	desert, total, desertAreas := 0.0, 0.0, 0
	for i := range n {
		if !math.IsNaN(full.Cells.Demand[i]) {
			total += full.Cells.Demand[i]
			if cr.cells.Desert[i] == data.DesertYes {
				desert += full.Cells.Demand[i]
			}
		}
	}
	for _, am := range areas {
		if am.Desert {
			desertAreas++
		}
	}
	if fc.TooFew {
		desert = math.NaN()
	}
	if !near(s.DesertYouth, desert) || s.DesertAreas != desertAreas || !near(s.DemandTotal, total) {
		t.Fatalf("%s: scenario summary %+v; full desert demand %v of %v, %d desert areas", what, s, desert, total, desertAreas)
	}
}

// Bad scenarios are refused with the field that is wrong.
func TestScenarioNamesTheBadField(t *testing.T) {
	in := syntheticRegion(42, 12)
	_, m := modelOf(t, in, testParams())
	ok := data.Program{Location: orb.Point{-90.3, 38.6}, ContentAreas: []string{"math"}, Capacity: 10}
	for _, c := range []struct {
		sc   Scenario
		says string
	}{
		{Scenario{}, "changes nothing"},
		{Scenario{Remove: []string{"nope"}}, `remove[0]: run`},
		{Scenario{Remove: []string{in.Programs[0].ID, in.Programs[0].ID}}, "remove[1]"},
		{Scenario{Resize: []Resize{{ID: in.Programs[1].ID, Capacity: -2}}}, "resize[0].capacity"},
		{Scenario{Resize: []Resize{{ID: "nope", Capacity: 2}}}, "resize[0].id"},
		{Scenario{Add: []data.Program{ok, {Location: orb.Point{-190, 38.6}, Capacity: 1}}}, "add[1].lat, add[1].lng"},
		{Scenario{Add: []data.Program{{Location: ok.Location, ContentAreas: []string{"astrology"}, Capacity: 1}}}, "add[0].content_areas"},
		{Scenario{Add: []data.Program{{Location: ok.Location, Capacity: 0}}}, "add[0].capacity"},
		{Scenario{Add: []data.Program{{ID: in.Programs[2].ID, Location: ok.Location, Capacity: 1}}}, "add[0].id"},
	} {
		_, err := m.Scenario(context.Background(), c.sc)
		if err == nil || !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v; want an error naming %q", c.sc, err, c.says)
		}
	}
}

// A scenario in JSON reads as the same scenario; its mistakes are named by field.
func TestDecodeScenario(t *testing.T) {
	run, sc, err := DecodeScenario(strings.NewReader(`{"run": "abc", "add": [{"name": "Lab", "lat": 38.6, "lng": -90.2,
		"content_areas": ["Science", "science", "Física"], "setting": "after-school"}], "remove": ["p1"], "resize": [{"id": "p2", "capacity": 12}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add := sc.Add[0]
	if run != "abc" || add.Location != (orb.Point{-90.2, 38.6}) || !slices.Equal(add.ContentAreas, []string{"science", "física"}) || !math.IsNaN(add.Capacity) ||
		add.Setting != "after-school" || !slices.Equal(sc.Remove, []string{"p1"}) || sc.Resize[0] != (Resize{ID: "p2", Capacity: 12}) {
		t.Errorf("read %q %+v", run, sc)
	}
	for body, says := range map[string]string{
		`{"add": [{"lat": 38.6}]}`:            "add[0].lng is required",
		`{"add": [{"lat": true, "lng": 1}]}`:  "field add.lat",
		`{"resize": [{"id": "p"}]}`:           "resize[0].capacity is required",
		`{"remove": ["p"], "extra": 1}`:       `unknown field "extra"`,
		`{"remove": ["p"]} {"remove": ["q"]}`: "more than one JSON value",
		`{"remove": [`:                        "JSON",
	} {
		if _, _, err := DecodeScenario(strings.NewReader(body)); !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v; want an error naming %q", body, err, says)
		}
	}
}
