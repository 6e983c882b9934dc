//go:build ignore

// Command generate writes the bad-input corpus of testdata/bad: for each case an input file and a
// .want file holding the command that loads it and the message both stores must give.
//
// Most inputs are a few rows of the real St. Louis files (../shared/data/stl; see its
// PROVENANCE.md) with one fault put in, named stl-excerpt-…; a few come from the Chicago and
// Illinois files (chicago-excerpt-…, il-excerpt-…); cost matrices and grid geometries are
// synthetic, named so. Each expected message is written here from the fault's construction — the
// line or feature it was put in, the value it holds — never copied from stemgap's output. In a
// message, <...> stands for text that depends on arithmetic (an area in km², a point found by a
// sweep) and matches anything.
//
//	go run testdata/bad/generate.go    (from the project root, with ../shared/data beside it)
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	shared = "../shared/data"
	out    = "testdata/bad"
	// u is the grid of synthetic geometries: 1/64°, exact in binary, so that crossings and
	// midpoints fall on exactly representable points.
	u = 1.0 / 64
)

// The excerpts: three St. Louis city tracts, their demographics, three learning sites.
var (
	tractIDs = []string{"29510101100", "29510101200", "29510101300"}
	siteIDs  = []string{"mudf18-8409500852", "pls18-MO0030-004", "pls18-MO0030-005"}
)

type corpusCase struct {
	name string // file name, extension included
	what string // the fault, in words
	args string // the command, FILE standing for the input
	body []byte
	want string
}

var cases []corpusCase

func add(name, what, args string, body []byte, want string) {
	cases = append(cases, corpusCase{name, what, args, body, name + ": " + want})
}

func main() {
	tracts()
	demographics()
	programs()
	costs()
	if err := os.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(out, "*.want"))
	for _, w := range old {
		base := strings.TrimSuffix(w, ".want")
		matches, _ := filepath.Glob(base + ".*")
		for _, m := range matches {
			os.Remove(m)
		}
	}
	for _, c := range cases {
		must(os.WriteFile(filepath.Join(out, c.name), c.body, 0o644))
		want := fmt.Sprintf("# %s\nargs: %s\nwant:\n%s\n", c.what, c.args, c.want)
		must(os.WriteFile(filepath.Join(out, c.name+".want"), []byte(want), 0o644))
	}
	fmt.Printf("%d cases written to %s\n", len(cases), out)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// --- areas ---------------------------------------------------------------------------------

type point = [2]float64

// feature is one GeoJSON feature of the excerpt, its numbers kept as written.
type feature map[string]any

func loadTracts() []feature {
	raw, err := os.ReadFile(filepath.Join(shared, "stl/msa_tracts_2010.geojson"))
	must(err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fc struct{ Features []feature }
	must(dec.Decode(&fc))
	var outF []feature
	for _, id := range tractIDs {
		for _, f := range fc.Features {
			if f["properties"].(map[string]any)["GEOID"] == id {
				outF = append(outF, f)
			}
		}
	}
	if len(outF) != len(tractIDs) {
		log.Fatalf("tracts %v not all found", tractIDs)
	}
	return outF
}

// clone copies a feature deeply through JSON.
func clone(f feature) feature {
	b, err := json.Marshal(f)
	must(err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var g feature
	must(dec.Decode(&g))
	return g
}

func props(f feature) map[string]any { return f["properties"].(map[string]any) }

// ring reads a Polygon feature's outer ring.
func ring(f feature) []point {
	var r []point
	for _, c := range f["geometry"].(map[string]any)["coordinates"].([]any)[0].([]any) {
		xy := c.([]any)
		x, _ := xy[0].(json.Number).Float64()
		y, _ := xy[1].(json.Number).Float64()
		r = append(r, point{x, y})
	}
	return r
}

func coords(r []point) [][]float64 {
	out := make([][]float64, len(r))
	for i, p := range r {
		out[i] = []float64{p[0], p[1]}
	}
	return out
}

func polygon(rings ...[]point) map[string]any {
	var c [][][]float64
	for _, r := range rings {
		c = append(c, coords(r))
	}
	return map[string]any{"type": "Polygon", "coordinates": c}
}

// collection writes a FeatureCollection with one feature per line: feature i is on line i+1.
func collection(fs ...feature) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range fs {
		j, err := json.Marshal(f)
		must(err)
		b.Write(j)
		if i < len(fs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// gridSquare is a square of n grid units whose lower-left corner is the grid point at or below p.
func gridSquare(p point, i, j, n float64) []point {
	x := math.Floor(p[0]/u)*u + i*u
	y := math.Floor(p[1]/u)*u + j*u
	return []point{{x, y}, {x + n*u, y}, {x + n*u, y + n*u}, {x, y + n*u}, {x, y}}
}

// nulMessage is the refusal of the NUL byte in line n of body, at its byte in the line.
func nulMessage(body []byte, n int) string {
	line := strings.Split(string(body), "\n")[n-1]
	return fmt.Sprintf("line %d: NUL byte at byte %d: not a text file, or saved as UTF-16 — save it as UTF-8", n, strings.IndexByte(line, 0)+1)
}

// addTextFaults adds two CSV cases: a raw NUL byte, and the Latin-1 byte latin1Byte, in a field
// of line 3.
func addTextFaults(prefix, field, args string, nul, latin1 []byte, latin1Byte byte) {
	add(prefix+"-nul-byte.csv", "a NUL byte in "+field, args, nul, nulMessage(nul, 3))
	add(prefix+"-latin1.csv", field+" is in Latin-1", args, latin1, latin1Message(latin1, 3, latin1Byte))
}

// latin1Message is the refusal of the Latin-1 byte b in line n of body, at its byte in the line.
func latin1Message(body []byte, n int, b byte) string {
	line := strings.Split(string(body), "\n")[n-1]
	return fmt.Sprintf("line %d: invalid UTF-8 (byte 0x%02X at byte %d): save the file as UTF-8 (it may be Latin-1 or Windows-1252)", n, b, strings.IndexByte(line, b)+1)
}

func num(v float64) string { return fmt.Sprint(v) }

func tracts() {
	base := loadTracts()
	second := func(edit func(f feature)) []byte {
		fs := []feature{clone(base[0]), clone(base[1]), clone(base[2])}
		edit(fs[1])
		return collection(fs...)
	}
	const args = "ingest tracts FILE"
	id := tractIDs[1]
	r := ring(base[1])
	p0 := r[0]
	f2 := fmt.Sprintf("feature 2: GEOID %q: ", id)

	// A bow tie on the grid: its two diagonals cross at the square's centre.
	sq := gridSquare(p0, 0, 0, 2)
	bow := []point{sq[0], sq[2], sq[1], sq[3], sq[0]}
	centre := point{sq[0][0] + u, sq[0][1] + u}
	add("stl-excerpt-tracts-bowtie.geojson", "the second tract's ring is a bow tie (synthetic grid geometry, the tract's real properties)", args,
		second(func(f feature) { f["geometry"] = polygon(bow) }),
		f2+fmt.Sprintf("rings cross themselves or each other near (%s, %s): invalid geometry", num(centre[0]), num(centre[1])))

	// Two triangles meeting at the tract's first vertex, one ring: a figure eight.
	eight := []point{p0, {p0[0] + 2*u, p0[1]}, {p0[0] + 2*u, p0[1] + u}, p0, {p0[0] - 2*u, p0[1]}, {p0[0] - 2*u, p0[1] - u}, p0}
	add("stl-excerpt-tracts-figure-eight.geojson", "the second tract's ring passes twice through its first vertex", args,
		second(func(f feature) { f["geometry"] = polygon(eight) }),
		f2+fmt.Sprintf("outer ring touches itself at (%s, %s): invalid geometry (a ring may pass through a point once)", num(p0[0]), num(p0[1])))

	last := r[len(r)-2]
	add("stl-excerpt-tracts-open-ring.geojson", "the second tract's ring lacks its closing point", args,
		second(func(f feature) { f["geometry"] = polygon(r[:len(r)-1]) }),
		f2+fmt.Sprintf("outer ring is not closed: first point [%s %s] differs from last [%s %s]", num(p0[0]), num(p0[1]), num(last[0]), num(last[1])))

	add("stl-excerpt-tracts-too-few-points.geojson", "the second tract's ring has three points", args,
		second(func(f feature) { f["geometry"] = polygon([]point{r[0], r[1], r[0]}) }),
		f2+"outer ring has 3 points; a ring needs at least 4 (first repeated last)")

	add("stl-excerpt-tracts-one-point-ring.geojson", "the second tract's ring is one point four times", args,
		second(func(f feature) { f["geometry"] = polygon([]point{p0, p0, p0, p0}) }),
		f2+"ring 1 encloses no area")

	// Web Mercator metres instead of degrees.
	merc := make([]point, len(r))
	for i, p := range r {
		merc[i] = point{6378137 * p[0] * math.Pi / 180, 6378137 * math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360))}
	}
	add("stl-excerpt-tracts-projected.geojson", "the second tract is in Web Mercator metres (EPSG:3857)", args,
		second(func(f feature) { f["geometry"] = polygon(merc) }),
		f2+fmt.Sprintf("outer ring: coordinate (%s, %s) looks projected (metres or feet), not longitude/latitude degrees: reproject to WGS 84 (EPSG:4326)", num(merc[0][0]), num(merc[0][1])))

	swapped := make([]point, len(r))
	for i, p := range r {
		swapped[i] = point{p[1], p[0]}
	}
	add("stl-excerpt-tracts-swapped-axes.geojson", "the second tract is written latitude first", args,
		second(func(f feature) { f["geometry"] = polygon(swapped) }),
		f2+fmt.Sprintf("outer ring: latitude %s is beyond ±90: are longitude and latitude swapped?", num(p0[0])))

	fs := []feature{clone(base[0]), clone(base[1]), clone(base[2])}
	props(fs[2])["GEOID"] = tractIDs[0]
	add("stl-excerpt-tracts-duplicate-id.geojson", "the third tract repeats the first's GEOID", args, collection(fs...),
		fmt.Sprintf("feature 3: GEOID %q repeats feature 1", tractIDs[0]))

	short := id[:10]
	add("stl-excerpt-tracts-short-geoid.geojson", "the second tract's GEOID lost a digit", args,
		second(func(f feature) { props(f)["GEOID"] = short }),
		fmt.Sprintf("feature 2: GEOID %q is not an 11-digit census tract id (state 2 + county 3 + tract 6 digits); for other areal units pass --id-field", short))

	add("stl-excerpt-tracts-no-geoid.geojson", "the second tract has no GEOID property", args,
		second(func(f feature) { delete(props(f), "GEOID") }),
		`feature 2: no "GEOID" property (choose the id property with --id-field)`)

	add("stl-excerpt-tracts-point.geojson", "the second tract is a Point", args,
		second(func(f feature) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{p0[0], p0[1]}}
		}),
		fmt.Sprintf("feature 2: GEOID %q is a Point; areas must be Polygon or MultiPolygon", id))

	add("stl-excerpt-tracts-null-geometry.geojson", "the second tract's geometry is null", args,
		second(func(f feature) { f["geometry"] = nil }),
		fmt.Sprintf("feature 2: GEOID %q has no geometry", id))

	far := []point{{-80, 30}, {-79.9, 30}, {-79.9, 30.1}, {-80, 30}}
	add("stl-excerpt-tracts-hole-outside.geojson", "the second tract has a hole 1,000 km away", args,
		second(func(f feature) { f["geometry"] = polygon(r, far) }),
		f2+"hole 1 lies outside the outer ring: invalid geometry")

	// The real polygon and a grid square around it, as two parts of one MultiPolygon.
	around := gridSquare(p0, -4, -4, 10)
	add("stl-excerpt-tracts-overlapping-parts.geojson", "the second tract is a MultiPolygon whose second part (a synthetic grid square) covers the first", args,
		second(func(f feature) {
			f["geometry"] = map[string]any{"type": "MultiPolygon", "coordinates": [][][][]float64{{coords(r)}, {coords(around)}}}
		}),
		f2+"polygons 1 and 2 overlap near <...>: invalid geometry (the parts of a MultiPolygon may touch at points only)")

	add("stl-excerpt-tracts-nested-holes.geojson", "the second tract (a synthetic grid square) has a hole inside its hole", args,
		second(func(f feature) {
			f["geometry"] = polygon(gridSquare(p0, 0, 0, 8), gridSquare(p0, 1, 1, 6), gridSquare(p0, 2, 2, 2))
		}),
		f2+"holes 1 and 2 overlap or are nested: invalid geometry")

	shell := gridSquare(p0, 0, 0, 4)
	x0, y0 := shell[0][0], shell[0][1]
	diamond := []point{{x0, y0 + 2*u}, {x0 + 2*u, y0 + u}, {x0 + 4*u, y0 + 2*u}, {x0 + 2*u, y0 + 3*u}, {x0, y0 + 2*u}}
	add("stl-excerpt-tracts-hole-cuts-interior.geojson", "the second tract (a synthetic grid square) has a hole touching both sides of its shell", args,
		second(func(f feature) { f["geometry"] = polygon(shell, diamond) }),
		f2+"rings touch so as to cut the polygon's interior in pieces (near <...>): invalid geometry")

	world := []point{{-179, -89}, {179, -89}, {179, 89}, {-179, 89}, {-179, -89}}
	add("stl-excerpt-tracts-world.geojson", "the second tract's ring spans the globe", args,
		second(func(f feature) { f["geometry"] = polygon(world) }),
		f2+"its polygon covers <...> km², more than 1e+06 km², the plausible maximum for one area (a ring wound around the globe, or wrong coordinates? raise the bound with --max-area-km2)")

	// The ring scaled threefold about its first vertex: nine times the area its ALAND declares.
	big := make([]point, len(r))
	for i, p := range r {
		big[i] = point{p0[0] + 3*(p[0]-p0[0]), p0[1] + 3*(p[1]-p0[1])}
	}
	aland, _ := props(base[1])["ALAND"].(json.Number).Float64()
	awater, _ := props(base[1])["AWATER"].(json.Number).Float64()
	add("stl-excerpt-tracts-larger-than-declared.geojson", "the second tract's ring is scaled threefold", args,
		second(func(f feature) { f["geometry"] = polygon(big) }),
		f2+fmt.Sprintf("its polygon covers <...> km², more than twice the %.1f km² its ALAND and AWATER declare: wrong coordinates, or a ring wound around the globe?", (aland+awater)/1e6))

	// The region's south edge, 38.555, cuts through the first tract only: its first vertex south
	// of it is the one named.
	var south point
	for _, p := range ring(base[0]) {
		if p[1] < 38.555 {
			south = p
			break
		}
	}
	add("stl-excerpt-tracts-outside-region.geojson", "the first tract reaches south of the declared region", args+" --region -90.3,38.555,-90.2,38.6",
		collection(base...),
		fmt.Sprintf("feature 1: GEOID %q: outer ring: point (lng %s, lat %s) lies outside the region lng -90.3…-90.2, lat 38.555…38.6", tractIDs[0], num(south[0]), num(south[1])))

	add("stl-excerpt-tracts-negative-aland.geojson", "the second tract's ALAND is negative", args,
		second(func(f feature) { props(f)["ALAND"] = json.Number("-" + props(f)["ALAND"].(json.Number).String()) }),
		f2+fmt.Sprintf("land area %s km² is not a non-negative number", num(-aland/1e6)))

	nul := second(func(f feature) { props(f)["NAME"] = "10\x0012" })
	nul = bytes.Replace(nul, []byte(`10\u000012`), []byte("10\x0012"), 1)
	add("stl-excerpt-tracts-nul-byte.geojson", "a raw NUL byte in the second tract's NAME", args, nul,
		nulMessage(nul, 3))

	latin1 := second(func(f feature) { props(f)["COUNTY"] = "Saint-Louis cit\xe9, MO" })
	latin1 = bytes.Replace(latin1, []byte(`cit\ufffd`), []byte("cit\xe9"), 1)
	add("stl-excerpt-tracts-latin1.geojson", "the second tract's COUNTY is written in Latin-1", args, latin1,
		latin1Message(latin1, 3, 0xE9))

	add("stl-excerpt-tracts-nul-escape.geojson", `the second tract's COUNTY holds a \u0000 escape`, args,
		second(func(f feature) { props(f)["COUNTY"] = "St. Louis city\x00, MO" }),
		`feature 2: county "St. Louis city\x00, MO" holds a NUL character`)

	broken := second(func(f feature) {})
	broken = bytes.Replace(broken, []byte(`"GEOID":"`+id+`",`), []byte(`"GEOID":"`+id+`"`), 1)
	add("stl-excerpt-tracts-invalid-json.geojson", "a comma is missing after the second tract's GEOID", args, broken,
		`line 3: invalid JSON: invalid character '"' after object key:value pair`)

	single, err := json.Marshal(base[0])
	must(err)
	add("stl-excerpt-tracts-single-feature.geojson", "one Feature, not a FeatureCollection", args, single,
		`GeoJSON type is "Feature"; want a FeatureCollection`)

	add("stl-excerpt-tracts-empty-collection.geojson", "a FeatureCollection without features", args, collection(),
		"no features")

	utf16 := []byte{0xFF, 0xFE}
	for _, c := range string(collection(base[0])) {
		utf16 = append(utf16, byte(c), 0)
	}
	add("stl-excerpt-tracts-utf16.geojson", "the excerpt saved as UTF-16", args, utf16,
		"line 1: invalid UTF-8 (byte 0xFF at byte 1): save the file as UTF-8 (it may be Latin-1 or Windows-1252)\n<...>")
}

// --- demographics --------------------------------------------------------------------------

// table is a CSV excerpt: a header and rows, written with encoding/csv.
type table struct {
	header []string
	rows   [][]string
}

func (t table) clone() table {
	c := table{header: append([]string(nil), t.header...)}
	for _, r := range t.rows {
		c.rows = append(c.rows, append([]string(nil), r...))
	}
	return c
}

func (t table) bytes() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	must(w.Write(t.header))
	must(w.WriteAll(t.rows))
	return b.Bytes()
}

func (t table) col(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	log.Fatalf("no column %s", name)
	return -1
}

// excerpt reads the named columns of the rows whose key column holds one of keys.
func excerpt(file, key string, keys, columns []string) table {
	f, err := os.Open(filepath.Join(shared, file))
	must(err)
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	must(err)
	src := table{header: all[0]}
	t := table{header: columns}
	for _, k := range keys {
		for _, rec := range all[1:] {
			if rec[src.col(key)] == k {
				var row []string
				for _, c := range columns {
					row = append(row, rec[src.col(c)])
				}
				t.rows = append(t.rows, row)
			}
		}
	}
	if len(t.rows) != len(keys) {
		log.Fatalf("%s: found %d of %v", file, len(t.rows), keys)
	}
	return t
}

func demographics() {
	base := excerpt("stl/msa_tract_demographics.csv", "GEOID", tractIDs,
		[]string{"GEOID", "COUNTY", "pop_total_acs2018", "kids_0_17_census2010", "pct_poverty_acs2018", "fara2019_urban"})
	const args = "ingest demographics FILE --column total_pop=pop_total_acs2018 --column youth_pop=kids_0_17_census2010 --column poverty_pct=pct_poverty_acs2018 --column urban=fara2019_urban"
	set := func(row int, col, v string) []byte {
		t := base.clone()
		t.rows[row][t.col(col)] = v
		return t.bytes()
	}
	pov := base.rows[1][base.col("pct_poverty_acs2018")]
	comma := strings.Replace(pov, ".", ",", 1)
	add("stl-excerpt-demographics-decimal-comma.csv", "the second row's poverty share has a decimal comma", args,
		set(1, "pct_poverty_acs2018", comma),
		fmt.Sprintf("line 3: column pct_poverty_acs2018 (poverty_pct): %q has a decimal comma: write %s, or read the file with --decimal-comma", comma, pov))

	addTextFaults("stl-excerpt-demographics", "the second row's COUNTY", args, set(1, "COUNTY", "St. Louis\x00city, MO"), set(1, "COUNTY", "Saint-Louis cit\xe9, MO"), 0xE9)

	var utf16 []byte
	for _, c := range string(base.bytes()) {
		utf16 = append(utf16, byte(c), 0)
	}
	add("stl-excerpt-demographics-utf16.csv", "the excerpt saved as UTF-16 (little-endian, no byte-order mark)", args, utf16,
		"line 1: NUL byte at byte 2: not a text file, or saved as UTF-16 — save it as UTF-8\n<...>")

	add("stl-excerpt-demographics-youth-1e308.csv", "the first row's youth count is 1e308", args, set(0, "kids_0_17_census2010", "1e308"),
		"line 2: column kids_0_17_census2010 (youth_pop): 1e+308 is more than 100000, the plausible maximum for a census tract (raise it with --max-population)")

	add("stl-excerpt-demographics-youth-negative.csv", "the first row's youth count is negative", args,
		set(0, "kids_0_17_census2010", "-"+base.rows[0][base.col("kids_0_17_census2010")]),
		fmt.Sprintf("line 2: column kids_0_17_census2010 (youth_pop): -%s is negative", base.rows[0][base.col("kids_0_17_census2010")]))

	add("stl-excerpt-demographics-percent-over-100.csv", "the third row's poverty share is 133", args, set(2, "pct_poverty_acs2018", "133"),
		"line 4: column pct_poverty_acs2018 (poverty_pct): 133 is not a percentage (0–100)")

	add("stl-excerpt-demographics-urban-flag-2.csv", "the third row's urban flag is 2", args, set(2, "fara2019_urban", "2"),
		"line 4: column fara2019_urban (urban): 2 is not a flag (0 or 1)")

	add("stl-excerpt-demographics-words.csv", "the second row's youth count is a word", args, set(1, "kids_0_17_census2010", "many"),
		`line 3: column kids_0_17_census2010 (youth_pop): "many" is not a number`)

	add("stl-excerpt-demographics-infinity.csv", "the second row's total population is Infinity", args, set(1, "pop_total_acs2018", "Infinity"),
		`line 3: column pop_total_acs2018 (total_pop): "Infinity" is not a number`)

	add("stl-excerpt-demographics-hex.csv", "the second row's youth count is written in hexadecimal", args, set(1, "kids_0_17_census2010", "0x1p9"),
		`line 3: column kids_0_17_census2010 (youth_pop): "0x1p9" is not a number`)

	add("stl-excerpt-demographics-duplicate-geoid.csv", "the third row repeats the first's GEOID", args, set(2, "GEOID", tractIDs[0]),
		fmt.Sprintf("line 4: GEOID %q repeats line 2", tractIDs[0]))

	add("stl-excerpt-demographics-short-geoid.csv", "the second row's GEOID lost a digit", args, set(1, "GEOID", tractIDs[1][:10]),
		fmt.Sprintf("line 3: GEOID %q is not an 11-digit census tract id; for other areal units pass --id-field", tractIDs[1][:10]))

	add("stl-excerpt-demographics-empty-geoid.csv", "the second row's GEOID is empty", args, set(1, "GEOID", ""),
		"line 3: empty GEOID")

	ragged := base.clone()
	ragged.rows[1] = ragged.rows[1][:4]
	add("stl-excerpt-demographics-ragged-row.csv", "the second row lacks its last two fields", args, ragged.bytes(),
		"line 3: wrong number of fields")

	quote := bytes.Replace(base.bytes(), []byte(tractIDs[1]), []byte(tractIDs[1][:5]+`"`+tractIDs[1][5:]), 1)
	add("stl-excerpt-demographics-bare-quote.csv", "a stray quote inside the second row's GEOID", args, quote,
		`line 3: bare " in non-quoted-field`) // encoding/csv's wording

	add("stl-excerpt-demographics-empty.csv", "an empty file", args, nil, "empty file: a header line is required")

	add("stl-excerpt-demographics-header-only.csv", "the header and no rows", args, table{header: base.header}.bytes(),
		"no rows after the header")

	dup := base.clone()
	dup.header[5] = "GEOID"
	add("stl-excerpt-demographics-duplicate-column.csv", "the last column is also named GEOID", args, dup.bytes(),
		`line 1: column "GEOID" appears twice (columns 1 and 6)`)

	semi := bytes.ReplaceAll(base.bytes(), []byte(","), []byte(";"))
	add("stl-excerpt-demographics-semicolons.csv", "fields separated by semicolons", args, semi,
		fmt.Sprintf(`line 1: no column "GEOID" for the area id (choose it with --id-field) (the header has: %s); the fields seem to be separated by semicolons: save the file with commas between fields`, strings.Join(base.header, ";")))

	add("stl-excerpt-demographics-missing-column.csv", "--column names a column the file lacks", "ingest demographics FILE --column youth_pop=KIDS", base.bytes(),
		fmt.Sprintf(`line 1: no column "KIDS" for youth_pop (the header has: %s)`, strings.Join(base.header, ", ")))

	add("stl-excerpt-demographics-unknown-variable.csv", "--column maps onto a variable stemgap does not know", "ingest demographics FILE --column kids=kids_0_17_census2010", base.bytes(),
		`unknown canonical variable "kids" (known: <...>)`)

	chicago := excerpt("chicago/tract_youth_acs2014.csv", "GEOID", []string{"17031010100", "17031010201", "17031010202"}, []string{"GEOID", "pop_total", "under18"})
	add("chicago-excerpt-youth-strict.csv", "Chicago tracts loaded into the St. Louis store, under --strict", "ingest demographics FILE --column youth_pop=under18 --strict", chicago.bytes(),
		"3 of its 3 area ids are not among the 615 loaded areas (17031010100 at line 2, 17031010201 at line 3, 17031010202 at line 4): their figures would be stored but never used (refused under --strict)")

	il := excerpt("il/ACS_14_5YR_B01001_with_ann.csv", "GEO.id2", []string{"17163500400", "17163500500", "17163500900"},
		[]string{"GEO.id2", "GEO.display-label", "HD01_VD03", "HD02_VD03", "HD01_VD04", "HD02_VD04"})
	il.rows[1][il.col("HD02_VD03")] = "-" + il.rows[1][il.col("HD02_VD03")]
	add("il-excerpt-youth-negative-moe.csv", "the second row's margin of error for boys under 5 is negative", "ingest demographics FILE --id-field GEO.id2 --column youth_pop=sum(HD01_VD03,HD01_VD04)", il.bytes(),
		fmt.Sprintf("line 3: column HD02_VD03 (margin of error of youth_pop): %s is negative", il.rows[1][il.col("HD02_VD03")]))
}

// --- programs ------------------------------------------------------------------------------

func programs() {
	base := excerpt("stl/msa_learning_sites.csv", "id", siteIDs, []string{"id", "name", "category", "content_hint", "lat", "lng"})
	base.header = append(base.header, "capacity")
	for i := range base.rows {
		base.rows[i] = append(base.rows[i], "")
	}
	const args = "ingest programs FILE --column content_areas=content_hint"
	set := func(row int, col, v string) []byte {
		t := base.clone()
		t.rows[row][t.col(col)] = v
		return t.bytes()
	}
	get := func(row int, col string) string { return base.rows[row][base.col(col)] }
	id2 := siteIDs[1]
	p2 := fmt.Sprintf("line 3: program %q: ", id2)

	lat := get(1, "lat")
	lng := get(1, "lng")
	latF, _ := strconv.ParseFloat(lat, 64)
	lngF, _ := strconv.ParseFloat(lng, 64)
	comma := strings.Replace(lat, ".", ",", 1)
	add("stl-excerpt-sites-decimal-comma.csv", "the second site's latitude has a decimal comma", args, set(1, "lat", comma),
		p2+fmt.Sprintf("lat %q has a decimal comma: write %s, or read the file with --decimal-comma", comma, lat))

	add("stl-excerpt-sites-capacity-decimal-comma.csv", "the second site's capacity has a decimal comma", args, set(1, "capacity", "12,5"),
		p2+`capacity "12,5" has a decimal comma: write 12.5, or read the file with --decimal-comma`)

	add("stl-excerpt-sites-capacity-1e308.csv", "the second site's capacity is 1e308", args, set(1, "capacity", "1e308"),
		p2+"capacity 1e+308 is more than 1e+06 seats, the plausible maximum (raise it with --max-capacity)")

	add("stl-excerpt-sites-capacity-negative.csv", "the second site's capacity is negative", args, set(1, "capacity", "-25"),
		p2+"capacity -25 is negative")

	add("stl-excerpt-sites-capacity-inf.csv", "the second site's capacity is inf", args, set(1, "capacity", "inf"),
		p2+`capacity "inf" is not a number`)

	north, _ := strconv.ParseFloat("1"+lat, 64)
	add("stl-excerpt-sites-off-earth.csv", "the second site's latitude is 100 degrees too far north", args, set(1, "lat", "1"+lat),
		p2+fmt.Sprintf("coordinate (%s, %s) is off the Earth (longitude ±180, latitude ±90)", num(lngF), num(north)))

	t := base.clone()
	t.rows[1][t.col("lat")], t.rows[1][t.col("lng")] = lng, lat
	add("stl-excerpt-sites-swapped.csv", "the second site's latitude and longitude are exchanged", args, t.bytes(),
		p2+fmt.Sprintf("latitude %s is beyond ±90: are longitude and latitude swapped?", num(lngF)))

	mx, my := 6378137*lngF*math.Pi/180, 6378137*math.Log(math.Tan(math.Pi/4+latF*math.Pi/360))
	t = base.clone()
	t.rows[1][t.col("lat")], t.rows[1][t.col("lng")] = strconv.FormatFloat(my, 'f', -1, 64), strconv.FormatFloat(mx, 'f', -1, 64)
	add("stl-excerpt-sites-projected.csv", "the second site is in Web Mercator metres", args, t.bytes(),
		p2+fmt.Sprintf("coordinate (%s, %s) looks projected (metres or feet), not longitude/latitude degrees: reproject to WGS 84 (EPSG:4326)", num(mx), num(my)))

	add("stl-excerpt-sites-empty-lat.csv", "the second site has no latitude", args, set(1, "lat", ""),
		p2+"empty lat")

	add("stl-excerpt-sites-duplicate-id.csv", "the third site repeats the first's id", args, set(2, "id", siteIDs[0]),
		fmt.Sprintf("line 4: program id %q repeats line 2", siteIDs[0]))

	add("stl-excerpt-sites-empty-id.csv", "the second site has no id", args, set(1, "id", ""),
		"line 3: empty program id")

	add("stl-excerpt-sites-all-label.csv", `the second site's content areas include "All"`, args, set(1, "content_hint", "science;All"),
		p2+`content area "all" is reserved for all programs together`)

	addTextFaults("stl-excerpt-sites", "the second site's name", args, set(1, "name", "BARR\x00BRANCH"), set(1, "name", "BIBLIOTH\xc8QUE BARR"), 0xC8)

	sc := siteIDs[0]
	scLng, _ := strconv.ParseFloat(get(0, "lng"), 64)
	scLat, _ := strconv.ParseFloat(get(0, "lat"), 64)
	// The Science Center is the northernmost of the three sites: a region ending at 38.62 leaves
	// it out alone.
	add("stl-excerpt-sites-outside-region.csv", "the Science Center lies north of the declared region", args+" --region -90.3,38.5,-90.2,38.62", base.bytes(),
		fmt.Sprintf("line 2: program %q: point (lng %s, lat %s) lies outside the region lng -90.3…-90.2, lat 38.5…38.62", sc, num(scLng), num(scLat)))

	// The base loads msa_learning_sites.csv; this file, another source, claims one of its ids.
	one := base.clone()
	one.rows = one.rows[:1]
	add("stl-excerpt-sites-id-of-another-source.csv", "a site id that msa_learning_sites.csv already loaded, from another source", args, one.bytes(),
		fmt.Sprintf("line 2: program id %s is already loaded from source msa_learning_sites.csv", sc))

	add("stl-excerpt-sites-unknown-field.csv", "--column maps onto a field programs do not have", "ingest programs FILE --column seats=capacity", base.bytes(),
		`--column seats: programs have no field "seats" (fields: <...>)`)

	nolat := excerpt("stl/msa_learning_sites.csv", "id", siteIDs, []string{"id", "name", "lng"})
	add("stl-excerpt-sites-no-lat-column.csv", "the file has no lat column", args, nolat.bytes(),
		`line 1: no column "lat" for program field lat (the header has: id, name, lng)`)

	point := func(name string, geometry map[string]any) []byte {
		f := feature{"type": "Feature", "properties": map[string]any{"id": sc, "name": name}, "geometry": geometry}
		return collection(f)
	}
	add("stl-excerpt-sites-linestring.geojson", "the site is a LineString", "ingest programs FILE",
		point("SAINT LOUIS SCIENCE CENTER", map[string]any{"type": "LineString", "coordinates": [][]float64{{scLng, scLat}, {scLng + 0.001, scLat}}}),
		"feature 1: programs must be Point features, not LineString")

	add("stl-excerpt-sites-nul-escape.geojson", `the site's name holds a \u0000 escape`, "ingest programs FILE",
		point("SAINT LOUIS\x00SCIENCE CENTER", map[string]any{"type": "Point", "coordinates": []float64{scLng, scLat}}),
		`feature 1: name "SAINT LOUIS\x00SCIENCE CENTER" holds a NUL character`)
}

// --- cost matrices -------------------------------------------------------------------------

func costs() {
	// Synthetic minutes between the excerpt's real tracts and sites.
	base := table{header: []string{"origin", "program", "minutes"}}
	for i, o := range tractIDs {
		for j, p := range siteIDs {
			base.rows = append(base.rows, []string{o, p, strconv.Itoa(5 + 3*i + 4*j)})
		}
	}
	const args = "analyze --costs FILE"
	set := func(row, col int, v string) []byte {
		t := base.clone()
		t.rows[row][col] = v
		return t.bytes()
	}
	add("synthetic-costs-decimal-comma.csv", "the second row's minutes have a decimal comma", args, set(1, 2, "12,5"),
		`line 3: cost "12,5" has a decimal comma: write 12.5`)
	add("synthetic-costs-negative.csv", "the second row's minutes are negative", args, set(1, 2, "-3"),
		"line 3: cost -3 is not a non-negative number")
	add("synthetic-costs-nan.csv", "the second row's minutes are NaN", args, set(1, 2, "NaN"),
		`line 3: cost "NaN" is not a number`)
	add("synthetic-costs-overflow.csv", "the second row's minutes overflow a float", args, set(1, 2, "1e400"),
		`line 3: cost "1e400" is beyond the range of numbers (±1.8e308)`)
	add("synthetic-costs-empty-origin.csv", "the second row has no origin", args, set(1, 0, ""),
		"line 3: empty origin")
	add("synthetic-costs-empty-program.csv", "the second row has no program", args, set(1, 1, ""),
		"line 3: empty program")
	add("synthetic-costs-duplicate-pair.csv", "the fourth row repeats the first's origin and program", args,
		func() []byte {
			t := base.clone()
			t.rows[3][0], t.rows[3][1] = t.rows[0][0], t.rows[0][1]
			return t.bytes()
		}(),
		fmt.Sprintf("line 5: origin %s and program %s repeat line 2", tractIDs[0], siteIDs[0]))
	wrong := base.clone()
	wrong.header = []string{"from", "to", "minutes"}
	add("synthetic-costs-wrong-header.csv", "the columns are named from and to", args, wrong.bytes(),
		"line 1: a cost matrix needs columns origin, program and one of minutes, km, cost; the header has from, to, minutes")
	nul := set(1, 1, "pls18\x00MO0030-004")
	add("synthetic-costs-nul-byte.csv", "a NUL byte in the second row's program id", args, nul,
		nulMessage(nul, 3))
	latin1 := set(1, 1, "biblioth\xe8que")
	add("synthetic-costs-latin1.csv", "a Latin-1 byte in the second row's program id", args, latin1,
		latin1Message(latin1, 3, 0xE8))
	ragged := bytes.Replace(base.bytes(), []byte(","+strconv.Itoa(5+4)+"\n"), []byte("\n"), 1)
	add("synthetic-costs-ragged-row.csv", "the second row lacks its minutes", args, ragged,
		"line 3: wrong number of fields")
	add("synthetic-costs-header-only.csv", "the header and no rows", args, table{header: base.header}.bytes(),
		"no rows after the header")
	add("synthetic-costs-empty.csv", "an empty file", args, nil, "empty file: a header line is required")
}
