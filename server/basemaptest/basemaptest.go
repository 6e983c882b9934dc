// Package basemaptest writes a SYNTHETIC regional basemap as a PMTiles v3 archive, for the tests
// of serve --basemap-pmtiles: there is no internet on the test machines to fetch a real one. Its
// tiles follow the Protomaps basemap schema (earth, water, roads, places), so the
// @protomaps/basemaps style draws them, but every feature in them is invented: a land mass over
// the region, a river band through it, a grid of roads and one place called "Synthetic Town".
package basemaptest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"os"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Write writes the synthetic basemap of a region, zooms 0 to maxZoom, to path.
func Write(path string, region orb.Bound, maxZoom maptile.Zoom) error {
	features := syntheticFeatures(region)
	type entry struct {
		id   uint64
		data []byte
	}
	var entries []entry
	for z := maptile.Zoom(0); z <= maxZoom; z++ {
		lo := maptile.At(orb.Point{region.Min[0], region.Max[1]}, z)
		hi := maptile.At(orb.Point{region.Max[0], region.Min[1]}, z)
		for x := lo.X; x <= hi.X; x++ {
			for y := lo.Y; y <= hi.Y; y++ {
				t := maptile.New(x, y, z)
				b, err := encodeTile(features, t)
				if err != nil {
					return err
				}
				entries = append(entries, entry{TileID(t), b})
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].id < entries[j].id })

	// Root directory: every tile, run length 1, offsets contiguous (written as 0 after the first).
	var dir []byte
	dir = binary.AppendUvarint(dir, uint64(len(entries)))
	last := uint64(0)
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, e.id-last)
		last = e.id
	}
	for range entries {
		dir = binary.AppendUvarint(dir, 1)
	}
	for _, e := range entries {
		dir = binary.AppendUvarint(dir, uint64(len(e.data)))
	}
	for i := range entries {
		if i == 0 {
			dir = binary.AppendUvarint(dir, 1) // offset 0, written as offset+1
		} else {
			dir = binary.AppendUvarint(dir, 0) // right after the previous tile
		}
	}
	meta, err := json.Marshal(map[string]any{
		"name":        "stemgap synthetic basemap",
		"description": "SYNTHETIC: invented land, river, roads and place for tests; not a map of anywhere",
		"vector_layers": []map[string]any{
			{"id": "earth", "fields": map[string]string{}}, {"id": "water", "fields": map[string]string{"kind": "String"}},
			{"id": "roads", "fields": map[string]string{"kind": "String"}}, {"id": "places", "fields": map[string]string{"name": "String"}},
		},
	})
	if err != nil {
		return err
	}
	var tileData []byte
	for _, e := range entries {
		tileData = append(tileData, e.data...)
	}
	const headerLen = 127
	h := make([]byte, headerLen)
	copy(h, "PMTiles")
	h[7] = 3
	put := func(at int, v uint64) { binary.LittleEndian.PutUint64(h[at:], v) }
	dirOff, metaOff := uint64(headerLen), uint64(headerLen+len(dir))
	dataOff := metaOff + uint64(len(meta))
	put(8, dirOff)
	put(16, uint64(len(dir)))
	put(24, metaOff)
	put(32, uint64(len(meta)))
	put(40, dataOff) // no leaf directories
	put(48, 0)
	put(56, dataOff)
	put(64, uint64(len(tileData)))
	put(72, uint64(len(entries)))
	put(80, uint64(len(entries)))
	put(88, uint64(len(entries)))
	h[96] = 1 // clustered
	h[97] = 1 // directories and metadata not compressed
	h[98] = 2 // tiles gzip
	h[99] = 1 // MVT
	h[100], h[101] = 0, byte(maxZoom)
	e7 := func(at int, v float64) { binary.LittleEndian.PutUint32(h[at:], uint32(int32(v*1e7))) }
	e7(102, region.Min[0])
	e7(106, region.Min[1])
	e7(110, region.Max[0])
	e7(114, region.Max[1])
	h[118] = byte(maxZoom / 2)
	c := region.Center()
	e7(119, c[0])
	e7(123, c[1])
	out := append(append(append(h, dir...), meta...), tileData...)
	return os.WriteFile(path, out, 0o644)
}

// TileID is a tile's position in a PMTiles archive: the tiles of all lower zooms, then the
// tile's index along the Hilbert curve at its zoom.
func TileID(t maptile.Tile) uint64 {
	var acc uint64
	for z := uint32(0); z < uint32(t.Z); z++ {
		acc += uint64(1) << (2 * z)
	}
	n := uint64(1) << t.Z
	x, y := uint64(t.X), uint64(t.Y)
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s > 0 {
			rx = 1
		}
		if y&s > 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return acc + d
}

// syntheticFeatures invents the basemap's content over a region.
func syntheticFeatures(b orb.Bound) map[string]*geojson.FeatureCollection {
	w, s, e, n := b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	cx := (w + e) / 2
	layers := map[string]*geojson.FeatureCollection{}
	add := func(layer string, g orb.Geometry, props geojson.Properties) {
		if layers[layer] == nil {
			layers[layer] = geojson.NewFeatureCollection()
		}
		f := geojson.NewFeature(g)
		f.Properties = props
		layers[layer].Append(f)
	}
	add("earth", orb.Polygon{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}, geojson.Properties{"kind": "earth"})
	band := (e - w) / 60
	add("water", orb.Polygon{{{cx - band, s}, {cx + band, s}, {cx + band, n}, {cx - band, n}, {cx - band, s}}},
		geojson.Properties{"kind": "water", "name": "Synthetic River"})
	for i := 1; i < 4; i++ {
		y := s + (n-s)*float64(i)/4
		add("roads", orb.LineString{{w, y}, {e, y}}, geojson.Properties{"kind": "major_road", "kind_detail": "primary", "min_zoom": 5.0})
		x := w + (e-w)*float64(i)/4
		add("roads", orb.LineString{{x, s}, {x, n}}, geojson.Properties{"kind": "highway", "kind_detail": "motorway", "min_zoom": 4.0})
	}
	add("places", b.Center(), geojson.Properties{"kind": "locality", "name": "Synthetic Town", "min_zoom": 4.0, "population_rank": 10.0})
	return layers
}

func encodeTile(features map[string]*geojson.FeatureCollection, t maptile.Tile) ([]byte, error) {
	clones := map[string]*geojson.FeatureCollection{}
	for name, fc := range features {
		c := geojson.NewFeatureCollection()
		for _, f := range fc.Features {
			g := geojson.NewFeature(orb.Clone(f.Geometry))
			g.Properties = f.Properties
			c.Append(g)
		}
		clones[name] = c
	}
	layers := mvt.NewLayers(clones)
	for _, l := range layers {
		l.Version = 2
	}
	layers.ProjectToTile(t)
	layers.Clip(mvt.MapboxGLDefaultExtentBound)
	layers.RemoveEmpty(1, 1)
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
