package analysis

import (
	"math"
	"strings"
	"testing"

	"stemgap/data"
)

// Each setting group measures only its own programs: the series' program counts equal counts
// made by hand from the synthetic inventory.
func TestSeriesFollowSettingGroups(t *testing.T) {
	in := syntheticRegion(21, 30)
	p := testParams()
	p.Settings = []data.SettingGroup{
		{Name: "out_of_school", Settings: []string{"out_of_school"}},
		{Name: "school_and_after", Settings: []string{"in_school", "out_of_school"}},
		{Name: data.AllSettings},
	}
	run := analyze(t, in, p)
	if got := run.SettingNames(); strings.Join(got, ",") != "out_of_school,school_and_after,all" || run.DefaultSetting() != "out_of_school" {
		t.Fatalf("setting groups %v, default %q", got, run.DefaultSetting())
	}
	want := map[[2]string]int{}
	for _, pr := range in.Programs {
		for _, g := range p.Settings {
			if len(g.Settings) > 0 && !strings.Contains(","+strings.Join(g.Settings, ",")+",", ","+pr.Setting+",") {
				continue
			}
			want[[2]string{g.Name, data.AllContentAreas}]++
			for _, c := range pr.ContentAreas {
				want[[2]string{g.Name, c}]++
			}
		}
	}
	if len(run.ContentAreas) != 3*4 {
		t.Fatalf("%d series, want 3 groups × (math, science, computing, all)", len(run.ContentAreas))
	}
	for k, c := range run.ContentAreas {
		if c.Programs != want[[2]string{c.Setting, c.Name}] {
			t.Errorf("%s/%s: %d programs, counted by hand %d", c.Setting, c.Name, c.Programs, want[[2]string{c.Setting, c.Name}])
		}
		if run.SeriesIndex(c.Setting, c.Name) != k {
			t.Errorf("SeriesIndex(%s, %s) = %d, want %d", c.Setting, c.Name, run.SeriesIndex(c.Setting, c.Name), k)
		}
	}
	if _, err := run.CheckSeries("in_school", "math"); err == nil || !strings.Contains(err.Error(), "out_of_school, school_and_after, all") {
		t.Errorf("an unknown setting group is not refused with the groups named: %v", err)
	}
}

// A series with fewer programs than min_programs is measured but not judged: no desert flags,
// gap scores, unmet seats or ranks, and its reason says why.
func TestTooFewProgramsAreNotJudged(t *testing.T) {
	in := syntheticRegion(22, 14)
	p := testParams()
	p.MinPrograms = 8
	p.Desert.UrbanCost, p.Desert.RuralCost = 0.05, 0.05 // nearly every cell is far: judged series have deserts
	run := analyze(t, in, p)
	judged, thin := 0, 0
	for k, c := range run.ContentAreas {
		m := run.Cells.Measures[k]
		if c.TooFew != (c.Programs < 8) {
			t.Errorf("%s/%s: %d programs, too few %v", c.Setting, c.Name, c.Programs, c.TooFew)
		}
		deserts, unjudged := 0, 0
		for i := range m.Desert {
			if m.Desert[i] == data.DesertYes {
				deserts++
			}
			if !math.IsNaN(run.Cells.Demand[i]) && m.Desert[i] == data.DesertNoData && math.IsNaN(m.Gap[i]) && math.IsNaN(m.Unmet[i]) {
				unjudged++
			}
			if !math.IsNaN(run.Cells.Demand[i]) && math.IsNaN(m.Access[i]) {
				t.Fatalf("%s/%s cell %d: access must still be measured", c.Setting, c.Name, i)
			}
		}
		if !c.TooFew {
			judged++
			if deserts == 0 || !(c.DesertShare > 0) {
				t.Errorf("%s/%s is judged but has no desert cells (share %v)", c.Setting, c.Name, c.DesertShare)
			}
			continue
		}
		thin++
		if deserts != 0 || unjudged == 0 || !math.IsNaN(c.DesertShare) || c.DesertAreas != 0 {
			t.Errorf("%s/%s (%d programs): %d desert cells, %d unjudged, share %v, %d desert areas", c.Setting, c.Name, c.Programs, deserts, unjudged, c.DesertShare, c.DesertAreas)
		}
		note := c.TooFewNote()
		if !strings.HasPrefix(note, "too few programs to map gaps in "+c.Name+" (") {
			t.Errorf("note %q", note)
		}
		for _, a := range run.Areas {
			am := a.Measures[k]
			if am.Desert || am.Rank != 0 || (!math.IsNaN(a.Demand) && am.Reason != note) {
				t.Errorf("area %s in %s/%s: desert %v rank %d reason %q", a.ID, c.Setting, c.Name, am.Desert, am.Rank, am.Reason)
			}
		}
		for _, e := range run.Equity {
			if e.Setting == c.Setting && e.ContentArea == c.Name {
				t.Errorf("equity row for the unjudged series %s/%s", c.Setting, c.Name)
			}
		}
	}
	if judged == 0 || thin == 0 {
		t.Fatalf("the synthetic inventory should give both judged and thin series: %d and %d", judged, thin)
	}
	if !strings.Contains(strings.Join(run.Notes, "\n"), "too few programs to map gaps") {
		t.Errorf("the run's notes do not list the thin series: %q", run.Notes)
	}
}

// Defect 5a: an area where no young person lives is never a desert and is never ranked, and it
// does not count among the desert areas.
func TestAreaWithoutYouthIsNeverADesert(t *testing.T) {
	in := syntheticRegion(23, 20)
	empty := in.Areas[3].ID
	for i, d := range in.Demographics {
		if d.AreaID == empty && d.Variable == "youth_pop" {
			in.Demographics[i].Value = 0
		}
	}
	p := testParams()
	p.Desert.UrbanCost, p.Desert.RuralCost = 0.05, 0.05 // every populated area is a desert
	run := analyze(t, in, p)
	k := run.SeriesIndex(data.AllSettings, data.AllContentAreas)
	assessed := 0
	for a, ar := range run.Areas {
		am := ar.Measures[k]
		if ar.ID == empty {
			if am.Desert || am.Rank != 0 || !math.IsNaN(am.DesertShare) || !strings.Contains(am.Reason, "no youth live here") {
				t.Errorf("area without youth: desert %v rank %d share %v reason %q", am.Desert, am.Rank, am.DesertShare, am.Reason)
			}
			for i := range run.Cells.H3 {
				if int(run.Cells.Area[i]) == a && run.Cells.Demand[i] == 0 && run.Cells.Measures[k].Desert[i] == data.DesertYes {
					t.Fatalf("cell %d holds no one and is flagged a desert", i)
				}
			}
			continue
		}
		if ar.Demand > 0 {
			assessed++
			if !am.Desert || am.Rank == 0 {
				t.Errorf("area %s (%v youth) under an impossible distance rule: desert %v rank %d", ar.ID, ar.Demand, am.Desert, am.Rank)
			}
		}
	}
	if got := run.ContentAreas[k].DesertAreas; got != assessed {
		t.Errorf("%d desert areas counted, want the %d areas where youth live", got, assessed)
	}
}
