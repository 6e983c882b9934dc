package analysis

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// BenchmarkScenarioStLouis times one added program on the St. Louis MSA at resolution 9 (about
// 200,000 cells): the scenario recomputed incrementally on the run's model (its baselines
// measured beforehand, as a server holds them), against analysing the changed inputs in full.
func BenchmarkScenarioStLouis(b *testing.B) {
	in := stLouisInputs(b)
	p := DefaultParams()
	ctx := context.Background()
	run, err := Analyze(ctx, in, p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewModel(ctx, run, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs})
	if err != nil {
		b.Fatal(err)
	}
	// A 60-seat out-of-school engineering program in north St. Louis city.
	sc := Scenario{Add: []data.Program{{Name: "Benchmark program", Location: orb.Point{-90.2290, 38.6840}, ContentAreas: []string{"engineering"}, Setting: "out_of_school", Capacity: 60}}}
	if _, err := m.Scenario(ctx, sc); err != nil {
		b.Fatal(err)
	}
	b.Run("incremental", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := m.Scenario(ctx, sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	changed := applyScenario(in, sc)
	b.Run("full", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := Analyze(ctx, changed, p, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU reports the process's CPU time per operation beside the wall time: on a machine
// shared with other work, wall time measures the others too.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
