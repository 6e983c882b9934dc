package analysis

import (
	"context"
	"math"
	"testing"

	"github.com/uber/h3-go/v4"
)

// handGrid is three cells with demand 100, 50 and 200, and two programs: A with 10 seats, at 2, 5
// and 9 km from the cells; B with 20 seats, at 7, 3 and 1 km. The catchment is 8 km, so A does
// not reach cell 2.
func handGrid(t *testing.T, p Params) *accessInputs {
	t.Helper()
	g := &grid{cells: make([]h3.Cell, 3), demand: []float64{100, 50, 200}}
	costs := [][]float64{{2, 5, 9}, {7, 3, 1}}
	rc := &reach{start: []int32{0}}
	for _, row := range costs {
		for i, c := range row {
			if c <= p.Measure.Catchment {
				rc.cell = append(rc.cell, int32(i))
				rc.cost = append(rc.cost, c)
			}
		}
		rc.start = append(rc.start, int32(len(rc.cell)))
	}
	rc.weigh(decayWeight(p.Resolved().Measure))
	return &accessInputs{g: g, reach: rc, programs: []int32{0, 1}, supply: []float64{10, 20}}
}

func closeTo(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func TestE2SFCAHandWorked(t *testing.T) {
	// W(d) = exp(−d²/(2σ²)), σ = d0/2 = 4, so W(d) = exp(−d²/32):
	//   W(2) = 0.8824969025845955, W(5) = 0.45783336177161427, W(7) = 0.2162651668298873,
	//   W(3) = 0.7548396019890073, W(1) = 0.9692332344763441.
	// R_A = 10 / (100·W(2) + 50·W(5))           = 10 / 111.1413… = 0.08997550640666885
	// R_B = 20 / (100·W(7) + 50·W(3) + 200·W(1)) = 20 / 253.2176… = 0.07898421756897757
	// A_0 = R_A·W(2) + R_B·W(7) = 0.0964846…; A_1 = R_A·W(5) + R_B·W(3) = 0.1008142…;
	// A_2 = R_B·W(1) = 0.0765541…; reported per 1,000 youth.
	p := testParams()
	got := twoStep(handGrid(t, p))
	closeTo(t, "E2SFCA", got, []float64{96.48464070184873, 100.8142039284488, 76.55412866696341})
	// Every seat reaches someone, so the demand-weighted access is total seats per 1,000:
	// (100·A_0 + 50·A_1 + 200·A_2) / 350 = 30 000 / 350.
	mean := (100*got[0] + 50*got[1] + 200*got[2]) / 350
	closeTo(t, "mean", []float64{mean}, []float64{30000.0 / 350})
}

func TestTwoSFCAHandWorked(t *testing.T) {
	// Binary catchment: R_A = 10/(100+50), R_B = 20/(100+50+200);
	// A_0 = A_1 = 1/15 + 2/35 = 0.1238095…, A_2 = 2/35.
	p := testParams()
	p.Measure.Kind = Measure2SFCA
	got := twoStep(handGrid(t, p))
	closeTo(t, "2SFCA", got, []float64{1000 * (10.0/150 + 20.0/350), 1000 * (10.0/150 + 20.0/350), 1000 * 20.0 / 350})
}

func TestThreeSFCAHandWorked(t *testing.T) {
	// Selection weights G_ij = W_ij / Σ_k W_ik: cell 0 splits W(2) : W(7), cell 1 W(5) : W(3),
	// cell 2 goes wholly to B. R_j = S_j / Σ_i G_ij·P_i·W_ij; A_i = Σ_j G_ij·R_j·W_ij.
	// Worked through in full: A = 0.09297376678787239, 0.06414270787493736, 0.08747743963732947.
	p := testParams()
	p.Measure.Kind = Measure3SFCA
	got, err := threeStep(context.Background(), handGrid(t, p), p.Resolved().Measure, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "3SFCA", got, []float64{92.97376678787239, 64.14270787493736, 87.47743963732947})
}

func TestGravityHandWorked(t *testing.T) {
	// f(d) = max(d, 0.5)^−1: A's ratio 10/(100/2 + 50/5) = 1/6, B's 20/(100/7 + 50/3 + 200/1).
	p := testParams()
	p.Measure.Kind = MeasureGravity
	rb := 20 / (100.0/7 + 50.0/3 + 200.0)
	want := []float64{1000 * (1.0/6/2 + rb/7), 1000 * (1.0/6/5 + rb/3), 1000 * rb}
	closeTo(t, "gravity", twoStep(handGrid(t, p)), want)
}

func TestCumulativeAndCountsHandWorked(t *testing.T) {
	p := testParams()
	p.Measure.Kind = MeasureCumulative
	in := handGrid(t, p)
	closeTo(t, "cumulative", cumulative(in), []float64{30, 30, 20})
	if c := in.counts(); c[0] != 2 || c[1] != 2 || c[2] != 1 {
		t.Errorf("counts = %v, want [2 2 1]", c)
	}
}

func TestDecayFunctions(t *testing.T) {
	m := testParams().Resolved().Measure // catchment 8
	m.Decay = DecayStepped
	w := decayWeight(m)
	// PySAL's zones: up to 8/3 km weigh 1, up to 16/3 weigh 0.68, up to 8 weigh 0.22; a cost equal
	// to a zone's limit belongs to it.
	for _, c := range []struct{ d, want float64 }{{0, 1}, {8.0 / 3, 1}, {3, 0.68}, {16.0 / 3, 0.68}, {6, 0.22}, {8, 0.22}, {8.01, 0}} {
		if got := w(c.d); got != c.want {
			t.Errorf("stepped W(%v) = %v, want %v", c.d, got, c.want)
		}
	}
	m.Decay = DecayLinear
	if got := decayWeight(m)(2); got != 0.75 {
		t.Errorf("linear W(2) = %v, want 1 − 2/8", got)
	}
	m.Decay = DecayNone
	if got := decayWeight(m)(7.9); got != 1 {
		t.Errorf("no decay W(7.9) = %v", got)
	}
}

func TestRAAMHandWorked(t *testing.T) {
	// One cell of 10 youth between programs X (5 seats, cost 0) and Y (5 seats, cost 1), τ = 1.
	// ρ = 10/10, so congestion is the load over 5. The youth settle where X and Y cost the same:
	// x/5 + 0 = (10 − x)/5 + 1, x = 7.5, and RAAM = 7.5/5 = 1.5.
	g := &grid{cells: make([]h3.Cell, 1), demand: []float64{10}}
	in := &accessInputs{g: g, reach: &reach{start: []int32{0, 1, 2}, cell: []int32{0, 0}, cost: []float64{0, 1}}, programs: []int32{0, 1}, supply: []float64{5, 5}}
	got, err := raam(context.Background(), in, MeasureParams{Tau: 1, Variant: VariantStemgap}, []int32{0}, []float64{0})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "RAAM", got, []float64{1.5})
}

func TestPercentileRanks(t *testing.T) {
	// SVI's PERCENTRANK.INC: values below / (n − 1); ties share the lower rank.
	got := percentileRanks([]float64{10, 30, 20, 30, math.NaN(), 0})
	want := []float64{0.25, 0.75, 0.5, 0.75, math.NaN(), 0}
	for i := range want {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("rank[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}
