package data

import (
	"encoding/binary"
	"hash/maphash"
	"math"

	"github.com/paulmach/orb"
)

// provenPolygons remembers the areas whose polygons the reader found valid, so that CheckIngest,
// which every store runs and which repeats the reader's check, need not check them again (9,840
// tracts: 0.13 s of CPU, a sixth of an ingest into PostGIS). An area counts as proven only if
// its coordinates still hash as they did when they passed, with the same region: a polygon
// repaired, replaced or changed in place since is checked again, so the verdicts are the same.
type provenPolygons struct {
	seed   maphash.Seed
	region *orb.Bound
	sums   []uint64 // by index into Ingest.Areas; 0: not proven
}

func newProvenPolygons(region *orb.Bound) *provenPolygons {
	p := &provenPolygons{seed: maphash.MakeSeed()}
	if region != nil {
		r := *region
		p.region = &r
	}
	return p
}

// sum hashes the polygons' structure and coordinates.
func (p *provenPolygons) sum(mp orb.MultiPolygon) uint64 {
	var h maphash.Hash
	h.SetSeed(p.seed)
	var buf []byte
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(mp)))
	for _, poly := range mp {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(len(poly)))
		for _, ring := range poly {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(len(ring)))
			for _, pt := range ring {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(pt[0]))
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(pt[1]))
			}
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return h.Sum64()
}

// add records that area i's polygons, hashed as sum, passed checkMultiPolygon.
func (p *provenPolygons) add(i int, sum uint64) {
	for len(p.sums) <= i {
		p.sums = append(p.sums, 0)
	}
	p.sums[i] = sum
}

// holds reports whether area i's polygons passed checkMultiPolygon within region as they are now.
func (p *provenPolygons) holds(i int, mp orb.MultiPolygon, region *orb.Bound) bool {
	if p == nil || i >= len(p.sums) || p.sums[i] == 0 {
		return false
	}
	if (region == nil) != (p.region == nil) || region != nil && *region != *p.region {
		return false
	}
	return p.sum(mp) == p.sums[i]
}
