package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"sync"
)

// plainTiles keeps tiles decompressed for clients that do not take gzip, so that each tile is
// decompressed once rather than on every request. Tiles are keyed by their ETag (run id and a
// digest of the gzip body) and held up to a byte budget, the oldest dropped first.
type plainTiles struct {
	mu      sync.Mutex
	max     int
	bytes   int
	tiles   map[string][]byte
	order   []string // oldest first
	gunzips uint64
}

func newPlainTiles(maxBytes int) *plainTiles {
	return &plainTiles{max: maxBytes, tiles: map[string][]byte{}}
}

// get returns the decompressed body of the gzip tile gz, whose ETag is etag.
func (p *plainTiles) get(etag string, gz []byte) ([]byte, error) {
	p.mu.Lock()
	b, ok := p.tiles[etag]
	p.mu.Unlock()
	if ok {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	if b, err = io.ReadAll(zr); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gunzips++
	if _, ok := p.tiles[etag]; ok || len(b) > p.max {
		return b, nil
	}
	p.tiles[etag] = b
	p.order = append(p.order, etag)
	p.bytes += len(b)
	for p.bytes > p.max {
		old := p.order[0]
		p.order = p.order[1:]
		p.bytes -= len(p.tiles[old])
		delete(p.tiles, old)
	}
	return b, nil
}

// decompressions counts the tiles decompressed so far, for /metrics.
func (p *plainTiles) decompressions() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gunzips
}
