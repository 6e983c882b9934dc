package analysis

import (
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// The Food Access Research Atlas calls a tract low-access from "at least 33 percent" of its
// people far from a store; the default share is that 33%, as the reason text says, not a third.
// A tract of 100 cells (one young person each) with 33 desert cells is a desert.
func TestDesertShareIsTheAtlas33Percent(t *testing.T) {
	const n = 100
	g := &grid{cells: make([]h3.Cell, n), demand: make([]float64, n), areaCells: [][]int32{make([]int32, n)}}
	cr := &contentResult{name: "math", nearest: make([]float64, n), raw: make([]float64, n),
		cells: data.CellMeasures{Access: make([]float64, n), Gap: make([]float64, n), Desert: make([]int8, n)}}
	for i := 0; i < n; i++ {
		g.demand[i], g.areaCells[0][i], cr.nearest[i], cr.raw[i], cr.cells.Access[i] = 1, int32(i), 1, 10, 10
		if i < 33 {
			cr.nearest[i], cr.cells.Desert[i] = 5, data.DesertYes
		}
	}
	cc := cellContext{g: g, p: DefaultParams().Resolved(), need: make([]float64, n), urban: make([]bool, n)}
	for i := range cc.urban {
		cc.urban[i] = true
	}
	ac := &areaContext{cellContext: cc, areas: []data.Area{{ID: "A"}}, areaDemand: []float64{n}, areaNeed: []float64{0},
		areaUrban: []bool{true}, urbanBasis: []string{"urban flag"}, noun: "youth", unit: "km"}
	out, _ := ac.rollup(cr)
	if !out[0].Desert {
		t.Errorf("33 of 100 youth in desert cells: not a desert (%s)", out[0].Reason)
	}
	for _, want := range []string{"33 of 100 youth (33%)", "from 500 youth or 33% of them", "adapted from the USDA Food Access Research Atlas"} {
		if !strings.Contains(out[0].Reason, want) {
			t.Errorf("reason %q lacks %q", out[0].Reason, want)
		}
	}
}
