package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"stemgap/tiles/pmtiles"
)

// ArchiveMaxZoom is the deepest zoom an archive needs for a run: the zoom whose cells are the
// run's own hexagons. Beyond it a map over-zooms the last tiles, whose 4,096 units across a tile
// keep features to a few metres.
func ArchiveMaxZoom(runResolution int) int { return min(MaxZoom, runResolution+3) }

// Archive lays every layer of one series — cells, tracts, programs and counties, each tile
// holding all four — from zoom 0 to maxZoom over the run's extent into a PMTiles archive, so that
// the map can be hosted as static files. metadata is the archive's JSON metadata, to which the
// layers' descriptions are added. progress, when set, hears of each zoom done.
func (s *Set) Archive(ctx context.Context, setting, content string, maxZoom int, metadata map[string]any, progress func(z, tiles int)) (*pmtiles.Archive, error) {
	if _, _, err := s.seriesOf(setting, content); err != nil {
		return nil, err
	}
	if maxZoom < 0 || maxZoom > MaxZoom {
		return nil, fmt.Errorf("%w: maximum zoom %d is outside 0–%d", ErrBadTile, maxZoom, MaxZoom)
	}
	b := s.bound()
	a := &pmtiles.Archive{MinZoom: 0, MaxZoom: uint8(maxZoom), Bounds: b, Center: b.Center(), CenterZoom: uint8(min(maxZoom, 9)), Metadata: metadata}
	var layers []VectorLayer
	for _, layer := range Layers() {
		tj, err := s.TileJSON(layer, setting, content, "")
		if err != nil {
			return nil, err
		}
		for _, l := range tj.VectorLayers {
			l.MaxZoom = maxZoom
			layers = append(layers, l)
		}
	}
	metadata["vector_layers"] = layers
	metadata["format"] = "pbf"
	for z := 0; z <= maxZoom; z++ {
		n := 0
		lo, hi := maptile.At(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z)), maptile.At(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				t := maptile.New(x, y, maptile.Zoom(z))
				tile, err := s.allLayers(ctx, setting, content, t)
				if err != nil {
					return nil, err
				}
				if err := a.Add(uint8(t.Z), t.X, t.Y, tile); err != nil {
					return nil, err
				}
				if len(tile) > 0 {
					n++
				}
			}
		}
		if progress != nil {
			progress(z, n)
		}
	}
	return a, nil
}

// allLayers is one tile with every layer in it, gzip-compressed; empty when every layer is. A
// vector tile's layers are a repeated field, so the layers' encodings laid end to end are the tile
// that holds them all.
func (s *Set) allLayers(ctx context.Context, setting, content string, t maptile.Tile) ([]byte, error) {
	var raw bytes.Buffer
	for _, layer := range Layers() {
		gz, err := s.Tile(ctx, layer, setting, content, t)
		if err != nil {
			return nil, err
		}
		if len(gz) == 0 {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(&raw, zr); err != nil {
			return nil, err
		}
	}
	if raw.Len() == 0 {
		return nil, nil
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression) // written once, read many times
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
