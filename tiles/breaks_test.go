package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
)

func TestQuantileBreaksByHand(t *testing.T) {
	ten := []float64{7, 3, 10, 1, 9, 2, 8, 4, 6, 5}
	var skewed []float64
	for v := 1; v <= 200; v++ {
		skewed = append(skewed, float64(v))
	}
	skewed = append(skewed, 10000)
	cases := []struct {
		name    string
		values  []float64
		classes int
		capTop  bool
		want    []float64
		capped  bool
		highest []float64 // the greatest value in each class
	}{
		// 1–10 in fifths: [1, 3) holds 1 and 2, [3, 5) 3 and 4 … [9, 10] 9 and 10.
		{"one to ten", ten, 5, true, []float64{1, 3, 5, 7, 9, 10}, false, []float64{2, 4, 6, 8, 10}},
		// In thirds: ceil(10/3) = 4 values, then ceil(6/2) = 3, then the last 3.
		{"one to ten in thirds", ten, 3, true, []float64{1, 5, 8, 10}, false, []float64{4, 7, 10}},
		// 201 values in quarters: 51, then ceil(150/3) = 50, 50, and the last 50; the 99th
		// percentile is the 199th value (ceil(0.99·201) = 199), far below 10,000.
		{"a far outlier", skewed, 4, true, []float64{1, 52, 102, 152, 199}, true, []float64{51, 101, 151, 10000}},
		{"a far outlier, bounded figure", skewed, 4, false, []float64{1, 52, 102, 152, 10000}, false, []float64{51, 101, 151, 10000}},
		// Eight ones fill the first class alone; 2 and 3 each make one of the two classes left.
		{"many equal", []float64{1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, 5, true, []float64{1, 2, 3, 3}, false, []float64{1, 2, 3}},
		// Zeros on 6 of 10: a class of their own, the other four in the classes left.
		{"zero inflated", []float64{0, 0, 0, 0, 0, 0, 0.5, 1, 2, 4}, 3, true, []float64{0, 0.5, 2, 4}, false, []float64{0, 1, 4}},
		{"all equal", []float64{4, 4, 4}, 5, true, []float64{4, 4}, false, []float64{4}},
		{"nothing", nil, 5, true, []float64{}, false, []float64{}},
	}
	for _, c := range cases {
		b := quantileBreaks(c.values, c.classes, c.capTop)
		if !slices.Equal(b.Breaks, c.want) || b.Capped != c.capped || b.Classes != max(len(c.want)-1, 0) && len(c.want) > 0 {
			t.Errorf("%s: breaks %v (%d classes) capped %v; want %v capped %v", c.name, b.Breaks, b.Classes, b.Capped, c.want, c.capped)
		}
		if !slices.Equal(b.Highest, c.highest) {
			t.Errorf("%s: highest in each class %v, want %v", c.name, b.Highest, c.highest)
		}
		if c.capped && (b.Cap != 199 || b.Max != 10000) {
			t.Errorf("%s: cap %v, max %v", c.name, b.Cap, b.Max)
		}
		if len(c.values) == 0 && (!math.IsNaN(b.Min) || !math.IsNaN(b.Max)) {
			t.Errorf("%s: min %v max %v", c.name, b.Min, b.Max)
		}
	}
	if b := quantileBreaks([]float64{0, 0, 0, 0, 0, 0, 0.5, 1, 2, 4}, 3, true); b.Note != "0 alone makes a class: 60% of the cells have it" {
		t.Errorf("zero inflated: note %q", b.Note)
	}
}

func TestBreaksOfARun(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	set := NewSet(tablesOf(t, run), areas, programs, NewCache(1<<20), NewDataCache(64<<20))
	b, err := set.Breaks(context.Background(), "", "math", "access", 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	// SYN05 has no youth figure; the breaks count only the cells with one.
	k := run.SeriesIndex("", "math")
	var values []float64
	for i, d := range run.Cells.Demand {
		if !math.IsNaN(d) {
			values = append(values, run.Cells.Measures[k].Access[i])
		}
	}
	if !b.HasNoData || b.Cells != len(values) || b.Min != slices.Min(values) || len(b.Breaks) < 2 {
		t.Errorf("breaks %+v over %d cells", b, len(values))
	}
	for _, bad := range []struct {
		property string
		classes  int
	}{{"desert", 5}, {"access", 2}, {"access", 10}} {
		if _, err := set.Breaks(context.Background(), "", "math", bad.property, bad.classes, 0); !errors.Is(err, ErrBadBreaks) {
			t.Errorf("%s in %d classes: %v", bad.property, bad.classes, err)
		}
	}
}

// The set keeps a legend's breaks: asked again, alone or by many at once, it reads no piece of
// the run, though its data cache keeps nothing, and answers the same.
func TestBreaksKept(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	counting := &countingTables{RunTables: tablesOf(t, run)}
	set := NewSet(counting, areas, programs, nil, NewDataCache(0))
	reads := func() int64 { return counting.cells.Load() + counting.series.Load() }
	first, err := set.Breaks(context.Background(), "", "math", "access", 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	once := reads()
	if once == 0 {
		t.Fatal("the first call read no piece of the run")
	}
	again, err := set.Breaks(context.Background(), "", "math", "access", 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := reads() - once; n != 0 {
		t.Errorf("the second identical call read %d pieces", n)
	}
	if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", first) {
		t.Errorf("kept %+v, computed %+v", again, first)
	}
	// Another classing is its own legend: computed, not taken from the first.
	if other, err := set.Breaks(context.Background(), "", "math", "access", 5, 0); err != nil || other.Asked != 5 || reads() == once {
		t.Errorf("5 classes: %+v, %v, %d reads", other, err, reads()-once)
	}

	// Many asking at once, on a fresh set, compute once: as many reads as one call.
	counting = &countingTables{RunTables: tablesOf(t, run)}
	set = NewSet(counting, areas, programs, nil, NewDataCache(0))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b, err := set.Breaks(context.Background(), "", "math", "access", 4, 0); err != nil || fmt.Sprintf("%+v", b) != fmt.Sprintf("%+v", first) {
				t.Errorf("concurrent: %+v, %v", b, err)
			}
		}()
	}
	wg.Wait()
	if n := reads(); n != once {
		t.Errorf("8 concurrent calls read %d pieces, one call %d", n, once)
	}
}
