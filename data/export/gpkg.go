package export

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"stemgap/data"

	// modernc.org/sqlite is SQLite compiled to Go: no C toolchain or shared library to find, which
	// keeps the GeoPackage export building wherever the rest does.
	_ "modernc.org/sqlite"
)

// The GeoPackage export (OGC 12-128r18, version 1.3): the cells, tracts and programs of one
// setting group in one SQLite file, each a feature table with typed columns, an R-tree spatial
// index and the run's provenance in the metadata extension, so that QGIS, ArcGIS and GDAL open it
// as it is.

// FormatGeoPackage names the GeoPackage export.
const FormatGeoPackage = "gpkg"

// gpkg identifies a GeoPackage: the application id "GPKG" and the version it follows (1.3.0).
const (
	gpkgApplicationID = 0x47504B47
	gpkgUserVersion   = 10300
)

// wgs84 is EPSG:4326 as the GeoPackage's spatial reference table describes it.
const wgs84 = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`

// GeoPackageRequest says what goes into a GeoPackage: a setting group and content areas, as for
// the other exports.
type GeoPackageRequest struct {
	Setting  string
	Content  Selection
	Progress func(layer string, written int) // called as rows are written; may be nil
}

// WriteGeoPackage writes the cells, tracts and programs of a run to a new GeoPackage at path,
// atomically: readers see the old file or the whole new one.
func WriteGeoPackage(ctx context.Context, path string, req GeoPackageRequest, run data.RunTables, areas []data.Area, programs []data.Program) error {
	layers := []string{LayerCells, LayerTracts, LayerPrograms}
	tables := make([]*table, len(layers))
	for i, layer := range layers {
		t, err := layerTable(ctx, Request{Format: FormatCSV, Layer: layer, Setting: req.Setting, Content: req.Content}, run, areas, programs)
		if err != nil {
			return err
		}
		tables[i] = t
	}
	prov := ProvenanceFor(run.Info(), req.Setting)
	return data.WriteFileAtomicAt(path, func(tmp *os.File) error {
		db, err := sql.Open("sqlite", tmp.Name())
		if err != nil {
			return err
		}
		defer db.Close()
		// One connection: the pragmas below hold per connection.
		db.SetMaxOpenConns(1)
		w := &gpkgWriter{db: db, ctx: ctx, progress: req.Progress, changed: gpkgTime(run.Info().CreatedAt)}
		if err := w.start(prov); err != nil {
			return err
		}
		for i, t := range tables {
			if err := w.layer(layers[i], t, gpkgDescription(t, prov)); err != nil {
				return fmt.Errorf("layer %s: %w", layers[i], err)
			}
		}
		return db.Close()
	})
}

// gpkgDescription describes a layer in the contents table: its title, the run, and the series too
// thin to judge, whose desert and gap columns are empty.
func gpkgDescription(t *table, prov Provenance) string {
	d := t.title + ". Method: " + prov.Method + "; access is " + prov.Measure + " (" + prov.AccessUnit + ")."
	if len(prov.NotJudged) > 0 {
		d += " Not judged: " + strings.Join(prov.NotJudged, "; ") + "."
	}
	return d
}

type gpkgWriter struct {
	db       *sql.DB
	ctx      context.Context
	progress func(layer string, written int)
	changed  string // when the run was made: the file's dates, so that one run exports the same file
}

func (w *gpkgWriter) exec(query string, args ...any) error {
	_, err := w.db.ExecContext(w.ctx, query, args...)
	return err
}

// start lays down what every GeoPackage holds: its identity, the spatial reference systems, the
// contents and geometry-column tables, and the run's provenance as metadata.
func (w *gpkgWriter) start(prov Provenance) error {
	provJSON, err := json.MarshalIndent(prov, "", "  ")
	if err != nil {
		return err
	}
	steps := []string{
		// A fresh file that is renamed into place only when whole needs no journal.
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
			organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES
			('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
			('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
			('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84 + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
			last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
			srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
			srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
			scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		`CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset',
			md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
			timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
			CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
			CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))`,
		`INSERT INTO gpkg_extensions VALUES ('gpkg_metadata', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec/#extension_metadata', 'read-write'),
			('gpkg_metadata_reference', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec/#extension_metadata', 'read-write')`,
	}
	for _, q := range steps {
		if err := w.exec(q); err != nil {
			return fmt.Errorf("%.40s…: %w", q, err)
		}
	}
	// The provenance is stemgap's own JSON (the exports' "stemgap" member), named by a URN rather
	// than an address that would not describe it.
	if err := w.exec(`INSERT INTO gpkg_metadata (id, md_scope, md_standard_uri, mime_type, metadata) VALUES (1, 'dataset', 'urn:stemgap:provenance', 'application/json', ?)`,
		string(provJSON)); err != nil {
		return err
	}
	return w.exec(`INSERT INTO gpkg_metadata_reference (reference_scope, md_file_id, timestamp) VALUES ('geopackage', 1, ?)`, w.changed)
}

// gpkgTime writes a time as GeoPackage wants it.
func gpkgTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sqliteType is the GeoPackage column type of an export column's CSVW datatype.
func sqliteType(datatype string) string {
	switch datatype {
	case "double":
		return "REAL"
	case "integer":
		return "MEDIUMINT" // 32 bits, which GDAL reads as Integer as the CSV's .csvt says; INTEGER it reads as Integer64
	case "boolean":
		return "BOOLEAN"
	}
	return "TEXT"
}

// layer writes one feature table with its rows, its contents entry and its spatial index.
func (w *gpkgWriter) layer(name string, t *table, description string) error {
	geomType := "POLYGON"
	switch name {
	case LayerTracts:
		geomType = "MULTIPOLYGON"
	case LayerPrograms:
		geomType = "POINT"
	}
	cols := []string{`"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL`, `"geom" ` + geomType}
	names := []string{`"geom"`}
	for _, c := range t.columns {
		col := c.name
		if strings.EqualFold(col, "fid") || strings.EqualFold(col, "geom") {
			col = "source_" + col // a program file's own column of a name the feature table takes
		}
		cols = append(cols, quoteIdent(col)+" "+sqliteType(c.datatype))
		names = append(names, quoteIdent(col))
	}
	if err := w.exec(fmt.Sprintf("CREATE TABLE %s (%s)", quoteIdent(name), strings.Join(cols, ", "))); err != nil {
		return err
	}
	tx, err := w.db.BeginTx(w.ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	insert, err := tx.PrepareContext(w.ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteIdent(name), strings.Join(names, ", "), marks))
	if err != nil {
		return err
	}
	rtree := fmt.Sprintf("rtree_%s_geom", name)
	if _, err := tx.ExecContext(w.ctx, fmt.Sprintf("CREATE VIRTUAL TABLE %s USING rtree(id, minx, maxx, miny, maxy)", quoteIdent(rtree))); err != nil {
		return err
	}
	index, err := tx.PrepareContext(w.ctx, fmt.Sprintf("INSERT INTO %s VALUES (?, ?, ?, ?, ?)", quoteIdent(rtree)))
	if err != nil {
		return err
	}
	extent := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	args := make([]any, len(names))
	written := 0
	err = t.each(func(row int) error {
		if written%10000 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
			if w.progress != nil {
				w.progress(name, written)
			}
		}
		written++
		g, err := t.geometry(row)
		if err != nil {
			return err
		}
		blob, b, err := gpkgGeometry(g)
		if err != nil {
			return fmt.Errorf("feature %d: %w", written, err)
		}
		args[0] = blob
		for col := range t.columns {
			args[col+1] = sqliteValue(t.value(row, col))
		}
		res, err := insert.ExecContext(w.ctx, args...)
		if err != nil {
			return fmt.Errorf("feature %d: %w", written, err)
		}
		fid, _ := res.LastInsertId()
		if _, err := index.ExecContext(w.ctx, fid, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
			return err
		}
		extent = extent.Union(b)
		return nil
	})
	if err != nil {
		return err
	}
	if written == 0 {
		extent = orb.Bound{}
	}
	if _, err := tx.ExecContext(w.ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
		VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)`, name, name, description, w.changed, extent.Min[0], extent.Min[1], extent.Max[0], extent.Max[1]); err != nil {
		return err
	}
	if _, err := tx.ExecContext(w.ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)`, name, geomType); err != nil {
		return err
	}
	if _, err := tx.ExecContext(w.ctx, `INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec/#extension_rtree', 'write-only')`, name); err != nil {
		return err
	}
	// The triggers that keep the index in step when a GIS edits the table (the specification's
	// own, F.3); they call ST_ functions that GeoPackage readers provide, and fire only on edits.
	for _, q := range rtreeTriggers(name, "geom", "fid") {
		if _, err := tx.ExecContext(w.ctx, q); err != nil {
			return err
		}
	}
	if w.progress != nil {
		w.progress(name, written)
	}
	return tx.Commit()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqliteValue turns an export value into a column value: NULL for no data, 1/0 for booleans.
func sqliteValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	}
	return v
}

// gpkgGeometry encodes a geometry as a GeoPackage binary: the "GP" header with its SRS and XY
// envelope, then little-endian WKB. It returns the envelope for the spatial index.
func gpkgGeometry(g orb.Geometry) ([]byte, orb.Bound, error) {
	var b bytes.Buffer
	bound := g.Bound()
	b.WriteString("GP")
	b.WriteByte(0)                                     // version 1
	b.WriteByte(0b0000_0011)                           // little-endian, envelope [minx, maxx, miny, maxy]
	binary.Write(&b, binary.LittleEndian, int32(4326)) // bytes.Buffer writes cannot fail
	for _, v := range []float64{bound.Min[0], bound.Max[0], bound.Min[1], bound.Max[1]} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	raw, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, bound, err
	}
	b.Write(raw)
	return b.Bytes(), bound, nil
}

// rtreeTriggers are the GeoPackage specification's triggers (annex F.3, as GDAL writes them) that
// keep a table's R-tree in step with edits to its geometry column.
func rtreeTriggers(t, c, i string) []string {
	r := fmt.Sprintf("rtree_%s_%s", t, c)
	q := func(format string) string {
		s := strings.NewReplacer("<t>", quoteIdent(t), "<c>", quoteIdent(c), "<i>", quoteIdent(i), "<r>", quoteIdent(r),
			"<name>", fmt.Sprintf("%s_%s", r, strings.SplitN(format, " ", 2)[0])).Replace(format)
		return s[strings.Index(s, " ")+1:]
	}
	return []string{
		q(`insert CREATE TRIGGER "<name>" AFTER INSERT ON <t> WHEN (new.<c> NOT NULL AND NOT ST_IsEmpty(NEW.<c>))
			BEGIN INSERT OR REPLACE INTO <r> VALUES (NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`),
		q(`update1 CREATE TRIGGER "<name>" AFTER UPDATE OF <c> ON <t> WHEN OLD.<i> = NEW.<i> AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
			BEGIN INSERT OR REPLACE INTO <r> VALUES (NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`),
		q(`update2 CREATE TRIGGER "<name>" AFTER UPDATE OF <c> ON <t> WHEN OLD.<i> = NEW.<i> AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
			BEGIN DELETE FROM <r> WHERE id = OLD.<i>; END`),
		q(`update3 CREATE TRIGGER "<name>" AFTER UPDATE ON <t> WHEN OLD.<i> != NEW.<i> AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
			BEGIN DELETE FROM <r> WHERE id = OLD.<i>; INSERT OR REPLACE INTO <r> VALUES (NEW.<i>, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`),
		q(`update4 CREATE TRIGGER "<name>" AFTER UPDATE ON <t> WHEN OLD.<i> != NEW.<i> AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
			BEGIN DELETE FROM <r> WHERE id IN (OLD.<i>, NEW.<i>); END`),
		q(`delete CREATE TRIGGER "<name>" AFTER DELETE ON <t> WHEN old.<c> NOT NULL
			BEGIN DELETE FROM <r> WHERE id = OLD.<i>; END`),
	}
}
