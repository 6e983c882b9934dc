package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"stemgap/data"
)

// RunShared runs the checks that need several handles on one store, as separate processes have.
// open returns a new, empty store for each subtest and a function that opens another handle on it.
func RunShared(t *testing.T, open func(t *testing.T) func() data.Store) {
	t.Run("concurrent ingests claiming one program id", func(t *testing.T) { claimOneID(t, open(t)) })
	t.Run("concurrent ingests of two sources both land", func(t *testing.T) { twoSources(t, open(t)) })
	t.Run("snapshots while ingesting", func(t *testing.T) { snapshotsWhileIngesting(t, open(t)) })
}

// both runs two ingests at once, each through its own handle, and returns their errors.
func both(handles func() data.Store, a, b data.Ingest) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, in := range []data.Ingest{a, b} {
		s := handles()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			<-start
			errs[i] = s.Ingest(ctx, in)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// Defect 3 of issue 12: two sources loading one program id at the same time could both pass the
// ownership check, and one silently took the other's program. Exactly one may win.
func claimOneID(t *testing.T, handles func() data.Store) {
	s := handles()
	defer s.Close()
	const rounds = 10
	for r := 0; r < rounds; r++ {
		shared := fmt.Sprintf("shared-%d", r)
		one := programsIngest(fmt.Sprintf("one-%d.csv", r), fmt.Sprintf("one-%d", r), shared)
		two := programsIngest(fmt.Sprintf("two-%d.csv", r), fmt.Sprintf("two-%d", r), shared)
		errs := both(handles, one, two)
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: both ingests claiming %s ended alike: %v; %v", r, shared, errs[0], errs[1])
		}
		winner, loser := one, two
		if errs[0] != nil {
			winner, loser = two, one
		}
		lost := errs[0]
		if lost == nil {
			lost = errs[1]
		}
		if !strings.Contains(lost.Error(), "already loaded from source "+winner.Record.Source) {
			t.Errorf("round %d: the losing ingest should name the owner %s: %v", r, winner.Record.Source, lost)
		}
		progs, err := s.Programs(ctx)
		must(t, err)
		owner := map[string]string{}
		for _, p := range progs {
			owner[p.ID] = p.Source
		}
		if owner[shared] != winner.Record.Source || owner[loser.Programs[0].ID] != "" || owner[winner.Programs[0].ID] != winner.Record.Source {
			t.Errorf("round %d: %s won, yet the programs' sources are %v", r, winner.Record.Source, owner)
		}
		recs, err := s.Ingests(ctx)
		must(t, err)
		if !hasRecord(recs, winner.Record.Source) || hasRecord(recs, loser.Record.Source) {
			t.Errorf("round %d: %s won, yet the ingest records are %+v", r, winner.Record.Source, recs)
		}
	}
}

func hasRecord(recs []data.IngestRecord, source string) bool {
	return slices.ContainsFunc(recs, func(r data.IngestRecord) bool { return r.Source == source })
}

// Two writers of one kind are serialised, not lost: both sources are loaded with their records.
func twoSources(t *testing.T, handles func() data.Store) {
	s := handles()
	defer s.Close()
	const rounds = 10
	for r := 0; r < rounds; r++ {
		x := programsIngest(fmt.Sprintf("x-%d.csv", r), fmt.Sprintf("x-%d", r))
		y := programsIngest(fmt.Sprintf("y-%d.csv", r), fmt.Sprintf("y-%d", r))
		for _, err := range both(handles, x, y) {
			must(t, err)
		}
		progs, err := s.Programs(ctx)
		must(t, err)
		recs, err := s.Ingests(ctx)
		must(t, err)
		if len(progs) != 2*(r+1) || len(recs) != 2*(r+1) {
			t.Fatalf("round %d: after %d pairs of ingests the store holds %d programs and %d records", r, r+1, len(progs), len(recs))
		}
	}
}

// Defect 2 of issue 12, at the store: while one writer swaps a source between two versions (and
// another the youth counts), every snapshot holds the rows of the versions its records name.
func snapshotsWhileIngesting(t *testing.T, handles func() data.Store) {
	s := handles()
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200")))
	two := programsIngest("swap.csv", "s1", "s2")
	three := programsIngest("swap.csv", "t1", "t2", "t3")
	three.Record.SHA256 = strings.Repeat("f", 64)
	few := demographicsIngest("swap-demo.csv", map[string]float64{"youth_pop": 10}, "29510000100", "29510000200")
	many := demographicsIngest("swap-demo.csv", map[string]float64{"youth_pop": 1000}, "29510000100", "29510000200")
	many.Record.SHA256 = strings.Repeat("9", 64)
	programs := map[string]int{two.Record.SHA256: 2, three.Record.SHA256: 3}
	youth := map[string]float64{few.Record.SHA256: 10, many.Record.SHA256: 1000}
	must(t, s.Ingest(ctx, two))
	must(t, s.Ingest(ctx, few))

	done := make(chan struct{})
	var wg sync.WaitGroup
	swap := func(a, b data.Ingest) {
		defer wg.Done()
		w := handles()
		defer w.Close()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := w.Ingest(ctx, []data.Ingest{b, a}[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}
	wg.Add(2)
	go swap(two, three)
	go swap(few, many)
	defer func() { close(done); wg.Wait() }()
	for round := 0; round < 40; round++ {
		snap, err := s.Snapshot(ctx)
		must(t, err)
		var progSHA, demoSHA string
		for _, r := range snap.Records {
			switch r.Kind {
			case data.KindPrograms:
				progSHA = r.SHA256
			case data.KindDemographics:
				demoSHA = r.SHA256
			}
		}
		if len(snap.Programs) != programs[progSHA] {
			t.Fatalf("round %d: the snapshot records programs %.8s (%d programs) but holds %d", round, progSHA, programs[progSHA], len(snap.Programs))
		}
		for _, v := range snap.Demographics {
			if v.Value != youth[demoSHA] && v.Value != youth[demoSHA]+1 {
				t.Fatalf("round %d: the snapshot records demographics %.8s (youth %g) but holds youth %g", round, demoSHA, youth[demoSHA], v.Value)
			}
		}
	}
}
