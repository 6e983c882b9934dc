package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"
	"stemgap/data"
)

// Formats.
const (
	FormatCSV     = "csv"
	FormatGeoJSON = "geojson"
)

// Request says what to export.
type Request struct {
	Format  string
	Layer   string
	Setting string // the setting group; empty: the run's default
	Content Selection
}

// Check rejects an unknown format or layer.
func (r Request) Check() error {
	if r.Format != FormatCSV && r.Format != FormatGeoJSON {
		return fmt.Errorf("unknown export format %q (csv, geojson)", r.Format)
	}
	switch r.Layer {
	case LayerCells, LayerTracts, LayerPrograms:
	case LayerEquity:
		if r.Format != FormatCSV {
			return fmt.Errorf("the equity table has no geometry: export it as csv")
		}
	default:
		return fmt.Errorf("unknown layer %q (cells, tracts, programs, equity)", r.Layer)
	}
	return nil
}

// CheckRun rejects a request that a run cannot answer, such as a content area it does not have.
func (r Request) CheckRun(run *data.RunInfo) error {
	if err := r.Check(); err != nil {
		return err
	}
	_, err := r.Content.indexes(run, r.Setting)
	return err
}

// Write exports a layer of a run. areas and programs are the inputs the run read (for tract
// geometry and the program list). The cells are read and written a block at a time.
func Write(ctx context.Context, w io.Writer, req Request, run data.RunTables, areas []data.Area, programs []data.Program) error {
	t, err := layerTable(ctx, req, run, areas, programs)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if req.Format == FormatCSV {
		err = writeCSV(bw, t)
	} else {
		err = writeGeoJSON(bw, t, ProvenanceFor(run.Info(), req.Setting))
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func layerTable(ctx context.Context, req Request, run data.RunTables, areas []data.Area, programs []data.Program) (*table, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	switch req.Layer {
	case LayerCells:
		return cellsTable(ctx, run, req.Setting, req.Content)
	case LayerTracts:
		return tractsTable(run, areas, req.Setting, req.Content)
	case LayerEquity:
		return equityTable(run, req.Setting, req.Content)
	}
	return programsTable(run.Info(), req.Setting, req.Content, programs)
}

func writeCSV(w io.Writer, t *table) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(t.columns))
	for i, c := range t.columns {
		header[i] = spreadsheetSafe(c.name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(t.columns))
	err := t.each(func(row int) error {
		for col := range t.columns {
			rec[col] = csvText(t.value(row, col))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func csvText(v any) string {
	switch x := v.(type) {
	case string:
		return spreadsheetSafe(x)
	case float64:
		return formatFloat(x)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return "" // nil: no value

}

func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		return Number(x)
	}
	return v
}

// writeGeoJSON streams an RFC 7946 FeatureCollection, with the provenance as a foreign member
// "stemgap" (RFC 7946 §6.1 allows members beyond the standard ones).
func writeGeoJSON(w *bufio.Writer, t *table, prov any) error {
	head, err := json.Marshal(prov)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `{"type":"FeatureCollection","name":%q,"stemgap":%s,"features":[`, t.title, head)
	written := 0
	err = t.each(func(row int) error {
		g, err := t.geometry(row)
		if err != nil {
			return err
		}
		f := geojson.NewFeature(g)
		for col, c := range t.columns {
			f.Properties[c.name] = jsonValue(t.value(row, col))
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("feature %d: %w", written+1, err)
		}
		if written > 0 {
			w.WriteByte(',')
		}
		written++
		w.WriteByte('\n')
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("\n]}\n")
	return err
}

// WriteCSVMetadata writes the W3C "CSV on the Web" metadata that accompanies a CSV export
// (conventionally FILE-metadata.json): the columns with their types and meaning, and the run's
// provenance.
func WriteCSVMetadata(ctx context.Context, w io.Writer, req Request, run data.RunTables, areas []data.Area, programs []data.Program, csvURL string) error {
	t, err := layerTable(ctx, req, run, areas, programs)
	if err != nil {
		return err
	}
	return writeCSVMetadata(w, t, ProvenanceFor(run.Info(), req.Setting), csvURL)
}

func writeCSVMetadata(w io.Writer, t *table, prov any, csvURL string) error {
	type csvwColumn struct {
		Name        string `json:"name"`
		Titles      string `json:"titles"`
		Datatype    string `json:"datatype"`
		Description string `json:"dc:description,omitempty"`
	}
	cols := make([]csvwColumn, len(t.columns))
	for i, c := range t.columns {
		cols[i] = csvwColumn{Name: c.name, Titles: c.name, Datatype: c.datatype, Description: c.description}
	}
	meta := map[string]any{
		"@context":    "http://www.w3.org/ns/csvw",
		"url":         csvURL,
		"dc:title":    t.title,
		"dc:source":   "stemgap; inputs listed under stemgap.inputs",
		"stemgap":     prov,
		"tableSchema": map[string]any{"columns": cols},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(meta)
}

// WriteCSVT writes the CSV's column types as GDAL reads them from FILE.csvt beside FILE.csv: one
// line of quoted types. lat and lng are CoordY and CoordX, so that GDAL makes points of them.
func WriteCSVT(ctx context.Context, w io.Writer, req Request, run data.RunTables, areas []data.Area, programs []data.Program) error {
	t, err := layerTable(ctx, req, run, areas, programs)
	if err != nil {
		return err
	}
	types := make([]string, len(t.columns))
	for i, c := range t.columns {
		types[i] = strconv.Quote(gdalType(c))
	}
	_, err = fmt.Fprintln(w, strings.Join(types, ","))
	return err
}

func gdalType(c column) string {
	switch c.name {
	case "lat":
		return "CoordY"
	case "lng":
		return "CoordX"
	}
	switch c.datatype {
	case "double":
		return "Real"
	case "integer":
		return "Integer"
	case "boolean":
		return "Integer(Boolean)"
	}
	return "String"
}

// FileName names an export's file after what it holds — stemgap-LAYER-CONTENT-SETTING-RUN.FORMAT,
// CONTENT being the selected content areas joined by "+", or all-content-areas — so that files
// of different series never overwrite each other and each says what it is.
func (r Request) FileName(run *data.RunInfo) string {
	content := "all-content-areas"
	if len(r.Content) > 0 {
		content = strings.Join(r.Content, "+")
	}
	return fmt.Sprintf("stemgap-%s-%s-%s-%s.%s", r.Layer, content, run.SettingOrDefault(r.Setting), run.ID, r.Format)
}

// ParseFileName reads a name FileName made back into the request and run id it names.
func ParseFileName(name string) (Request, string, bool) {
	base, format, ok := strings.Cut(strings.TrimPrefix(name, "stemgap-"), ".")
	parts := strings.Split(base, "-")
	if !ok || !strings.HasPrefix(name, "stemgap-") || len(parts) < 4 {
		return Request{}, "", false
	}
	req := Request{Format: format, Layer: parts[0], Setting: parts[len(parts)-2]}
	if content := strings.Join(parts[1:len(parts)-2], "-"); content != "all-content-areas" {
		req.Content = strings.Split(content, "+")
	}
	return req, parts[len(parts)-1], true
}
