package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// CheckLonLat rejects a point that cannot be WGS 84 longitude/latitude, saying what it most likely
// is instead: projected coordinates (metres or feet) or swapped axes.
func CheckLonLat(p orb.Point) error {
	lng, lat := p[0], p[1]
	switch {
	case math.IsNaN(lng) || math.IsNaN(lat) || math.IsInf(lng, 0) || math.IsInf(lat, 0):
		return fmt.Errorf("coordinate (%v, %v) is not a number", lng, lat)
	case math.Abs(lng) > 360 || math.Abs(lat) > 360:
		return fmt.Errorf("coordinate (%v, %v) looks projected (metres or feet), not longitude/latitude degrees: reproject to WGS 84 (EPSG:4326)", lng, lat)
	case math.Abs(lat) > 90 && math.Abs(lng) <= 90:
		return fmt.Errorf("latitude %v is beyond ±90: are longitude and latitude swapped?", lat)
	case math.Abs(lng) > 180 || math.Abs(lat) > 90:
		return fmt.Errorf("coordinate (%v, %v) is off the Earth (longitude ±180, latitude ±90)", lng, lat)
	}
	return nil
}

// CheckInRegion rejects a point outside region (a lon/lat bound), noticing when swapping its axes
// would bring it inside.
func CheckInRegion(p orb.Point, region orb.Bound) error {
	if region.Contains(p) {
		return nil
	}
	if region.Contains(orb.Point{p[1], p[0]}) {
		return fmt.Errorf("point (lng %v, lat %v) lies outside the region %v but inside it with the axes swapped: are lat and lng exchanged?", p[0], p[1], formatBound(region))
	}
	return fmt.Errorf("point (lng %v, lat %v) lies outside the region %v", p[0], p[1], formatBound(region))
}

func formatBound(b orb.Bound) string {
	return fmt.Sprintf("lng %g…%g, lat %g…%g", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
}

// ParseBound reads a region given as "minLng,minLat,maxLng,maxLat".
func ParseBound(s string) (orb.Bound, error) {
	var b orb.Bound
	if _, err := fmt.Sscanf(s, "%g,%g,%g,%g", &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
		return b, fmt.Errorf("region %q: want minLng,minLat,maxLng,maxLat: %w", s, err)
	}
	if err := CheckLonLat(b.Min); err != nil {
		return b, fmt.Errorf("region %q: %w", s, err)
	}
	if err := CheckLonLat(b.Max); err != nil {
		return b, fmt.Errorf("region %q: %w", s, err)
	}
	if b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
		return b, fmt.Errorf("region %q: minimum must be below maximum on both axes", s)
	}
	return b, nil
}
