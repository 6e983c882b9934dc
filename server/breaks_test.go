package server

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
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
		// Brute force, counting rather than indexing: from the bottom, each class takes an equal
		// share (rounded up) of the cells not yet classed; the next break is the least value above
		// the last with at least that many more cells below it. The top break is the greatest
		// value, or the 99th percentile (the least value with 99% at or below it) when that lies
		// between the top class's start and the greatest.
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
		for left := c.classes; left > 1; left-- {
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
				if c.property != "gap" && v < top && v > want[len(want)-1] {
					top, capped = v, true
				}
				break
			}
		}
		want = append(want, top)
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
