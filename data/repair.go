package data

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// MakeValid repairs invalid multipolygons, keeping the polygonal part of each result (possibly
// nothing), as PostGIS's ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) does. The embedded
// store passes GEOS (stemgap/geo/repair), PostGIS ST_MakeValid itself.
type MakeValid func([]orb.MultiPolygon) ([]orb.MultiPolygon, error)

// RepairAreas makes the areas an ingest marks for repair valid with makeValid and clears the
// marks; CheckIngest then checks the repaired polygons like any others. Land areas that came
// from the polygon are measured on the repaired one. An area the repair leaves without any
// area is an error. The ingest's areas are copied, never changed in place.
func RepairAreas(in *Ingest, makeValid MakeValid) error {
	if len(in.Repair) == 0 {
		return nil
	}
	broken := make([]orb.MultiPolygon, len(in.Repair))
	for k, r := range in.Repair {
		broken[k] = in.Areas[r.Index].Geometry
	}
	fixed, err := makeValid(broken)
	if err != nil {
		return fmt.Errorf("%s: repairing polygons: %w", in.Record.Source, err)
	}
	areas := slices.Clone(in.Areas)
	errs := &errorList{file: in.Record.Source}
	for k, r := range in.Repair {
		a := &areas[r.Index]
		if len(fixed[k]) == 0 {
			errs.add(a.Ref, "area %q: the repair leaves no area (%s)", a.ID, r.Reason)
			continue
		}
		a.Geometry = fixed[k]
		if math.IsNaN(a.LandKm2) {
			a.LandKm2 = polygonKm2(a.Geometry)
		}
	}
	if err := errs.err(); err != nil {
		return err
	}
	in.Areas, in.Repair = areas, nil
	return nil
}

// repairNote names each feature to be repaired and what was wrong with it, for the record.
func repairNote(in Ingest) string {
	notes := make([]string, len(in.Repair))
	for k, r := range in.Repair {
		notes[k] = in.Areas[r.Index].Ref + ": " + r.Reason
	}
	return strings.Join(notes, "; ")
}
