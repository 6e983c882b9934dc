package analysis

import (
	"bytes"
	"context"
	"encoding/gob"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"stemgap/data"
	"stemgap/geo"
)

func analyze(t *testing.T, in Inputs, p Params) *data.Run {
	t.Helper()
	run, err := Analyze(context.Background(), in, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestDemandIsConserved(t *testing.T) {
	for _, res := range []int{7, 8, 9, 10} {
		in := syntheticRegion(1, 20)
		p := testParams()
		p.Resolution = res
		run := analyze(t, in, p)
		areaSum := 0.0
		for _, d := range in.Demographics {
			if d.Variable == "youth_pop" {
				areaSum += d.Value
			}
		}
		cellSum := 0.0
		for _, d := range run.Cells.Demand {
			if !math.IsNaN(d) {
				cellSum += d
			}
		}
		if math.Abs(cellSum-areaSum) > 1e-9*areaSum {
			t.Errorf("res %d: cells hold %.9f youth, areas %.9f", res, cellSum, areaSum)
		}
	}
}

func TestSliverGivesItsDemandToItsInteriorCell(t *testing.T) {
	in := syntheticRegion(2, 10)
	run := analyze(t, in, testParams())
	for a, ar := range run.Areas {
		if ar.ID != "SYNSLIVER" {
			continue
		}
		if ar.Cells != 1 {
			t.Fatalf("sliver holds %d cells, want its interior point's one", ar.Cells)
		}
		for i, owner := range run.Cells.Area {
			if int(owner) == a {
				p, _ := geo.InteriorPoint(in.Areas[len(in.Areas)-1].Geometry)
				c, _ := geo.PointCell(p, run.Resolution)
				if run.Cells.H3[i] != c || run.Cells.Demand[i] != ar.Demand {
					t.Errorf("sliver's cell %s holds %v youth; want cell %s with %v", run.Cells.H3[i], run.Cells.Demand[i], c, ar.Demand)
				}
				return
			}
		}
		t.Fatal("no cell belongs to the sliver")
	}
	t.Fatal("sliver missing from the run")
}

func TestNoDataIsNeverZero(t *testing.T) {
	in := syntheticRegion(3, 15)
	run := analyze(t, in, testParams())
	noData := run.Areas[7]
	if !math.IsNaN(noData.Demand) || noData.Measures[0].Rank != 0 || noData.Measures[0].Desert {
		t.Fatalf("area without a youth figure: %+v", noData)
	}
	seen := 0
	for i, a := range run.Cells.Area {
		if a != 7 {
			continue
		}
		seen++
		for k := range run.ContentAreas {
			m := run.Cells.Measures[k]
			if !math.IsNaN(run.Cells.Demand[i]) || !math.IsNaN(m.Access[i]) || m.Desert[i] != data.DesertNoData || math.IsNaN(m.Nearest[i]) {
				t.Fatalf("cell %d of the no-data area: demand %v access %v desert %v nearest %v", i, run.Cells.Demand[i], m.Access[i], m.Desert[i], m.Nearest[i])
			}
		}
	}
	if seen == 0 {
		t.Fatal("no cells in the no-data area")
	}
	if !strings.Contains(strings.Join(run.Notes, "\n"), "1 of 31 areas have no figure for youth_pop") {
		t.Errorf("notes do not say which areas lack data: %q", run.Notes)
	}
}

// bruteForce recomputes nearest distance, catchment counts and E2SFCA over every cell–program
// pair, with no H3 disks and no index.
func bruteForce(run *data.Run, programs []data.Program, series data.ContentArea, p Params) (nearest []float64, count []int, access []float64) {
	p = p.Resolved()
	w := decayWeight(p.Measure)
	mine, dist := programDistances(run, programs, series)
	t := &run.Cells
	n := t.Len()
	nearest, count, access = make([]float64, n), make([]int, n), make([]float64, n)
	for i := 0; i < n; i++ {
		nearest[i] = math.Inf(1)
		for j := range mine {
			nearest[i] = math.Min(nearest[i], dist[j][i])
			if dist[j][i] <= p.Measure.Catchment {
				count[i]++
			}
		}
	}
	for j, pr := range mine {
		den := 0.0
		for i := 0; i < n; i++ {
			if d := dist[j][i]; d <= p.Measure.Catchment && !math.IsNaN(t.Demand[i]) {
				den += t.Demand[i] * w(d)
			}
		}
		if den == 0 {
			continue
		}
		s := seats(pr, p)
		for i := 0; i < n; i++ {
			if d := dist[j][i]; d <= p.Measure.Catchment {
				access[i] += 1000 * s / den * w(d)
			}
		}
	}
	return nearest, count, access
}

// programDistances lists the programs of a series (setting group and content area) and the
// great-circle km from each to every cell of the run (program-major), computed pair by pair.
func programDistances(run *data.Run, programs []data.Program, series data.ContentArea) ([]data.Program, [][]float64) {
	group, _ := run.SettingGroup(series.Setting)
	var mine []data.Program
	for _, pr := range programs {
		if !group.Includes(pr.Setting) {
			continue
		}
		if series.Name == data.AllContentAreas || slices.Contains(pr.ContentAreas, series.Name) {
			mine = append(mine, pr)
		}
	}
	t := &run.Cells
	dist := make([][]float64, len(mine))
	for j, pr := range mine {
		dist[j] = make([]float64, t.Len())
		for i := range dist[j] {
			dist[j][i] = haversineKm(t.Lng[i], t.Lat[i], pr.Location[0], pr.Location[1])
		}
	}
	return mine, dist
}

func seats(pr data.Program, p Params) float64 {
	if math.IsNaN(pr.Capacity) {
		return p.DefaultCapacity
	}
	return pr.Capacity
}

func TestMeasuresMatchBruteForce(t *testing.T) {
	in := syntheticRegion(4, 25)
	p := testParams()
	p.Resolution = 8
	p.Measure.Catchment = 3 // smaller than the region, so catchments are partial
	run := analyze(t, in, p)
	for k, c := range run.ContentAreas {
		nearest, count, access := bruteForce(run, in.Programs, c, p)
		m := run.Cells.Measures[k]
		for i := range nearest {
			if math.Abs(m.Nearest[i]-nearest[i]) > 1e-9 {
				t.Fatalf("%s/%s cell %d: nearest %v km, brute force %v", c.Setting, c.Name, i, m.Nearest[i], nearest[i])
			}
			if int(m.Count[i]) != count[i] {
				t.Fatalf("%s cell %d: %d programs within the catchment, brute force %d", c.Name, i, m.Count[i], count[i])
			}
			if math.IsNaN(run.Cells.Demand[i]) {
				continue
			}
			if math.Abs(m.Access[i]-access[i]) > 1e-9*math.Max(1, access[i]) {
				t.Fatalf("%s cell %d: E2SFCA %v, brute force %v", c.Name, i, m.Access[i], access[i])
			}
		}
	}
}

func TestSameInputsSameBytes(t *testing.T) {
	in := syntheticRegion(5, 30)
	clock := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	encode := func(in Inputs) []byte {
		run, err := Analyze(context.Background(), in, testParams(), Options{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(run); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first := encode(in)
	// The same rows in another order — as another store might list them — change nothing.
	slices.Reverse(in.Areas)
	slices.Reverse(in.Programs)
	slices.Reverse(in.Demographics)
	if !bytes.Equal(first, encode(in)) {
		t.Error("the same inputs in another order gave a different run")
	}
}

func TestMissingDemandVariableSuggestsAnother(t *testing.T) {
	in := syntheticRegion(6, 5)
	var kept []data.DemographicValue
	for _, d := range in.Demographics {
		if d.Variable != "youth_pop" {
			kept = append(kept, d)
		}
	}
	in.Demographics = kept
	_, err := Analyze(context.Background(), in, testParams(), Options{})
	if err == nil || !strings.Contains(err.Error(), "--demand total_pop") {
		t.Fatalf("error %v does not suggest --demand total_pop", err)
	}
}

func TestCostMatrixHandWorked(t *testing.T) {
	// The E2SFCA hand example again, through the whole analysis: three small areas (one cell
	// each), two programs, costs given per area in a matrix.
	in := Inputs{}
	for i, youth := range []float64{100, 50, 200} {
		x := -90.3 + 0.1*float64(i)
		in.Areas = append(in.Areas, data.Area{ID: []string{"AREA0", "AREA1", "AREA2"}[i], LandKm2: 1,
			Geometry: orb.MultiPolygon{{{{x, 38.6}, {x + 0.0005, 38.6}, {x + 0.0005, 38.6005}, {x, 38.6005}, {x, 38.6}}}}})
		in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: in.Areas[i].ID, Variable: "youth_pop", Value: youth})
	}
	in.Programs = []data.Program{
		{ID: "A", Location: orb.Point{-90.3, 38.7}, Capacity: 10, ContentAreas: []string{"math"}},
		{ID: "B", Location: orb.Point{-90.1, 38.7}, Capacity: 20, ContentAreas: []string{"math"}},
	}
	m, err := data.ReadCostMatrix(strings.NewReader("origin,program,minutes\nAREA0,A,2\nAREA1,A,5\nAREA2,A,9\nAREA0,B,7\nAREA1,B,3\nAREA2,B,1\n"), "costs.csv")
	if err != nil {
		t.Fatal(err)
	}
	in.Costs = m
	run := analyze(t, in, testParams())
	if run.CostUnit != "min" {
		t.Errorf("cost unit %q, want min", run.CostUnit)
	}
	want := []float64{96.48464070184873, 100.8142039284488, 76.55412866696341}
	k := run.SeriesIndex(data.AllSettings, "math")
	for a := range run.Areas {
		closeTo(t, run.Areas[a].ID, []float64{run.Areas[a].Measures[k].Access}, want[a:a+1])
	}
	// Nearest is the least cost in the matrix, whatever the catchment.
	near := []float64{2, 3, 1}
	for i := range run.Cells.H3 {
		a := run.Cells.Area[i]
		if got := run.Cells.Measures[k].Nearest[i]; got != near[a] {
			t.Errorf("area %d nearest %v min, want %v", a, got, near[a])
		}
	}
}
