package analysis

import (
	"errors"
	"math"
	"strings"
	"testing"

	"stemgap/data"
	"stemgap/geo"
)

// A run compared with itself: nothing differs, nothing moved, and its delta run is all zeros.
func TestComparingARunWithItselfIsAllZeros(t *testing.T) {
	run := analyze(t, syntheticRegion(31, 14), testParams())
	cmp, err := Compare(run, run, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Differences) != 0 || len(cmp.Series) != len(run.ContentAreas) || len(cmp.Areas) != len(run.Areas) || len(cmp.Groups) != len(run.Equity) {
		t.Fatalf("differences %v, %d series, %d areas, %d groups", cmp.Differences, len(cmp.Series), len(cmp.Areas), len(cmp.Groups))
	}
	for _, s := range cmp.Series {
		if s.CellsRose+s.CellsFell != 0 || s.DemandRose+s.DemandFell+s.NewlyInReach+s.NoLongerInReach+s.EnteredDesert+s.LeftDesert != 0 ||
			s.ProgramsA != s.ProgramsB || !sameFigure(s.MeanAccessA, s.MeanAccessB) || !sameFigure(s.DesertShareA, s.DesertShareB) {
			t.Errorf("series %s/%s moved: %+v", s.Setting, s.Name, s)
		}
	}
	for _, a := range cmp.Areas {
		if !sameFigure(a.AccessA, a.AccessB) || !sameFigure(a.DesertShareA, a.DesertShareB) || a.DesertA != a.DesertB || a.RankA != a.RankB {
			t.Errorf("area %s moved: %+v", a.ID, a)
		}
	}
	for _, g := range cmp.Groups {
		if g.Changed || !sameFigure(g.ShareA, g.ShareB) {
			t.Errorf("group %s moved: %+v", g.Group, g)
		}
	}
	d, err := DeltaRun(run, run)
	if err != nil {
		t.Fatal(err)
	}
	for k, m := range d.Cells.Measures {
		for i := range m.Access {
			for _, v := range []float64{m.Access[i], m.Nearest[i], m.Unmet[i], m.Gap[i]} {
				if v != 0 && !math.IsNaN(v) {
					t.Fatalf("series %d, cell %d: a change of %v", k, i, v)
				}
			}
			if m.Count[i] != 0 {
				t.Fatalf("series %d, cell %d: %d programs more", k, i, m.Count[i])
			}
		}
	}
}

// sameFigure: equal, or both missing.
func sameFigure(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// Programs added between two runs raise access exactly in the cells within their catchment, by
// brute force, and nowhere else; the youth newly within reach are those of those cells that had
// no program near; the added input file is named.
func TestComparisonFindsWhereAddedProgramsAddAccess(t *testing.T) {
	in := syntheticRegion(32, 16)
	p := testParams()
	p.Measure.Catchment = 2.5
	before := in
	before.Programs = in.Programs[:11]
	before.Records = []data.IngestRecord{{Kind: data.KindPrograms, Source: "programs.csv", SHA256: "aa", Rows: 11}}
	in.Records = []data.IngestRecord{{Kind: data.KindPrograms, Source: "programs.csv", SHA256: "aa", Rows: 11},
		{Kind: data.KindPrograms, Source: "added.csv", SHA256: "bb", Rows: 5, Vintage: "2026"}}
	a, b := analyze(t, before, p), analyze(t, in, p)
	cmp, err := Compare(a, b, CompareOptions{Setting: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Differences) != 1 || !strings.Contains(cmp.Differences[0], "input programs added.csv (5 rows, 2026) is only in "+b.ID) {
		t.Errorf("differences %q", cmp.Differences)
	}
	k := b.SeriesIndex("all", data.AllContentAreas)
	var sc data.SeriesChange
	for _, s := range cmp.Series {
		if s.Setting == "all" && s.Name == data.AllContentAreas {
			sc = s
		}
	}
	rose, newly := 0, 0.0
	for i := range b.Cells.H3 {
		center := geo.NewSite([2]float64{b.Cells.Lng[i], b.Cells.Lat[i]})
		near := false
		for _, pr := range in.Programs[11:] {
			if geo.NewSite(pr.Location).DistanceKm(center) <= p.Measure.Catchment {
				near = true
			}
		}
		if near && !math.IsNaN(b.Cells.Demand[i]) {
			rose++
			if a.Cells.Measures[k].Count[i] == 0 {
				newly += b.Cells.Demand[i]
			}
		}
	}
	if sc.CellsRose != rose || sc.CellsFell != 0 || math.Abs(sc.NewlyInReach-newly) > 1e-9*newly || rose == 0 {
		t.Errorf("access rose in %d cells and fell in %d, %v youth newly in reach; brute force: %d cells within reach of an added program, %v youth", sc.CellsRose, sc.CellsFell, sc.NewlyInReach, rose, newly)
	}
	if sc.ProgramsA != 11 || sc.ProgramsB != 16 {
		t.Errorf("programs %d → %d", sc.ProgramsA, sc.ProgramsB)
	}
}

// Runs of other geographies or measures are refused; other parameters are compared, and said.
func TestComparisonRefusesOtherGeographiesAndSaysOtherParameters(t *testing.T) {
	in := syntheticRegion(33, 12)
	p := testParams()
	run := analyze(t, in, p)
	coarse := p
	coarse.Resolution = 8
	if _, err := Compare(run, analyze(t, in, coarse), CompareOptions{}); !errors.Is(err, ErrIncomparable) || !strings.Contains(err.Error(), "resolution is 9") {
		t.Errorf("another resolution: %v", err)
	}
	other := p
	other.Measure.Kind = Measure2SFCA
	if _, err := Compare(run, analyze(t, in, other), CompareOptions{}); !errors.Is(err, ErrIncomparable) || !strings.Contains(err.Error(), "measure.kind") {
		t.Errorf("another measure: %v", err)
	}
	fewer := in
	fewer.Areas = in.Areas[:20]
	if _, err := Compare(run, analyze(t, fewer, p), CompareOptions{}); !errors.Is(err, ErrIncomparable) || !strings.Contains(err.Error(), "different areas") {
		t.Errorf("other areas: %v", err)
	}
	wider := p
	wider.Measure.Catchment = 5
	cmp, err := Compare(run, analyze(t, in, wider), CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(cmp.Differences, "\n")
	if !strings.Contains(said, "parameter measure.catchment is 8 in") || !strings.Contains(said, "and 5 in") || !strings.Contains(said, "measure.sigma") {
		t.Errorf("differences %s", said)
	}
}
