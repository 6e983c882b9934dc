package census

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// shapeRecord is one polygon record of a shapefile with its attributes.
type shapeRecord struct {
	Geometry orb.MultiPolygon
	Fields   map[string]string
}

// readShapefileZip reads the polygon layer of a zipped shapefile, as the Census Bureau publishes
// TIGER/Line files: the .shp geometry (ESRI Shapefile Technical Description, 1998) and the .dbf
// attributes (dBASE III).
func readShapefileZip(raw []byte) ([]shapeRecord, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %w", err)
	}
	var shp, dbf []byte
	for _, f := range zr.File {
		ext := strings.ToLower(path.Ext(f.Name))
		if ext != ".shp" && ext != ".dbf" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if ext == ".shp" {
			shp = b
		} else {
			dbf = b
		}
	}
	if shp == nil || dbf == nil {
		return nil, fmt.Errorf("the archive holds no .shp and .dbf pair")
	}
	shapes, err := readShp(shp)
	if err != nil {
		return nil, fmt.Errorf(".shp: %w", err)
	}
	rows, err := readDbf(dbf)
	if err != nil {
		return nil, fmt.Errorf(".dbf: %w", err)
	}
	if len(rows) != len(shapes) {
		return nil, fmt.Errorf(".shp holds %d shapes but .dbf %d records", len(shapes), len(rows))
	}
	out := make([]shapeRecord, len(shapes))
	for i := range shapes {
		out[i] = shapeRecord{Geometry: shapes[i], Fields: rows[i]}
	}
	return out, nil
}

const shapePolygon = 5

func readShp(b []byte) ([]orb.MultiPolygon, error) {
	if len(b) < 100 || binary.BigEndian.Uint32(b[0:]) != 9994 {
		return nil, fmt.Errorf("not a shapefile (bad file code)")
	}
	if t := binary.LittleEndian.Uint32(b[32:]); t != shapePolygon {
		return nil, fmt.Errorf("shape type %d; only polygons (5) are read", t)
	}
	var out []orb.MultiPolygon
	for off := 100; off+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off+4:])) * 2 // content length in 16-bit words
		rec := b[off+8:]
		if n > len(rec) || n < 4 {
			return nil, fmt.Errorf("record %d is truncated", len(out)+1)
		}
		rec = rec[:n]
		off += 8 + n
		if binary.LittleEndian.Uint32(rec) == 0 { // null shape
			out = append(out, nil)
			continue
		}
		if len(rec) < 44 {
			return nil, fmt.Errorf("record %d is truncated", len(out)+1)
		}
		numParts := int(binary.LittleEndian.Uint32(rec[36:]))
		numPoints := int(binary.LittleEndian.Uint32(rec[40:]))
		if 44+4*numParts+16*numPoints > len(rec) {
			return nil, fmt.Errorf("record %d is truncated", len(out)+1)
		}
		parts := make([]int, numParts+1)
		for i := 0; i < numParts; i++ {
			parts[i] = int(binary.LittleEndian.Uint32(rec[44+4*i:]))
		}
		parts[numParts] = numPoints
		pts := rec[44+4*numParts:]
		var rings []orb.Ring
		for i := 0; i < numParts; i++ {
			if parts[i] > parts[i+1] || parts[i+1] > numPoints {
				return nil, fmt.Errorf("record %d has bad part offsets", len(out)+1)
			}
			ring := make(orb.Ring, 0, parts[i+1]-parts[i])
			for j := parts[i]; j < parts[i+1]; j++ {
				x := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j:]))
				y := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j+8:]))
				ring = append(ring, orb.Point{x, y})
			}
			rings = append(rings, ring)
		}
		out = append(out, assembleRings(rings))
	}
	return out, nil
}

// assembleRings groups shapefile rings into polygons: clockwise rings are outer rings, counter-
// clockwise rings holes of the outer ring that contains them. The result follows RFC 7946's
// orientation (outer rings counter-clockwise).
func assembleRings(rings []orb.Ring) orb.MultiPolygon {
	var mp orb.MultiPolygon
	var holes []orb.Ring
	for _, r := range rings {
		if r.Orientation() == orb.CW {
			r.Reverse()
			mp = append(mp, orb.Polygon{r})
		} else {
			holes = append(holes, r)
		}
	}
	for _, h := range holes {
		placed := false
		for i := range mp {
			if planar.RingContains(mp[i][0], h[0]) {
				h.Reverse()
				mp[i] = append(mp[i], h)
				placed = true
				break
			}
		}
		if !placed { // a counter-clockwise outer ring, as some writers produce
			mp = append(mp, orb.Polygon{h})
		}
	}
	return mp
}

func readDbf(b []byte) ([]map[string]string, error) {
	if len(b) < 32 {
		return nil, fmt.Errorf("truncated header")
	}
	n := int(binary.LittleEndian.Uint32(b[4:]))
	headerLen := int(binary.LittleEndian.Uint16(b[8:]))
	recordLen := int(binary.LittleEndian.Uint16(b[10:]))
	type field struct {
		name   string
		length int
	}
	// A record holds at least its deletion flag, so that the record count is bounded by the
	// file's size; the header must fit in the file.
	if recordLen < 1 || headerLen < 33 || headerLen > len(b) {
		return nil, fmt.Errorf("bad header: %d header bytes, %d bytes per record, in %d bytes", headerLen, recordLen, len(b))
	}
	var fields []field
	for off := 32; off+32 <= headerLen && b[off] != 0x0D; off += 32 {
		name := strings.TrimRight(string(b[off:off+11]), "\x00 ")
		fields = append(fields, field{name: name, length: int(b[off+16])})
	}
	if headerLen+n*recordLen > len(b) {
		return nil, fmt.Errorf("%d records of %d bytes do not fit", n, recordLen)
	}
	out := make([]map[string]string, 0, n)
	for i := 0; i < n; i++ {
		rec := b[headerLen+i*recordLen : headerLen+(i+1)*recordLen]
		row := make(map[string]string, len(fields))
		pos := 1 // deletion flag
		for _, f := range fields {
			if pos+f.length > len(rec) {
				return nil, fmt.Errorf("record %d is shorter than its fields", i+1)
			}
			row[f.name] = strings.TrimSpace(string(rec[pos : pos+f.length]))
			pos += f.length
		}
		out = append(out, row)
	}
	return out, nil
}
