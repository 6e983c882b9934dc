package analysis

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"stemgap/data/region"
)

// stLouisInputs loads the real St. Louis data from ../shared/data beside the project, as the demo
// maps it.
func stLouisInputs(tb testing.TB) Inputs {
	tb.Helper()
	l, err := region.LoadBuiltin("stlouis", filepath.Join("..", "..", "shared", "data"), time.Now())
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("St. Louis data not beside the project: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return Inputs{Areas: l.Areas, Demographics: l.Demographics, Programs: l.Programs, Records: l.Records}
}

// BenchmarkAnalyzeStLouis times the whole default method (E2SFCA, res 9) on the St. Louis MSA:
// 615 tracts, 1,495 sites and 29 robotics teams, about 200,000 cells.
func BenchmarkAnalyzeStLouis(b *testing.B) {
	in := stLouisInputs(b)
	p := DefaultParams()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(context.Background(), in, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
