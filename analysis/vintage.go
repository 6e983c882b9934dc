package analysis

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"stemgap/data"
)

// vintageNote says when the demand variable's figures for the region's areas come from
// different vintages — the St. Louis demo's Missouri youth are 2010 Census counts, its Illinois
// youth ACS 2010–2014 estimates — so that the map, exports and reports say that areas compare
// figures of different dates.
func vintageNote(areaIndex map[string]int32, values []data.DemographicValue, variable string) []string {
	count := map[string]int{}
	for _, v := range values {
		if _, ok := areaIndex[v.AreaID]; ok && v.Variable == variable {
			count[v.Vintage]++
		}
	}
	if OneDate(slices.Collect(maps.Keys(count))) {
		return nil
	}
	vintages := make([]string, 0, len(count))
	for v := range count {
		vintages = append(vintages, v)
	}
	sort.Slice(vintages, func(i, j int) bool {
		if count[vintages[i]] != count[vintages[j]] {
			return count[vintages[i]] > count[vintages[j]]
		}
		return vintages[i] < vintages[j]
	})
	parts := make([]string, len(vintages))
	for i, v := range vintages {
		parts[i] = fmt.Sprintf("%d areas from %s", count[v], VintageName(v))
	}
	return []string{fmt.Sprintf("%s mixes vintages: %s. Areas of different vintages are compared across different dates", variable, strings.Join(parts, "; "))}
}

// VintageGroup is one vintage of the figures a run sets beside its demand, with the variables
// whose figures have it.
type VintageGroup struct {
	Vintage   string
	Variables []string
}

// VintagesBesideDemand lists the vintages of the figures that the equity breakdown and the need
// index set beside the demand — each group's variable and reference, each need component and
// what a derived one is derived from — that none of the demand's own figures has, in the areas
// inRun reports. In the Chicago demo the youth are ACS 2010–2014 and who lives around them is ACS
// 2015–2019: the breakdown of who lives in the gaps mixes dates, and runs and reports say so.
func (p Params) VintagesBesideDemand(values []data.DemographicValue, inRun func(areaID string) bool) []VintageGroup {
	var names []string
	add := func(v string) {
		if !slices.Contains(names, v) {
			names = append(names, v)
		}
		for _, src := range derivations[v].from {
			if !slices.Contains(names, src) {
				names = append(names, src)
			}
		}
	}
	for _, g := range p.Equity {
		add(g.Variable)
		add(g.Reference)
	}
	for _, c := range p.Need.Components {
		add(c.Variable)
	}
	demand := map[string]bool{}
	byVintage := map[string][]string{}
	for _, v := range values {
		if !inRun(v.AreaID) {
			continue
		}
		if v.Variable == p.Demand {
			demand[v.Vintage] = true
		} else if slices.Contains(names, v.Variable) && !slices.Contains(byVintage[v.Vintage], v.Variable) {
			byVintage[v.Vintage] = append(byVintage[v.Vintage], v.Variable)
		}
	}
	var out []VintageGroup
	for vintage, vars := range byVintage {
		if len(demand) == 0 || demandDated(demand, vintage) {
			continue
		}
		sort.Slice(vars, func(i, j int) bool { return slices.Index(names, vars[i]) < slices.Index(names, vars[j]) })
		out = append(out, VintageGroup{Vintage: vintage, Variables: vars})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Vintage < out[j].Vintage })
	return out
}

// besideDemandNote says, for the run's notes, which figures set beside the demand are of another
// date than it.
func besideDemandNote(p Params, values []data.DemographicValue, areaIndex map[string]int32) []string {
	groups := p.VintagesBesideDemand(values, func(id string) bool { _, ok := areaIndex[id]; return ok })
	if len(groups) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s and the figures beside it differ in vintage: %s. The equity breakdown and need index describe the areas at other dates than the %s counts",
		p.Demand, VintageGroupWords(groups), p.Demand)}
}

// VintageGroupWords names each group's variables and their vintage: "total_pop, poverty_pct from
// ACS 2014–2018 5-year; …".
func VintageGroupWords(groups []VintageGroup) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s from %s", strings.Join(g.Variables, ", "), VintageName(g.Vintage))
	}
	return strings.Join(parts, "; ")
}

// yearOrSpan finds the first year or span of years in a vintage's label.
var yearOrSpan = regexp.MustCompile(`\b(?:19|20)\d\d(?:\s*[-–—]\s*(?:19|20)\d\d)?\b`)

// period is the date a vintage's figures describe: the first year or span of years its label
// names ("2010 Census via USDA FARA 2015" describes 2010; "ACS 2010–2014 5-year" 2010–2014),
// the later years being those of the publications that carried them. It is empty when the label
// names no year.
func period(vintage string) string {
	found := yearOrSpan.FindString(vintage)
	return strings.Join(strings.FieldsFunc(found, func(r rune) bool { return r == '-' || r == '–' || r == '—' || r == ' ' }), "–")
}

// sameDate says whether two vintages describe the same date: labels written differently for
// figures of one census ("2010 Census, all ages" and "2010 Census via USDA FARA") are not a
// mix. Labels without a year are the same only when they are equal.
func sameDate(a, b string) bool {
	if a == b {
		return true
	}
	pa := period(a)
	return pa != "" && pa == period(b)
}

// OneDate says whether the vintages all describe one date (any labels they are written with):
// the run's notes and the reports call the demand's figures mixed only when they do not.
func OneDate(vintages []string) bool {
	return !slices.ContainsFunc(vintages, func(v string) bool { return !sameDate(vintages[0], v) })
}

// demandDated says whether some of the demand's vintages describe the same date as vintage.
func demandDated(demand map[string]bool, vintage string) bool {
	for d := range demand {
		if sameDate(d, vintage) {
			return true
		}
	}
	return false
}

// VintageName names a vintage in a sentence, saying so where none was recorded.
func VintageName(v string) string {
	if v == "" {
		return "no vintage recorded"
	}
	return v
}
