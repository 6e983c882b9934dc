// Package runfile is stemgap's columnar run format, shared by the embedded store (one file per
// run), the PostGIS store (the same bytes in run_files) and the server, which reads a run block
// by block and column by column, only as tiles and exports ask.
//
// A file is a header, the blocks, and a footer:
//
//	"SGRUN\0\0\2"                 magic and version
//	block 0 … block n−1           each its columns, every one a zstd frame
//	rollups                       zstd(gob(area results, equity)), read when first asked for
//	footer                        zstd(gob(run info, block directory, where the rollups lie,
//	                              the areas' ids))
//	footer length (uint64 LE), "SGRUN\0\0\2"
//
// Version 1 files, still read, have no rollups frame: the footer holds them.
//
// A block holds at most data.BlockCells consecutive cells of one H3 resolution-3 partition. Its
// columns are the cell index (delta-coded varints), the centers (left out when they are the
// cells' own H3 centers, as the analysis writes them), demand, area, need and urban flag, then
// per series nearest, count, access, unmet, gap and desert, and last, when the run records it,
// per series the flag of overstated access (a byte per cell; files written before it have no
// such columns, and read as not recording it). Float columns are stored with their
// eight bytes split into planes (sign and exponent bytes together, which compress), and may be
// XORed with the same measure of an earlier series that shares many of their values — series of
// one content area in two setting groups often match wholly — so that equal values become runs
// of zeros. Every float64 comes back bit for bit.
//
// Blocks carry their offsets in the footer, so files written for parts of a region (separate
// partitions, separate machines) join into one run by copying their blocks: see Merge.
package runfile

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/geo"
)

const (
	magic = "SGRUN\x00\x00\x02"
	// magicV1 opens files whose footer holds their rollups.
	magicV1 = "SGRUN\x00\x00\x01"
	// tail is the footer length and the closing magic.
	tail = 8 + 8
)

// Columns of a block: the cells' own, then seriesColumns per series.
const (
	colH3 = iota
	colLat
	colLng
	colDemand
	colArea
	colNeed
	colUrban
	baseColumns
)

// A series' columns, in order.
const (
	measureNearest = iota
	measureCount
	measureAccess
	measureUnmet
	measureGap
	measureDesert
	seriesColumns
)

func seriesColumn(k, m int) int { return baseColumns + k*seriesColumns + m }

// overstatedColumn is series k's overstated flags in a run of the given number of series: after
// every series' own columns, so that files without them keep their shape.
func overstatedColumn(k, series int) int { return baseColumns + series*seriesColumns + k }

// recordsOverstated reports whether every series of a run carries its overstated flags; a
// run records them for all its series or none.
func recordsOverstated(t *data.CellTable) bool {
	for _, m := range t.Measures {
		if m.Overstated == nil {
			return false
		}
	}
	return len(t.Measures) > 0
}

// Reference markers of a chunk besides a column index.
const (
	noRef      = -1
	centersRef = -2 // lat and lng are the H3 centers of the block's cells: nothing stored
)

// maxRefDepth bounds the chain of XOR references a reader follows to decode one column.
const maxRefDepth = 2

type chunk struct {
	Off, Len int64 // within the block
	Ref      int32 // the column this one is XORed with, or a marker
}

type blockMeta struct {
	Partition  uint64
	Start, Len int
	Bound      [4]float64 // min lng, min lat, max lng, max lat of the cells' hexagons
	Off, Size  int64      // within the file
	Cols       []chunk
}

type footer struct {
	Info data.RunInfo
	// Areas and Equity are the footer's own in files written before Rollups.
	Areas  []data.AreaResult
	Equity []data.EquityRow
	Blocks []blockMeta
	// Rollups is the frame (offset and length in the file) of the areas and equity, decoded when
	// first asked for: a big region's rollups take longer to decode than a tile to draw.
	Rollups   chunk
	AreaCount int
	// AreaIDs are the areas' ids by index, all a cells export needs of the rollups: decoding
	// those takes memory that grows with the region (about 20 MB a 2,460-area region), the ids
	// a few bytes an area. Files written before them have none, and read them from the rollups.
	AreaIDs []string
}

// rollups are a run's area results and equity, a frame of their own.
type rollups struct {
	Areas  []data.AreaResult
	Equity []data.EquityRow
}

// Write writes a run in the format. Blocks are compressed on all cores.
func Write(w io.Writer, run *data.Run) error {
	if err := checkTable(run); err != nil {
		return err
	}
	fw, err := NewWriter(w)
	if err != nil {
		return err
	}
	if err := fw.WriteCells(&run.Cells); err != nil {
		fw.Abandon()
		return err
	}
	return fw.Close(run)
}

// Writer writes a run as its cells come, some rows at a time — a partition, as the analysis
// scores them — so that the whole cell table is never in memory. The file is the one Write
// writes of the same run, byte for byte: blocks are cut where the whole table would be cut,
// which is why the last block of each call waits for the next.
type Writer struct {
	cw     *countingWriter
	enc    *zstd.Encoder
	blocks []blockMeta
	series int  // per cell, from the first rows given
	flags  bool // whether the rows record overstated access, from the first rows given
	rows   int  // rows written, the pending ones included
	// pending is a copy of the last, perhaps unfinished block, which starts at row pendingAt.
	pending   *data.CellTable
	pendingAt int
}

// NewWriter starts a run file. Give it the cells in order with WriteCells, then Close it with
// the rest of the run.
func NewWriter(w io.Writer) (*Writer, error) {
	cw, enc, err := startFile(w)
	if err != nil {
		return nil, err
	}
	return &Writer{cw: cw, enc: enc, series: -1}, nil
}

// WriteCells adds the next rows of the run's cell table, every series' figures with them.
func (w *Writer) WriteCells(t *data.CellTable) error {
	if t.Len() == 0 {
		return nil
	}
	if w.series < 0 {
		w.series, w.flags = len(t.Measures), recordsOverstated(t)
	}
	if err := checkColumns(t, w.series); err != nil {
		return fmt.Errorf("rows %d–%d: %w", w.rows, w.rows+t.Len(), err)
	}
	if recordsOverstated(t) != w.flags {
		return fmt.Errorf("rows %d–%d record overstated access and earlier rows do not, or the reverse", w.rows, w.rows+t.Len())
	}
	var jobs []blockJob
	from := 0
	if w.pending != nil {
		// The rows that continue the pending block: its partition's, up to a full block.
		p, err := data.PartitionOf(w.pending.H3[0])
		if err != nil {
			return err
		}
		for from < t.Len() && w.pending.Len()+from < data.BlockCells {
			q, err := data.PartitionOf(t.H3[from])
			if err != nil {
				return err
			}
			if q != p {
				break
			}
			from++
		}
		w.pending.Append(t.Slice(0, from, allSeries(w.series)))
		if from == t.Len() && w.pending.Len() < data.BlockCells {
			w.rows += t.Len()
			return nil
		}
		jobs = append(jobs, blockJob{t: w.pending, b: data.CellBlock{Partition: p, Len: w.pending.Len()}, at: w.pendingAt})
		w.pending = nil
	}
	blocks, err := data.SplitBlocks(t.H3[from:])
	if err != nil {
		return err
	}
	for i, b := range blocks {
		b.Start += from
		if i == len(blocks)-1 {
			w.pending, w.pendingAt = &data.CellTable{}, w.rows+b.Start
			w.pending.Append(t.Slice(b.Start, b.Start+b.Len, allSeries(w.series)))
			break
		}
		jobs = append(jobs, blockJob{t: t, b: b, at: w.rows + b.Start})
	}
	w.rows += t.Len()
	return w.encode(jobs)
}

// blockJob is a block to encode: rows b of table t, which start at row at of the run.
type blockJob struct {
	t  *data.CellTable
	b  data.CellBlock
	at int
}

// encode compresses a window of blocks at once on every core, then writes them in order.
func (w *Writer) encode(jobs []blockJob) error {
	window := runtime.GOMAXPROCS(0)
	for lo := 0; lo < len(jobs); lo += window {
		hi := min(lo+window, len(jobs))
		metas := make([]blockMeta, hi-lo)
		bodies := make([][]byte, hi-lo)
		errs := make([]error, hi-lo)
		var wg sync.WaitGroup
		for i := lo; i < hi; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				metas[i-lo], bodies[i-lo], errs[i-lo] = encodeBlock(w.enc, jobs[i].t, jobs[i].b, w.series)
				metas[i-lo].Start = jobs[i].at
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for i := range metas {
			metas[i].Off = w.cw.n
			metas[i].Size = int64(len(bodies[i]))
			if _, err := w.cw.Write(bodies[i]); err != nil {
				return err
			}
			w.blocks = append(w.blocks, metas[i])
		}
	}
	return nil
}

// Close writes the last block and the footer: the run's provenance, rollups and equity (its
// cell table is not read).
func (w *Writer) Close(run *data.Run) error {
	defer w.enc.Close()
	if w.series >= 0 && w.series != len(run.ContentAreas) {
		return fmt.Errorf("run %s: %d series of figures for %d series", run.ID, w.series, len(run.ContentAreas))
	}
	if w.pending != nil {
		p, err := data.PartitionOf(w.pending.H3[0])
		if err != nil {
			return err
		}
		if err := w.encode([]blockJob{{t: w.pending, b: data.CellBlock{Partition: p, Len: w.pending.Len()}, at: w.pendingAt}}); err != nil {
			return err
		}
		w.pending = nil
	}
	foot := footer{Info: run.RunInfo, Blocks: w.blocks}
	return writeFooter(w.cw, w.enc, &foot, run)
}

// Abandon releases a writer whose run will not be finished.
func (w *Writer) Abandon() { w.enc.Close() }

func allSeries(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// startFile writes the header and gives the counting writer and the encoder a file is written
// with.
func startFile(w io.Writer) (*countingWriter, *zstd.Encoder, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, nil, err
	}
	cw := &countingWriter{w: w}
	if _, err := io.WriteString(cw, magic); err != nil {
		enc.Close()
		return nil, nil, err
	}
	return cw, enc, nil
}

// checkTable rejects a table whose columns disagree in length with its cells.
func checkTable(run *data.Run) error {
	if len(run.Cells.Measures) != len(run.ContentAreas) {
		return fmt.Errorf("run %s: %d series of figures for %d series", run.ID, len(run.Cells.Measures), len(run.ContentAreas))
	}
	if err := checkColumns(&run.Cells, len(run.ContentAreas)); err != nil {
		return fmt.Errorf("run %s: %w", run.ID, err)
	}
	return nil
}

// checkColumns rejects rows whose columns disagree in length, or that have other than series
// series.
func checkColumns(t *data.CellTable, series int) error {
	n := t.Len()
	if len(t.Lat) != n || len(t.Lng) != n || len(t.Demand) != n || len(t.Area) != n || len(t.Need) != n || len(t.Urban) != n {
		return errors.New("the cell table's columns differ in length")
	}
	if len(t.Measures) != series {
		return fmt.Errorf("%d series of figures, earlier rows %d", len(t.Measures), series)
	}
	for k, m := range t.Measures {
		if len(m.Nearest) != n || len(m.Count) != n || len(m.Access) != n || len(m.Unmet) != n || len(m.Gap) != n || len(m.Desert) != n ||
			m.Overstated != nil && len(m.Overstated) != n {
			return fmt.Errorf("series %d's columns differ in length from the cells", k)
		}
		if (m.Overstated == nil) != (t.Measures[0].Overstated == nil) {
			return fmt.Errorf("series %d records overstated access and series 0 does not, or the reverse", k)
		}
	}
	return nil
}

// writeFooter writes the run's rollups, then the footer.
func writeFooter(cw *countingWriter, enc *zstd.Encoder, foot *footer, run *data.Run) error {
	var raw bytes.Buffer
	if err := gob.NewEncoder(&raw).Encode(rollups{Areas: run.Areas, Equity: run.Equity}); err != nil {
		return fmt.Errorf("run %s: rollups: %w", foot.Info.ID, err)
	}
	frame := enc.EncodeAll(raw.Bytes(), nil)
	foot.Rollups, foot.AreaCount = chunk{Off: cw.n, Len: int64(len(frame))}, len(run.Areas)
	foot.AreaIDs = data.AreaIDsOf(run.Areas)
	if _, err := cw.Write(frame); err != nil {
		return err
	}
	raw.Reset()
	if err := gob.NewEncoder(&raw).Encode(foot); err != nil {
		return fmt.Errorf("run %s: footer: %w", foot.Info.ID, err)
	}
	packed := enc.EncodeAll(raw.Bytes(), nil)
	if _, err := cw.Write(packed); err != nil {
		return err
	}
	var end [tail]byte
	binary.LittleEndian.PutUint64(end[:8], uint64(len(packed)))
	copy(end[8:], magic)
	_, err := cw.Write(end[:])
	return err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// encodeBlock compresses one block's columns.
func encodeBlock(enc *zstd.Encoder, t *data.CellTable, b data.CellBlock, series int) (blockMeta, []byte, error) {
	lo, hi := b.Start, b.Start+b.Len
	centers, err := ownCenters(t, lo, hi)
	if err != nil {
		return blockMeta{}, nil, err
	}
	var bound orb.Bound
	if centers {
		bound, err = data.CellsBoundOfCenters(t.H3[lo:hi], t.Lat[lo:hi], t.Lng[lo:hi])
	} else {
		bound, err = data.CellsBound(t.H3[lo:hi])
	}
	if err != nil {
		return blockMeta{}, nil, err
	}
	cols := baseColumns + series*seriesColumns
	overstated := recordsOverstated(t)
	if overstated {
		cols += series
	}
	meta := blockMeta{Partition: uint64(b.Partition), Start: b.Start, Len: b.Len,
		Bound: [4]float64{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}, Cols: make([]chunk, cols)}
	var body []byte
	put := func(col int, raw []byte, ref int32) {
		start := len(body)
		body = enc.EncodeAll(raw, body)
		meta.Cols[col] = chunk{Off: int64(start), Len: int64(len(body) - start), Ref: ref}
	}
	put(colH3, cellBytes(t.H3[lo:hi]), noRef)
	if centers {
		meta.Cols[colLat] = chunk{Ref: centersRef}
		meta.Cols[colLng] = chunk{Ref: centersRef}
	} else {
		put(colLat, floatBytes(t.Lat[lo:hi], nil), noRef)
		put(colLng, floatBytes(t.Lng[lo:hi], nil), noRef)
	}
	put(colDemand, floatBytes(t.Demand[lo:hi], nil), noRef)
	put(colArea, int32Bytes(t.Area[lo:hi]), noRef)
	put(colNeed, floatBytes(t.Need[lo:hi], nil), noRef)
	put(colUrban, boolBytes(t.Urban[lo:hi]), noRef)
	floats := func(k, m int) []float64 {
		cm := &t.Measures[k]
		return [...][]float64{measureNearest: cm.Nearest, measureAccess: cm.Access, measureUnmet: cm.Unmet, measureGap: cm.Gap}[m][lo:hi]
	}
	depth := map[int]int{}
	for k := 0; k < series; k++ {
		cm := &t.Measures[k]
		for _, m := range []int{measureNearest, measureAccess, measureUnmet, measureGap} {
			col := seriesColumn(k, m)
			values := floats(k, m)
			ref := bestReference(values, k, m, floats, depth)
			if ref < 0 {
				put(col, floatBytes(values, nil), noRef)
				continue
			}
			refCol := seriesColumn(ref, m)
			depth[col] = depth[refCol] + 1
			put(col, floatBytes(values, floats(ref, m)), int32(refCol))
		}
		put(seriesColumn(k, measureCount), int32Bytes(cm.Count[lo:hi]), noRef)
		put(seriesColumn(k, measureDesert), int8Bytes(cm.Desert[lo:hi]), noRef)
	}
	if overstated {
		for k := 0; k < series; k++ {
			put(overstatedColumn(k, series), boolBytes(t.Measures[k].Overstated[lo:hi]), noRef)
		}
	}
	return meta, body, nil
}

// bestReference picks the earlier series whose values of measure m most often equal these, bit
// for bit, judged on a sample of the block; -1 when none shares a quarter of them.
func bestReference(values []float64, k, m int, floats func(k, m int) []float64, depth map[int]int) int {
	const samples = 512
	step := max(1, len(values)/samples)
	best, bestSame := -1, 0
	for j := 0; j < k; j++ {
		if depth[seriesColumn(j, m)] >= maxRefDepth {
			continue
		}
		other := floats(j, m)
		same := 0
		for i := 0; i < len(values); i += step {
			if math.Float64bits(values[i]) == math.Float64bits(other[i]) {
				same++
			}
		}
		if same > bestSame {
			best, bestSame = j, same
		}
	}
	if 4*bestSame*step < len(values) {
		return -1
	}
	return best
}

// ownCenters reports whether the block's centers are exactly its cells' H3 centers.
func ownCenters(t *data.CellTable, lo, hi int) (bool, error) {
	for i := lo; i < hi; i++ {
		p, err := geo.CellCenter(t.H3[i])
		if err != nil {
			return false, err
		}
		if math.Float64bits(p[0]) != math.Float64bits(t.Lng[i]) || math.Float64bits(p[1]) != math.Float64bits(t.Lat[i]) {
			return false, nil
		}
	}
	return true, nil
}

// cellBytes writes each cell as the zig-zag varint of its difference from the one before.
func cellBytes(cells []h3.Cell) []byte {
	out := make([]byte, 0, 2*len(cells))
	var prev int64
	for _, c := range cells {
		out = binary.AppendVarint(out, int64(c)-prev)
		prev = int64(c)
	}
	return out
}

func int32Bytes(v []int32) []byte {
	out := make([]byte, 0, 2*len(v))
	var prev int32
	for _, x := range v {
		out = binary.AppendVarint(out, int64(x)-int64(prev))
		prev = x
	}
	return out
}

func int8Bytes(v []int8) []byte {
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(x)
	}
	return out
}

func boolBytes(v []bool) []byte {
	out := make([]byte, len(v))
	for i, x := range v {
		if x {
			out[i] = 1
		}
	}
	return out
}

// floatBytes splits the values' bits, XORed with ref's when given, into eight byte planes.
func floatBytes(v, ref []float64) []byte {
	n := len(v)
	out := make([]byte, 8*n)
	// The planes as slices of n, so that the loop writes them without bounds checks.
	p0, p1, p2, p3 := out[:n], out[n:2*n], out[2*n:3*n], out[3*n:4*n]
	p4, p5, p6, p7 := out[4*n:5*n], out[5*n:6*n], out[6*n:7*n], out[7*n:8*n]
	if ref != nil {
		ref = ref[:n]
	}
	for i, x := range v {
		bits := math.Float64bits(x)
		if ref != nil {
			bits ^= math.Float64bits(ref[i])
		}
		p0[i], p1[i], p2[i], p3[i] = byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24)
		p4[i], p5[i], p6[i], p7[i] = byte(bits>>32), byte(bits>>40), byte(bits>>48), byte(bits>>56)
	}
	return out
}

// Reader reads a run in the format from any io.ReaderAt: a file, or the PostGIS store's copy.
// Its methods may be called concurrently.
type Reader struct {
	src    io.ReaderAt
	closer io.Closer
	dec    *zstd.Decoder
	foot   footer
	blocks []data.CellBlock

	rollupsOnce sync.Once
	rollups     rollups
	rollupsErr  error // also answers every later read of cells: the file is damaged
	rollupsRead atomic.Bool
}

// Open opens a run file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, st.Size(), f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run file %s: %w", path, err)
	}
	return r, nil
}

// NewReader reads the footer of a run of size bytes; closer, when set, is closed with the reader.
func NewReader(src io.ReaderAt, size int64, closer io.Closer) (*Reader, error) {
	if size < int64(len(magic))+tail {
		return nil, errors.New("too short to be a run file")
	}
	end := make([]byte, tail)
	if _, err := src.ReadAt(end, size-tail); err != nil {
		return nil, err
	}
	head := make([]byte, len(magic))
	if _, err := src.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if string(end[8:]) != string(head) || string(head) != magic && string(head) != magicV1 {
		return nil, errors.New("not a stemgap run file of this version")
	}
	n := int64(binary.LittleEndian.Uint64(end[:8]))
	if n <= 0 || n > size-tail-int64(len(magic)) {
		return nil, errors.New("footer length out of range")
	}
	packed := make([]byte, n)
	if _, err := src.ReadAt(packed, size-tail-n); err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	if err != nil {
		return nil, err
	}
	raw, err := dec.DecodeAll(packed, nil)
	if err != nil {
		dec.Close()
		return nil, fmt.Errorf("footer: %w", err)
	}
	r := &Reader{src: src, closer: closer, dec: dec}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&r.foot); err != nil {
		dec.Close()
		return nil, fmt.Errorf("footer: %w", err)
	}
	if string(head) == magicV1 {
		r.foot.Rollups, r.foot.AreaCount = chunk{}, len(r.foot.Areas)
	} else if c := r.foot.Rollups; c.Len <= 0 || c.Off < int64(len(magic)) || c.Off+c.Len > size-tail-n {
		dec.Close()
		return nil, errors.New("rollups out of range")
	}
	if len(r.foot.AreaIDs) != 0 && len(r.foot.AreaIDs) != r.foot.AreaCount {
		dec.Close()
		return nil, fmt.Errorf("%d area ids for %d areas", len(r.foot.AreaIDs), r.foot.AreaCount)
	}
	series := len(r.foot.Info.ContentAreas)
	want := baseColumns + series*seriesColumns
	for _, b := range r.foot.Blocks {
		if len(b.Cols) != want && len(b.Cols) != want+series || b.Off < int64(len(magic)) || b.Off+b.Size > size-tail-n {
			dec.Close()
			return nil, fmt.Errorf("block at row %d is out of shape", b.Start)
		}
		r.blocks = append(r.blocks, data.CellBlock{Partition: h3.Cell(b.Partition), Start: b.Start, Len: b.Len,
			Bound: orb.Bound{Min: orb.Point{b.Bound[0], b.Bound[1]}, Max: orb.Point{b.Bound[2], b.Bound[3]}}})
	}
	return r, nil
}

func (r *Reader) Info() *data.RunInfo      { return &r.foot.Info }
func (r *Reader) Areas() []data.AreaResult { return r.readRollups().Areas }
func (r *Reader) Equity() []data.EquityRow { return r.readRollups().Equity }

// AreaIDs reads the ids from the footer; only files written before it held them decode the
// rollups for them.
func (r *Reader) AreaIDs() []string {
	if len(r.foot.AreaIDs) == r.foot.AreaCount {
		return r.foot.AreaIDs
	}
	return data.AreaIDsOf(r.Areas())
}

// readRollups decodes the areas and equity on first use. A damaged frame reads as none, and
// every later read of the run's cells fails with its error.
func (r *Reader) readRollups() *rollups {
	r.rollupsOnce.Do(func() {
		c := r.foot.Rollups
		defer r.rollupsRead.Store(true)
		if c.Len == 0 {
			r.rollups = rollups{Areas: r.foot.Areas, Equity: r.foot.Equity}
			return
		}
		packed := make([]byte, c.Len)
		if _, err := r.src.ReadAt(packed, c.Off); err != nil {
			r.rollupsErr = fmt.Errorf("run %s: rollups: %w", r.foot.Info.ID, err)
			return
		}
		raw, err := r.dec.DecodeAll(packed, nil)
		if err == nil {
			err = gob.NewDecoder(bytes.NewReader(raw)).Decode(&r.rollups)
		}
		if err == nil && len(r.rollups.Areas) != r.foot.AreaCount {
			err = fmt.Errorf("%d areas, the footer says %d", len(r.rollups.Areas), r.foot.AreaCount)
		}
		if err != nil {
			r.rollups = rollups{}
			r.rollupsErr = fmt.Errorf("run %s: rollups: %w", r.foot.Info.ID, err)
		}
	})
	return &r.rollups
}

// damaged is the error of a rollups frame that failed to decode, once one was asked for.
func (r *Reader) damaged() error {
	if !r.rollupsRead.Load() {
		return nil
	}
	return r.rollupsErr
}
func (r *Reader) Blocks() []data.CellBlock { return r.blocks }

// Close releases the decoder and the source.
func (r *Reader) Close() error {
	r.dec.Close()
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// blockReader decodes the columns of one block, each once.
type blockReader struct {
	r      *Reader
	meta   *blockMeta
	floats map[int][]float64 // decoded float columns, for the columns XORed with them
	// span holds the bytes of the columns fetched together, from spanOff within the block.
	span    []byte
	spanOff int64
}

// fetch reads the stored bytes of columns lo to hi (consecutive in the block) in one read: one
// round trip where the source is a database.
func (br *blockReader) fetch(lo, hi int) error {
	start, end := int64(-1), int64(0)
	for col := lo; col <= hi; col++ {
		c := br.meta.Cols[col]
		if c.Ref == centersRef {
			continue
		}
		if start < 0 || c.Off < start {
			start = c.Off
		}
		end = max(end, c.Off+c.Len)
	}
	if start < 0 {
		return nil
	}
	span := make([]byte, end-start)
	if _, err := br.r.src.ReadAt(span, br.meta.Off+start); err != nil {
		return fmt.Errorf("block at row %d, columns %d–%d: %w", br.meta.Start, lo, hi, err)
	}
	br.span, br.spanOff = span, start
	return nil
}

func (br *blockReader) raw(col int) ([]byte, error) {
	c := br.meta.Cols[col]
	var packed []byte
	if c.Off >= br.spanOff && c.Off+c.Len <= br.spanOff+int64(len(br.span)) {
		packed = br.span[c.Off-br.spanOff : c.Off-br.spanOff+c.Len]
	} else {
		packed = make([]byte, c.Len)
		if _, err := br.r.src.ReadAt(packed, br.meta.Off+c.Off); err != nil {
			return nil, fmt.Errorf("block at row %d, column %d: %w", br.meta.Start, col, err)
		}
	}
	out, err := br.r.dec.DecodeAll(packed, nil)
	if err != nil {
		return nil, fmt.Errorf("block at row %d, column %d: %w", br.meta.Start, col, err)
	}
	return out, nil
}

// float64s decodes a float column, following its XOR reference.
func (br *blockReader) float64s(col int) ([]float64, error) {
	if v, ok := br.floats[col]; ok {
		return v, nil
	}
	planes, err := br.raw(col)
	if err != nil {
		return nil, err
	}
	n := br.meta.Len
	if len(planes) != 8*n {
		return nil, fmt.Errorf("block at row %d, column %d: %d bytes for %d values", br.meta.Start, col, len(planes), n)
	}
	var base []float64
	if ref := br.meta.Cols[col].Ref; ref >= 0 {
		if int(ref) >= col {
			return nil, fmt.Errorf("block at row %d: column %d refers forward", br.meta.Start, col)
		}
		if base, err = br.float64s(int(ref)); err != nil {
			return nil, err
		}
	}
	out := make([]float64, n)
	// The planes as slices of n, so that the loop reads them without bounds checks.
	p0, p1, p2, p3 := planes[:n], planes[n:2*n], planes[2*n:3*n], planes[3*n:4*n]
	p4, p5, p6, p7 := planes[4*n:5*n], planes[5*n:6*n], planes[6*n:7*n], planes[7*n:8*n]
	for i := range out {
		bits := uint64(p0[i]) | uint64(p1[i])<<8 | uint64(p2[i])<<16 | uint64(p3[i])<<24 |
			uint64(p4[i])<<32 | uint64(p5[i])<<40 | uint64(p6[i])<<48 | uint64(p7[i])<<56
		if base != nil {
			bits ^= math.Float64bits(base[i])
		}
		out[i] = math.Float64frombits(bits)
	}
	br.floats[col] = out
	return out, nil
}

func (br *blockReader) varints(col int) ([]int64, error) {
	b, err := br.raw(col)
	if err != nil {
		return nil, err
	}
	out := make([]int64, br.meta.Len)
	var prev int64
	for i := range out {
		d, n := binary.Varint(b)
		if n <= 0 {
			return nil, fmt.Errorf("block at row %d, column %d: bad varint", br.meta.Start, col)
		}
		b = b[n:]
		prev += d
		out[i] = prev
	}
	return out, nil
}

func (br *blockReader) bytes(col int) ([]byte, error) {
	b, err := br.raw(col)
	if err == nil && len(b) != br.meta.Len {
		err = fmt.Errorf("block at row %d, column %d: %d bytes for %d values", br.meta.Start, col, len(b), br.meta.Len)
	}
	return b, err
}

// Cells reads one block with the given series' figures.
func (r *Reader) Cells(ctx context.Context, block int, series []int) (*data.CellTable, error) {
	return r.cells(ctx, block, series, true)
}

// Base reads one block's cells without their centers or any series.
func (r *Reader) Base(ctx context.Context, block int) (*data.CellTable, error) {
	return r.cells(ctx, block, nil, false)
}

func (r *Reader) cells(ctx context.Context, block int, series []int, centers bool) (*data.CellTable, error) {
	if err := r.damaged(); err != nil {
		return nil, err
	}
	if block < 0 || block >= len(r.foot.Blocks) {
		return nil, fmt.Errorf("run %s has no block %d", r.foot.Info.ID, block)
	}
	br := &blockReader{r: r, meta: &r.foot.Blocks[block], floats: map[int][]float64{}}
	n := br.meta.Len
	t := &data.CellTable{Measures: make([]data.CellMeasures, len(r.foot.Info.ContentAreas))}
	if err := br.fetch(0, baseColumns-1); err != nil {
		return nil, err
	}
	cells, err := br.varints(colH3)
	if err != nil {
		return nil, err
	}
	t.H3 = make([]h3.Cell, n)
	for i, c := range cells {
		t.H3[i] = h3.Cell(c)
	}
	switch {
	case !centers:
	case br.meta.Cols[colLat].Ref == centersRef:
		t.Lat, t.Lng = make([]float64, n), make([]float64, n)
		for i, c := range t.H3 {
			p, err := geo.CellCenter(c)
			if err != nil {
				return nil, err
			}
			t.Lng[i], t.Lat[i] = p[0], p[1]
		}
	default:
		if t.Lat, err = br.float64s(colLat); err != nil {
			return nil, err
		}
		if t.Lng, err = br.float64s(colLng); err != nil {
			return nil, err
		}
	}
	if t.Demand, err = br.float64s(colDemand); err != nil {
		return nil, err
	}
	if t.Need, err = br.float64s(colNeed); err != nil {
		return nil, err
	}
	areas, err := br.varints(colArea)
	if err != nil {
		return nil, err
	}
	t.Area = make([]int32, n)
	for i, a := range areas {
		if a < 0 || int(a) >= r.foot.AreaCount {
			return nil, fmt.Errorf("block at row %d: area index %d out of range", br.meta.Start, a)
		}
		t.Area[i] = int32(a)
	}
	urban, err := br.bytes(colUrban)
	if err != nil {
		return nil, err
	}
	t.Urban = make([]bool, n)
	for i, u := range urban {
		t.Urban[i] = u != 0
	}
	for _, k := range series {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if t.Measures[k], err = br.series(k); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Series reads one series' figures of one block.
func (r *Reader) Series(ctx context.Context, block, k int) (*data.CellMeasures, error) {
	if err := r.damaged(); err != nil {
		return nil, err
	}
	if block < 0 || block >= len(r.foot.Blocks) {
		return nil, fmt.Errorf("run %s has no block %d", r.foot.Info.ID, block)
	}
	br := &blockReader{r: r, meta: &r.foot.Blocks[block], floats: map[int][]float64{}}
	m, err := br.series(k)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func (br *blockReader) series(k int) (m data.CellMeasures, err error) {
	if k < 0 || k >= len(br.r.foot.Info.ContentAreas) {
		return m, fmt.Errorf("run %s has no series %d", br.r.foot.Info.ID, k)
	}
	if err := br.fetch(seriesColumn(k, 0), seriesColumn(k, seriesColumns-1)); err != nil {
		return m, err
	}
	n := br.meta.Len
	if m.Nearest, err = br.float64s(seriesColumn(k, measureNearest)); err != nil {
		return m, err
	}
	if m.Access, err = br.float64s(seriesColumn(k, measureAccess)); err != nil {
		return m, err
	}
	if m.Unmet, err = br.float64s(seriesColumn(k, measureUnmet)); err != nil {
		return m, err
	}
	if m.Gap, err = br.float64s(seriesColumn(k, measureGap)); err != nil {
		return m, err
	}
	counts, err := br.varints(seriesColumn(k, measureCount))
	if err != nil {
		return m, err
	}
	m.Count = make([]int32, n)
	for i, c := range counts {
		m.Count[i] = int32(c)
	}
	deserts, err := br.bytes(seriesColumn(k, measureDesert))
	if err != nil {
		return m, err
	}
	m.Desert = make([]int8, n)
	for i, d := range deserts {
		m.Desert[i] = int8(d)
	}
	series := len(br.r.foot.Info.ContentAreas)
	if len(br.meta.Cols) == baseColumns+series*(seriesColumns+1) {
		flags, err := br.bytes(overstatedColumn(k, series))
		if err != nil {
			return m, err
		}
		m.Overstated = make([]bool, n)
		for i, f := range flags {
			m.Overstated[i] = f != 0
		}
	}
	return m, nil
}

// Merge joins run files written for parts of one run — each holding the cells of some of its
// partitions, as separate processes or machines compute them — into one run file, copying their
// blocks byte for byte: nothing is decoded or compressed again. The whole run's provenance,
// rollups and equity come from run (its cell table is not read); the parts' cells follow one
// another in the order given, and their area indexes must already be the whole run's.
func Merge(w io.Writer, run *data.Run, parts ...*Reader) error {
	cw, enc, err := startFile(w)
	if err != nil {
		return err
	}
	defer enc.Close()
	foot := footer{Info: run.RunInfo}
	seen := map[uint64]int{}
	rows, cols := 0, -1
	for p, part := range parts {
		if len(part.foot.Info.ContentAreas) != len(run.ContentAreas) {
			return fmt.Errorf("merge: part %d has %d series, the run %d", p+1, len(part.foot.Info.ContentAreas), len(run.ContentAreas))
		}
		for _, b := range part.foot.Blocks {
			if cols >= 0 && len(b.Cols) != cols {
				return fmt.Errorf("merge: part %d records overstated access and an earlier part does not, or the reverse", p+1)
			}
			cols = len(b.Cols)
			if q, ok := seen[b.Partition]; ok && q != p {
				return fmt.Errorf("merge: partition %s is in parts %d and %d", h3.Cell(b.Partition), q+1, p+1)
			}
			seen[b.Partition] = p
			body := make([]byte, b.Size)
			if _, err := part.src.ReadAt(body, b.Off); err != nil {
				return fmt.Errorf("merge: part %d: %w", p+1, err)
			}
			b.Off, b.Start = cw.n, rows
			if _, err := cw.Write(body); err != nil {
				return err
			}
			rows += b.Len
			foot.Blocks = append(foot.Blocks, b)
		}
	}
	return writeFooter(cw, enc, &foot, run)
}
