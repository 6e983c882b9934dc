package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Basemap says what the map draws beneath the data. With neither field set (the offline demo),
// the context comes from the data itself: county outlines and labels, tract numbers.
type Basemap struct {
	// StyleURL is any MapLibre style (a hosted OpenFreeMap, Protomaps or MapTiler style).
	StyleURL string
	// PMTiles is a regional vector basemap in the Protomaps schema, served by this server with
	// HTTP Range requests and drawn with the @protomaps/basemaps style.
	PMTiles *PMTiles
}

// PMTiles is an opened PMTiles v3 archive of vector tiles.
type PMTiles struct {
	file     *os.File
	size     int64
	modTime  time.Time
	name     string
	MinZoom  int
	MaxZoom  int
	Bounds   [4]float64 // west, south, east, north
	TileType string
}

// pmtilesHeaderLen is the fixed length of a PMTiles v3 header.
const pmtilesHeaderLen = 127

// OpenPMTiles opens a PMTiles v3 archive and checks its header: the map can only draw vector
// tiles (MVT) in the Protomaps schema.
func OpenPMTiles(path string) (*PMTiles, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	h := make([]byte, pmtilesHeaderLen)
	if _, err := io.ReadFull(f, h); err != nil || !bytes.Equal(h[:7], []byte("PMTiles")) {
		f.Close()
		return nil, fmt.Errorf("%s: not a PMTiles archive (no PMTiles header)", path)
	}
	if h[7] != 3 {
		f.Close()
		return nil, fmt.Errorf("%s: PMTiles version %d; stemgap reads version 3 (convert with pmtiles convert)", path, h[7])
	}
	p := &PMTiles{file: f, size: info.Size(), modTime: info.ModTime(), name: info.Name(),
		MinZoom: int(h[100]), MaxZoom: int(h[101]), TileType: pmtilesTileType(h[99])}
	for i := range p.Bounds {
		p.Bounds[i] = float64(int32(binary.LittleEndian.Uint32(h[102+4*i:]))) / 1e7
	}
	if p.TileType != "mvt" {
		f.Close()
		return nil, fmt.Errorf("%s: holds %s tiles; the basemap must be vector tiles (mvt)", path, p.TileType)
	}
	return p, nil
}

func pmtilesTileType(b byte) string {
	switch b {
	case 1:
		return "mvt"
	case 2:
		return "png"
	case 3:
		return "jpeg"
	case 4:
		return "webp"
	case 5:
		return "avif"
	}
	return "unknown (" + strconv.Itoa(int(b)) + ")"
}

// Close closes the archive.
func (p *PMTiles) Close() error { return p.file.Close() }

// servePMTiles sends the archive, or the byte ranges the pmtiles protocol asks for.
func (s *Server) servePMTiles(w http.ResponseWriter, r *http.Request) {
	p := s.basemap.PMTiles
	if p == nil {
		s.fail(w, r, fmt.Errorf("%w: no basemap archive (serve --basemap-pmtiles FILE)", errNotFound))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	w.Header().Set("Cache-Control", "no-cache")
	// The ETag names this file's size and time, so a replaced archive is never mixed with the old.
	w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, p.size, p.modTime.UnixNano()))
	http.ServeContent(w, r, p.name, p.modTime, io.NewSectionReader(p.file, 0, p.size))
}

// basemapInfo tells the map what to draw beneath the data.
func (s *Server) basemapInfo(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"kind": "data"}
	switch b := s.basemap; {
	case b.StyleURL != "":
		out = map[string]any{"kind": "style", "style": b.StyleURL}
	case b.PMTiles != nil:
		out = map[string]any{"kind": "pmtiles", "url": "/basemap.pmtiles", "minzoom": b.PMTiles.MinZoom,
			"maxzoom": b.PMTiles.MaxZoom, "bounds": b.PMTiles.Bounds}
	}
	writeJSON(w, http.StatusOK, out)
}
