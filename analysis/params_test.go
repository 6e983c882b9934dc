package analysis

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A config that sets only the catchment keeps σ, τ and the zones in proportion to it, and the
// run records the values it computed with.
func TestDerivedParametersFollowTheCatchment(t *testing.T) {
	printed := DefaultParams().JSON()
	for _, key := range []string{`"sigma": null`, `"tau": null`, `"steps": null`} {
		if !bytes.Contains(printed, []byte(key)) {
			t.Errorf("printed parameters lack %s:\n%s", key, printed)
		}
	}
	edited := bytes.Replace(printed, []byte(`"catchment": 8`), []byte(`"catchment": 12`), 1)
	p := DefaultParams()
	if err := DecodeParams(bytes.NewReader(edited), &p); err != nil {
		t.Fatal(err)
	}
	m := p.Resolved().Measure
	if m.Sigma != 6 || m.Tau != 12 || len(m.Steps) != 3 || m.Steps[0].Upto != 4 || m.Steps[1].Upto != 8 || m.Steps[2].Upto != 12 {
		t.Errorf("catchment 12 resolves to σ %v, τ %v, steps %+v; want 6, 12 and zones ending at 4, 8, 12", m.Sigma, m.Tau, m.Steps)
	}

	p.Measure.Kind, p.Resolution = MeasureRAAM, 8
	run := analyze(t, syntheticRegion(6, 10), p)
	var recorded Params
	if err := json.Unmarshal(run.Params, &recorded); err != nil {
		t.Fatal(err)
	}
	if r := recorded.Measure; r.Sigma != 6 || r.Tau != 12 || len(r.Steps) != 3 || r.Steps[2].Upto != 12 {
		t.Errorf("run records σ %v, τ %v, steps %+v; want the resolved 6, 12, zones to 12", r.Sigma, r.Tau, r.Steps)
	}
}

// Zones set by hand must cover the catchment exactly: a zone beyond it, or zones ending short
// of it, are errors naming the parameter.
func TestStepsMustEndAtTheCatchment(t *testing.T) {
	for _, c := range []struct {
		steps []Step
		want  string
	}{
		{[]Step{{4, 1}, {8, 0.68}, {12, 0.22}}, "measure.steps[2].upto 12 lies beyond measure.catchment 8"},
		{[]Step{{2, 1}, {4, 0.68}, {6, 0.22}}, "measure.steps end at 6, short of measure.catchment 8"},
	} {
		p := DefaultParams()
		p.Measure.Decay, p.Measure.Steps = DecayStepped, c.steps
		err := p.Resolved().Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("steps %+v: error %v, want one saying %q", c.steps, err, c.want)
		}
	}
	p := DefaultParams()
	p.Measure.Decay, p.Measure.Steps = DecayStepped, []Step{{3, 1}, {8, 0.5}}
	if err := p.Resolved().Validate(); err != nil {
		t.Errorf("zones ending at the catchment: %v", err)
	}
}

func TestVariantAppliesTo3SFCAAndRAAMOnly(t *testing.T) {
	p := DefaultParams()
	p.Measure.Variant = VariantPySAL
	if err := p.Resolved().Validate(); err == nil || !strings.Contains(err.Error(), "measure.variant pysal applies to 3sfca and raam only, not e2sfca") {
		t.Errorf("pysal variant of e2sfca: %v", err)
	}
	p.Measure.Variant = "frob"
	if err := p.Resolved().Validate(); err == nil || !strings.Contains(err.Error(), `measure.variant "frob"`) {
		t.Errorf("unknown variant: %v", err)
	}
}
