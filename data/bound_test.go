package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uber/h3-go/v4"
)

// The bound drawn from the cells near the edge of their centers' bound is the bound drawn from
// every cell, exactly: over runs of sorted cells of every size, at resolutions 8 to 10, at the
// equator, mid-latitudes, high latitudes, beside a pentagon and at the antimeridian.
func TestCellsBoundOfCentersIsTheBound(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	places := []h3.LatLng{{Lat: 0.3, Lng: 10}, {Lat: 38.6, Lng: -90.2}, {Lat: -45, Lng: 170}, {Lat: 79.5, Lng: 20},
		{Lat: 64, Lng: -150}, {Lat: 10, Lng: 179.95}}
	pentagons, err := h3.Pentagons(9)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pentagons[:3] {
		ll, _ := p.LatLng()
		places = append(places, ll)
	}
	checked := 0
	for _, res := range []int{8, 9, 10} {
		for _, place := range places {
			c, err := h3.LatLngToCell(place, res)
			if err != nil {
				t.Fatal(err)
			}
			disk, err := c.GridDisk(70)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(disk)
			for range 4 {
				lo := r.IntN(len(disk) - 100)
				hi := lo + 64 + r.IntN(len(disk)-lo-64)
				cells := disk[lo:hi]
				lat, lng := make([]float64, len(cells)), make([]float64, len(cells))
				for i, c := range cells {
					ll, err := c.LatLng()
					if err != nil {
						t.Fatal(err)
					}
					lat[i], lng[i] = ll.Lat, ll.Lng
				}
				want, err := CellsBound(cells)
				if err != nil {
					t.Fatal(err)
				}
				got, err := CellsBoundOfCenters(cells, lat, lng)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%d cells at resolution %d near %v: %v, want %v", len(cells), res, place, got, want)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatal(fmt.Sprint("checked only ", checked))
	}
}
