package runfile

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/uber/h3-go/v4"
	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/region"
	"stemgap/geo"
)

// syntheticRun is a SYNTHETIC run (not real data): two disks of resolution-9 cells in different
// resolution-3 partitions, one of them bigger than a block, with every kind of value a run holds —
// NaN, ±Inf, negative zero — series that repeat others wholly or in part, and centers that are
// the cells' own or, for some cells, not.
func syntheticRun(t testing.TB) *data.Run {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	var cells []h3.Cell
	for _, center := range []h3.LatLng{{Lat: 38.6, Lng: -90.2}, {Lat: 40.1, Lng: -88.2}} {
		c, _ := h3.LatLngToCell(center, 9)
		disk, err := c.GridDisk(80)
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, disk...)
	}
	slices.Sort(cells)
	cells = slices.Compact(cells)
	n := len(cells)
	run := &data.Run{RunInfo: data.RunInfo{ID: "feed000000000001", CreatedAt: time.Date(2026, 11, 26, 12, 0, 0, 1, time.UTC), Software: "synthetic",
		Params: []byte(`{"resolution":9}`), Resolution: 9, Demand: "youth_pop", Measure: "e2sfca", CostUnit: "km",
		SettingGroups: []data.SettingGroup{{Name: "out_of_school", Settings: []string{"out_of_school"}}, {Name: "all"}}}}
	for _, g := range []string{"out_of_school", "all"} {
		for _, name := range []string{"math", "science", "all"} {
			run.ContentAreas = append(run.ContentAreas, data.ContentArea{Setting: g, Name: name, Programs: 3, MeanAccess: math.NaN()})
		}
	}
	run.Areas = []data.AreaResult{{ID: "a", Demand: math.NaN(), Measures: make([]data.AreaMeasures, len(run.ContentAreas))}, {ID: "b", Demand: 3}}
	run.Equity = []data.EquityRow{{Setting: "all", ContentArea: "math", Group: "all youth", Ratio: math.Inf(1)}}
	tab := &run.Cells
	tab.H3 = cells
	for i, c := range cells {
		p, _ := geo.CellCenter(c)
		lat, lng := p[1], p[0]
		if i%1000 == 7 {
			lat = math.Nextafter(lat, 90) // not the cell's own center: stored as given
		}
		tab.Lat, tab.Lng = append(tab.Lat, lat), append(tab.Lng, lng)
		demand := r.Float64() * 30
		if i%17 == 0 {
			demand = math.NaN()
		}
		tab.Demand = append(tab.Demand, demand)
		tab.Area = append(tab.Area, int32(i%2))
		tab.Need = append(tab.Need, math.Copysign(0, -1)+float64(i%5)/4)
		tab.Urban = append(tab.Urban, i%3 == 0)
	}
	for k := range run.ContentAreas {
		m := data.CellMeasures{Nearest: make([]float64, n), Count: make([]int32, n), Access: make([]float64, n),
			Unmet: make([]float64, n), Gap: make([]float64, n), Desert: make([]int8, n)}
		for i := 0; i < n; i++ {
			m.Nearest[i] = r.ExpFloat64() * 5
			if i%31 == 0 {
				m.Nearest[i] = math.Inf(1)
			}
			m.Count[i] = int32(r.IntN(40))
			m.Access[i] = r.Float64()
			m.Unmet[i], m.Gap[i] = math.NaN(), r.Float64()
			m.Desert[i] = int8(r.IntN(3) - 1)
		}
		if k == 3 {
			// The same content area in the other group: wholly the same figures.
			prev := tab.Measures[0]
			m.Nearest, m.Access, m.Gap = slices.Clone(prev.Nearest), slices.Clone(prev.Access), slices.Clone(prev.Gap)
		}
		if k == 4 {
			for i := 0; i < n; i += 2 {
				m.Nearest[i] = tab.Measures[1].Nearest[i] // half the same
			}
		}
		tab.Measures = append(tab.Measures, m)
	}
	return run
}

func gobBytes(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, run *data.Run) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), run.ID+".run")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, run); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Everything comes back bit for bit: gob encodes floats by their bits, so equal encodings mean
// equal bits, NaN payloads and negative zeros included.
func TestRoundTripIsExact(t *testing.T) {
	run := syntheticRun(t)
	r, err := Open(writeFile(t, run))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := data.ReadRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gobBytes(t, got), gobBytes(t, run)) {
		t.Fatal("the run read back differs from the run written")
	}
	blocks := r.Blocks()
	partitions := map[h3.Cell]bool{}
	rows := 0
	for i, b := range blocks {
		partitions[b.Partition] = true
		if b.Start != rows || b.Len > data.BlockCells {
			t.Errorf("block %d starts at %d with %d rows", i, b.Start, b.Len)
		}
		rows += b.Len
		for _, c := range run.Cells.H3[b.Start : b.Start+b.Len] {
			if p, _ := c.Parent(3); p != b.Partition {
				t.Fatalf("block %d (partition %s) holds cell %s of partition %s", i, b.Partition, c, p)
			}
			boundary, _ := h3.CellToBoundary(c)
			for _, v := range boundary {
				if v.Lng < b.Bound.Min[0] || v.Lng > b.Bound.Max[0] || v.Lat < b.Bound.Min[1] || v.Lat > b.Bound.Max[1] {
					t.Fatalf("block %d's bound %v leaves out a corner of cell %s", i, b.Bound, c)
				}
			}
		}
	}
	if rows != run.Cells.Len() || len(partitions) < 2 || len(blocks) < 3 {
		t.Errorf("%d blocks over %d partitions hold %d of %d rows; want several blocks in at least two partitions", len(blocks), len(partitions), rows, run.Cells.Len())
	}
}

// A block read with some series has theirs and no other's.
func TestCellsReadsOnlyTheSeriesAsked(t *testing.T) {
	run := syntheticRun(t)
	r, err := Open(writeFile(t, run))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Series 3 is stored as series 0 XORed: reading it alone must follow the reference.
	b := len(r.Blocks()) - 1
	block := r.Blocks()[b]
	got, err := r.Cells(context.Background(), b, []int{3})
	if err != nil {
		t.Fatal(err)
	}
	want := run.Cells.Slice(block.Start, block.Start+block.Len, []int{3})
	if !bytes.Equal(gobBytes(t, got), gobBytes(t, want)) {
		t.Error("a block read with series 3 differs from the run's rows")
	}
	if got.Measures[0].Access != nil || got.Measures[3].Access == nil {
		t.Error("series other than the one asked for were read")
	}
	base, err := r.Base(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want.Lat, want.Lng, want.Measures = nil, nil, make([]data.CellMeasures, len(run.ContentAreas))
	if !bytes.Equal(gobBytes(t, base), gobBytes(t, want)) {
		t.Error("a block's base differs from the run's rows without centers and series")
	}
}

// The format earns its keep: the synthetic run's random figures barely compress, yet the copies
// and shared values cost almost nothing, and the centers, demand and flags little.
func TestRepeatedSeriesCostLittle(t *testing.T) {
	run := syntheticRun(t)
	whole, err := os.Stat(writeFile(t, run))
	if err != nil {
		t.Fatal(err)
	}
	distinct := *run
	distinct.ContentAreas = run.ContentAreas[:3]
	distinct.Cells.Measures = run.Cells.Measures[:3]
	three, err := os.Stat(writeFile(t, &distinct))
	if err != nil {
		t.Fatal(err)
	}
	// Series 3 copies series 0 but for count, unmet and desert; series 4 shares half its nearest.
	// Six series should cost well under twice three.
	if whole.Size() > 2*three.Size()*9/10 {
		t.Errorf("6 series take %d bytes, 3 take %d: the repeated series are not shared", whole.Size(), three.Size())
	}
}

// Files that are not run files, or are cut short, are refused with an error.
func TestRefusesDamagedFiles(t *testing.T) {
	path := writeFile(t, syntheticRun(t))
	b, _ := os.ReadFile(path)
	for name, damaged := range map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-5],
		"no footer": append(append([]byte{}, b[:100]...), b[len(b)-tail:]...),
		"not ours":  []byte("a CSV file, perhaps, long enough to hold a footer"),
	} {
		if _, err := NewReader(bytes.NewReader(damaged), int64(len(damaged)), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Runs computed in parts — one file per partition — join into the file the whole run makes.
func TestMergeJoinsParts(t *testing.T) {
	run := syntheticRun(t)
	whole, err := Open(writeFile(t, run))
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	var parts []*Reader
	var at []int // each part's first row
	for lo := 0; lo < run.Cells.Len(); {
		p, _ := data.PartitionOf(run.Cells.H3[lo])
		hi := lo
		for hi < run.Cells.Len() {
			if q, _ := data.PartitionOf(run.Cells.H3[hi]); q != p {
				break
			}
			hi++
		}
		part := *run
		part.Cells = *run.Cells.Slice(lo, hi, run.AllSeries())
		r, err := Open(writeFile(t, &part))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		parts, at = append(parts, r), append(at, lo)
		lo = hi
	}
	if len(parts) < 2 {
		t.Fatalf("%d partitions; want several", len(parts))
	}
	// The parts in reverse: the merged file follows the order given.
	slices.Reverse(parts)
	path := filepath.Join(t.TempDir(), "merged.run")
	f, _ := os.Create(path)
	if err := Merge(f, run, parts...); err != nil {
		t.Fatal(err)
	}
	f.Close()
	merged, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer merged.Close()
	got, err := data.ReadRun(context.Background(), merged)
	if err != nil {
		t.Fatal(err)
	}
	var want data.CellTable
	for i := len(at) - 1; i >= 0; i-- {
		hi := run.Cells.Len()
		if i+1 < len(at) {
			hi = at[i+1]
		}
		want.Append(run.Cells.Slice(at[i], hi, run.AllSeries()))
	}
	if !bytes.Equal(gobBytes(t, got.Cells), gobBytes(t, want)) || !bytes.Equal(gobBytes(t, got.RunInfo), gobBytes(t, run.RunInfo)) {
		t.Error("the merged run differs from its parts")
	}
	if err := Merge(io.Discard, run, parts[0], parts[0]); err == nil {
		t.Error("a partition given twice should be refused")
	}
}

// BenchmarkStLouis writes and reads the St. Louis run at resolution 9 from the real demo data,
// reporting the file's size beside gob's for the same run: the figure the README gives.
func BenchmarkStLouis(b *testing.B) {
	l, err := region.LoadBuiltin("stlouis", filepath.Join("..", "..", "..", "shared", "data"), time.Now())
	if err != nil {
		b.Skipf("St. Louis data: %v", err)
	}
	run, err := analysis.Analyze(context.Background(), analysis.Inputs{Areas: l.Areas, Demographics: l.Demographics, Programs: l.Programs, Records: l.Records},
		analysis.DefaultParams(), analysis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var file bytes.Buffer
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			file.Reset()
			if err := Write(&file, run); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(file.Len())/1e6, "MB/run")
		b.ReportMetric(float64(len(gobBytes(b, run)))/1e6, "gob-MB/run")
	})
	r, err := NewReader(bytes.NewReader(file.Bytes()), int64(file.Len()), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("read-one-series", func(b *testing.B) {
		for b.Loop() {
			for block := range r.Blocks() {
				if _, err := r.Series(context.Background(), block, 0); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// Overstated flags come back as written; a run without them is written in the shape files had
// before them, and reads back without them.
func TestOverstatedFlagsRoundTrip(t *testing.T) {
	plain := syntheticRun(t)
	r, err := Open(writeFile(t, plain))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, b := range r.foot.Blocks {
		if len(b.Cols) != 7+6*len(plain.ContentAreas) {
			t.Fatalf("a run without flags has %d columns a block", len(b.Cols))
		}
	}
	got, err := data.ReadRun(context.Background(), r)
	if err != nil || !bytes.Equal(gobBytes(t, got), gobBytes(t, plain)) || got.Cells.Measures[0].Overstated != nil {
		t.Fatalf("a run without flags reads back otherwise (%v)", err)
	}

	flagged := syntheticRun(t)
	for k := range flagged.Cells.Measures {
		m := &flagged.Cells.Measures[k]
		m.Overstated = make([]bool, flagged.Cells.Len())
		for i := range m.Overstated {
			m.Overstated[i] = (i+k)%7 == 0
		}
	}
	r2, err := Open(writeFile(t, flagged))
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	got, err = data.ReadRun(context.Background(), r2)
	if err != nil || !bytes.Equal(gobBytes(t, got), gobBytes(t, flagged)) {
		t.Fatalf("flags read back differ (%v)", err)
	}
	// Series 4 alone, from its block: the flags of series 4.
	b := r2.Blocks()[1]
	m, err := r2.Series(context.Background(), 1, 4)
	if err != nil || len(m.Overstated) != b.Len || m.Overstated[0] != ((b.Start+4)%7 == 0) || m.Overstated[3] != ((b.Start+3+4)%7 == 0) {
		t.Errorf("series 4 of block 1: %v", err)
	}

	flagged.Cells.Measures[2].Overstated = nil
	if err := Write(io.Discard, flagged); err == nil {
		t.Error("a run flagging some series only was written")
	}
}

// Rows given a few at a time, cut anywhere — inside a block, at a block's end, across the
// partitions — make the same file as the whole table given at once, byte for byte.
func TestWriterInPiecesWritesTheSameFile(t *testing.T) {
	run := syntheticRun(t)
	var whole bytes.Buffer
	if err := Write(&whole, run); err != nil {
		t.Fatal(err)
	}
	n := run.Cells.Len()
	second := slices.IndexFunc(run.Cells.H3, func(c h3.Cell) bool {
		p, _ := c.Parent(3)
		q, _ := run.Cells.H3[0].Parent(3)
		return p != q
	})
	all := make([]int, len(run.ContentAreas))
	for k := range all {
		all[k] = k
	}
	for _, cuts := range [][]int{
		{1, 2, 3},
		{data.BlockCells - 1, data.BlockCells, data.BlockCells + 1},
		{second - 1, second, second + 5, n - 1},
		{7, second + data.BlockCells, n},
	} {
		var b bytes.Buffer
		w, err := NewWriter(&b)
		if err != nil {
			t.Fatal(err)
		}
		lo := 0
		for _, hi := range append(cuts, n) {
			hi = min(max(hi, lo), n)
			if err := w.WriteCells(run.Cells.Slice(lo, hi, all)); err != nil {
				t.Fatal(err)
			}
			lo = hi
		}
		if err := w.Close(run); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), whole.Bytes()) {
			t.Errorf("cut at %v: %d bytes, differing from the %d of the whole table written at once", cuts, b.Len(), whole.Len())
		}
	}
}

// A run written as the analysis scores it, a partition at a time (partitions finer than the
// file's blocks, so that blocks span several), is the file of the same run analysed whole in
// memory and written at once, byte for byte. The real St. Louis demo data, at resolution 8.
func TestStreamedRunIsTheRunInMemory(t *testing.T) {
	l, err := region.LoadBuiltin("stlouis", filepath.Join("..", "..", "..", "shared", "data"), time.Now())
	if err != nil {
		t.Skipf("St. Louis data: %v", err)
	}
	in := analysis.Inputs{Areas: l.Areas, Demographics: l.Demographics, Programs: l.Programs, Records: l.Records}
	p := analysis.DefaultParams()
	p.Resolution = 8
	now := func() time.Time { return time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC) }
	whole, err := analysis.Analyze(context.Background(), in, p, analysis.Options{Now: now, PartitionResolution: -1})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Write(&want, whole); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	w, err := NewWriter(&got)
	if err != nil {
		t.Fatal(err)
	}
	calls := &countCalls{w: w}
	run, err := analysis.AnalyzeTo(context.Background(), in, p, analysis.Options{Now: now, PartitionResolution: 5}, calls)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(run); err != nil {
		t.Fatal(err)
	}
	if calls.n < 10 {
		t.Fatalf("the analysis wrote its cells in %d pieces; want one per partition, many", calls.n)
	}
	sameFiles(t, got.Bytes(), want.Bytes())
}

// sameFiles checks that two run files hold the same blocks byte for byte and the same footer.
// The footer is compared decoded: gob writes maps (an input's options) in no fixed order.
func sameFiles(t *testing.T, got, want []byte) {
	t.Helper()
	rg, err := NewReader(bytes.NewReader(got), int64(len(got)), nil)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := NewReader(bytes.NewReader(want), int64(len(want)), nil)
	if err != nil {
		t.Fatal(err)
	}
	end := func(r *Reader) int64 {
		b := r.foot.Blocks[len(r.foot.Blocks)-1]
		return b.Off + b.Size
	}
	eg, ew := end(rg), end(rw)
	if !bytes.Equal(got[:eg], want[:ew]) || !bytes.Equal(gobBytes(t, rg.foot.Blocks), gobBytes(t, rw.foot.Blocks)) {
		t.Errorf("the blocks differ: %d bytes in %d blocks, want %d in %d", eg, len(rg.foot.Blocks), ew, len(rw.foot.Blocks))
	}
	ig, _ := json.Marshal(rg.Info())
	iw, _ := json.Marshal(rw.Info())
	if !bytes.Equal(ig, iw) || !bytes.Equal(gobBytes(t, rg.Areas()), gobBytes(t, rw.Areas())) || !bytes.Equal(gobBytes(t, rg.Equity()), gobBytes(t, rw.Equity())) {
		t.Error("the footers differ")
	}
}

type countCalls struct {
	w data.CellWriter
	n int
}

func (c *countCalls) WriteCells(t *data.CellTable) error {
	c.n++
	return c.w.WriteCells(t)
}

// readLog records the byte ranges read from a file.
type readLog struct {
	src   io.ReaderAt
	reads [][2]int64
}

func (l *readLog) ReadAt(p []byte, off int64) (int, error) {
	l.reads = append(l.reads, [2]int64{off, off + int64(len(p))})
	return l.src.ReadAt(p, off)
}

// Opening a run and reading its cells leaves the rollups unread — a big region's take longer to
// decode than a tile to draw — and they read back whole when asked for.
func TestRollupsAreReadWhenAsked(t *testing.T) {
	run := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(&b, run); err != nil {
		t.Fatal(err)
	}
	src := &readLog{src: bytes.NewReader(b.Bytes())}
	r, err := NewReader(src, int64(b.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Cells(context.Background(), 0, []int{2}); err != nil {
		t.Fatal(err)
	}
	roll := r.foot.Rollups
	touched := func() bool {
		for _, rd := range src.reads {
			if rd[0] < roll.Off+roll.Len && rd[1] > roll.Off {
				return true
			}
		}
		return false
	}
	// The areas' ids, all a cells export needs of them, come from the footer.
	if ids := r.AreaIDs(); !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("area ids %q, want a and b", ids)
	}
	if roll.Len == 0 || touched() {
		t.Fatalf("the rollups (%d bytes at %d) were read before they were asked for: reads %v", roll.Len, roll.Off, src.reads)
	}
	if !bytes.Equal(gobBytes(t, r.Areas()), gobBytes(t, run.Areas)) || !bytes.Equal(gobBytes(t, r.Equity()), gobBytes(t, run.Equity)) || !touched() {
		t.Error("the rollups read back differ from those written")
	}
}

// A file whose rollups frame is damaged opens, but gives no rollups, and its cells fail to read
// from then on with the frame's error.
func TestDamagedRollupsFailTheReads(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, syntheticRun(t)); err != nil {
		t.Fatal(err)
	}
	good, err := NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	file := slices.Clone(b.Bytes())
	file[good.foot.Rollups.Off+good.foot.Rollups.Len/2] ^= 0xff
	r, err := NewReader(bytes.NewReader(file), int64(len(file)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Cells(context.Background(), 0, nil); err != nil {
		t.Fatalf("cells before the rollups were asked for: %v", err)
	}
	if areas := r.Areas(); areas != nil {
		t.Errorf("a damaged frame gave %d areas", len(areas))
	}
	if _, err := r.Series(context.Background(), 0, 0); err == nil || !strings.Contains(err.Error(), "rollups") {
		t.Errorf("a read after the damaged rollups: %v, want their error", err)
	}
}

// Files of earlier layouts still read: version 1, written before the rollups had a frame of
// their own, with them in the footer, and those written since, before the footer listed the
// areas' ids.
func TestFilesOfEarlierLayoutsRead(t *testing.T) {
	run := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(&b, run); err != nil {
		t.Fatal(err)
	}
	now, err := NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same blocks, then the footer as it was: areas and equity in it.
	old := footer{Info: run.RunInfo, Areas: run.Areas, Equity: run.Equity, Blocks: now.foot.Blocks}
	packed, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	foot := packed.EncodeAll(gobBytes(t, &old), nil)
	file := append([]byte(magicV1), b.Bytes()[len(magic):now.foot.Rollups.Off]...)
	file = append(file, foot...)
	file = binary.LittleEndian.AppendUint64(file, uint64(len(foot)))
	file = append(file, magicV1...)
	r, err := NewReader(bytes.NewReader(file), int64(len(file)), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := data.ReadRun(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gobBytes(t, got), gobBytes(t, run)) {
		t.Error("the run read from the older layout differs from the run written")
	}
	if ids := r.AreaIDs(); !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("area ids %q from the older layout, want a and b", ids)
	}
	// Files written before the footer listed the areas' ids read them from the rollups.
	withoutIDs := now.foot
	withoutIDs.AreaIDs = nil
	foot = packed.EncodeAll(gobBytes(t, &withoutIDs), nil)
	file = append(slices.Clone(b.Bytes()[:now.foot.Rollups.Off+now.foot.Rollups.Len]), foot...)
	file = binary.LittleEndian.AppendUint64(file, uint64(len(foot)))
	file = append(file, magic...)
	if r, err = NewReader(bytes.NewReader(file), int64(len(file)), nil); err != nil {
		t.Fatal(err)
	}
	if ids := r.AreaIDs(); !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("area ids %q from a footer without them, want a and b", ids)
	}
}
