package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// isGeoJSON tells a GeoJSON file from a CSV one by its first character: a CSV header never opens
// with a brace.
func isGeoJSON(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}

// openFeatureTable reads a GeoJSON FeatureCollection's feature properties as a table: one row
// per feature, one column per property that any feature has. Numbers are written as the
// shortest decimal that reads back the same, as the areas reader writes ids, so a numeric id
// keeps its digits and matches its polygon's; a null or absent property
// is an empty cell (no figure); true and false are 1 and 0, as flags are. A property holding an
// object or an array is no figure anyone can map, and is refused naming its feature.
func openFeatureTable(raw []byte, file string) (*csvTable, error) {
	features, err := splitFeatureCollection(raw, file)
	if err != nil {
		return nil, err
	}
	errs := &errorList{file: file}
	props := make([]map[string]any, len(features))
	t := &csvTable{file: file, index: map[string]int{}}
	for i, msg := range features {
		var f struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(msg, &f); err != nil {
			errs.add(featureRef(i), "not a GeoJSON feature: %v", err)
			continue
		}
		props[i] = f.Properties
		for k := range f.Properties {
			if _, ok := t.index[k]; !ok {
				t.index[k] = -1
				t.header = append(t.header, k)
			}
		}
	}
	sort.Strings(t.header)
	for i, h := range t.header {
		t.index[h] = i
	}
	for i, p := range props {
		rec := make([]string, len(t.header))
		for k, v := range p {
			switch v := v.(type) {
			case nil:
			case bool:
				rec[t.index[k]] = map[bool]string{false: "0", true: "1"}[v]
			case map[string]any, []any:
				errs.add(featureRef(i), "property %q holds %s, not a figure", k, describeJSON(v))
			default:
				// Written as the areas reader writes ids, so that both read a numeric id alike.
				rec[t.index[k]], _ = propertyString(p, k)
			}
		}
		t.held = append(t.held, tableRow{rec: rec, ref: featureRef(i)})
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return t, nil
}

func describeJSON(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}
