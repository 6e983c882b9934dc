package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// DefaultIDField is the property that keys census tracts in TIGER/Line files.
const DefaultIDField = "GEOID"

var geoidPattern = regexp.MustCompile(`^[0-9]{11}$`)

// IsTractGEOID reports whether an area id is a census tract GEOID: state 2, county 3 and tract 6
// digits.
func IsTractGEOID(id string) bool { return geoidPattern.MatchString(id) }

// CountyKey is the county an area lies in: the state and county digits of a tract GEOID, else the
// county name its file gives; "" when neither is known.
func CountyKey(a Area) string {
	if IsTractGEOID(a.ID) {
		return a.ID[:5]
	}
	return a.County
}

// AreaOptions says how to read an areas file.
type AreaOptions struct {
	IDField   string // property holding the id; DefaultIDField when empty
	NameField string // optional property holding a display name
	// Counties names counties by their state and county FIPS code ("17031"), for tract files
	// whose features give no county name.
	Counties map[string]string
	Region   *orb.Bound // when set, every vertex must lie inside
	Limits   Limits
}

// ReadAreas reads a GeoJSON FeatureCollection of Polygon and MultiPolygon features (RFC 7946,
// lon/lat WGS 84). With the default id field, ids must be 11-digit tract GEOIDs.
func ReadAreas(r io.Reader, file string, opts AreaOptions) ([]Area, error) {
	areas, _, _, err := readAreas(r, file, opts, false)
	return areas, err
}

// readAreas reads areas; with repair, polygons whose only fault is their topology (rings that
// cross, touch or overlap) are kept and marked for the store to repair. Their land area, unless
// ALAND gives it, is left NaN until then, and the size checks wait for the repaired shape.
func readAreas(r io.Reader, file string, opts AreaOptions, repair bool) ([]Area, []Repair, *provenPolygons, error) {
	idField := opts.IDField
	if idField == "" {
		idField = DefaultIDField
	}
	raw, err := readText(r, file)
	if err != nil {
		return nil, nil, nil, err
	}
	errs := &errorList{file: file}
	features, err := decodeFeatures(raw, file, errs)
	if err != nil {
		return nil, nil, nil, err
	}
	lim := opts.Limits.resolve(idField == DefaultIDField)
	verdicts := make([]geometryVerdict, len(features))
	inParallel(len(features), func(i int) {
		verdicts[i] = checkFeatureGeometry(features[i].feature, opts.Region, lim)
	})
	proven := newProvenPolygons(opts.Region)
	seen := map[string]string{}
	areas := make([]Area, 0, len(features))
	var repairs []Repair
	for i, df := range features {
		ref, f := df.ref, df.feature
		id, ok := propertyString(f.Properties, idField)
		if !ok {
			errs.add(ref, "no %q property (choose the id property with --id-field)", idField)
			continue
		}
		if idField == DefaultIDField && !geoidPattern.MatchString(id) {
			errs.add(ref, "GEOID %q is not an 11-digit census tract id (state 2 + county 3 + tract 6 digits); for other areal units pass --id-field", id)
			continue
		}
		if prev, dup := seen[id]; dup {
			errs.add(ref, "%s %q repeats %s", idField, id, prev)
			continue
		}
		seen[id] = ref
		v := verdicts[i]
		mp := v.polygons
		switch g := f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		case nil:
			errs.add(ref, "%s %q has no geometry", idField, id)
			continue
		default:
			errs.add(ref, "%s %q is a %s; areas must be Polygon or MultiPolygon", idField, id, g.GeoJSONType())
			continue
		}
		if len(mp) == 0 {
			errs.add(ref, "%s %q has an empty geometry", idField, id)
			continue
		}
		land := v.land
		if err := v.geometry; repair && repairable(err) {
			repairs = append(repairs, Repair{Index: len(areas), Reason: fmt.Sprintf("%s %q: %v", idField, id, err)})
			if _, given := f.Properties["ALAND"].(float64); !given {
				land = math.NaN()
			}
		} else if err != nil {
			errs.add(ref, "%s %q: %v", idField, id, err)
			continue
		} else if err := v.surface; err != nil {
			errs.add(ref, "%s %q: %v", idField, id, err)
			continue
		}
		name, _ := propertyString(f.Properties, opts.NameField)
		if name == "" {
			name, _ = propertyString(f.Properties, "NAMELSAD")
		}
		county, _ := propertyString(f.Properties, "COUNTY")
		if county == "" {
			county, _ = propertyString(f.Properties, "NAMELSADCO")
		}
		if county == "" && IsTractGEOID(id) {
			county = opts.Counties[id[:5]]
		}
		if v.geometry == nil {
			proven.add(len(areas), proven.sum(mp))
		}
		areas = append(areas, Area{ID: id, Name: name, County: county, Geometry: mp, LandKm2: land, Ref: ref})
	}
	if err := errs.err(); err != nil {
		return nil, nil, nil, err
	}
	if len(areas) == 0 {
		return nil, nil, nil, &InputError{File: file, Reason: "no features"}
	}
	return areas, repairs, proven, nil
}

// geometryVerdict is what the checks of one feature's polygons found: geometry is
// checkMultiPolygon's error, surface the first of the size checks' when the geometry is valid.
type geometryVerdict struct {
	polygons          orb.MultiPolygon // a Polygon as a MultiPolygon of one
	land              float64
	geometry, surface error
}

// checkFeatureGeometry runs a feature's geometric checks, the costly part of reading an areas
// file, on their own so that features can be checked in parallel. A feature that is not a
// non-empty Polygon or MultiPolygon gets no verdict: readAreas refuses it before asking.
func checkFeatureGeometry(f *geojson.Feature, region *orb.Bound, lim Limits) geometryVerdict {
	var mp orb.MultiPolygon
	switch g := f.Geometry.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	}
	if len(mp) == 0 {
		return geometryVerdict{}
	}
	v := geometryVerdict{polygons: mp, land: landKm2(f.Properties, mp), geometry: checkMultiPolygon(mp, region)}
	if v.geometry == nil {
		v.surface = lim.checkSurface(mp, v.land)
		if v.surface == nil {
			v.surface = checkDeclaredSurface(f.Properties, mp)
		}
	}
	return v
}

// decodedFeature is one feature of a collection with its place in the file.
type decodedFeature struct {
	ref     string
	feature *geojson.Feature
}

// decodeFeatures decodes a FeatureCollection feature by feature, so that a broken feature is
// reported by its place and the others are still checked.
func decodeFeatures(raw []byte, file string, errs *errorList) ([]decodedFeature, error) {
	features, err := splitFeatureCollection(raw, file)
	if err != nil {
		return nil, err
	}
	decoded := make([]*geojson.Feature, len(features))
	failed := make([]error, len(features))
	inParallel(len(features), func(i int) {
		decoded[i], failed[i] = unmarshalFeature(features[i])
	})
	out := make([]decodedFeature, 0, len(features))
	for i, f := range decoded {
		if failed[i] != nil {
			errs.add(featureRef(i), "not a GeoJSON feature: %v", failed[i])
			continue
		}
		out = append(out, decodedFeature{ref: featureRef(i), feature: f})
	}
	return out, nil
}

// splitFeatureCollection returns the raw features so each can be decoded, and its errors named,
// on its own. JSON syntax errors are reported with their line.
func splitFeatureCollection(raw []byte, file string) ([]json.RawMessage, error) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, &InputError{File: file, Ref: lineRef(1 + bytes.Count(raw[:syn.Offset], []byte("\n"))), Reason: "invalid JSON: " + syn.Error()}
		}
		return nil, &InputError{File: file, Reason: "not a GeoJSON FeatureCollection: " + err.Error()}
	}
	if fc.Type != "FeatureCollection" {
		return nil, &InputError{File: file, Reason: fmt.Sprintf("GeoJSON type is %q; want a FeatureCollection", fc.Type)}
	}
	return fc.Features, nil
}

// propertyString reads a property as text; numeric ids are written without exponent or
// trailing zeros.
func propertyString(p geojson.Properties, key string) (string, bool) {
	if key == "" {
		return "", false
	}
	switch v := p[key].(type) {
	case string:
		return v, v != ""
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

func landKm2(p geojson.Properties, mp orb.MultiPolygon) float64 {
	if v, ok := p["ALAND"].(float64); ok {
		return v / 1e6
	}
	return polygonKm2(mp)
}

// checkDeclaredSurface refuses a polygon much larger than the land and water its TIGER/Line
// properties declare. Cartographic boundary files are generalised and clipped to the shore, so
// a polygon's area differs from ALAND+AWATER by a few per cent (615 St. Louis tracts: 0.97–1.04);
// more than twice the declared area, and a square kilometre besides, is a wrong coordinate or a
// ring wound the wrong way.
func checkDeclaredSurface(p geojson.Properties, mp orb.MultiPolygon) error {
	land, okLand := p["ALAND"].(float64)
	water, _ := p["AWATER"].(float64)
	if !okLand {
		return nil
	}
	declared := (land + water) / 1e6
	if km2 := polygonKm2(mp); km2 > 2*declared+1 {
		return fmt.Errorf("its polygon covers %.1f km², more than twice the %.1f km² its ALAND and AWATER declare: wrong coordinates, or a ring wound around the globe?", km2, declared)
	}
	return nil
}
