package analysis

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"stemgap/data"
)

// stLouisInputs loads the real St. Louis data from ../shared/data beside the project, as the demo
// maps it.
func stLouisInputs(tb testing.TB) Inputs {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "data", "stl")
	open := func(name string) *os.File {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			tb.Skipf("St. Louis data not found beside the project: %v", err)
		}
		tb.Cleanup(func() { f.Close() })
		return f
	}
	areas, err := data.ReadAreas(open("msa_tracts_2010.geojson"), "msa_tracts_2010.geojson", data.AreaOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	demo, err := data.ReadDemographics(open("msa_tract_demographics.csv"), "msa_tract_demographics.csv", data.DemographicOptions{Columns: map[string]string{
		"youth_pop": "kids_0_17_census2010", "total_pop": "pop_total_acs2018", "poverty_pct": "pct_poverty_acs2018", "urban": "fara2019_urban",
	}})
	if err != nil {
		tb.Fatal(err)
	}
	programs, err := data.ReadPrograms(open("msa_learning_sites.csv"), "msa_learning_sites.csv", data.ProgramOptions{
		Columns: map[string]string{"content_areas": "content_hint", "setting": "category"}})
	if err != nil {
		tb.Fatal(err)
	}
	return Inputs{Areas: areas, Demographics: demo, Programs: programs}
}

// BenchmarkAnalyzeStLouis times the whole default method (E2SFCA, res 9) on the St. Louis MSA:
// 615 tracts, 1,495 sites, about 200,000 cells.
func BenchmarkAnalyzeStLouis(b *testing.B) {
	in := stLouisInputs(b)
	p := DefaultParams()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(context.Background(), in, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
