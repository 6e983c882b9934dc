// Package search finds what the map can fly to — tracts by number or GEOID, counties by name,
// programs by name — in one run's inputs, as a reader types them: case and accents ignored,
// exact matches first.
package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
	"stemgap/data"
	"stemgap/data/labels"
	"stemgap/geo"
	"stemgap/tiles"
)

// Kinds of result.
const (
	KindTract   = "tract"
	KindCounty  = "county"
	KindProgram = "program"
)

// Result is one thing found, with where to fly to.
type Result struct {
	Kind   string     `json:"kind"`
	ID     string     `json:"id"`
	Label  string     `json:"label"`
	Detail string     `json:"detail"`
	Center [2]float64 `json:"center"` // lng, lat
	BBox   [4]float64 `json:"bbox"`   // west, south, east, north
}

// kindRank orders kinds among equal matches.
func kindRank(kind string) int {
	return slices.Index([]string{KindTract, KindCounty, KindProgram}, kind)
}

// How well an entry matches, best first.
const (
	matchExact = iota
	matchPrefix
	matchWithin
	noMatch
)

type entry struct {
	Result
	exact []string // folded keys a query must equal
	names []string // folded names a query may begin or lie within
	geoid string   // a tract's or county's GEOID digits, matched by prefix
	// sortKey orders equal matches: the label folded.
	sortKey string
}

// Index is a run's searchable places.
type Index struct{ entries []entry }

// New indexes a run's areas, the counties they dissolve into and its programs.
func New(areas []data.Area, counties []tiles.County, programs []data.Program) *Index {
	ix := &Index{}
	tracts := map[string]int{}
	for _, a := range areas {
		tracts[data.CountyKey(a)]++
		b := a.Geometry.Bound()
		at, ok := geo.InteriorPoint(a.Geometry)
		if !ok {
			at = b.Center()
		}
		e := entry{Result: Result{Kind: KindTract, ID: a.ID, Label: labels.AreaTitle(a), Center: point(at), BBox: bbox(b)},
			names: []string{Fold(labels.AreaName(a))}}
		if data.IsTractGEOID(a.ID) {
			e.Detail = "GEOID " + a.ID
			n := labels.TractNumber(a)
			e.exact = []string{a.ID, Fold(n), Fold("census tract " + n), Fold("tract " + n)}
			e.geoid = a.ID
		} else {
			e.exact = []string{Fold(a.ID), Fold(a.Name)}
			e.Detail = a.ID
		}
		ix.entries = append(ix.entries, e)
	}
	for _, c := range counties {
		name := Fold(c.Name)
		short, _, _ := strings.Cut(c.Name, ",") // "St. Louis County, MO" is found as "St. Louis County"
		e := entry{Result: Result{Kind: KindCounty, ID: c.ID, Label: c.Name, Center: point(c.Label), BBox: bbox(c.Bound),
			Detail: fmt.Sprintf("county, %d tracts", tracts[c.ID])},
			exact: []string{name, Fold(short), c.ID}, names: []string{name}}
		if len(c.ID) == 5 && strings.Trim(c.ID, "0123456789") == "" {
			e.geoid = c.ID
		}
		ix.entries = append(ix.entries, e)
	}
	for _, p := range programs {
		detail := p.Provider
		if len(p.ContentAreas) > 0 {
			names := make([]string, len(p.ContentAreas))
			for i, c := range p.ContentAreas {
				names[i] = labels.ContentArea(c)
			}
			detail = strings.TrimPrefix(detail+" · "+strings.Join(names, ", "), " · ")
		}
		ix.entries = append(ix.entries, entry{Result: Result{Kind: KindProgram, ID: p.ID, Label: p.Name, Detail: detail,
			Center: point(p.Location), BBox: bbox(orb.Bound{Min: p.Location, Max: p.Location})},
			exact: []string{Fold(p.Name)}, names: []string{Fold(p.Name)}})
	}
	for i := range ix.entries {
		ix.entries[i].sortKey = Fold(ix.entries[i].Label)
	}
	return ix
}

// Find lists at most limit entries matching a query: exact matches (a tract's number or GEOID, a
// county's name, a program's name) first, then names and GEOIDs that begin with it, then names
// that hold it; tracts before counties before programs, then by label, case aside.
func (ix *Index) Find(query string, limit int) []Result {
	q := Fold(query)
	if q == "" {
		return []Result{}
	}
	type hit struct {
		e     *entry
		match int
	}
	var hits []hit
	for i := range ix.entries {
		if m := ix.entries[i].match(q); m != noMatch {
			hits = append(hits, hit{&ix.entries[i], m})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.match != b.match {
			return a.match - b.match
		}
		if ka, kb := kindRank(a.e.Kind), kindRank(b.e.Kind); ka != kb {
			return ka - kb
		}
		return strings.Compare(a.e.sortKey, b.e.sortKey)
	})
	out := []Result{}
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, h.e.Result)
	}
	return out
}

func (e *entry) match(q string) int {
	if slices.Contains(e.exact, q) {
		return matchExact
	}
	if e.Kind == KindTract {
		// "1011" finds tracts 1011.01 and 1011.02; "census tract 1011" likewise.
		for _, k := range e.exact[1:] {
			if strings.HasPrefix(k, q+".") {
				return matchPrefix
			}
		}
	}
	if e.geoid != "" && len(q) >= 2 && strings.HasPrefix(e.geoid, q) {
		return matchPrefix
	}
	best := noMatch
	for _, n := range e.names {
		switch {
		case strings.HasPrefix(n, q):
			return matchPrefix
		case e.Kind != KindTract && strings.Contains(n, q):
			best = matchWithin
		}
	}
	return best
}

// Fold is text as search compares it: accents dropped, lower case, every run of characters
// other than letters and digits one space — but a point between digits kept ("2110.02").
func Fold(s string) string {
	runes := []rune(norm.NFD.String(s))
	var b strings.Builder
	space := false
	for i, r := range runes {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r),
			r == '.' && i > 0 && unicode.IsDigit(runes[i-1]) && i+1 < len(runes) && unicode.IsDigit(runes[i+1]):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			space = true
		}
	}
	return norm.NFC.String(b.String())
}

func point(p orb.Point) [2]float64 { return [2]float64{p[0], p[1]} }

func bbox(b orb.Bound) [4]float64 { return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }
