package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Inputs is everything an analysis reads from a store, as of one committed state: the areas,
// demographics and programs together with the records of the files they came from. A store hands
// them out with Snapshot, keeps them with every run (SaveRun) and gives a run's own back with
// RunInputs.
type Inputs struct {
	Areas        []Area
	Demographics []DemographicValue
	Programs     []Program
	Records      []IngestRecord
}

// Digests names each kind of input by its content, so that stores keep one copy of a set of
// rows however many runs use it. Records are not digested: they travel with each run.
type Digests struct {
	Areas, Demographics, Programs string
}

// Digests digests each kind of input: SHA-256 over every field of every row, in order, with
// maps by sorted key and every NaN alike. An empty kind has the empty digest.
func (in *Inputs) Digests() Digests {
	return Digests{Areas: DigestAreas(in.Areas), Demographics: DigestDemographics(in.Demographics), Programs: DigestPrograms(in.Programs)}
}

// DigestAreas is the content digest of a set of areas.
func DigestAreas(areas []Area) string {
	if len(areas) == 0 {
		return ""
	}
	d := newDigester(KindAreas, len(areas))
	for _, a := range areas {
		d.strings(a.ID, a.Name, a.County, a.Ref)
		d.float(a.LandKm2)
		d.int(len(a.Geometry))
		for _, p := range a.Geometry {
			d.int(len(p))
			for _, r := range p {
				d.int(len(r))
				for _, pt := range r {
					d.float(pt[0])
					d.float(pt[1])
				}
			}
		}
	}
	return d.sum()
}

// DigestDemographics is the content digest of a set of demographic values.
func DigestDemographics(values []DemographicValue) string {
	if len(values) == 0 {
		return ""
	}
	d := newDigester(KindDemographics, len(values))
	for _, v := range values {
		d.strings(v.AreaID, v.Variable, v.Vintage, v.Source, v.Ref)
		d.float(v.Value)
		d.float(v.MOE)
	}
	return d.sum()
}

// DigestPrograms is the content digest of a set of programs.
func DigestPrograms(programs []Program) string {
	if len(programs) == 0 {
		return ""
	}
	d := newDigester(KindPrograms, len(programs))
	for _, p := range programs {
		d.strings(p.ID, p.Name, p.Provider, p.Setting, p.Source, p.Ref)
		d.point(p.Location)
		d.float(p.Capacity)
		d.int(len(p.ContentAreas))
		d.strings(p.ContentAreas...)
		keys := make([]string, 0, len(p.Extra))
		for k := range p.Extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d.int(len(keys))
		for _, k := range keys {
			d.strings(k, p.Extra[k])
		}
	}
	return d.sum()
}

// digester feeds length-prefixed fields to SHA-256, so that no two different rows hash alike by
// running one field into the next.
type digester struct {
	h   hash.Hash
	buf [8]byte
}

func newDigester(kind string, rows int) *digester {
	d := &digester{h: sha256.New()}
	d.strings(kind)
	d.int(rows)
	return d
}

func (d *digester) int(n int) {
	binary.LittleEndian.PutUint64(d.buf[:], uint64(n))
	d.h.Write(d.buf[:])
}

func (d *digester) float(v float64) {
	if math.IsNaN(v) {
		v = math.NaN()
	}
	binary.LittleEndian.PutUint64(d.buf[:], math.Float64bits(v))
	d.h.Write(d.buf[:])
}

func (d *digester) point(p orb.Point) {
	d.float(p[0])
	d.float(p[1])
}

func (d *digester) strings(ss ...string) {
	for _, s := range ss {
		d.int(len(s))
		d.h.Write([]byte(s))
	}
}

func (d *digester) sum() string {
	return hex.EncodeToString(d.h.Sum(nil))
}
