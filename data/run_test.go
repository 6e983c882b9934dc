package data

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"
)

// A series too thin to judge has no desert share: its summary still writes and reads back as
// JSON, with null where the figure does not exist.
func TestContentAreaJSONKeepsMissingFigures(t *testing.T) {
	in := ContentArea{Setting: "out_of_school", Name: "science", Programs: 3, TooFew: true, MinPrograms: 10,
		MeanAccess: 0.25, Target: 0.25, DemandTotal: 1200, DesertYouth: math.NaN(), DesertShare: math.NaN()}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["desert_share"] != nil || raw["mean_access"] != 0.25 || raw["setting"] != "out_of_school" || raw["too_few"] != true {
		t.Fatalf("JSON %s", b)
	}
	var out ContentArea
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(out.DesertShare) || !math.IsNaN(out.DesertYouth) || out.MeanAccess != 0.25 || out.Name != "science" || out.MinPrograms != 10 {
		t.Fatalf("read back %+v", out)
	}
}

// Append keeps series that share their columns sharing them while the rows it is given share
// them too, and parts them, every series keeping its own rows, when the rows do not — even where
// the shared arrays have room to grow in place.
func TestAppendKeepsSharedSeriesApart(t *testing.T) {
	shared := func(n, room int, v float64) *CellTable {
		m := CellMeasures{Nearest: make([]float64, n, room), Count: make([]int32, n, room), Access: make([]float64, n, room),
			Unmet: make([]float64, n, room), Gap: make([]float64, n, room), Desert: make([]int8, n, room)}
		for i := range n {
			m.Access[i] = v
		}
		return &CellTable{H3: make([]h3.Cell, n), Lat: make([]float64, n), Lng: make([]float64, n), Demand: make([]float64, n),
			Area: make([]int32, n), Need: make([]float64, n), Urban: make([]bool, n), Measures: []CellMeasures{m, m}}
	}
	tab := shared(3, 16, 1)
	tab.Append(shared(2, 2, 2))
	if &tab.Measures[0].Access[0] != &tab.Measures[1].Access[0] {
		t.Error("series sharing their columns in every part no longer share them")
	}
	apart := shared(2, 2, 3)
	apart.Measures[1] = shared(2, 2, 4).Measures[1]
	tab.Append(apart)
	tab.Append(shared(1, 1, 5))
	want := [][]float64{{1, 1, 1, 2, 2, 3, 3, 5}, {1, 1, 1, 2, 2, 4, 4, 5}}
	for k, w := range want {
		if got := tab.Measures[k].Access; !slices.Equal(got, w) {
			t.Errorf("series %d: %v, want %v", k, got, w)
		}
	}
}
