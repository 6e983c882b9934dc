package server

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"
)

func TestBreaksAPIAgainstASort(t *testing.T) {
	srv, run := newTestServer(t)
	k := run.SeriesIndex("", "math")
	m := run.Cells.Measures[k]
	for _, c := range []struct {
		property string
		classes  int
		value    func(i int) float64
	}{
		{"access", 5, func(i int) float64 { return m.Access[i] }},
		{"gap", 4, func(i int) float64 { return m.Gap[i] }},
		{"nearest", 9, func(i int) float64 { return m.Nearest[i] }},
		{"count", 3, func(i int) float64 { return float64(m.Count[i]) }},
	} {
		resp, body := get(t, fmt.Sprintf("%s/api/breaks?content=math&property=%s&classes=%d", srv.URL, c.property, c.classes))
		var got struct {
			Property, Method, Note string
			WeightedBy             string `json:"weighted_by"`
			Classes                int
			Breaks                 []float64
			Min, Max, Cap          *float64
			Capped, TooFew         bool
			HasNoData              bool `json:"has_no_data"`
		}
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.property, resp.StatusCode, body)
		}
		var values []float64
		for i, d := range run.Cells.Demand {
			if v := c.value(i); !math.IsNaN(d) && !math.IsNaN(v) && !math.IsInf(v, 0) {
				values = append(values, v)
			}
		}
		slices.Sort(values)
		n := len(values)
		want, capped := bruteBreaks(values, c.classes, c.property != "gap")
		top := want[len(want)-1]
		if !slices.Equal(got.Breaks, want) || got.Classes != len(want)-1 || got.Capped != capped || *got.Min != values[0] || *got.Max != values[n-1] ||
			got.Method != "quantiles" || got.WeightedBy != "cells with a demand figure" || got.HasNoData || got.Property != c.property {
			t.Errorf("%s: %s\nwant breaks %v, capped %v", c.property, body, want, capped)
		}
		if capped != (got.Cap != nil) || capped && *got.Cap != top {
			t.Errorf("%s: cap %v, want %v", c.property, got.Cap, top)
		}
	}
	for _, q := range []string{"property=desert", "property=", "property=access&classes=2", "property=access&classes=10", "property=access&classes=x", "property=access&content=astrology"} {
		if resp, body := get(t, srv.URL+"/api/breaks?"+q); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

// bruteBreaks is the quantile breaks of sorted values by brute force, counting rather than
// indexing: from the bottom, each class takes an equal share (rounded up) of the cells not yet
// classed; the next break is the least value above the last with at least that many more cells
// below it. The top break is the greatest value, or with capTop the 99th percentile (the least
// value with 99% at or below it) when that lies between the top class's start and the greatest.
func bruteBreaks(values []float64, classes int, capTop bool) ([]float64, bool) {
	n := len(values)
	below := func(v float64) (lt, le int) {
		for _, w := range values {
			if w < v {
				lt++
			}
			if w <= v {
				le++
			}
		}
		return lt, le
	}
	want := []float64{values[0]}
	classed := 0
	for left := classes; left > 1; left-- {
		share := (n - classed + left - 1) / left
		found := false
		for _, v := range values {
			if lt, _ := below(v); v > want[len(want)-1] && lt >= classed+share {
				want, classed, found = append(want, v), lt, true
				break
			}
		}
		if !found {
			break
		}
	}
	top, capped := values[n-1], false
	for _, v := range values {
		if _, le := below(v); float64(le) >= 0.99*float64(n)-1e-9 {
			if capTop && v < top && v > want[len(want)-1] {
				top, capped = v, true
			}
			break
		}
	}
	return append(want, top), capped
}

// TestBreaksAtACoarseResolution: the classes of a coarser level are those of its hexagons as
// /api/cells gives them (unmet seats summed, the rest weighted by youth), not of the run's own.
func TestBreaksAtACoarseResolution(t *testing.T) {
	srv, run := newTestServer(t)
	own := run.Resolution
	res := own - 1
	var parents []h3.Cell
	for _, c := range run.Cells.H3 {
		p, err := c.Parent(res)
		if err != nil {
			t.Fatal(err)
		}
		parents = append(parents, p)
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)
	type breaksOf struct {
		Res       int
		Breaks    []float64
		Capped    bool
		Cells     int
		HasNoData bool `json:"has_no_data"`
	}
	ask := func(q string) (breaksOf, int, string) {
		resp, body := get(t, srv.URL+"/api/breaks?content=math&"+q)
		var got breaksOf
		if resp.StatusCode == 200 {
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
		}
		return got, resp.StatusCode, string(body)
	}
	for _, property := range []string{"unmet", "access", "nearest"} {
		var values []float64
		noData := false
		for _, p := range parents {
			_, body := get(t, fmt.Sprintf("%s/api/cells/%s?content=math", srv.URL, p))
			var c map[string]any
			if err := json.Unmarshal(body, &c); err != nil {
				t.Fatalf("%s: %s", p, body)
			}
			if c["nodata"] == true {
				noData = true
				continue
			}
			if v, ok := c[property].(float64); ok {
				values = append(values, v)
			}
		}
		slices.Sort(values)
		want, capped := bruteBreaks(values, 5, property != "gap")
		got, code, body := ask(fmt.Sprintf("property=%s&classes=5&res=%d", property, res))
		if code != 200 || got.Res != res || !slices.Equal(got.Breaks, want) || got.Capped != capped || got.Cells != len(values) || got.HasNoData != noData {
			t.Errorf("%s at resolution %d over %d hexagons: %d %s\nwant breaks %v, capped %v, no data %v", property, res, len(values), code, body, want, capped, noData)
		}
	}
	// Summed unmet seats reach higher at the coarser level than any one cell of the run's.
	fine, _, _ := ask("property=unmet&classes=5")
	coarse, _, _ := ask(fmt.Sprintf("property=unmet&classes=5&res=%d", res))
	if fine.Res != own || !(coarse.Breaks[len(coarse.Breaks)-1] > fine.Breaks[len(fine.Breaks)-1]) {
		t.Errorf("unmet seats: resolution %d breaks %v, resolution %d (the run's) %v", res, coarse.Breaks, fine.Res, fine.Breaks)
	}
	for _, q := range []string{"res=3", fmt.Sprintf("res=%d", own+1), "res=x", "res=-1", "res=0"} {
		if _, code, body := ask("property=unmet&" + q); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}
