package analysis

import (
	"context"
	"errors"
	"fmt"
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
// 615 tracts, 1,495 sites and 29 robotics teams, about 200,000 cells, with the default
// partitions, the whole region as one, and partitions by parents at resolutions 3 to 5.
func BenchmarkAnalyzeStLouis(b *testing.B) {
	in := stLouisInputs(b)
	p := DefaultParams()
	for _, res := range []int{0, -1, 3, 4, 5} {
		name := fmt.Sprintf("partitions=r%d", res)
		switch res {
		case 0:
			name = "partitions=default"
		case -1:
			name = "partitions=none"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Analyze(context.Background(), in, p, Options{PartitionResolution: res}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
