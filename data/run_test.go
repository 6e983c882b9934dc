package data

import (
	"encoding/json"
	"math"
	"testing"
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
