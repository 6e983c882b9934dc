package census

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"stemgap/data"
	"stemgap/data/census/censustest"
)

// The Census Bureau cannot be reached from here: censustest replays its answers.

func fetcher(r *censustest.Replay) *Fetcher {
	return &Fetcher{TigerURL: r.Server.URL + "/tiger", ACSURL: r.Server.URL + "/api", APIKey: "secret-key", Attempts: 3, Backoff: time.Millisecond}
}

var stLouisCity = Request{State: "29", Counties: []string{"510"}, Year: 2022}

func TestTractsFromTIGERLine(t *testing.T) {
	r := censustest.NewReplay(t)
	in, err := fetcher(r).Tracts(context.Background(), stLouisCity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Areas) != 2 || in.Areas[0].ID != "29510101100" || in.Areas[1].ID != "29510101200" {
		t.Fatalf("tracts %+v; want county 510's two", in.Areas)
	}
	a := in.Areas[0]
	if a.LandKm2 != 2.5 || a.Name != "Census Tract 1011" || len(a.Geometry) != 1 || len(a.Geometry[0]) != 2 {
		t.Fatalf("tract 1011: %+v", a)
	}
	// RFC 7946 orientation: outer ring counter-clockwise, hole clockwise, hole inside.
	if a.Geometry[0][0].Orientation() != orb.CCW || a.Geometry[0][1].Orientation() != orb.CW || !planar.RingContains(a.Geometry[0][0], a.Geometry[0][1][0]) {
		t.Errorf("rings %v", a.Geometry[0])
	}
	if in.Record.Kind != data.KindAreas || in.Record.Source != "tl_2022_29_tract.zip" || len(in.Record.SHA256) != 64 || in.Record.Rows != 2 {
		t.Errorf("record %+v", in.Record)
	}
}

func TestDemographicsFromTheACSAPI(t *testing.T) {
	r := censustest.NewReplay(t)
	r.FailFirst.Store(true) // the first call meets a 503 and is retried
	in, err := fetcher(r).Demographics(context.Background(), stLouisCity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if calls := r.ACSCalls.Load(); calls != 3 {
		t.Errorf("%d API calls; want 2 batches plus 1 retry", calls)
	}
	q := r.LastQuery.Load().(url.Values)
	if strings.Join(q["in"], "&") != "state:29&county:510" || q["for"][0] != "tract:*" || q["key"][0] != "secret-key" {
		t.Errorf("query %v", q)
	}
	got := map[string]data.DemographicValue{}
	for _, v := range in.Demographics {
		got[v.AreaID+"/"+v.Variable] = v
	}
	// youth_pop is the eight under-18 age groups of B01001, its margin √ΣMOE².
	est, moe2 := 0.0, 0.0
	for _, tb := range append(append([]string{}, maleUnder18...), femaleUnder18...) {
		var e, m float64
		fmt.Sscan(censustest.ACSValue("101100", tb+"E"), &e)
		fmt.Sscan(censustest.ACSValue("101100", tb+"M"), &m)
		est += e
		moe2 += m * m
	}
	y := got["29510101100/youth_pop"]
	if y.Value != est || math.Abs(y.MOE-math.Sqrt(moe2)) > 1e-9 || y.Vintage != "ACS 2018–2022 5-year" {
		t.Errorf("youth_pop %+v; want %v ± %v", y, est, math.Sqrt(moe2))
	}
	// poverty_pct = 100·B17001_002/B17001_001, with the proportion margin.
	var num, den, nm, dm float64
	fmt.Sscan(censustest.ACSValue("101100", "B17001_002E"), &num)
	fmt.Sscan(censustest.ACSValue("101100", "B17001_001E"), &den)
	fmt.Sscan(censustest.ACSValue("101100", "B17001_002M"), &nm)
	fmt.Sscan(censustest.ACSValue("101100", "B17001_001M"), &dm)
	p := num / den
	under := nm*nm - p*p*dm*dm
	if under < 0 {
		under = nm*nm + p*p*dm*dm
	}
	if v := got["29510101100/poverty_pct"]; math.Abs(v.Value-100*p) > 1e-9 || math.Abs(v.MOE-100*math.Sqrt(under)/den) > 1e-9 {
		t.Errorf("poverty_pct %+v; want %v ± %v", v, 100*p, 100*math.Sqrt(under)/den)
	}
	if _, ok := got["29510101200/median_hh_income"]; ok {
		t.Error("an ACS annotation value became a figure")
	}
	if _, ok := got["29510101100/median_hh_income"]; !ok {
		t.Error("median_hh_income missing")
	}
	if in.Record.Rows != 2 || len(in.Record.Variables) < 15 {
		t.Errorf("record %+v", in.Record)
	}
}

func TestFailuresNameTheRequestWithoutTheKey(t *testing.T) {
	r := censustest.NewReplay(t)
	f := fetcher(r)
	_, err := f.Tracts(context.Background(), Request{State: "17", Year: 2022}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.Contains(err.Error(), "tl_2022_17_tract.zip") {
		t.Errorf("missing file: %v", err)
	}
	f.ACSURL = r.Server.URL + "/nowhere"
	_, err = f.Demographics(context.Background(), stLouisCity, time.Now())
	if err == nil || strings.Contains(err.Error(), "secret-key") || !strings.Contains(err.Error(), "REDACTED") {
		t.Errorf("error leaks or lacks the URL: %v", err)
	}
	for _, bad := range []Request{{State: "MO", Year: 2022}, {State: "29", Counties: []string{"5100"}, Year: 2022}, {State: "29", Year: 1990}} {
		if err := bad.Check(); err == nil {
			t.Errorf("request %+v accepted", bad)
		}
	}
}
