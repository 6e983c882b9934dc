package postgis

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/analysis"
	"stemgap/data"
)

// syntheticWideRun analyses a SYNTHETIC region (not real data) two degrees wide at resolution 7,
// wide enough to span several H3 resolution-3 cells.
func syntheticWideRun(t *testing.T) (*data.Run, *data.Inputs) {
	t.Helper()
	r := rand.New(rand.NewPCG(21, 22))
	var in analysis.Inputs
	for i := 0; i < 20; i++ {
		x, y := -91.4+0.1*float64(i), 38.2+0.05*float64(i%5)
		a := data.Area{ID: fmt.Sprintf("290990%05d", i), LandKm2: 90,
			Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.1, y}, {x + 0.1, y + 0.3}, {x, y + 0.3}, {x, y}}}}}
		in.Areas = append(in.Areas, a)
		in.Demographics = append(in.Demographics, data.DemographicValue{AreaID: a.ID, Variable: "youth_pop", Value: float64(r.IntN(3000))})
	}
	for j := 0; j < 30; j++ {
		in.Programs = append(in.Programs, data.Program{ID: fmt.Sprintf("w%d", j), Capacity: 10, ContentAreas: []string{"math"},
			Location: orb.Point{-91.4 + 2*r.Float64(), 38.2 + 0.5*r.Float64()}})
	}
	p := analysis.DefaultParams()
	p.Resolution = 7
	run, err := analysis.Analyze(context.Background(), in, p, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run, &data.Inputs{Areas: in.Areas, Demographics: in.Demographics, Programs: in.Programs}
}

func gobBytes(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The run tables lead with h3_r3 so that they can be list-partitioned (or distributed with
// Citus) without a schema change. Here they are turned into list-partitioned tables, one
// partition per resolution-3 cell of the run plus a default, and the store works unchanged.
func TestRunTablesPartitionOnTheirResolution3Parent(t *testing.T) {
	s := openFresh(t)
	defer s.Close()
	ctx := context.Background()
	run, inputs := syntheticWideRun(t)
	keys := map[int64]bool{}
	for _, c := range run.Cells.H3 {
		p, _ := c.Parent(partitionResolution)
		keys[int64(p)] = true
	}
	if len(keys) < 2 {
		t.Fatalf("the synthetic region spans %d resolution-3 cells; want several", len(keys))
	}
	for _, table := range []string{"cells", "tract_results"} {
		stmts := []string{
			"DROP VIEW cell_gaps, tract_gaps",
			fmt.Sprintf("ALTER TABLE %[1]s RENAME TO %[1]s_plain", table),
			fmt.Sprintf("CREATE TABLE %[1]s (LIKE %[1]s_plain INCLUDING ALL) PARTITION BY LIST (h3_r3)", table),
			fmt.Sprintf("ALTER TABLE %[1]s ADD FOREIGN KEY (run_id) REFERENCES analysis_runs (id) ON DELETE CASCADE", table),
			fmt.Sprintf("DROP TABLE %s_plain", table),
			fmt.Sprintf("CREATE TABLE %[1]s_other PARTITION OF %[1]s DEFAULT", table),
		}
		if table == "tract_results" {
			stmts = stmts[1:]
		}
		for k := range keys {
			stmts = append(stmts, fmt.Sprintf("CREATE TABLE %[1]s_%[2]x PARTITION OF %[1]s FOR VALUES IN (%[2]d)", table, k))
		}
		for _, q := range stmts {
			if _, err := s.pool.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	if err := s.SaveRun(ctx, run, inputs); err != nil {
		t.Fatal(err)
	}
	var partitions int
	if err := s.pool.QueryRow(ctx, "SELECT count(DISTINCT tableoid) FROM cells WHERE run_id = $1", run.ID).Scan(&partitions); err != nil {
		t.Fatal(err)
	}
	if partitions != len(keys) {
		t.Errorf("cells landed in %d partitions, want %d", partitions, len(keys))
	}
	var strays int
	s.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM cells_other) + (SELECT count(*) FROM tract_results_other)").Scan(&strays)
	if strays != 0 {
		t.Errorf("%d rows fell to the default partitions", strays)
	}
	got, err := s.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gobBytes(t, got.Cells), gobBytes(t, run.Cells)) || !bytes.Equal(gobBytes(t, got.Areas), gobBytes(t, run.Areas)) {
		t.Error("the run read back from partitioned tables differs")
	}
	// Deleting the run cascades into every partition.
	if _, err := s.pool.Exec(ctx, "DELETE FROM analysis_runs WHERE id = $1", run.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	s.pool.QueryRow(ctx, "SELECT count(*) FROM cells").Scan(&left)
	if left != 0 {
		t.Errorf("%d cells outlived their run", left)
	}
}
