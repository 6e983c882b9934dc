package data

import (
	"fmt"
	"math"

	"stemgap/geo"
)

// CheckIngest validates rows that did not come through a reader (or came through one and were
// changed since): keys present and unique, geometries valid, coordinates on Earth, figures sane.
// Every error names the row's reference in its file.
func CheckIngest(in Ingest) error {
	errs := &errorList{file: in.Record.Source}
	switch in.Record.Kind {
	case KindAreas:
		seen := map[string]bool{}
		for _, a := range in.Areas {
			switch {
			case a.ID == "":
				errs.add(a.Ref, "empty area id")
			case seen[a.ID]:
				errs.add(a.Ref, "area id %q repeats", a.ID)
			case len(a.Geometry) == 0:
				errs.add(a.Ref, "area %q has no geometry", a.ID)
			}
			seen[a.ID] = true
			for _, p := range a.Geometry {
				if err := checkPolygon(p, nil); err != nil {
					errs.add(a.Ref, "area %q: %v", a.ID, err)
					break
				}
			}
		}
	case KindDemographics:
		type key struct{ area, variable string }
		seen := map[key]bool{}
		for _, d := range in.Demographics {
			k := key{d.AreaID, d.Variable}
			v, known := LookupVariable(d.Variable)
			switch {
			case d.AreaID == "":
				errs.add(d.Ref, "empty area id")
			case !known:
				errs.add(d.Ref, "%v", unknownVariable(d.Variable))
			case seen[k]:
				errs.add(d.Ref, "%s of area %q repeats", d.Variable, d.AreaID)
			case math.IsNaN(d.Value) || math.IsInf(d.Value, 0):
				errs.add(d.Ref, "%s of area %q is not a number", d.Variable, d.AreaID)
			default:
				if err := checkRange(v, d.Value); err != nil {
					errs.add(d.Ref, "%s of area %q: %v", d.Variable, d.AreaID, err)
				}
			}
			seen[k] = true
		}
	case KindPrograms:
		seen := map[string]bool{}
		for _, p := range in.Programs {
			switch {
			case p.ID == "":
				errs.add(p.Ref, "empty program id")
			case seen[p.ID]:
				errs.add(p.Ref, "program id %q repeats", p.ID)
			case p.Capacity < 0:
				errs.add(p.Ref, "program %q: capacity %v is negative", p.ID, p.Capacity)
			default:
				if err := geo.CheckLonLat(p.Location); err != nil {
					errs.add(p.Ref, "program %q: %v", p.ID, err)
				}
			}
			seen[p.ID] = true
		}
	default:
		return fmt.Errorf("unknown ingest kind %q", in.Record.Kind)
	}
	return errs.err()
}
