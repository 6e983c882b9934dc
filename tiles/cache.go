package tiles

import (
	"container/list"
	"fmt"
	"sync"

	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"
)

// lru keeps values up to a byte budget, dropping the least recently used.
type lru[K comparable] struct {
	mu        sync.Mutex
	maxBytes  int
	bytes     int
	order     *list.List // front: most recently used
	entries   map[K]*list.Element
	hits      uint64
	misses    uint64
	evictions uint64
}

type lruEntry[K comparable] struct {
	key   K
	value any
	size  int
}

func newLRU[K comparable](maxBytes int) *lru[K] {
	return &lru[K]{maxBytes: maxBytes, order: list.New(), entries: map[K]*list.Element{}}
}

func (c *lru[K]) get(k K) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry[K]).value, true
}

// put stores a value unless it alone is over the budget, evicting old ones past it.
func (c *lru[K]) put(k K, v any, size int) {
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.entries[k] = c.order.PushFront(&lruEntry[K]{key: k, value: v, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		ent := last.Value.(*lruEntry[K])
		c.order.Remove(last)
		delete(c.entries, ent.key)
		c.bytes -= ent.size
		c.evictions++
	}
}

// CacheStats reports a cache's use, for /metrics.
type CacheStats struct {
	Entries, Bytes, Limit   int
	Hits, Misses, Evictions uint64
}

func (c *lru[K]) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.entries), Bytes: c.bytes, Limit: c.maxBytes, Hits: c.hits, Misses: c.misses, Evictions: c.evictions}
}

// CacheKey names one encoded tile. A run's id digests its inputs and parameters, so a key never
// names two different tiles.
type CacheKey struct {
	Run, Layer, Setting, Content string
	Tile                         maptile.Tile
}

// Cache keeps encoded tiles up to a byte budget. Concurrent requests for a tile it lacks encode
// it once. A nil *Cache caches nothing.
type Cache struct {
	tiles *lru[CacheKey]
	group singleflight.Group
}

// NewCache makes a cache holding at most maxBytes of tiles.
func NewCache(maxBytes int) *Cache {
	return &Cache{tiles: newLRU[CacheKey](maxBytes)}
}

// Get returns a cached tile.
func (c *Cache) Get(k CacheKey) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.tiles.get(k)
	if !ok {
		return nil, false
	}
	return v.([]byte), true
}

// Put stores a tile.
func (c *Cache) Put(k CacheKey, tile []byte) {
	if c != nil {
		c.tiles.put(k, tile, len(tile))
	}
}

// load returns the cached tile or encodes it, once however many ask at the same time.
func (c *Cache) load(k CacheKey, encode func() ([]byte, error)) ([]byte, error) {
	if b, ok := c.Get(k); ok {
		return b, nil
	}
	if c == nil {
		return encode()
	}
	v, err, _ := c.group.Do(fmt.Sprintf("%s/%s/%s/%s/%d/%d/%d", k.Run, k.Layer, k.Setting, k.Content, k.Tile.Z, k.Tile.X, k.Tile.Y), func() (any, error) {
		b, err := encode()
		if err == nil {
			c.Put(k, b)
		}
		return b, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// Stats returns the cache's use.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	return c.tiles.stats()
}

// dataKey names what a set built from one partition of a run.
type dataKey struct {
	run                           string
	kind, unit, part, res, series int
}

// DataCache keeps what tile sets read and aggregate from runs — a partition's cells, a series'
// figures, a level — up to a byte budget, so that serving holds what was asked for lately and no
// more. Concurrent requests for one item build it once.
type DataCache struct {
	items *lru[dataKey]
	group singleflight.Group
}

// NewDataCache makes a cache holding at most maxBytes of decoded run data.
func NewDataCache(maxBytes int) *DataCache {
	return &DataCache{items: newLRU[dataKey](maxBytes)}
}

// load returns the cached item or builds it with fn, which says its size in bytes.
func (c *DataCache) load(k dataKey, fn func() (any, int, error)) (any, error) {
	if v, ok := c.items.get(k); ok {
		return v, nil
	}
	v, err, _ := c.group.Do(fmt.Sprintf("%s/%d/%d/%d/%d/%d", k.run, k.kind, k.unit, k.part, k.res, k.series), func() (any, error) {
		v, size, err := fn()
		if err == nil {
			c.items.put(k, v, size)
		}
		return v, err
	})
	return v, err
}

// Stats returns the cache's use.
func (c *DataCache) Stats() CacheStats { return c.items.stats() }
