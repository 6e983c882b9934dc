package tiles

import (
	"container/list"
	"sync"

	"github.com/paulmach/orb/maptile"
)

// CacheKey names one encoded tile. A run's id digests its inputs and parameters, so a key never
// names two different tiles.
type CacheKey struct {
	Run, Layer, Setting, Content string
	Tile                         maptile.Tile
}

// Cache keeps encoded tiles up to a byte budget, dropping the least recently used. A nil *Cache
// caches nothing.
type Cache struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	order    *list.List // front: most recently used
	entries  map[CacheKey]*list.Element
	hits     uint64
	misses   uint64
}

type cacheEntry struct {
	key  CacheKey
	tile []byte
}

// NewCache makes a cache holding at most maxBytes of tiles.
func NewCache(maxBytes int) *Cache {
	return &Cache{maxBytes: maxBytes, order: list.New(), entries: map[CacheKey]*list.Element{}}
}

// Get returns a cached tile.
func (c *Cache) Get(k CacheKey) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).tile, true
}

// Put stores a tile, evicting old ones past the budget.
func (c *Cache) Put(k CacheKey, tile []byte) {
	if c == nil || len(tile) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.entries[k] = c.order.PushFront(&cacheEntry{key: k, tile: tile})
	c.bytes += len(tile)
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		ent := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.entries, ent.key)
		c.bytes -= len(ent.tile)
	}
}

// CacheStats reports the cache's use, for /metrics.
type CacheStats struct {
	Tiles, Bytes int
	Hits, Misses uint64
}

// Stats returns the current counts.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Tiles: len(c.entries), Bytes: c.bytes, Hits: c.hits, Misses: c.misses}
}
