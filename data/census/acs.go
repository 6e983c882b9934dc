package census

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"stemgap/data"
)

// The ACS 5-year detailed tables the method needs, by the canonical variable each feeds.
// Estimates end in E; each has a margin of error ending in M.
var (
	maleUnder18     = []string{"B01001_003", "B01001_004", "B01001_005", "B01001_006"}
	femaleUnder18   = []string{"B01001_027", "B01001_028", "B01001_029", "B01001_030"}
	whiteNHUnder18  = []string{"B01001H_003", "B01001H_004", "B01001H_005", "B01001H_006", "B01001H_018", "B01001H_019", "B01001H_020", "B01001H_021"}
	directVariables = map[string]string{
		"total_pop": "B01001_001", "race_white": "B02001_002", "race_black": "B02001_003", "race_aian": "B02001_004",
		"race_asian": "B02001_005", "race_nhpi": "B02001_006", "race_other": "B02001_007", "race_multi": "B02001_008",
		"white_nh": "B03002_003", "hispanic": "B03002_012", "poverty_pop": "B17001_002", "median_hh_income": "B19013_001",
		"households": "B08201_001", "hh_no_vehicle": "B08201_002",
	}
	// Denominators of the shares: poverty status is determined for B17001_001 people; internet
	// subscriptions are counted for B28002_001 households, B28002_013 of them without access.
	shareInputs = []string{"B17001_001", "B28002_001", "B28002_013"}
)

// acsTables lists every table variable to request.
func acsTables() []string {
	seen := map[string]bool{}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	add(maleUnder18...)
	add(femaleUnder18...)
	add(whiteNHUnder18...)
	for _, v := range sortedValues(directVariables) {
		add(v)
	}
	add(shareInputs...)
	return out
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// The Census Data API takes at most 50 variables per call; NAME and the geography come too.
const variablesPerCall = 48

// acsCall is the Census Data API call for some variables of the requested tracts.
func (f *Fetcher) acsCall(r Request, variables []string) string {
	base := f.ACSURL
	if base == "" {
		base = DefaultACSURL
	}
	county := "*"
	if len(r.Counties) > 0 {
		county = strings.Join(r.Counties, ",")
	}
	q := url.Values{}
	q.Set("get", "NAME,"+strings.Join(variables, ","))
	q.Set("for", "tract:*")
	q["in"] = []string{"state:" + r.State, "county:" + county}
	if f.APIKey != "" {
		q.Set("key", f.APIKey)
	}
	return fmt.Sprintf("%s/%d/acs/acs5?%s", base, r.Year, q.Encode())
}

// Demographics downloads the ACS 5-year tables for the requested tracts and maps them onto
// canonical variables, with margins of error. Sums of estimates carry the Census Bureau's
// approximate margin √ΣMOE²; shares its margin for proportions.
func (f *Fetcher) Demographics(ctx context.Context, r Request, now time.Time) (data.Ingest, error) {
	if err := r.Check(); err != nil {
		return data.Ingest{}, err
	}
	var names []string
	for _, t := range acsTables() {
		names = append(names, t+"E", t+"M")
	}
	figures := map[string]map[string]float64{} // GEOID → API variable → value (NaN: no figure)
	var payloads [][]byte
	source := fmt.Sprintf("acs5-%d-%s", r.Year, r.State)
	for start := 0; start < len(names); start += variablesPerCall {
		batch := names[start:min(start+variablesPerCall, len(names))]
		what := fmt.Sprintf("ACS %d 5-year, %d of %d variables", r.Year, start+len(batch), len(names))
		body, err := f.get(ctx, what, f.acsCall(r, batch))
		if err != nil {
			return data.Ingest{}, err
		}
		payloads = append(payloads, body)
		if err := parseACS(body, batch, figures); err != nil {
			return data.Ingest{}, fmt.Errorf("%s: %w", source, err)
		}
	}
	if len(figures) == 0 {
		return data.Ingest{}, fmt.Errorf("%s: %w", source, errNoTracts)
	}
	vintage := fmt.Sprintf("ACS %d–%d 5-year", r.Year-4, r.Year)
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindDemographics, Source: source, SHA256: digest(payloads...),
		Vintage: vintage, Options: requestOptions(r), LoadedAt: now.UTC()}}
	ids := make([]string, 0, len(figures))
	for id := range figures {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	seen := map[string]bool{}
	for _, id := range ids {
		for _, v := range canonicalFigures(figures[id]) {
			v.AreaID, v.Vintage, v.Ref = id, vintage, fmt.Sprintf("tract %s", id)
			v.Source = source + ":" + v.Source
			in.Demographics = append(in.Demographics, v)
			seen[v.Variable] = true
		}
	}
	for _, v := range data.Variables() {
		if seen[v.Name] {
			in.Record.Variables = append(in.Record.Variables, v.Name)
		}
	}
	in.Record.Rows = len(ids)
	f.log().Info("ACS figures read", "source", source, "tracts", len(ids), "values", len(in.Demographics))
	return in, data.CheckIngest(in)
}

// parseACS reads a Census Data API answer: a JSON array of rows whose first row is the header
// (NAME, the variables, then state, county, tract). Values come as strings; negative
// annotation values mean no figure.
func parseACS(body []byte, variables []string, figures map[string]map[string]float64) error {
	var rows [][]*string
	if err := json.Unmarshal(body, &rows); err != nil {
		return fmt.Errorf("the Census Data API answer is not a JSON table: %w", err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("the Census Data API answer is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		if h != nil {
			col[*h] = i
		}
	}
	for _, need := range append([]string{"state", "county", "tract"}, variables...) {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("the Census Data API answer has no column %s", need)
		}
	}
	for n, row := range rows[1:] {
		if len(row) != len(rows[0]) {
			return fmt.Errorf("row %d has %d fields, the header %d", n+2, len(row), len(rows[0]))
		}
		text := func(name string) string {
			if p := row[col[name]]; p != nil {
				return *p
			}
			return ""
		}
		id := text("state") + text("county") + text("tract")
		if figures[id] == nil {
			figures[id] = map[string]float64{}
		}
		for _, v := range variables {
			x, err := strconv.ParseFloat(text(v), 64)
			if err != nil || x < 0 {
				x = math.NaN() // null, or an annotation such as -666666666
			}
			figures[id][v] = x
		}
	}
	return nil
}

// canonicalFigures maps one tract's table values onto canonical variables. A variable is left
// out when any value it rests on is missing.
func canonicalFigures(t map[string]float64) []data.DemographicValue {
	var out []data.DemographicValue
	add := func(name, source string, est, moe float64) {
		if !math.IsNaN(est) {
			out = append(out, data.DemographicValue{Variable: name, Value: est, MOE: moe, Source: source})
		}
	}
	// Sums go through the reader's own column sums: the same no-figure rule and √ΣMOE².
	sum := func(tables ...[]string) (string, float64, float64) {
		var cols []string
		for _, tb := range slices.Concat(tables...) {
			cols = append(cols, tb+"E")
		}
		spec := cols[0]
		if len(cols) > 1 {
			spec = "sum(" + strings.Join(cols, ",") + ")"
		}
		c, err := data.NewColumnSum(spec, "", func(col string) bool { _, ok := t[col]; return ok })
		if err != nil {
			panic(err) // the specs are built here from the table lists above
		}
		est, moe, ok, _ := c.Figure(func(col string) (float64, bool, error) { return t[col], !math.IsNaN(t[col]), nil })
		if !ok {
			return spec, math.NaN(), math.NaN()
		}
		return spec, est, moe
	}
	addSum := func(name string, tables ...[]string) {
		spec, est, moe := sum(tables...)
		add(name, spec, est, moe)
	}
	addSum("youth_male", maleUnder18)
	addSum("youth_female", femaleUnder18)
	addSum("youth_pop", maleUnder18, femaleUnder18)
	_, youth, youthM := sum(maleUnder18, femaleUnder18)
	whiteNHSpec, whiteNH, whiteNHM := sum(whiteNHUnder18)
	// Estimates from two tables can disagree by sampling: a difference below zero is zero.
	add("youth_poc", "youth_pop − "+whiteNHSpec, math.Max(0, youth-whiteNH), math.Hypot(youthM, whiteNHM))
	for name, tb := range directVariables {
		addSum(name, []string{tb})
	}
	pct := func(name, source, num, den string) {
		n, d := t[num+"E"], t[den+"E"]
		if math.IsNaN(n) || math.IsNaN(d) || d <= 0 {
			return
		}
		p := n / d
		// The Census Bureau's margin for a proportion; where the root's argument turns negative,
		// its guidance is the ratio formula instead.
		nm, dm := t[num+"M"], t[den+"M"]
		under := nm*nm - p*p*dm*dm
		if under < 0 {
			under = nm*nm + p*p*dm*dm
		}
		add(name, source, 100*math.Min(1, p), 100*math.Sqrt(under)/d)
	}
	pct("poverty_pct", "B17001_002E/B17001_001E", "B17001_002", "B17001_001")
	pct("no_vehicle_pct", "B08201_002E/B08201_001E", "B08201_002", "B08201_001")
	pct("no_internet_pct", "B28002_013E/B28002_001E", "B28002_013", "B28002_001")
	sort.Slice(out, func(i, j int) bool { return out[i].Variable < out[j].Variable })
	return out
}
