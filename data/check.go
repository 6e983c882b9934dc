package data

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"stemgap/geo"
)

// CheckIngest is the one validator every store runs before it writes, so that the embedded store
// and PostGIS give the same verdict, with the same message, for the same rows — whether they
// came through a reader or another path (the census fetcher, a changed row). It checks keys
// present and unique, text free of NUL and invalid UTF-8, geometries valid as PostGIS's
// ST_IsValid sees them, coordinates on Earth and inside the declared region, and figures finite
// and within in.Limits. Every error names the row's reference in its file.
func CheckIngest(in Ingest) error {
	errs := &errorList{file: in.Record.Source}
	tracts := TractIDs(in.Record)
	lim := in.Limits.resolve(tracts)
	region, err := recordRegion(in.Record)
	if err != nil {
		return err
	}
	for _, f := range [][2]string{{"source", in.Record.Source}, {"vintage", in.Record.Vintage}} {
		if p := stringProblem(f[1]); p != "" {
			errs.add("", "the ingest's %s %q %s", f[0], f[1], p)
		}
	}
	switch in.Record.Kind {
	case KindAreas:
		geometry := make([]error, len(in.Areas))
		inParallel(len(in.Areas), func(i int) {
			if a := in.Areas[i]; len(a.Geometry) > 0 {
				if !in.proven.holds(i, a.Geometry, region) {
					geometry[i] = checkMultiPolygon(a.Geometry, region)
				}
				if geometry[i] == nil {
					geometry[i] = lim.checkSurface(a.Geometry, a.LandKm2)
				}
			}
		})
		seen := map[string]string{}
		for i, a := range in.Areas {
			if badText(errs, a.Ref, [][2]string{{"area id", a.ID}, {"name", a.Name}, {"county", a.County}}) {
				continue
			}
			prev, dup := seen[a.ID]
			switch {
			case a.ID == "":
				errs.add(a.Ref, "empty area id")
			case tracts && !geoidPattern.MatchString(a.ID):
				errs.add(a.Ref, "GEOID %q is not an 11-digit census tract id; for other areal units pass --id-field", a.ID)
			case dup:
				errs.add(a.Ref, "area id %q repeats %s", a.ID, prev)
			case len(a.Geometry) == 0:
				errs.add(a.Ref, "area %q has no geometry", a.ID)
			case geometry[i] != nil:
				errs.add(a.Ref, "area %q: %v", a.ID, geometry[i])
			}
			seen[a.ID] = a.Ref
		}
	case KindDemographics:
		type key struct{ area, variable string }
		seen := map[key]string{}
		for _, d := range in.Demographics {
			if badText(errs, d.Ref, [][2]string{{"area id", d.AreaID}, {"variable", d.Variable}, {"vintage", d.Vintage}, {"source", d.Source}}) {
				continue
			}
			k := key{d.AreaID, d.Variable}
			v, known := LookupVariable(d.Variable)
			prev, dup := seen[k]
			switch {
			case d.AreaID == "":
				errs.add(d.Ref, "empty area id")
			case tracts && !geoidPattern.MatchString(d.AreaID):
				errs.add(d.Ref, "GEOID %q is not an 11-digit census tract id; for other areal units pass --id-field", d.AreaID)
			case !known:
				errs.add(d.Ref, "%v", unknownVariable(d.Variable))
			case dup:
				errs.add(d.Ref, "%s of area %q repeats %s", d.Variable, d.AreaID, prev)
			case math.IsNaN(d.Value) || math.IsInf(d.Value, 0):
				errs.add(d.Ref, "%s of area %q is not a number", d.Variable, d.AreaID)
			case math.IsInf(d.MOE, 0) || d.MOE < 0:
				errs.add(d.Ref, "%s of area %q: margin of error %v is not a non-negative number", d.Variable, d.AreaID, d.MOE)
			default:
				if err := checkRange(v, d.Value, lim, tracts); err != nil {
					errs.add(d.Ref, "%s of area %q: %v", d.Variable, d.AreaID, err)
				}
			}
			seen[k] = d.Ref
		}
	case KindPrograms:
		seen := map[string]string{}
		for _, p := range in.Programs {
			if badText(errs, p.Ref, programText(p)) {
				continue
			}
			prev, dup := seen[p.ID]
			switch {
			case p.ID == "":
				errs.add(p.Ref, "empty program id")
			case dup:
				errs.add(p.Ref, "program id %q repeats %s", p.ID, prev)
			default:
				if err := programProblem(p, lim, region); err != nil {
					errs.add(p.Ref, "program %q: %v", p.ID, err)
				}
			}
			seen[p.ID] = p.Ref
		}
	default:
		return fmt.Errorf("unknown ingest kind %q", in.Record.Kind)
	}
	return errs.err()
}

// TractIDs says whether an ingest's ids must be 11-digit census tract GEOIDs: they must unless
// another id field was chosen.
func TractIDs(rec IngestRecord) bool {
	f := rec.Options["id_field"]
	return f == "" || f == DefaultIDField
}

// recordRegion is the region an ingest declared with --region, if any.
func recordRegion(rec IngestRecord) (*orb.Bound, error) {
	s := rec.Options["region"]
	if s == "" {
		return nil, nil
	}
	b, err := geo.ParseBound(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rec.Source, err)
	}
	return &b, nil
}

// badText reports the first text field with a NUL or invalid UTF-8.
func badText(errs *errorList, ref string, fields [][2]string) bool {
	for _, f := range fields {
		if p := stringProblem(f[1]); p != "" {
			errs.add(ref, "%s %q %s", f[0], f[1], p)
			return true
		}
	}
	return false
}

func programText(p Program) [][2]string {
	fields := [][2]string{{"program id", p.ID}, {"name", p.Name}, {"provider", p.Provider}, {"setting", p.Setting}, {"source", p.Source}}
	for _, c := range p.ContentAreas {
		fields = append(fields, [2]string{"content area", c})
	}
	for _, k := range sortedKeys(p.Extra) {
		fields = append(fields, [2]string{"column name", k}, [2]string{"column " + k, p.Extra[k]})
	}
	return fields
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// programProblem checks one program's location, capacity and content-area labels.
func programProblem(p Program, lim Limits, region *orb.Bound) error {
	if err := geo.CheckLonLat(p.Location); err != nil {
		return err
	}
	if region != nil {
		if err := geo.CheckInRegion(p.Location, *region); err != nil {
			return err
		}
	}
	if err := lim.checkCapacity(p.Capacity); err != nil {
		return err
	}
	for _, c := range p.ContentAreas {
		if c == AllContentAreas || c == "" || NormalizeLabel(c) != c {
			return fmt.Errorf("content area %q is not a normalised label (lower case, words joined by _, not %q)", c, AllContentAreas)
		}
	}
	return nil
}
