package export

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"stemgap/data"
)

// Every layer writes a flag the same way: true, false, or empty for no data (JSON null).
func TestBooleansAreTypedAlikeInEveryLayer(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	for _, layer := range []string{LayerCells, LayerTracts} {
		var meta bytes.Buffer
		if err := WriteCSVMetadata(context.Background(), &meta, Request{Format: FormatCSV, Layer: layer}, tablesOf(t, run), areas, programs, "x.csv"); err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{`"desert_math"`, `"urban"`} {
			i := strings.Index(meta.String(), `"name": `+col)
			if i < 0 || !strings.Contains(meta.String()[i:i+200], `"datatype": "boolean"`) {
				t.Errorf("%s: %s is not a boolean", layer, col)
			}
		}
		var gj bytes.Buffer
		if err := Write(context.Background(), &gj, Request{Format: FormatGeoJSON, Layer: layer}, tablesOf(t, run), areas, programs); err != nil {
			t.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(gj.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fc.Features {
			switch v := f.Properties["desert_math"].(type) {
			case bool, nil:
			default:
				t.Fatalf("%s: desert_math is %T %v", layer, v, v)
			}
		}
	}
}

// Cell hexagons are computed, so their coordinates would carry 15 decimals: they carry 6, as the
// tract files do (about 0.1 m).
func TestCellGeoJSONHasSixDecimals(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatGeoJSON, Layer: LayerCells, Content: Selection{"math"}}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fc.Features {
		for _, pt := range f.Geometry.(orb.Polygon)[0] {
			for _, v := range pt {
				if math.Round(v*1e6)/1e6 != v || len(strconv.FormatFloat(v, 'f', -1, 64)) > len(strconv.FormatFloat(v, 'f', 6, 64)) {
					t.Fatalf("coordinate %v has more than 6 decimals", v)
				}
			}
		}
	}
}

// A program file's own columns (address, enrollment…) travel with the export; one whose name a
// standard column takes is written source_NAME. --content keeps the programs offering it.
func TestProgramsKeepTheirSourceColumns(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	programs[0].Extra = map[string]string{"address": "1 Main St", "source": "IMLS survey", "enrollment": "120"}
	programs[1].Extra = map[string]string{"address": "2 Elm St", "website": "=HYPERLINK(\"x\")"}
	var b bytes.Buffer
	if err := Write(context.Background(), &b, Request{Format: FormatCSV, Layer: LayerPrograms}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "id,name,provider,lat,lng,content_areas,setting,capacity,source,address,enrollment,source_source,website" {
		t.Fatalf("header %s", got)
	}
	if strings.Join(rows[1][9:], "|") != "1 Main St|120|IMLS survey|" || strings.Join(rows[2][9:], "|") != "2 Elm St|||'=HYPERLINK(\"x\")" {
		t.Errorf("extra columns %v / %v", rows[1][9:], rows[2][9:])
	}
	b.Reset()
	if err := Write(context.Background(), &b, Request{Format: FormatCSV, Layer: LayerPrograms, Content: Selection{"science"}}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	if rows, _ := csv.NewReader(&b).ReadAll(); len(rows) != 2 || rows[1][0] != "s1" {
		t.Errorf("science programs: %v", rows)
	}
}

func TestFileNamesSayWhatTheyHold(t *testing.T) {
	run, _, _ := syntheticRun(t)
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{Format: FormatCSV, Layer: LayerCells, Content: Selection{"math"}}, "stemgap-cells-math-out_of_school-" + run.ID + ".csv"},
		{Request{Format: FormatGeoJSON, Layer: LayerTracts, Setting: "all", Content: Selection{"math", "science"}}, "stemgap-tracts-math+science-all-" + run.ID + ".geojson"},
		{Request{Format: FormatCSV, Layer: LayerEquity}, "stemgap-equity-all-content-areas-out_of_school-" + run.ID + ".csv"},
	} {
		name := c.req.FileName(&run.RunInfo)
		if name != c.want {
			t.Errorf("name %s, want %s", name, c.want)
		}
		back, id, ok := ParseFileName(name)
		if !ok || id != run.ID || back.FileName(&run.RunInfo) != name {
			t.Errorf("%s reads back as %+v, run %s", name, back, id)
		}
	}
	if _, _, ok := ParseFileName("cells.csv"); ok {
		t.Error("a name stemgap does not give reads as one")
	}
}

// The GeoPackage holds three typed feature layers whose values are the run's: read back with SQL
// here, and with GDAL's ogrinfo where it is installed (scripts/test installs gdal-bin).
func TestGeoPackageHoldsThreeTypedLayers(t *testing.T) {
	run, areas, programs := syntheticRun(t)
	programs[0].Extra = map[string]string{"address": "1 Main St"}
	path := filepath.Join(t.TempDir(), "run.gpkg")
	if err := WriteGeoPackage(context.Background(), path, GeoPackageRequest{}, tablesOf(t, run), areas, programs); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var app, version int
	db.QueryRow("PRAGMA application_id").Scan(&app)
	db.QueryRow("PRAGMA user_version").Scan(&version)
	if app != 0x47504B47 || version != 10300 {
		t.Errorf("application_id %x, user_version %d", app, version)
	}
	for table, want := range map[string]int{LayerCells: run.Cells.Len(), LayerTracts: len(run.Areas), LayerPrograms: len(programs)} {
		var n, indexed int
		db.QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n)
		db.QueryRow(`SELECT COUNT(*) FROM "rtree_` + table + `_geom"`).Scan(&indexed)
		if n != want || indexed != want {
			t.Errorf("%s: %d rows, %d indexed, want %d", table, n, indexed, want)
		}
	}
	// Cell by cell: flags as 0/1 or NULL, no data as NULL, the hexagon in the geometry blob.
	k := run.SeriesIndex("", "math")
	rows, err := db.Query(`SELECT h3, geom, desert_math, e2sfca_math, urban FROM cells ORDER BY fid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		var h3 string
		var blob []byte
		var desert, urban sql.NullBool
		var access sql.NullFloat64
		if err := rows.Scan(&h3, &blob, &desert, &access, &urban); err != nil {
			t.Fatal(err)
		}
		flag := run.Cells.Measures[k].Desert[i]
		if h3 != run.Cells.H3[i].String() || desert.Valid != (flag != data.DesertNoData) || (desert.Valid && desert.Bool != (flag == data.DesertYes)) ||
			access.Valid == math.IsNaN(run.Cells.Measures[k].Access[i]) || !urban.Valid || urban.Bool != run.Cells.Urban[i] {
			t.Fatalf("cell %d: %s desert %v access %v urban %v", i, h3, desert, access, urban)
		}
		if string(blob[:2]) != "GP" || binary.LittleEndian.Uint32(blob[4:]) != 4326 {
			t.Fatalf("cell %d: geometry header % x", i, blob[:8])
		}
		g, err := wkb.Unmarshal(blob[8+32:])
		if poly, ok := g.(orb.Polygon); err != nil || !ok || len(poly[0]) != 7 {
			t.Fatalf("cell %d: geometry %v %v", i, g, err)
		}
	}
	var metadata string
	db.QueryRow(`SELECT metadata FROM gpkg_metadata`).Scan(&metadata)
	if !strings.Contains(metadata, `"run": "`+run.ID+`"`) {
		t.Errorf("the provenance is not in gpkg_metadata: %.200s", metadata)
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (Debian gdal-bin) is not installed; scripts/test installs it")
	}
	out, err := exec.Command("ogrinfo", "-so", "-al", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"Layer name: cells", "Geometry: Polygon", "Layer name: tracts", "Geometry: Multi Polygon", "Layer name: programs", "Geometry: Point",
		"desert_math: Integer(Boolean)", "count_math: Integer (0.0)", "e2sfca_math: Real", "h3: String", "rank_math: Integer (0.0)", "address: String",
		"Feature Count: " + strconv.Itoa(run.Cells.Len()), "EPSG\",4326"} {
		if !strings.Contains(text, want) {
			t.Errorf("ogrinfo does not read %q:\n%.3000s", want, text)
		}
	}
	if strings.Contains(text, "ERROR") || strings.Contains(text, "Warning") {
		t.Errorf("ogrinfo complains:\n%s", text)
	}
}

// GDAL reads a CSV's types from the .csvt beside it, and makes points of lat and lng.
func TestGDALReadsTheCSVWithItsTypes(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (Debian gdal-bin) is not installed; scripts/test installs it")
	}
	run, areas, programs := syntheticRun(t)
	dir := t.TempDir()
	for _, layer := range []string{LayerCells, LayerTracts, LayerPrograms} {
		req := Request{Format: FormatCSV, Layer: layer, Content: Selection{"math"}}
		var b, types bytes.Buffer
		if err := Write(context.Background(), &b, req, tablesOf(t, run), areas, programs); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSVT(context.Background(), &types, req, tablesOf(t, run), areas, programs); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, layer+".csv"), b.Bytes(), 0o644)
		os.WriteFile(filepath.Join(dir, layer+".csvt"), types.Bytes(), 0o644)
		out, err := exec.Command("ogrinfo", "-so", "-al", filepath.Join(dir, layer+".csv")).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		want := map[string][]string{
			LayerCells:    {"Geometry: Point", "youth: Real", "count_math: Integer", "desert_math: Integer(Boolean)", "urban: Integer(Boolean)", "h3: String"},
			LayerTracts:   {"demand: Real", "cells: Integer", "desert_math: Integer(Boolean)", "rank_math: Integer", "reason_math: String"},
			LayerPrograms: {"Geometry: Point", "capacity: Real", "name: String"},
		}[layer]
		for _, w := range want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: ogrinfo does not read %q:\n%s", layer, w, out)
			}
		}
	}
}
