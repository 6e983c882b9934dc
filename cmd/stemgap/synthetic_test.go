package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// syntheticRegion is a SYNTHETIC region written by code (not real data): a grid of square tracts
// with youth counts, and two versions of one program source, so that tests can swap the
// programs and tell from a run which version it used.
type syntheticRegion struct {
	Tracts, Demographics, DemographicsB string
	ProgramsA, ProgramsB                string // the same source name, different programs
	CountA, CountB                      int
	IDsA, IDsB                          []string
	Tract                               string // one tract id, for reports
	YouthA, YouthB                      int    // that tract's youth in Demographics and DemographicsB
	TotalA, TotalB                      int    // youth of the whole region in each
}

// writeSyntheticRegion writes an n×n grid of 0.01° tracts near St. Louis's latitude.
func writeSyntheticRegion(t testing.TB, n int, seed uint64) syntheticRegion {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 42))
	reg := syntheticRegion{
		Tracts: filepath.Join(dir, "synthetic_tracts.geojson"), Demographics: filepath.Join(dir, "synthetic_demographics.csv"),
		DemographicsB: filepath.Join(dir, "v2", "synthetic_demographics.csv"),
	}
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.MkdirAll(filepath.Join(dir, "v2"), 0o755)
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   map[string]any    `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	var demo, demoB strings.Builder
	demo.WriteString("GEOID,youth\n")
	demoB.WriteString("GEOID,youth\n")
	const size = 0.01
	x0, y0 := -90.5, 38.5
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			id := fmt.Sprintf("29%09d", i*n+j)
			x, y := x0+size*float64(j), y0+size*float64(i)
			fc.Features = append(fc.Features, feature{Type: "Feature", Properties: map[string]string{"GEOID": id, "NAME": "Synthetic " + id},
				Geometry: map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}}})
			youth := 50 + r.IntN(400)
			fmt.Fprintf(&demo, "%s,%d\n", id, youth)
			fmt.Fprintf(&demoB, "%s,%d\n", id, youth+1000)
			reg.TotalA += youth
			reg.TotalB += youth + 1000
			if reg.Tract == "" {
				reg.Tract, reg.YouthA, reg.YouthB = id, youth, youth+1000
			}
		}
	}
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, reg.Tracts, b)
	writeFile(t, reg.Demographics, []byte(demo.String()))
	writeFile(t, reg.DemographicsB, []byte(demoB.String()))
	programs := func(path, prefix string, count int) []string {
		var sb strings.Builder
		var ids []string
		sb.WriteString("id,name,provider,lat,lng,content_areas,setting,capacity\n")
		contents := []string{"science", "math", "science;technology", "engineering;math", ""}
		for k := 0; k < count; k++ {
			id := fmt.Sprintf("%s%d", prefix, k)
			ids = append(ids, id)
			fmt.Fprintf(&sb, "%s,Synthetic program %d,Synthetic provider,%.6f,%.6f,%s,out_of_school,%d\n", id, k,
				y0+size*float64(n)*r.Float64(), x0+size*float64(n)*r.Float64(), contents[k%len(contents)], 10+r.IntN(50))
		}
		writeFile(t, path, []byte(sb.String()))
		return ids
	}
	reg.CountA, reg.CountB = 3*n, 2*n
	// One file name in two folders: the source (the file name) is the same, so B replaces A.
	reg.ProgramsA, reg.ProgramsB = filepath.Join(dir, "a", "synthetic_programs.csv"), filepath.Join(dir, "v2", "synthetic_programs.csv")
	reg.IDsA = programs(reg.ProgramsA, "a", reg.CountA)
	reg.IDsB = programs(reg.ProgramsB, "b", reg.CountB)
	return reg
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ingestArgs are the command lines that load the region's files.
func (reg syntheticRegion) ingestArgs(programs string) [][]string {
	return [][]string{
		{"ingest", "tracts", reg.Tracts},
		{"ingest", "demographics", reg.Demographics, "--column", "youth_pop=youth"},
		{"ingest", "programs", programs},
	}
}
