// Package pmtiles writes PMTiles version 3 archives: a single file of map tiles that a static
// host serves with HTTP Range requests (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md).
//
// It is a writer of the specification's few pages rather than github.com/protomaps/go-pmtiles,
// which has no archive writer (only the serialisers) and whose package pulls the cloud-storage SDKs
// into the build (about 86 s cold and 2.3 GB of modules on the team's machine). The pmtiles npm
// reader reads every archive the tests write.
package pmtiles

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Header values of the specification.
const (
	headerLen        = 127
	rootLimit        = 16384 // the header and root directory must fit in the first 16 KiB
	compressionGzip  = 2
	tileTypeMVT      = 1
	specVersion      = 3
	firstLeafEntries = 4096
)

// Archive collects gzip-compressed Mapbox Vector Tiles and writes them as one PMTiles file.
// Identical tiles are stored once.
type Archive struct {
	MinZoom, MaxZoom uint8
	Bounds           orb.Bound // lon/lat
	Center           orb.Point
	CenterZoom       uint8
	Metadata         any // written as the archive's JSON metadata; MVT archives list vector_layers

	tiles map[uint64][]byte
}

// Add puts a gzip-compressed tile at z/x/y; an empty tile is left out, as readers expect.
func (a *Archive) Add(z uint8, x, y uint32, tile []byte) error {
	if z > 31 || x >= 1<<z || y >= 1<<z {
		return fmt.Errorf("tile %d/%d/%d does not exist", z, x, y)
	}
	if len(tile) == 0 {
		return nil
	}
	if a.tiles == nil {
		a.tiles = map[uint64][]byte{}
	}
	a.tiles[TileID(z, x, y)] = tile
	return nil
}

// Len is the number of tiles added.
func (a *Archive) Len() int { return len(a.tiles) }

// TileID numbers a tile along the specification's Hilbert curve: every tile of lower zooms first,
// then the tile's position on the curve at its own zoom.
func TileID(z uint8, x, y uint32) uint64 {
	acc := (uint64(1)<<(2*uint64(z)) - 1) / 3 // 4⁰ + 4¹ + … + 4^(z−1)
	var d uint64
	tx, ty := uint64(x), uint64(y)
	for s := uint64(1) << z >> 1; s > 0; s >>= 1 {
		var rx, ry uint64
		if tx&s > 0 {
			rx = 1
		}
		if ty&s > 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 { // rotate the quadrant, as the reference implementation does
			if rx == 1 {
				tx, ty = s-1-tx, s-1-ty
			}
			tx, ty = ty, tx
		}
	}
	return acc + d
}

// entry is one directory entry: a run of tiles with the same content, or (RunLength 0) a leaf
// directory.
type entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// WriteTo writes the archive: header, root directory, metadata, leaf directories, tile data.
func (a *Archive) WriteTo(w io.Writer) (int64, error) {
	ids := make([]uint64, 0, len(a.tiles))
	for id := range a.tiles {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var tileData bytes.Buffer
	var entries []entry
	offsets := map[[32]byte]entry{}
	contents := 0
	for _, id := range ids {
		tile := a.tiles[id]
		sum := sha256.Sum256(tile)
		e, seen := offsets[sum]
		if !seen {
			e = entry{Offset: uint64(tileData.Len()), Length: uint32(len(tile))}
			tileData.Write(tile)
			offsets[sum] = e
			contents++
		}
		// A tile that repeats the one before it, at the next id, extends that entry's run.
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.Offset == e.Offset && last.TileID+uint64(last.RunLength) == id {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, entry{TileID: id, Offset: e.Offset, Length: e.Length, RunLength: 1})
	}
	meta, err := json.Marshal(a.Metadata)
	if err != nil {
		return 0, err
	}
	meta, err = gzipped(meta)
	if err != nil {
		return 0, err
	}
	root, leaves, err := directories(entries)
	if err != nil {
		return 0, err
	}
	h := make([]byte, headerLen)
	copy(h, "PMTiles")
	h[7] = specVersion
	le := binary.LittleEndian
	rootOffset := uint64(headerLen)
	metaOffset := rootOffset + uint64(len(root))
	leafOffset := metaOffset + uint64(len(meta))
	dataOffset := leafOffset + uint64(len(leaves))
	for i, v := range []uint64{rootOffset, uint64(len(root)), metaOffset, uint64(len(meta)), leafOffset, uint64(len(leaves)),
		dataOffset, uint64(tileData.Len()), uint64(len(ids)), uint64(len(entries)), uint64(contents)} {
		le.PutUint64(h[8+8*i:], v)
	}
	h[96] = 1 // clustered: tile data in tile-id order
	h[97] = compressionGzip
	h[98] = compressionGzip
	h[99] = tileTypeMVT
	h[100], h[101] = a.MinZoom, a.MaxZoom
	for i, v := range []float64{a.Bounds.Min[0], a.Bounds.Min[1], a.Bounds.Max[0], a.Bounds.Max[1]} {
		le.PutUint32(h[102+4*i:], uint32(e7(v)))
	}
	h[118] = a.CenterZoom
	le.PutUint32(h[119:], uint32(e7(a.Center[0])))
	le.PutUint32(h[123:], uint32(e7(a.Center[1])))
	var n int64
	for _, part := range [][]byte{h, root, meta, leaves, tileData.Bytes()} {
		m, err := w.Write(part)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// e7 is a coordinate in the header's unit, ten-millionths of a degree.
func e7(v float64) int32 { return int32(math.Round(v * 1e7)) }

// directories builds the root directory and, when the entries do not fit beside the header in
// 16 KiB, leaf directories that the root points to; leaves grow until the root fits.
func directories(entries []entry) (root, leaves []byte, err error) {
	if root, err = serialize(entries); err != nil {
		return nil, nil, err
	}
	if headerLen+len(root) <= rootLimit {
		return root, nil, nil
	}
	for size := firstLeafEntries; ; size *= 2 {
		var rootEntries []entry
		var buf bytes.Buffer
		for i := 0; i < len(entries); i += size {
			leaf, err := serialize(entries[i:min(i+size, len(entries))])
			if err != nil {
				return nil, nil, err
			}
			rootEntries = append(rootEntries, entry{TileID: entries[i].TileID, Offset: uint64(buf.Len()), Length: uint32(len(leaf))})
			buf.Write(leaf)
		}
		if root, err = serialize(rootEntries); err != nil {
			return nil, nil, err
		}
		if headerLen+len(root) <= rootLimit {
			return root, buf.Bytes(), nil
		}
	}
}

// serialize writes a directory as the specification lays it out — the count, then tile-id deltas,
// run lengths, lengths and offsets as varints (an offset that follows on from the entry before
// written as 0, any other as offset + 1) — compressed with gzip.
func serialize(entries []entry) ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(entries)))
	var last uint64
	for _, e := range entries {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range entries {
		if i > 0 && e.Offset == entries[i-1].Offset+uint64(entries[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return gzipped(b)
}

func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
