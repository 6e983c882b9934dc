package export

import (
	"bufio"
	"io"

	"github.com/paulmach/orb"
)

// Table is a layer laid out by other code — recommendations, scenarios, comparisons of runs — and
// written by this package's rules: every column typed and described, text made safe for
// spreadsheets, figures at full precision, and its provenance in the GeoJSON or the CSV's
// metadata.
type Table struct {
	Title   string
	Columns []Column
	Rows    int
	// Value is a row's figure in a column: string, float64 (NaN: no data), int or bool.
	Value    func(row, col int) any
	Geometry func(row int) (orb.Geometry, error)
}

// Column is one field of a Table; Datatype is CSVW's (string, double, integer, boolean).
type Column struct {
	Name, Datatype, Description string
}

func (t Table) internal() *table {
	it := &table{title: t.Title, rows: t.Rows, value: t.Value, geometry: t.Geometry}
	for _, c := range t.Columns {
		it.columns = append(it.columns, column{name: c.Name, datatype: c.Datatype, description: c.Description})
	}
	return it
}

// WriteTable writes a table as CSV or GeoJSON; the GeoJSON carries prov as its "stemgap" member.
func WriteTable(w io.Writer, format string, t Table, prov any) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var err error
	if format == FormatCSV {
		err = writeCSV(bw, t.internal())
	} else {
		err = writeGeoJSON(bw, t.internal(), prov)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteTableMetadata writes the CSV on the Web metadata of a table's CSV, with prov.
func WriteTableMetadata(w io.Writer, t Table, prov any, csvURL string) error {
	return writeCSVMetadata(w, t.internal(), prov, csvURL)
}
