// Package geo holds the pure geometry stemgap needs: great-circle distance, H3 cells of polygons,
// coordinate sanity checks and an exact nearest-point index. Points are orb.Points in lon/lat degrees.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusKm is the IUGG mean Earth radius. The method fixes it so that every distance stemgap
// reports can be recomputed by hand.
const EarthRadiusKm = 6371.0088

const degToRad = math.Pi / 180

// DistanceKm is the great-circle distance between two lon/lat points on a sphere of radius
// EarthRadiusKm.
func DistanceKm(a, b orb.Point) float64 {
	return NewSite(a).DistanceKm(NewSite(b))
}

// Site is a lon/lat point placed on the unit sphere once, for loops that measure many distances
// from the same points. Every distance stemgap reports goes through it, so nearest distances,
// catchment costs and exports agree to the last bit.
type Site struct {
	vec [3]float64
}

// NewSite prepares p for repeated distance computations.
func NewSite(p orb.Point) Site {
	lat, lng := p[1]*degToRad, p[0]*degToRad
	c := math.Cos(lat)
	return Site{vec: [3]float64{c * math.Cos(lng), c * math.Sin(lng), math.Sin(lat)}}
}

// ChordSquared is the squared straight-line distance between two sites on the unit sphere. It
// grows with great-circle distance, so it ranks and pre-filters distances at the cost of three
// multiplications.
func (a Site) ChordSquared(b Site) float64 {
	dx, dy, dz := a.vec[0]-b.vec[0], a.vec[1]-b.vec[1], a.vec[2]-b.vec[2]
	return dx*dx + dy*dy + dz*dz
}

// ChordSquaredForKm is the ChordSquared of two points km apart along a great circle.
func ChordSquaredForKm(km float64) float64 {
	c := 2 * math.Sin(math.Min(km/EarthRadiusKm, math.Pi)/2)
	return c * c
}

// DistanceKm is the great-circle distance between two sites. It is the haversine formula,
// d = 2R·asin(√hav θ), with √hav θ = sin(θ/2) read off the chord c between the unit vectors as
// c/2: the same quantity, without trigonometry per pair.
func (a Site) DistanceKm(b Site) float64 {
	return KmForChordSquared(a.ChordSquared(b))
}

// KmForChordSquared converts a ChordSquared back to great-circle km. Below about 12 km, where
// nearly every distance an analysis measures lies, asin is summed from its series: the terms
// left out weigh less than 1e-19 of the sum, so the result is asin's to the last bit or one
// below, at a fraction of the cost.
func KmForChordSquared(c2 float64) float64 {
	h := math.Sqrt(c2) / 2
	if h < 1e-3 {
		h2 := h * h
		return 2 * EarthRadiusKm * h * (1 + h2*(1.0/6+h2*(3.0/40)))
	}
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, h))
}
