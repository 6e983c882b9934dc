// Package censustest replays the Census Bureau's answers for tests, in its documented formats: a
// zipped ESRI shapefile for TIGER/Line tracts and the Census Data API's JSON table. The Bureau
// cannot be reached from the test machines. Every figure here is SYNTHETIC.
package censustest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
)

type dbfField struct {
	name   string
	kind   byte // C text, N number
	length int
}

// shapefileZip writes polygons the way the shapefile specification lays them out — outer rings
// clockwise, holes counter-clockwise — with a dBASE table of attributes.
func shapefileZip(t testing.TB, polygons [][]orb.Ring, fields []dbfField, rows [][]string) []byte {
	t.Helper()
	var shp bytes.Buffer
	shp.Write(make([]byte, 100))
	for i, rings := range polygons {
		var content bytes.Buffer
		le := func(v any) { binary.Write(&content, binary.LittleEndian, v) }
		n := 0
		for _, r := range rings {
			n += len(r)
		}
		le(uint32(5))
		le([4]float64{}) // bounding box, unread
		le(uint32(len(rings)))
		le(uint32(n))
		off := 0
		for _, r := range rings {
			le(uint32(off))
			off += len(r)
		}
		for _, r := range rings {
			for _, p := range r {
				le(p[0])
				le(p[1])
			}
		}
		binary.Write(&shp, binary.BigEndian, uint32(i+1))
		binary.Write(&shp, binary.BigEndian, uint32(content.Len()/2))
		shp.Write(content.Bytes())
	}
	b := shp.Bytes()
	binary.BigEndian.PutUint32(b[0:], 9994)
	binary.BigEndian.PutUint32(b[24:], uint32(len(b)/2))
	binary.LittleEndian.PutUint32(b[28:], 1000)
	binary.LittleEndian.PutUint32(b[32:], 5) // polygons

	var dbf bytes.Buffer
	recordLen := 1
	for _, f := range fields {
		recordLen += f.length
	}
	header := make([]byte, 32)
	header[0] = 3
	binary.LittleEndian.PutUint32(header[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(header[8:], uint16(32+32*len(fields)+1))
	binary.LittleEndian.PutUint16(header[10:], uint16(recordLen))
	dbf.Write(header)
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d, f.name)
		d[11], d[16] = f.kind, byte(f.length)
		dbf.Write(d)
	}
	dbf.WriteByte(0x0D)
	for _, row := range rows {
		dbf.WriteByte(' ')
		for i, f := range fields {
			dbf.WriteString(fmt.Sprintf("%-*s", f.length, row[i]))
		}
	}
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for name, content := range map[string][]byte{"tl_2022_29_tract.shp": shp.Bytes(), "tl_2022_29_tract.dbf": dbf.Bytes(), "tl_2022_29_tract.prj": []byte("GEOGCS[\"NAD83\"]")} {
		w, _ := zw.Create(name)
		w.Write(content)
	}
	zw.Close()
	return z.Bytes()
}

// square is a closed ring; clockwise when cw.
func square(x, y, size float64, cw bool) orb.Ring {
	r := orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
	if cw {
		r.Reverse()
	}
	return r
}

// ACSValue is the SYNTHETIC figure the replay gives a tract and API variable: estimates E and
// margins M.
func ACSValue(tract, variable string) string {
	if tract == "101200" && variable == "B19013_001E" {
		return "-666666666" // the ACS annotation for "too few sample observations"
	}
	n := 0
	for _, c := range variable + tract {
		n = (n*31 + int(c)) % 997
	}
	switch {
	case strings.HasSuffix(variable, "M"):
		return fmt.Sprint(5 + n%20)
	case strings.HasSuffix(variable, "_001E"): // table totals exceed their parts
		return fmt.Sprint(5000 + n)
	case strings.HasPrefix(variable, "B01001H"): // white non-Hispanic youth: a part of all youth
		return fmt.Sprint(10 + n%40)
	}
	return fmt.Sprint(50 + n%400)
}

// Replay answers like the Census Bureau from an httptest server.
type Replay struct {
	Server    *httptest.Server
	ACSCalls  atomic.Int32 // Census Data API calls answered, failures included
	FailFirst atomic.Bool  // answer the next API call with 503
	LastQuery atomic.Value // url.Values of the last API call
}

// NewReplay serves TIGER/Line 2022 tracts of state 29 under /tiger and the ACS 2022 5-year API
// under /api; it stops when the test ends.
func NewReplay(t testing.TB) *Replay {
	r := &Replay{}
	zipped := shapefileZip(t,
		[][]orb.Ring{
			{square(-90.30, 38.60, 0.02, true), square(-90.295, 38.605, 0.005, false)}, // with a hole
			{square(-90.20, 38.60, 0.02, true)},
			{square(-90.50, 38.60, 0.02, true)}, // another county
		},
		[]dbfField{{"GEOID", 'C', 11}, {"COUNTYFP", 'C', 3}, {"NAMELSAD", 'C', 20}, {"ALAND", 'N', 14}},
		[][]string{{"29510101100", "510", "Census Tract 1011", "2500000"}, {"29510101200", "510", "Census Tract 1012", "3100000"}, {"29189210100", "189", "Census Tract 2101", "9000000"}},
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/tiger/TIGER2022/TRACT/tl_2022_29_tract.zip", func(w http.ResponseWriter, req *http.Request) { w.Write(zipped) })
	mux.HandleFunc("/api/2022/acs/acs5", func(w http.ResponseWriter, req *http.Request) {
		r.ACSCalls.Add(1)
		if r.FailFirst.CompareAndSwap(true, false) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		q := req.URL.Query()
		r.LastQuery.Store(q)
		vars := strings.Split(q.Get("get"), ",")
		header := append(append([]string{}, vars...), "state", "county", "tract")
		table := [][]*string{}
		row := func(s []string) []*string {
			out := make([]*string, len(s))
			for i := range s {
				out[i] = &s[i]
			}
			return out
		}
		table = append(table, row(header))
		for _, tract := range []string{"101100", "101200"} {
			vals := []string{}
			for _, v := range vars {
				if v == "NAME" {
					vals = append(vals, "Census Tract "+tract+", St. Louis city, Missouri")
				} else {
					vals = append(vals, ACSValue(tract, v))
				}
			}
			table = append(table, row(append(vals, "29", "510", tract)))
		}
		json.NewEncoder(w).Encode(table)
	})
	r.Server = httptest.NewServer(mux)
	t.Cleanup(r.Server.Close)
	return r
}
