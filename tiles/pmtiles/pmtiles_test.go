package pmtiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/paulmach/orb"
)

// The specification's own examples of tile ids.
func TestTileIDFollowsTheHilbertCurve(t *testing.T) {
	for _, c := range []struct {
		z    uint8
		x, y uint32
		id   uint64
	}{
		{0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
	} {
		if got := TileID(c.z, c.x, c.y); got != c.id {
			t.Errorf("%d/%d/%d: id %d, want %d", c.z, c.x, c.y, got, c.id)
		}
	}
	// At zoom 4, walk the curve the other way (Wikipedia's d2xy, the inverse of what TileID
	// computes): the d-th tile along it has id 85 + d (85 = 1 + 4 + 16 + 64 tiles before zoom 4).
	const n = 16
	for d := 0; d < n*n; d++ {
		x, y, tt := 0, 0, d
		for s := 1; s < n; s *= 2 {
			rx := 1 & (tt / 2)
			ry := 1 & (tt ^ rx)
			if ry == 0 {
				if rx == 1 {
					x, y = s-1-x, s-1-y
				}
				x, y = y, x
			}
			x += s * rx
			y += s * ry
			tt /= 4
		}
		if got := TileID(4, uint32(x), uint32(y)); got != uint64(85+d) {
			t.Fatalf("4/%d/%d: id %d, want %d", x, y, got, 85+d)
		}
	}
}

// reader reads an archive by the specification, independently of the writer: the header, the
// directories (following leaves), and a tile by z/x/y.
type reader struct {
	b      []byte
	header map[string]uint64
}

func newReader(t *testing.T, b []byte) *reader {
	t.Helper()
	if string(b[:7]) != "PMTiles" || b[7] != 3 {
		t.Fatalf("magic % x", b[:8])
	}
	h := map[string]uint64{}
	for i, name := range []string{"root", "rootLen", "meta", "metaLen", "leaves", "leavesLen", "data", "dataLen", "addressed", "entries", "contents"} {
		h[name] = binary.LittleEndian.Uint64(b[8+8*i:])
	}
	return &reader{b: b, header: h}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	var out []byte
	if err == nil {
		out, err = io.ReadAll(zr)
	}
	if err != nil {
		t.Fatalf("directory or metadata not gzip: %v", err)
	}
	return out
}

func (r *reader) directory(t *testing.T, offset, length uint64) []entry {
	raw := bytes.NewReader(gunzip(t, r.b[offset:offset+length]))
	next := func() uint64 {
		v, err := binary.ReadUvarint(raw)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	es := make([]entry, next())
	var id uint64
	for i := range es {
		id += next()
		es[i].TileID = id
	}
	for i := range es {
		es[i].RunLength = uint32(next())
	}
	for i := range es {
		es[i].Length = uint32(next())
	}
	for i := range es {
		if v := next(); v == 0 && i > 0 {
			es[i].Offset = es[i-1].Offset + uint64(es[i-1].Length)
		} else {
			es[i].Offset = v - 1
		}
	}
	return es
}

func (r *reader) tile(t *testing.T, z uint8, x, y uint32) []byte {
	id := TileID(z, x, y)
	offset, length := r.header["root"], r.header["rootLen"]
	for depth := 0; depth < 4; depth++ {
		var found *entry
		for _, e := range r.directory(t, offset, length) {
			if e.TileID <= id {
				e := e
				found = &e
			}
		}
		if found == nil {
			return nil
		}
		if found.RunLength == 0 {
			offset, length = r.header["leaves"]+found.Offset, uint64(found.Length)
			continue
		}
		if id >= found.TileID+uint64(found.RunLength) {
			return nil
		}
		start := r.header["data"] + found.Offset
		return r.b[start : start+uint64(found.Length)]
	}
	t.Fatal("directories nest too deep")
	return nil
}

// Enough distinct tiles that the root directory cannot hold them: leaves, found by z/x/y; the same
// tile added under many addresses is stored once, and a run of it (the block x < 64, which the
// curve walks through in long stretches) shares one entry.
func TestArchiveReadsBackByTheSpecification(t *testing.T) {
	a := &Archive{MaxZoom: 9, Bounds: orb.Bound{Min: orb.Point{-91, 38}, Max: orb.Point{-89, 39}}, Center: orb.Point{-90, 38.5}, CenterZoom: 9,
		Metadata: map[string]any{"vector_layers": []map[string]any{{"id": "cells"}}}}
	same := []byte("the same tile")
	distinct := 0
	for x := uint32(0); x < 512; x++ {
		for y := uint32(0); y < 160; y++ {
			tile := same
			if x >= 64 && (x+y)%3 != 0 {
				tile = []byte(fmt.Sprintf("tile 9/%d/%d", x, y))
				distinct++
			}
			if err := a.Add(9, x, y, tile); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Add(9, 512, 0, same); err == nil {
		t.Error("a tile beyond zoom 9's grid is accepted")
	}
	var b bytes.Buffer
	if _, err := a.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	r := newReader(t, b.Bytes())
	if r.header["leavesLen"] == 0 || 127+r.header["rootLen"] > 16384 {
		t.Fatalf("root %d bytes, leaves %d: the entries should need leaves", r.header["rootLen"], r.header["leavesLen"])
	}
	if r.header["addressed"] != 512*160 || r.header["contents"] != uint64(distinct+1) || r.header["entries"] >= 512*160 {
		t.Errorf("addressed %d, contents %d (want %d), entries %d", r.header["addressed"], r.header["contents"], distinct+1, r.header["entries"])
	}
	for _, xy := range [][2]uint32{{0, 0}, {1, 2}, {300, 77}, {511, 159}, {100, 5}} {
		want := same
		if xy[0] >= 64 && (xy[0]+xy[1])%3 != 0 {
			want = []byte(fmt.Sprintf("tile 9/%d/%d", xy[0], xy[1]))
		}
		if got := r.tile(t, 9, xy[0], xy[1]); !bytes.Equal(got, want) {
			t.Errorf("9/%d/%d reads %q, want %q", xy[0], xy[1], got, want)
		}
	}
	if got := r.tile(t, 9, 5, 300); got != nil {
		t.Errorf("a tile never added reads %q", got)
	}
	var meta map[string]any
	if err := json.Unmarshal(gunzip(t, r.b[r.header["meta"]:r.header["meta"]+r.header["metaLen"]]), &meta); err != nil || meta["vector_layers"] == nil {
		t.Errorf("metadata %v %v", meta, err)
	}
	if b.Bytes()[99] != tileTypeMVT || b.Bytes()[101] != 9 || int32(binary.LittleEndian.Uint32(b.Bytes()[102:])) != -910000000 {
		t.Errorf("header type %d, max zoom %d, min lon %d", b.Bytes()[99], b.Bytes()[101], int32(binary.LittleEndian.Uint32(b.Bytes()[102:])))
	}
}
