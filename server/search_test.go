package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestSearchAPI(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, body := get(t, srv.URL+"/api/search?q=29510000004")
	var got struct {
		Query   string
		Results []struct {
			Kind, ID, Label string
			Center          []float64
			BBox            []float64
		}
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// The synthetic tract 4 is the square from (-90.23, 38.62) to (-90.21, 38.64).
	if got.Query != "29510000004" || len(got.Results) != 1 || got.Results[0].Kind != "tract" || got.Results[0].ID != "29510000004" ||
		len(got.Results[0].BBox) != 4 || !near(got.Results[0].BBox[0], -90.23) || !near(got.Results[0].BBox[3], 38.64) || len(got.Results[0].Center) != 2 {
		t.Errorf("%s", body)
	}
	// Every synthetic tract's GEOID begins 29510; the limit holds.
	if _, body := get(t, srv.URL+"/api/search?q=2951&limit=3"); strings.Count(string(body), `"kind": "tract"`) != 3 {
		t.Errorf("limit 3: %s", body)
	}
	for _, q := range []string{"", "q=", "q=%20%20", "q=" + strings.Repeat("a", 101), "q=a&limit=0", "q=a&limit=51", "q=a&limit=x", "q=a&run=nope"} {
		want := 400
		if strings.Contains(q, "run=") {
			want = 404
		}
		if resp, body := get(t, srv.URL+"/api/search?"+q); resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", q, resp.StatusCode, body, want)
		}
	}
	if resp, body := get(t, srv.URL+"/api/search?q="+url.QueryEscape(strings.Repeat("é", 100))); resp.StatusCode != 200 || !strings.Contains(string(body), `"results": []`) {
		t.Errorf("100 characters: %d %s", resp.StatusCode, body)
	}
}
