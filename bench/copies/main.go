// Command copies writes a SYNTHETIC region for the scale benchmarks (bench/scale): N copies of
// the St. Louis demo's input files, copy k shifted k·3° east, its tract GEOIDs given state code
// 60+k and its program ids the suffix -synthetic-k, with a region manifest that reads them as the
// St. Louis manifest reads the originals. Copy 0 is the real data unchanged. The output is for
// benchmarks only and is never committed: every file it writes is named synthetic.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"stemgap/data/region"
)

const shiftDeg = 3.0

func main() {
	copies := flag.Int("copies", 1, "copies of the St. Louis region")
	out := flag.String("out", "", "folder to write into (created)")
	shared := flag.String("shared", filepath.Join("..", "shared", "data"), "the shared data folder")
	flag.Parse()
	if *out == "" || *copies < 1 {
		fmt.Fprintln(os.Stderr, "usage: copies -copies N -out DIR [-shared DIR]")
		os.Exit(2)
	}
	if err := write(*shared, *out, *copies); err != nil {
		fmt.Fprintln(os.Stderr, "copies:", err)
		os.Exit(1)
	}
}

func write(shared, out string, copies int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	m, err := region.Builtin("stlouis")
	if err != nil {
		return err
	}
	m.Name, m.Title = fmt.Sprintf("synthetic-stlouis-x%d", copies), fmt.Sprintf("SYNTHETIC: %d copies of the St. Louis MSA, shifted east", copies)
	m.About = "Synthetic benchmark region written by bench/copies: copies of the St. Louis inputs shifted east with new ids. Not real data."
	tractIDs, err := copyTracts(filepath.Join(shared, m.Areas.File), filepath.Join(out, "synthetic-tracts.geojson"), copies)
	if err != nil {
		return err
	}
	m.Areas.File = "synthetic-tracts.geojson"
	for i := range m.Demographics {
		name := fmt.Sprintf("synthetic-demographics-%d.csv", i)
		if err := copyCSV(filepath.Join(shared, m.Demographics[i].File), filepath.Join(out, name), copies, tractIDs, false); err != nil {
			return err
		}
		m.Demographics[i].File = name
	}
	for i := range m.Programs {
		name := fmt.Sprintf("synthetic-programs-%d.csv", i)
		if err := copyCSV(filepath.Join(shared, m.Programs[i].File), filepath.Join(out, name), copies, tractIDs, true); err != nil {
			return err
		}
		m.Programs[i].File = name
		m.Programs[i].Source = fmt.Sprintf("synthetic-programs-%d", i)
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, m.Name+".json"), raw, 0o644)
}

// copyID is tract id's k-th copy: a state code no state has.
func copyID(id string, k int) string {
	if k == 0 || len(id) < 2 {
		return id
	}
	return fmt.Sprintf("%02d", 60+k) + id[2:]
}

func copyTracts(from, to string, copies int) (map[string]bool, error) {
	raw, err := os.ReadFile(from)
	if err != nil {
		return nil, err
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	ids := map[string]bool{}
	var features []any
	for k := 0; k < copies; k++ {
		for _, f := range fc.Features {
			var feature map[string]any
			if err := json.Unmarshal(f, &feature); err != nil {
				return nil, err
			}
			props, _ := feature["properties"].(map[string]any)
			id, _ := props["GEOID"].(string)
			ids[id] = true
			props["GEOID"] = copyID(id, k)
			geometry, _ := feature["geometry"].(map[string]any)
			shift(geometry["coordinates"], float64(k)*shiftDeg)
			features = append(features, feature)
		}
	}
	body, err := json.Marshal(map[string]any{"type": fc.Type, "features": features})
	if err != nil {
		return nil, err
	}
	return ids, os.WriteFile(to, body, 0o644)
}

// shift moves every position of a GeoJSON coordinate array east.
func shift(coords any, deg float64) {
	arr, ok := coords.([]any)
	if !ok || len(arr) == 0 {
		return
	}
	if lng, ok := arr[0].(float64); ok {
		arr[0] = lng + deg
		return
	}
	for _, c := range arr {
		shift(c, deg)
	}
}

// copyCSV writes the file's rows once per copy. A demographics copy keeps only the rows of the
// region's tracts, with their ids changed; a programs copy changes every id and moves lng east.
func copyCSV(from, to string, copies int, tractIDs map[string]bool, programs bool) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: empty", from)
	}
	header := rows[0]
	idCol, lngCol := slices.Index(header, "id"), slices.Index(header, "lng")
	o, err := os.Create(to)
	if err != nil {
		return err
	}
	w := csv.NewWriter(o)
	if err := w.WriteAll(rows); err != nil { // copy 0: the file as it is
		o.Close()
		return err
	}
	for k := 1; k < copies; k++ {
		for _, row := range rows[1:] {
			row = slices.Clone(row)
			if programs {
				if idCol < 0 || lngCol < 0 {
					return fmt.Errorf("%s: no id or lng column", from)
				}
				var lng float64
				if _, err := fmt.Sscan(row[lngCol], &lng); err != nil {
					return fmt.Errorf("%s: lng %q: %w", from, row[lngCol], err)
				}
				row[idCol] = fmt.Sprintf("%s-synthetic-%d", row[idCol], k)
				row[lngCol] = fmt.Sprint(lng + float64(k)*shiftDeg)
			} else {
				found := false
				for c, v := range row {
					if tractIDs[v] {
						row[c], found = copyID(v, k), true
					}
				}
				if !found {
					continue
				}
			}
			if err := w.Write(row); err != nil {
				o.Close()
				return err
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
