// Package tiles turns an analysis run into Mapbox Vector Tiles: the cells layer (H3 hexagons at
// the resolution each zoom needs), the tracts layer (areas with their rollups) and the programs
// layer. It encodes with orb's encoding/mvt, caches encoded tiles, and knows nothing of HTTP.
package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"
	"stemgap/data"
	"stemgap/geo"
)

// Layer names.
const (
	LayerCells    = "cells"
	LayerTracts   = "tracts"
	LayerPrograms = "programs"
)

// Layers lists the layer names in a stable order.
func Layers() []string { return []string{LayerCells, LayerTracts, LayerPrograms, LayerCounties} }

// MaxZoom is the deepest zoom served; beyond it a client over-zooms the last tile.
const MaxZoom = 16

// Errors a caller can tell apart.
var (
	ErrUnknownLayer   = errors.New("unknown layer")
	ErrUnknownContent = errors.New("unknown content area")
	ErrBadTile        = errors.New("tile out of range")
	// ErrBadCell is returned for a cell at a resolution the cells layer does not draw.
	ErrBadCell = errors.New("bad cell")
	// ErrNoCell is returned for a cell the run has no figures for at the cell's resolution.
	ErrNoCell = fmt.Errorf("cell not in the run: %w", data.ErrNotFound)
)

// tileBuffer is the margin, in tile pixels of a 4096 extent, kept around each tile so that
// strokes at tile edges join up.
const tileBuffer = 64

// Set serves the tiles of one run. It reads the run's cells only where tiles are asked for, a
// partition at a time, and keeps what it reads and aggregates in a DataCache shared by every set,
// so that its memory follows the budget, not the region.
type Set struct {
	tables data.RunTables
	info   *data.RunInfo
	parts  []piece // one per partition
	blocks []piece // one per block
	lat    float64 // of the cells' centre: where the cells layer sizes its hexagons for
	// resolutions and cellsMinZoom are zoomTable's at lat, fixed with it.
	resolutions  []int
	cellsMinZoom int
	cache        *Cache
	data         *DataCache

	// inputs reads the run's inputs, for the layers drawn from them (tracts, programs,
	// counties): the cells, which the map opens on, are drawn without them.
	inputs    func() (*data.Inputs, error)
	drawnMu   sync.Mutex
	drawnFrom *inputShapes // nil until a layer needs them

	// breaks keeps each legend's class breaks once computed (Breaks); breaksAsking computes
	// each once however many ask at the same time.
	breaksMu     sync.Mutex
	breaks       map[breaksKey]Breaks
	breaksAsking singleflight.Group

	countiesOnce sync.Once
	counties     []county
	tractLabels  []tractLabel
}

// inputShapes are what the layers drawn from the run's inputs need.
type inputShapes struct {
	results     []data.AreaResult
	areas       []areaShape // aligned with results; nil geometry when the run's inputs lack the area
	programs    []data.Program
	storedAreas []data.Area
}

type areaShape struct {
	geometry orb.MultiPolygon
	bound    orb.Bound
}

// NewSet prepares the tiles of a run read through tables: areas are the run's inputs (matched to
// its rollups by id), programs too. Both caches may be shared between sets; a nil tile cache
// caches no tiles.
func NewSet(tables data.RunTables, areas []data.Area, programs []data.Program, cache *Cache, dataCache *DataCache) *Set {
	return NewLazySet(tables, func() (*data.Inputs, error) { return &data.Inputs{Areas: areas, Programs: programs}, nil }, cache, dataCache)
}

// NewLazySet is NewSet reading the run's inputs only when a layer first needs them, so that the
// first cells tile of a big run waits for neither its inputs nor its rollups. A failed read is
// tried again by the next tile that needs them.
func NewLazySet(tables data.RunTables, inputs func() (*data.Inputs, error), cache *Cache, dataCache *DataCache) *Set {
	s := &Set{tables: tables, info: tables.Info(), parts: partitionsOf(tables.Blocks()), blocks: blocksOf(tables.Blocks()),
		cache: cache, data: dataCache, inputs: inputs}
	s.lat = s.bound().Center()[1]
	s.resolutions, s.cellsMinZoom = zoomTable(s.info.Resolution, s.lat)
	return s
}

// shapes reads the inputs and matches the areas to the rollups, once.
func (s *Set) shapes() (*inputShapes, error) {
	s.drawnMu.Lock()
	defer s.drawnMu.Unlock()
	if s.drawnFrom != nil {
		return s.drawnFrom, nil
	}
	in, err := s.inputs()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]orb.MultiPolygon, len(in.Areas))
	for _, a := range in.Areas {
		byID[a.ID] = a.Geometry
	}
	sh := &inputShapes{results: s.tables.Areas(), programs: in.Programs, storedAreas: in.Areas}
	sh.areas = make([]areaShape, len(sh.results))
	for i, a := range sh.results {
		if g, ok := byID[a.ID]; ok {
			sh.areas[i] = areaShape{geometry: g, bound: g.Bound()}
		}
	}
	s.drawnFrom = sh
	return sh, nil
}

// Info is the run the set serves.
func (s *Set) Info() *data.RunInfo { return s.info }

// Areas are the run's rollups.
func (s *Set) Areas() []data.AreaResult { return s.tables.Areas() }

// Tables reads the run the set serves.
func (s *Set) Tables() data.RunTables { return s.tables }

// CheckTile rejects a tile address that does not exist.
func CheckTile(z, x, y int) (maptile.Tile, error) {
	if z < 0 || z > MaxZoom {
		return maptile.Tile{}, fmt.Errorf("%w: zoom %d is outside 0–%d", ErrBadTile, z, MaxZoom)
	}
	n := 1 << z
	if x < 0 || y < 0 || x >= n || y >= n {
		return maptile.Tile{}, fmt.Errorf("%w: x and y must lie in 0–%d at zoom %d", ErrBadTile, n-1, z)
	}
	return maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), nil
}

// seriesOf finds a setting group and content area of the run; the empty setting is the run's
// default group.
func (s *Set) seriesOf(setting, content string) (int, data.SettingGroup, error) {
	k, err := s.info.CheckSeries(setting, content)
	if err != nil {
		return -1, data.SettingGroup{}, fmt.Errorf("%w: %v", ErrUnknownContent, err)
	}
	group, _ := s.info.SettingGroup(s.info.ContentAreas[k].Setting)
	return k, group, nil
}

// Tile returns the gzip-compressed MVT for a layer, setting group, content area and tile; an
// empty slice means an empty tile. The empty setting is the run's default group.
func (s *Set) Tile(ctx context.Context, layer, setting, content string, t maptile.Tile) ([]byte, error) {
	k, group, err := s.seriesOf(setting, content)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Layers(), layer) {
		return nil, fmt.Errorf("%w %q (layers: %s)", ErrUnknownLayer, layer, strings.Join(Layers(), ", "))
	}
	key := CacheKey{Run: s.info.ID, Layer: layer, Setting: group.Name, Content: content, Tile: t}
	// Encoding is shared by every request for the tile, so it must outlive the one that began it.
	ctx = context.WithoutCancel(ctx)
	return s.cache.load(key, func() ([]byte, error) {
		var fc *geojson.FeatureCollection
		var sh *inputShapes
		var err error
		if layer != LayerCells {
			if sh, err = s.shapes(); err != nil {
				return nil, err
			}
		}
		switch layer {
		case LayerCells:
			fc, err = s.cellFeatures(ctx, k, t)
		case LayerTracts:
			fc = tractFeatures(sh, k, t)
		case LayerPrograms:
			fc = programFeatures(sh, group, content, t)
		case LayerCounties:
			fc = s.countyFeatures(sh, t)
		}
		if err != nil {
			return nil, err
		}
		b, err := encode(layer, fc, t)
		if err != nil {
			return nil, fmt.Errorf("encode %s tile %d/%d/%d: %w", layer, t.Z, t.X, t.Y, err)
		}
		return b, nil
	})
}

// bufferedBound is the tile's lon/lat bound grown by the tile buffer.
func bufferedBound(t maptile.Tile) orb.Bound {
	return t.Bound(float64(tileBuffer) / mvt.DefaultExtent)
}

// cellFeatures draws the cells of every piece the tile meets, each piece's level and series read
// and aggregated on first use.
func (s *Set) cellFeatures(ctx context.Context, k int, t maptile.Tile) (*geojson.FeatureCollection, error) {
	bound := bufferedBound(t)
	res := s.resolutionAt(t.Z)
	fc := geojson.NewFeatureCollection()
	pieces, unit := s.pieces(res)
	var met []int
	for p := range pieces {
		if pieces[p].bound.Intersects(bound) {
			met = append(met, p)
		}
	}
	// Read and aggregate the pieces side by side, into the data cache: a tile drawn first meets
	// several, each read a round trip or two from the store and decoded on one core. They are
	// drawn in the run's order.
	levels := make([]*level, len(met))
	measures := make([]*levelMeasures, len(met))
	var g errgroup.Group
	g.SetLimit(max(2, runtime.GOMAXPROCS(0)))
	for i, p := range met {
		g.Go(func() (err error) {
			levels[i], measures[i], err = s.measures(ctx, unit, p, res, k)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(levels) == 0 {
		return fc, nil
	}
	cells, listed, err := tileCells(bound, res, 4*len(levels[0].cells))
	if err != nil {
		return nil, err
	}
	for i, lv := range levels {
		if err := appendCells(fc, lv, measures[i], lv.rowsOf(cells, listed), bound); err != nil {
			return nil, err
		}
	}
	return fc, nil
}

// appendCells adds the level's rows whose hexagons meet the tile's bound.
func appendCells(fc *geojson.FeatureCollection, lv *level, m *levelMeasures, rows []int, bound orb.Bound) error {
	for _, i := range rows {
		poly, err := geo.CellPolygon(lv.cells[i])
		if err != nil {
			return err
		}
		if !poly.Bound().Intersects(bound) {
			continue
		}
		f := geojson.NewFeature(poly)
		c := figuresOf(lv, m, i)
		p := f.Properties
		p["h3"] = c.Cell.String()
		p["res"] = c.Res
		setNumber(p, "nearest", c.Nearest)
		setNumber(p, "count", c.Count)
		setNumber(p, "need", c.Need)
		if c.NoData {
			p["nodata"] = true
		} else {
			setNumber(p, "demand", c.Demand)
			setNumber(p, "access", c.Access)
			setNumber(p, "unmet", c.Unmet)
			setNumber(p, "gap", c.Gap)
			setNumber(p, "desert", c.Desert)
			if c.Recorded {
				p["overstated"] = c.Overstated
			}
		}
		fc.Append(f)
	}
	return nil
}

func tractFeatures(sh *inputShapes, k int, t maptile.Tile) *geojson.FeatureCollection {
	bound := bufferedBound(t)
	fc := geojson.NewFeatureCollection()
	for i, a := range sh.results {
		shape := sh.areas[i]
		if shape.geometry == nil || !shape.bound.Intersects(bound) {
			continue
		}
		f := geojson.NewFeature(shape.geometry.Clone())
		p := f.Properties
		p["id"] = a.ID
		if a.Name != "" {
			p["name"] = a.Name
		}
		setNumber(p, "need", a.Need)
		p["urban"] = a.Urban
		if math.IsNaN(a.Demand) {
			p["nodata"] = true
		} else {
			am := a.Measures[k]
			setNumber(p, "demand", a.Demand)
			setNumber(p, "access", am.Access)
			setNumber(p, "nearest", am.Nearest)
			setNumber(p, "unmet", am.Unmet)
			setNumber(p, "gap", am.Gap)
			setNumber(p, "desert_share", am.DesertShare)
			p["desert"] = am.Desert
			p["rank"] = am.Rank
			setNumber(p, "percentile", am.Percentile)
		}
		fc.Append(f)
	}
	return fc
}

func programFeatures(sh *inputShapes, group data.SettingGroup, content string, t maptile.Tile) *geojson.FeatureCollection {
	bound := bufferedBound(t)
	fc := geojson.NewFeatureCollection()
	for _, pr := range sh.programs {
		if !bound.Contains(pr.Location) || !group.Includes(pr.Setting) || !pr.Offers(content) {
			continue
		}
		f := geojson.NewFeature(pr.Location)
		p := f.Properties
		p["id"] = pr.ID
		p["name"] = pr.Name
		p["provider"] = pr.Provider
		p["setting"] = pr.Setting
		p["content_areas"] = strings.Join(pr.ContentAreas, ";")
		setNumber(p, "capacity", pr.Capacity)
		fc.Append(f)
	}
	return fc
}

// setNumber writes a property only when it is a finite number: MVT has no "no data" value, so a
// missing property is how a tile says it.
func setNumber(p geojson.Properties, key string, v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		p[key] = v
	}
}

// encode projects, clips and simplifies a layer into a gzip-compressed tile.
func encode(name string, fc *geojson.FeatureCollection, t maptile.Tile) ([]byte, error) {
	if len(fc.Features) == 0 {
		return []byte{}, nil
	}
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{name: fc})
	for _, l := range layers {
		// orb writes version 1; these tiles follow the 2.1 specification (winding, commands), and
		// MapLibre warns about any other.
		l.Version = 2
	}
	layers.ProjectToTile(t)
	layers.Clip(orb.Bound{Min: orb.Point{-tileBuffer, -tileBuffer}, Max: orb.Point{mvt.DefaultExtent + tileBuffer, mvt.DefaultExtent + tileBuffer}})
	// One tile pixel of 4096 is below what any screen shows.
	layers.Simplify(simplify.DouglasPeucker(1.0))
	layers.RemoveEmpty(1.0, 1.0)
	raw, err := mvt.Marshal(layers)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
