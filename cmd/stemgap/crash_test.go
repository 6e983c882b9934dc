package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"stemgap/data"
)

// TestMain lets the crash test run this test binary as the stemgap command, so that it can kill
// a real process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("STEMGAP_TEST_AS_CLI") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// crashRounds is how many times each command is killed on each store.
const crashRounds = 24

// killer decides when to SIGKILL a command.
type killer struct {
	rng *rand.Rand
	// full is how long the command takes when left alone.
	full time.Duration
	// watch, when set, is a directory tree whose renames mark the store's commit steps: some
	// kills land right after a random one of the renames the command made when left alone.
	watch   string
	renames int
}

// outcome is how a round ended.
type outcome int

const (
	finished       outcome = iota // the command ended before the kill
	killedEarly                   // killed at a random time
	killedAtRename                // killed right after one of its renames
)

// runKilled starts the command and kills it; it reports how.
func (k *killer) runKilled(t *testing.T, args []string) outcome {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STEMGAP_TEST_AS_CLI=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var renames <-chan struct{}
	var stopWatch func()
	atRename := k.renames > 0 && k.rng.IntN(2) == 0
	nth := 1 + k.rng.IntN(max(k.renames, 1))
	if atRename {
		renames, stopWatch = watchRenames(t, k.watch)
		defer stopWatch()
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if !atRename {
		timer = time.After(time.Duration(k.rng.Int64N(int64(k.full) * 6 / 5)))
	}
	seen := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v exited on its own with %v:\n%s", args, err, stderr.String())
			}
			return finished
		case <-renames:
			if seen++; seen < nth {
				continue
			}
			cmd.Process.Kill()
			<-done
			return killedAtRename
		case <-timer:
			cmd.Process.Kill()
			if err := <-done; err == nil {
				return finished
			}
			return killedEarly
		}
	}
}

// watchRenames reports every file renamed into dir or its subdirectories (inotify IN_MOVED_TO).
func watchRenames(t *testing.T, dir string) (<-chan struct{}, func()) {
	t.Helper()
	// Non-blocking, so that the runtime's poller waits for events and Close ends a pending read.
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			syscall.InotifyAddWatch(fd, path, syscall.IN_MOVED_TO)
		}
		return nil
	})
	f := os.NewFile(uintptr(fd), "inotify")
	events := make(chan struct{}, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
				off += syscall.SizeofInotifyEvent + int(ev.Len)
				if ev.Mask&syscall.IN_MOVED_TO != 0 {
					events <- struct{}{}
				}
			}
		}
	}()
	return events, func() { f.Close() }
}

// calibrate runs a command to the end and notes how long it took and how many renames it made.
func (k *killer) calibrate(t *testing.T, args []string) {
	t.Helper()
	var renames <-chan struct{}
	if k.watch != "" {
		var stop func()
		renames, stop = watchRenames(t, k.watch)
		defer stop()
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "STEMGAP_TEST_AS_CLI=1")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	k.full = time.Since(start)
	for k.renames = 0; ; k.renames++ {
		select {
		case <-renames:
			continue
		case <-time.After(50 * time.Millisecond):
		}
		break
	}
}

// noTempFiles fails when a reopened embedded store still holds a temporary file.
func noTempFiles(t *testing.T, s storeUnderTest) {
	t.Helper()
	if s.name != "embedded" {
		return
	}
	filepath.WalkDir(s.flags[1], func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("temporary file %s is left after the store was opened again", path)
		}
		return nil
	})
}

type tally map[outcome]int

func (c tally) String() string {
	return fmt.Sprintf("%d finished, %d killed at a random time, %d killed right after a rename", c[finished], c[killedEarly], c[killedAtRename])
}

// The crash test of issue 12: `ingest` and `analyze` are killed with SIGKILL at random points —
// at random times, and on the embedded store also right after a random one of its renames — and
// the store, opened again, holds the old state or the new one, never a mix (defect 1: a kill
// between the data's rename and the records' left them out of step for good), and no temporary
// file (issue 12 item 9).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	const side = 10
	reg := writeSyntheticRegion(t, side, 3)
	sha := map[string]string{reg.ProgramsA: fileDigest(t, reg.ProgramsA), reg.ProgramsB: fileDigest(t, reg.ProgramsB)}
	ids := map[string][]string{reg.ProgramsA: reg.IDsA, reg.ProgramsB: reg.IDsB}
	eachStore(t, func(t *testing.T, s storeUnderTest) {
		for _, args := range reg.ingestArgs(reg.ProgramsA) {
			s.cli(t, args...)
		}
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
		watch := ""
		if s.name == "embedded" {
			watch = s.flags[1]
		}

		t.Run("ingest", func(t *testing.T) {
			current, other := reg.ProgramsA, reg.ProgramsB
			k := &killer{rng: rng, watch: watch}
			k.calibrate(t, append([]string{"ingest", "programs", other}, s.flags...))
			current, other = other, current
			counts := tally{}
			for round := 0; round < crashRounds; round++ {
				counts[k.runKilled(t, append([]string{"ingest", "programs", other}, s.flags...))]++
				store := s.open(t)
				progs, err := store.Programs(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				recs, err := store.Ingests(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				store.Close()
				var have []string
				for _, p := range progs {
					have = append(have, p.ID)
				}
				slices.Sort(have)
				var recorded string
				for _, r := range recs {
					if r.Kind == data.KindPrograms {
						recorded = r.SHA256
					}
				}
				switch {
				case recorded == sha[current] && slices.Equal(have, slices.Sorted(slices.Values(ids[current]))):
				case recorded == sha[other] && slices.Equal(have, slices.Sorted(slices.Values(ids[other]))):
					current, other = other, current
				default:
					t.Fatalf("round %d: a mix — the programs record says %.12s, the programs are %v", round, recorded, have)
				}
				noTempFiles(t, s)
			}
			t.Logf("%s ingest (%v, %d renames alone): %d rounds, %v; every one left the old or the new state", s.name, k.full.Round(time.Millisecond), k.renames, crashRounds, counts)
		})

		t.Run("analyze", func(t *testing.T) {
			params := [][]string{{"analyze", "--res", "9"}, {"analyze", "--res", "8"}}
			k := &killer{rng: rng, watch: watch}
			k.calibrate(t, append(params[1], s.flags...))
			k.calibrate(t, append(params[0], s.flags...))
			counts := tally{}
			for round := 0; round < crashRounds; round++ {
				store := s.open(t)
				before, err := store.Runs(context.Background())
				store.Close()
				if err != nil {
					t.Fatal(err)
				}
				counts[k.runKilled(t, append(params[round%2], s.flags...))]++
				store = s.open(t)
				after, err := store.Runs(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Fatalf("round %d: %d runs before, %d after", round, len(before), len(after))
				}
				changed := 0
				for _, info := range after {
					if !slices.ContainsFunc(before, func(b data.RunInfo) bool { return b.ID == info.ID && b.CreatedAt.Equal(info.CreatedAt) }) {
						changed++
					}
					run, err := store.Run(context.Background(), info.ID)
					if err != nil {
						t.Fatalf("round %d: run %s is listed but cannot be read: %v", round, info.ID, err)
					}
					if !run.CreatedAt.Equal(info.CreatedAt) || run.Cells.Len() == 0 || len(run.Areas) != side*side {
						t.Fatalf("round %d: a mix — run %s is listed as of %v, read as of %v with %d cells and %d areas",
							round, info.ID, info.CreatedAt, run.CreatedAt, run.Cells.Len(), len(run.Areas))
					}
					in, err := store.RunInputs(context.Background(), info.ID)
					if err != nil {
						t.Fatalf("round %d: the inputs of run %s cannot be read: %v", round, info.ID, err)
					}
					if len(in.Programs) != programsUsed(t, run) || len(in.Areas) != side*side || fmt.Sprint(in.Records) != fmt.Sprint(run.Inputs) {
						t.Fatalf("round %d: a mix — run %s analysed %d programs of records %v; its inputs hold %d programs, %d areas, records %v",
							round, info.ID, programsUsed(t, run), run.Inputs, len(in.Programs), len(in.Areas), in.Records)
					}
				}
				store.Close()
				if changed > 1 {
					t.Fatalf("round %d: %d runs changed", round, changed)
				}
				noTempFiles(t, s)
			}
			t.Logf("%s analyze (%v, %d renames alone): %d rounds, %v; every one left the old or the new state", s.name, k.full.Round(time.Millisecond), k.renames, crashRounds, counts)
		})
	})
}
