package analysis

import (
	"fmt"
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
	if len(count) < 2 {
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
		if v == "" {
			v = "no vintage recorded"
		}
		parts[i] = fmt.Sprintf("%d areas from %s", count[vintages[i]], v)
	}
	return []string{fmt.Sprintf("%s mixes vintages: %s. Areas of different vintages are compared across different dates", variable, strings.Join(parts, "; "))}
}
