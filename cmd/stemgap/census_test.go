package main

import (
	"context"
	"strings"
	"testing"

	"stemgap/data/census/censustest"
	"stemgap/data/embedded"
)

// ingest census pulls tracts and ACS tables — here from a replay of the Census Bureau's
// endpoints, since the machines that run the tests are offline.
func TestIngestCensus(t *testing.T) {
	r := censustest.NewReplay(t)
	dir := t.TempDir()
	code, _, errs := stemgap(t, context.Background(), "ingest", "census", "--state", "29", "--county", "510", "--year", "2022",
		"--tiger-url", r.Server.URL+"/tiger", "--acs-url", r.Server.URL+"/api", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "downloaded") || !strings.Contains(errs, "tl_2022_29_tract.zip") {
		t.Errorf("no progress in the log:\n%s", errs)
	}
	s, _ := embedded.Open(dir)
	areas, _ := s.Areas(context.Background())
	values, _ := s.Demographics(context.Background())
	records, _ := s.Ingests(context.Background())
	if len(areas) != 2 || len(values) < 30 || len(records) != 2 || records[1].Vintage != "ACS 2018–2022 5-year" {
		t.Errorf("%d areas, %d values, records %+v", len(areas), len(values), records)
	}
	code, _, errs = stemgap(t, context.Background(), "ingest", "census", "--state", "Missouri", "--year", "2022", "--data-dir", dir)
	if code != 2 || !strings.Contains(errs, "2-digit state FIPS") {
		t.Errorf("bad state: exit %d %s", code, errs)
	}
}
