package storetest

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// oneValidator feeds the store rows that did not come through a reader and that PostGIS and the
// embedded store once judged differently. Every store must refuse each with exactly the message
// of data.CheckIngest — the validator they share — and change nothing.
func oneValidator(t *testing.T, s data.Store) {
	defer s.Close()
	must(t, s.Ingest(ctx, areasIngest("29510000100", "29510000200")))
	must(t, s.Ingest(ctx, programsIngest("synthetic-programs.csv", "p1")))
	before := snapshot(t, s)

	overlapping := areasIngest("29510000300")
	overlapping.Areas[0].Geometry = orb.MultiPolygon{square(-90.3, 38.6, 0.02)[0], square(-90.29, 38.61, 0.02)[0]}
	figureEight := areasIngest("29510000300")
	figureEight.Areas[0].Geometry = orb.MultiPolygon{{{{-90.3, 38.6}, {-90.25, 38.6}, {-90.275, 38.625}, {-90.25, 38.65}, {-90.3, 38.65}, {-90.275, 38.625}, {-90.3, 38.6}}}}
	world := areasIngest("29510000300")
	world.Areas[0].Geometry = orb.MultiPolygon{{{{-179, -89}, {179, -89}, {179, 89}, {-179, 89}, {-179, -89}}}}
	latin1 := areasIngest("29510000300")
	latin1.Areas[0].Name = "Caf\xe9"
	nul := programsIngest("other.csv", "q1")
	nul.Programs[0].Name = "Science\x00Club"
	infinite := programsIngest("other.csv", "q1")
	infinite.Programs[0].Capacity = math.Inf(1)
	huge := programsIngest("other.csv", "q1")
	huge.Programs[0].Capacity = 1e308
	label := programsIngest("other.csv", "q1")
	label.Programs[0].ContentAreas = []string{"Física"}
	youth := demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 1e308}, "29510000100")
	moe := demographicsIngest("synthetic-demo.csv", map[string]float64{"total_pop": 100}, "29510000100")
	moe.Demographics[0].MOE = -12
	geoid := demographicsIngest("synthetic-demo.csv", map[string]float64{"youth_pop": 100}, "2951000010")

	for name, in := range map[string]data.Ingest{"overlapping parts": overlapping, "figure eight": figureEight, "world-sized area": world,
		"invalid UTF-8": latin1, "NUL": nul, "infinite capacity": infinite, "capacity 1e308": huge, "label not normalised": label,
		"youth 1e308": youth, "negative margin of error": moe, "short GEOID": geoid} {
		want := data.CheckIngest(in)
		if want == nil {
			t.Fatalf("%s: data.CheckIngest accepts it", name)
		}
		err := s.Ingest(ctx, in)
		if err == nil || err.Error() != want.Error() {
			t.Errorf("%s: the store said %v\nwant the shared validator's %q", name, err, want)
		}
		if !strings.Contains(want.Error(), in.Record.Source+": ") {
			t.Errorf("%s: %q does not name the file", name, want)
		}
	}
	if !bytes.Equal(before, snapshot(t, s)) {
		t.Error("a refused ingest changed the store")
	}
}
