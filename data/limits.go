package data

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Limits bound what one row may plausibly hold. Beyond them a figure is a typo, a unit mix-up or
// a broken export, and it would swamp every sum the analysis makes: a capacity of 1e308
// overflows to +Inf, a youth count of 1e308 makes every tract a desert, and a world-sized tract
// asks for billions of H3 cells. A zero field takes its default; every bound can be raised on the
// ingest command line (--max-population, --max-capacity, --max-area-km2).
type Limits struct {
	// MaxPopulation bounds a count of people or households in one area. By default 100,000 for
	// census tracts — the Census Bureau draws tracts of 1,200–8,000 people and splits them as
	// they grow, so a tract of more than 100,000 is an error — and 20,000,000 for other areal
	// units, twice the most populous US county (Los Angeles, 10.0 million in 2020).
	MaxPopulation float64
	// MaxCapacity bounds one program's seats; by default 1,000,000, above any figure a user
	// might stand in for seats in the shared data (the largest library system serves 863,407
	// people).
	MaxCapacity float64
	// MaxAreaKm2 bounds one area's surface; by default 1,000,000 km², larger than any US county
	// (the largest, Alaska's Yukon-Koyukuk Census Area, is about 383,000 km²), while a polygon
	// wrapped around the globe covers 510 million km².
	MaxAreaKm2 float64
}

// Default limits; see Limits.
const (
	DefaultMaxTractPopulation = 100_000
	DefaultMaxAreaPopulation  = 20_000_000
	DefaultMaxCapacity        = 1_000_000
	DefaultMaxAreaKm2         = 1_000_000
)

// resolve fills unset bounds with their defaults; tracts says whether the areas are census
// tracts keyed by GEOID.
func (l Limits) resolve(tracts bool) Limits {
	if l.MaxPopulation == 0 {
		l.MaxPopulation = DefaultMaxAreaPopulation
		if tracts {
			l.MaxPopulation = DefaultMaxTractPopulation
		}
	}
	if l.MaxCapacity == 0 {
		l.MaxCapacity = DefaultMaxCapacity
	}
	if l.MaxAreaKm2 == 0 {
		l.MaxAreaKm2 = DefaultMaxAreaKm2
	}
	return l
}

// record renders the bounds that were set, for the ingest record.
func (l Limits) record(out map[string]string) {
	for name, v := range map[string]float64{"max_population": l.MaxPopulation, "max_capacity": l.MaxCapacity, "max_area_km2": l.MaxAreaKm2} {
		if v != 0 {
			out[name] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
}

// Check says whether the bounds themselves make sense.
func (l Limits) Check() error {
	for _, b := range []struct {
		flag  string
		value float64
	}{{"--max-population", l.MaxPopulation}, {"--max-capacity", l.MaxCapacity}, {"--max-area-km2", l.MaxAreaKm2}} {
		if b.value < 0 || math.IsNaN(b.value) || math.IsInf(b.value, 0) {
			return fmt.Errorf("%s %v: want a positive number", b.flag, b.value)
		}
	}
	return nil
}

// checkCapacity refuses a capacity that is not a plausible number of seats.
func (l Limits) checkCapacity(c float64) error {
	switch {
	case math.IsNaN(c):
		return nil // no figure: the analysis applies its default
	case math.IsInf(c, 0):
		return fmt.Errorf("capacity %v is not a number", c)
	case c < 0:
		return fmt.Errorf("capacity %v is negative", c)
	case c > l.MaxCapacity:
		return fmt.Errorf("capacity %v is more than %v seats, the plausible maximum (raise it with --max-capacity)", c, l.MaxCapacity)
	}
	return nil
}

// checkSurface refuses an area whose polygon, or whose stated land area, is larger than any real
// areal unit.
func (l Limits) checkSurface(mp orb.MultiPolygon, landKm2 float64) error {
	if km2 := polygonKm2(mp); km2 > l.MaxAreaKm2 {
		return fmt.Errorf("its polygon covers %.0f km², more than %v km², the plausible maximum for one area (a ring wound around the globe, or wrong coordinates? raise the bound with --max-area-km2)", km2, l.MaxAreaKm2)
	}
	switch {
	case math.IsNaN(landKm2) || math.IsInf(landKm2, 0) || landKm2 < 0:
		return fmt.Errorf("land area %v km² is not a non-negative number", landKm2)
	case landKm2 > l.MaxAreaKm2:
		return fmt.Errorf("land area %v km² is more than %v km², the plausible maximum for one area (raise it with --max-area-km2)", landKm2, l.MaxAreaKm2)
	}
	return nil
}

// polygonKm2 is a polygon's area on the sphere.
func polygonKm2(mp orb.MultiPolygon) float64 { return math.Abs(geo.Area(mp)) / 1e6 }
