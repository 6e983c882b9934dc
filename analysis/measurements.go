package analysis

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// measurements keep each partition's measured figures from measuring to scoring, which needs the
// whole region's means first. A region measured at once keeps them in memory; a partitioned one
// in a temporary file, so that memory follows the largest partition and not the region (they are
// 21 bytes per cell and program set: 1 GB for 3.3 M cells of 15 sets).
type measurements struct {
	sets int
	mem  []*measured // by partition, when in memory
	file *os.File
	at   []spilled // by partition, when in the file
}

// spilled is where one partition's figures lie in the file.
type spilled struct {
	off   int64
	cells int
}

// newMeasurements keeps the figures of parts partitions of sets program sets: in a temporary
// file when there is more than one partition.
func newMeasurements(parts, sets int) (*measurements, error) {
	ms := &measurements{sets: sets}
	if parts <= 1 {
		ms.mem = make([]*measured, parts)
		return ms, nil
	}
	f, err := os.CreateTemp("", "stemgap-measured-*")
	if err != nil {
		return nil, fmt.Errorf("a temporary file for the measured partitions: %w", err)
	}
	os.Remove(f.Name()) // unnamed: gone when closed, however the process ends
	ms.file, ms.at = f, make([]spilled, parts)
	return ms, nil
}

// close releases the file.
func (ms *measurements) close() {
	if ms.file != nil {
		ms.file.Close()
	}
}

// put keeps partition k's figures. Calls are not concurrent.
func (ms *measurements) put(k int, r *measured) error {
	if ms.file == nil {
		ms.mem[k] = r
		return nil
	}
	n := 0
	if len(r.raw) > 0 {
		n = len(r.raw[0])
	}
	buf := make([]byte, 0, perCell*n*ms.sets)
	for s := 0; s < ms.sets; s++ {
		for _, x := range r.nearest[s] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
		for _, x := range r.raw[s] {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
		for _, x := range r.count[s] {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(x))
		}
		for _, x := range r.overstated[s] {
			buf = append(buf, boolByte(x))
		}
	}
	off, err := ms.file.Seek(0, 2)
	if err == nil {
		_, err = ms.file.Write(buf)
	}
	if err != nil {
		return fmt.Errorf("keeping the measured partition: %w", err)
	}
	ms.at[k] = spilled{off: off, cells: n}
	return nil
}

// get gives partition k's figures back, bit for bit.
func (ms *measurements) get(k int) (*measured, error) {
	if ms.file == nil {
		return ms.mem[k], nil
	}
	at := ms.at[k]
	n := at.cells
	buf := make([]byte, perCell*n*ms.sets)
	if _, err := ms.file.ReadAt(buf, at.off); err != nil {
		return nil, fmt.Errorf("reading the measured partition back: %w", err)
	}
	r := &measured{nearest: make([][]float64, ms.sets), raw: make([][]float64, ms.sets), count: make([][]int32, ms.sets),
		overstated: make([][]bool, ms.sets)}
	floats := func() []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
		}
		buf = buf[8*n:]
		return out
	}
	for s := 0; s < ms.sets; s++ {
		r.nearest[s], r.raw[s] = floats(), floats()
		r.count[s] = make([]int32, n)
		for i := range r.count[s] {
			r.count[s][i] = int32(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		buf = buf[4*n:]
		r.overstated[s] = make([]bool, n)
		for i := range r.overstated[s] {
			r.overstated[s][i] = buf[i] != 0
		}
		buf = buf[n:]
	}
	return r, nil
}

// perCell is the bytes a cell's figures of one program set take in the file: nearest and raw
// access, the count and the overstated flag.
const perCell = 8 + 8 + 4 + 1

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
