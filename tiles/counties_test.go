package tiles

import (
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"stemgap/data"
)

// syntheticCounties lays out SYNTHETIC tracts (not real data): two counties side by side, each a
// 2×2 block of 0.01° squares, the way a cartographic boundary file shares edges between tracts.
func syntheticCounties() []data.Area {
	var areas []data.Area
	for i := 0; i < 8; i++ {
		col, row := i%4, i/4
		x, y := -90.30+0.01*float64(col), 38.60+0.01*float64(row)
		fips, name := "29510", "St. Louis city"
		if col >= 2 {
			fips, name = "29189", "St. Louis County"
		}
		areas = append(areas, data.Area{ID: fmt.Sprintf("%s%04d%02d", fips, 1000+i, i%2*2), County: name, LandKm2: 1,
			Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}}})
	}
	return areas
}

func TestCountiesDissolveTractsIntoOutlines(t *testing.T) {
	counties, labels := buildCounties(syntheticCounties())
	if len(counties) != 2 || counties[0].name != "St. Louis County" || counties[1].name != "St. Louis city" {
		t.Fatalf("counties: %+v", counties)
	}
	for _, c := range counties {
		// The inner edges cancel: what is left is the block's perimeter, 8 edges of 0.01°.
		length := 0.0
		for _, l := range c.outline {
			length += planar.Length(l)
		}
		if math.Abs(length-0.08) > 1e-9 {
			t.Errorf("%s: outline %.4f° long, want 0.08° (the 2×2 block's perimeter)", c.name, length)
		}
		if !c.bound.Contains(c.label) {
			t.Errorf("%s: label at %v outside %v", c.name, c.label, c.bound)
		}
		if w := c.bound.Max[0] - c.bound.Min[0]; math.Abs(w-0.02) > 1e-9 {
			t.Errorf("%s: %.4f° wide, want 0.02°", c.name, w)
		}
	}
	want := map[string]bool{"1000": true, "1001.02": true, "1007.02": true}
	for _, l := range labels {
		delete(want, l.number)
	}
	if len(labels) != 8 || len(want) != 0 {
		t.Errorf("tract numbers: %d labels, missing %v", len(labels), want)
	}
}

func TestCountiesLayerSendsTractNumbersOnlyClose(t *testing.T) {
	areas := syntheticCounties()
	run := &data.Run{RunInfo: data.RunInfo{ID: "synthetic", SettingGroups: []data.SettingGroup{{Name: data.AllSettings}}, ContentAreas: []data.ContentArea{{Setting: data.AllSettings, Name: "all"}}}}
	set := NewSet(tablesOf(t, run), areas, nil, nil, NewDataCache(64<<20))
	count := func(z maptile.Zoom) (lines, counties, tracts int) {
		layers := decode(t, mustTile(t, set, LayerCounties, "all", maptile.At(orb.Point{-90.28, 38.61}, z)))
		if len(layers) != 1 || layers[0].Version != 2 {
			t.Fatalf("z%d: %v", z, layers)
		}
		for _, f := range layers[0].Features {
			switch f.Properties["kind"] {
			case "county":
				counties++
			case "tract":
				tracts++
			default:
				lines++
			}
		}
		return
	}
	if l, c, tr := count(9); l < 2 || c != 2 || tr != 0 {
		t.Errorf("z9: %d outlines, %d county labels, %d tract numbers; want both counties and no tract numbers", l, c, tr)
	}
	if _, _, tr := count(12); tr != 8 {
		t.Errorf("z12: %d tract numbers, want 8", tr)
	}
}
