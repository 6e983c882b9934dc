package census

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"path"
	"testing"

	"stemgap/data/census/censustest"
)

// FuzzReadShapefile feeds the TIGER/Line shapefile readers (.shp geometry and .dbf attributes,
// both parsed byte by byte here) whatever bytes a broken or hostile mirror (--tiger-url) could
// send. They must refuse them with an error, never panic or read past the end. Seeds are the
// SYNTHETIC files censustest replays, plus truncations. bench/fuzz runs it for longer.
func FuzzReadShapefile(f *testing.F) {
	replay := censustest.NewReplay(f)
	resp, err := http.Get(replay.Server.URL + "/tiger/TIGER2022/TRACT/tl_2022_29_tract.zip")
	if err != nil {
		f.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		f.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		f.Fatal(err)
	}
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		files[path.Ext(zf.Name)], _ = io.ReadAll(rc)
		rc.Close()
	}
	shp, dbf := files[".shp"], files[".dbf"]
	if len(shp) < 100 || len(dbf) < 32 {
		f.Fatalf("replayed shapefile: %d .shp and %d .dbf bytes", len(shp), len(dbf))
	}
	f.Add(shp, dbf)
	f.Add(shp[:len(shp)-3], dbf[:len(dbf)-3])
	f.Add(shp[:100], dbf[:32])
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		if shapes, err := readShp(shp); err == nil {
			for i, mp := range shapes {
				for _, poly := range mp {
					for _, ring := range poly {
						if len(ring) == 0 {
							t.Fatalf("shape %d has an empty ring", i+1)
						}
					}
				}
			}
		}
		if rows, err := readDbf(dbf); err == nil && len(rows) > len(dbf) {
			t.Fatalf("%d records from %d bytes", len(rows), len(dbf))
		}
	})
}
