package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"stemgap/data/postgis/pgtest"
)

// corpusDir holds the bad-input corpus, written by testdata/bad/generate.go.
var corpusDir = filepath.Join("..", "..", "testdata", "bad")

// badInput is one case of the corpus: a file, the command that loads it, the message expected.
type badInput struct {
	name, file string
	args       []string
	want       string
}

func readCorpus(t *testing.T) []badInput {
	t.Helper()
	wants, err := filepath.Glob(filepath.Join(corpusDir, "*.want"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []badInput
	for _, w := range wants {
		raw, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		c := badInput{name: strings.TrimSuffix(filepath.Base(w), ".want"), file: strings.TrimSuffix(w, ".want")}
		head, want, ok := strings.Cut(string(raw), "\nwant:\n")
		if !ok {
			t.Fatalf("%s: no want: line", w)
		}
		c.want = strings.TrimSuffix(want, "\n")
		for _, line := range strings.Split(head, "\n") {
			if args, ok := strings.CutPrefix(line, "args: "); ok {
				for _, a := range strings.Fields(args) {
					if a == "FILE" {
						a = c.file
					}
					c.args = append(c.args, a)
				}
			}
		}
		if len(c.args) == 0 || !slices.Contains(c.args, c.file) {
			t.Fatalf("%s: no args naming FILE", w)
		}
		cases = append(cases, c)
	}
	return cases
}

// matchWant reports whether got is want, where each <...> in want stands for any text.
func matchWant(got, want string) bool {
	parts := strings.Split(want, "<...>")
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(got, p)
		}
		k := strings.Index(got, p)
		if k < 0 {
			return false
		}
		got = got[k+len(p):]
	}
	return got == ""
}

// refusal is what a command printed to stderr, without its log lines.
func refusal(stderr string) string {
	var keep []string
	for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "time=") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// dirDigest is the SHA-256 of every file under dir, by path.
func dirDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(path, dir)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tableDigests is an MD5 of every table of the test schema, rows in a fixed order.
func tableDigests(t *testing.T, ctx context.Context, db string) map[string]string {
	t.Helper()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 5 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	out := map[string]string{}
	for _, name := range tables {
		var sum string
		q := "SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM " + pgx.Identifier{name}.Sanitize() + " t"
		if err := conn.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		out[name] = sum
	}
	return out
}

// The bad-input corpus (testdata/bad, written by testdata/bad/generate.go) runs against both
// stores, each holding the St. Louis data. Each store must refuse every case with its expected
// message — both the same message — and end as it was: the embedded store's data directory
// byte-identical, every PostGIS table checksum-identical.
func TestBadInputCorpus(t *testing.T) {
	needInputs(t)
	db := pgtest.FreshSchema(t)
	dir := t.TempDir()
	ctx := context.Background()
	stl := filepath.Join(inputs, "stl")
	stores := []struct {
		name string
		flag []string
	}{{"embedded", []string{"--data-dir", dir}}, {"PostGIS", []string{"--db", db}}}
	for _, s := range stores {
		for _, load := range [][]string{
			{"ingest", "tracts", filepath.Join(stl, "msa_tracts_2010.geojson")},
			{"ingest", "demographics", filepath.Join(stl, "msa_tract_demographics.csv"), "--column", "youth_pop=kids_0_17_census2010", "--column", "total_pop=pop_total_acs2018"},
			{"ingest", "programs", filepath.Join(stl, "msa_learning_sites.csv"), "--column", "content_areas=content_hint"},
		} {
			if code, _, errs := stemgap(t, ctx, append(load, s.flag...)...); code != 0 {
				t.Fatalf("%s: %v: %s", s.name, load, errs)
			}
		}
	}
	cases := readCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("the corpus holds %d cases; want at least 40", len(cases))
	}
	refused := map[string]int{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, tables := dirDigest(t, dir), tableDigests(t, ctx, db)
			var said []string
			for _, s := range stores {
				code, _, errs := stemgap(t, ctx, append(slices.Clone(c.args), s.flag...)...)
				msg := refusal(errs)
				said = append(said, msg)
				got, ok := strings.CutPrefix(msg, "stemgap "+c.args[0]+": ")
				if code != 1 || !ok || !matchWant(got, c.want) {
					t.Errorf("%s: exit %d\n got %s\nwant %s", s.name, code, msg, c.want)
					continue
				}
				refused[s.name]++
			}
			if said[0] != said[1] {
				t.Errorf("the stores differ:\nembedded: %s\n PostGIS: %s", said[0], said[1])
			}
			if after := dirDigest(t, dir); !maps.Equal(files, after) {
				t.Errorf("the embedded store's files changed:\n%v\n%v", files, after)
			}
			if after := tableDigests(t, ctx, db); !maps.Equal(tables, after) {
				t.Errorf("PostGIS tables changed:\n%v\n%v", tables, after)
			}
		})
	}
	t.Logf("%d bad inputs: the embedded store refused %d as expected, PostGIS %d", len(cases), refused["embedded"], refused["PostGIS"])
}
