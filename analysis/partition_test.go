package analysis

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// acrossPartitions builds a SYNTHETIC region (not real data) of 8 × 8 square areas, about 35 ×
// 44 km, centred on a vertex where three resolution-3 H3 cells meet near St. Louis, so that it
// spans several partitions at every partition resolution; with youth counts, one area without a
// figure, one empty area, and programs inside and around it.
func acrossPartitions(t *testing.T, seed uint64, nPrograms int) Inputs {
	t.Helper()
	home, err := h3.LatLngToCell(h3.LatLng{Lat: 38.63, Lng: -90.2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	boundary, err := home.Boundary()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, seed+7))
	const step = 0.05
	origin := orb.Point{boundary[0].Lng - 4*step, boundary[0].Lat - 4*step}
	var in Inputs
	for row := 0; row < 8; row++ {
		for col := 0; col < 8; col++ {
			x, y := origin[0]+float64(col)*step, origin[1]+float64(row)*step
			id := fmt.Sprintf("SYNX%02d", len(in.Areas))
			in.Areas = append(in.Areas, data.Area{ID: id, LandKm2: 24, Geometry: orb.MultiPolygon{{{{x, y}, {x + step, y}, {x + step, y + step}, {x, y + step}, {x, y}}}}})
			youth := float64(r.IntN(3000))
			switch len(in.Areas) {
			case 10:
				continue // no youth figure
			case 20:
				youth = 0
			}
			in.Demographics = append(in.Demographics,
				data.DemographicValue{AreaID: id, Variable: "youth_pop", Value: youth, MOE: math.NaN()},
				data.DemographicValue{AreaID: id, Variable: "total_pop", Value: float64(1000 + r.IntN(20000)), MOE: math.NaN()},
				data.DemographicValue{AreaID: id, Variable: "poverty_pct", Value: r.Float64() * 50, MOE: math.NaN()})
		}
	}
	for j := 0; j < nPrograms; j++ {
		p := data.Program{ID: fmt.Sprintf("synthetic-x%03d", j), Capacity: float64(1 + r.IntN(40)),
			Location: orb.Point{origin[0] - 0.1 + r.Float64()*(8*step+0.2), origin[1] - 0.1 + r.Float64()*(8*step+0.2)}}
		if j%5 == 0 {
			p.Capacity = math.NaN()
		}
		for _, l := range []string{"math", "science"} {
			if r.IntN(3) == 0 {
				p.ContentAreas = append(p.ContentAreas, l)
			}
		}
		p.Setting = []string{"out_of_school", "in_school"}[r.IntN(2)]
		in.Programs = append(in.Programs, p)
	}
	return in
}

// Partitioned, every figure equals the whole region's, to the bit, whatever the partitions, for
// every measure that is partitioned, every decay and PySAL's 3SFCA.
func TestPartitionsGiveTheWholeRegionsFigures(t *testing.T) {
	in := acrossPartitions(t, 11, 60)
	kinds := []struct {
		kind, decay, variant string
	}{{MeasureE2SFCA, DecayGaussian, ""}, {MeasureE2SFCA, DecayStepped, ""}, {MeasureE2SFCA, DecayLinear, ""},
		{Measure2SFCA, DecayGaussian, ""}, {Measure3SFCA, DecayGaussian, ""}, {Measure3SFCA, DecayGaussian, VariantPySAL},
		{MeasureGravity, DecayGaussian, ""}, {MeasureCumulative, DecayGaussian, ""}, {MeasureNearest, DecayGaussian, ""}}
	for _, k := range kinds {
		p := testParams()
		p.Resolution = 8
		p.Measure.Kind, p.Measure.Decay = k.kind, k.decay
		if k.variant != "" {
			p.Measure.Variant = k.variant
		}
		whole, err := Analyze(context.Background(), in, p, Options{PartitionResolution: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range []int{3, 5, 6} {
			parted, err := Analyze(context.Background(), in, p, Options{PartitionResolution: res})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%s/%s/%s at partition resolution %d", k.kind, k.decay, k.variant, res)
			if n := partitionCount(whole, res); n < 3 {
				t.Fatalf("%s: the region spans %d partitions, want several", what, n)
			}
			sameRuns(t, what, whole, parted)
		}
	}
}

func partitionCount(run *data.Run, res int) int {
	seen := map[uint64]bool{}
	for _, c := range run.Cells.H3 {
		seen[parentKey(c, res)] = true
	}
	return len(seen)
}

func sameRuns(t *testing.T, what string, a, b *data.Run) {
	t.Helper()
	near := func(field string, x, y float64) {
		t.Helper()
		// The issue asks for 1e-12; partitions keep every sum in the region's order, so the figures
		// agree to the bit.
		if x == y || math.IsNaN(x) && math.IsNaN(y) {
			return
		}
		t.Fatalf("%s: %s whole %.17g, partitioned %.17g", what, field, x, y)
	}
	if a.Cells.Len() != b.Cells.Len() || len(a.Cells.Measures) != len(b.Cells.Measures) {
		t.Fatalf("%s: %d cells and %d series whole, %d and %d partitioned", what, a.Cells.Len(), len(a.Cells.Measures), b.Cells.Len(), len(b.Cells.Measures))
	}
	for i := range a.Cells.H3 {
		if a.Cells.H3[i] != b.Cells.H3[i] || a.Cells.Area[i] != b.Cells.Area[i] {
			t.Fatalf("%s: cell %d is %s of area %d whole, %s of %d partitioned", what, i, a.Cells.H3[i], a.Cells.Area[i], b.Cells.H3[i], b.Cells.Area[i])
		}
		near("demand", a.Cells.Demand[i], b.Cells.Demand[i])
	}
	for k := range a.Cells.Measures {
		x, y := a.Cells.Measures[k], b.Cells.Measures[k]
		for i := range x.Access {
			cell := fmt.Sprintf("series %d cell %d", k, i)
			near(cell+" nearest", x.Nearest[i], y.Nearest[i])
			near(cell+" access", x.Access[i], y.Access[i])
			near(cell+" unmet", x.Unmet[i], y.Unmet[i])
			near(cell+" gap", x.Gap[i], y.Gap[i])
			if x.Count[i] != y.Count[i] || x.Desert[i] != y.Desert[i] {
				t.Fatalf("%s: %s count %d desert %d whole, %d and %d partitioned", what, cell, x.Count[i], x.Desert[i], y.Count[i], y.Desert[i])
			}
		}
		sa, sb := a.ContentAreas[k], b.ContentAreas[k]
		near(fmt.Sprintf("series %d mean", k), sa.MeanAccess, sb.MeanAccess)
		near(fmt.Sprintf("series %d desert share", k), sa.DesertShare, sb.DesertShare)
		for r := range a.Areas {
			ma, mb := a.Areas[r].Measures[k], b.Areas[r].Measures[k]
			area := fmt.Sprintf("series %d area %s", k, a.Areas[r].ID)
			near(area+" access", ma.Access, mb.Access)
			near(area+" gap", ma.Gap, mb.Gap)
			near(area+" unmet", ma.Unmet, mb.Unmet)
			if ma.Rank != mb.Rank || ma.Desert != mb.Desert || ma.Reason != mb.Reason {
				t.Fatalf("%s: %s rank %d desert %v whole, %d %v partitioned", what, area, ma.Rank, ma.Desert, mb.Rank, mb.Desert)
			}
		}
	}
	if fmt.Sprint(a.Notes) != fmt.Sprint(b.Notes) {
		t.Fatalf("%s: notes differ:\n%v\n%v", what, a.Notes, b.Notes)
	}
}

// Partitions measured apart — here in three partials, as three processes would — and merged give
// the very run Analyze gives, byte for byte.
func TestMergedPartialsAreTheRun(t *testing.T) {
	in := acrossPartitions(t, 12, 50)
	p := testParams()
	p.Resolution = 8
	clock := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	opt := Options{Now: clock, PartitionResolution: 5}
	whole, err := Analyze(context.Background(), in, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := Partitions(context.Background(), in, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Fatalf("%d partitions, want several", len(parts))
	}
	var partials []*Partial
	for k := 0; k < 3; k++ {
		var parents []h3.Cell
		for n := k; n < len(parts); n += 3 {
			parents = append(parents, parts[n].Parent)
		}
		partial, err := MeasurePartitions(context.Background(), in, p, opt, parents)
		if err != nil {
			t.Fatal(err)
		}
		// Through gob, as the files analyze --partitions writes.
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(partial); err != nil {
			t.Fatal(err)
		}
		var back Partial
		if err := gob.NewDecoder(&b).Decode(&back); err != nil {
			t.Fatal(err)
		}
		partials = append(partials, &back)
	}
	merged, err := Merge(context.Background(), in, p, opt, partials)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gobBytes(t, whole), gobBytes(t, merged)) {
		sameRuns(t, "merged", whole, merged)
		t.Fatal("the merged run differs from the whole run")
	}

	// Missing, repeated or foreign partitions are refused.
	if _, err := Merge(context.Background(), in, p, opt, partials[:2]); !errors.Is(err, ErrPartialMismatch) || !strings.Contains(err.Error(), "not measured") {
		t.Errorf("two of three partials: %v", err)
	}
	if _, err := Merge(context.Background(), in, p, opt, append(partials, partials[0])); !errors.Is(err, ErrPartialMismatch) || !strings.Contains(err.Error(), "already given") {
		t.Errorf("a partial twice: %v", err)
	}
	other := p
	other.Measure.Catchment = 5
	if _, err := Merge(context.Background(), in, other, opt, partials); !errors.Is(err, ErrPartialMismatch) || !strings.Contains(err.Error(), "other inputs, parameters") {
		t.Errorf("other parameters: %v", err)
	}
	raam := p
	raam.Measure.Kind = MeasureRAAM
	if _, err := MeasurePartitions(context.Background(), in, raam, opt, []h3.Cell{parts[0].Parent}); err == nil || !strings.Contains(err.Error(), "whole region at once") {
		t.Errorf("RAAM divided: %v", err)
	}
}

func gobBytes(t *testing.T, run *data.Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(run); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
