package labels

import (
	"fmt"
	"strconv"
	"strings"

	"stemgap/data"
)

// TractNumber is how the census names a tract: its code with the two implied decimals, a
// trailing ".00" dropped (29095121200 → "1212", 29189211002 → "2110.02"). An area that is not a
// tract keeps its own name.
func TractNumber(a data.Area) string {
	if !data.IsTractGEOID(a.ID) {
		return a.Name
	}
	base, _ := strconv.Atoi(a.ID[5:9])
	if suffix := a.ID[9:]; suffix != "00" {
		return fmt.Sprintf("%d.%s", base, suffix)
	}
	return strconv.Itoa(base)
}

// AreaTitle is an area's name as a report heads it: "Census Tract 1011, St. Louis city, MO" for a
// tract, with the county its file gives, else the state its GEOID names; any other area by its
// name, else its id.
func AreaTitle(a data.Area) string {
	if place := AreaPlace(a); place != "" && data.IsTractGEOID(a.ID) {
		return AreaName(a) + ", " + place
	}
	return AreaName(a)
}

// AreaName is an area's own name: "Census Tract 1011" for a tract, else the name its file gives,
// else its id.
func AreaName(a data.Area) string {
	switch {
	case strings.HasPrefix(a.Name, "Census Tract"):
		return a.Name
	case data.IsTractGEOID(a.ID):
		return "Census Tract " + TractNumber(a)
	case a.Name != "":
		return a.Name
	}
	return a.ID
}

// AreaPlace is where an area lies, as its file says (its county) or, for a tract of a file that
// names no county, its state.
func AreaPlace(a data.Area) string {
	if a.County != "" {
		return a.County
	}
	if data.IsTractGEOID(a.ID) {
		return states[a.ID[:2]]
	}
	return ""
}

// states names the states, DC and Puerto Rico by their FIPS codes.
var states = map[string]string{
	"01": "Alabama", "02": "Alaska", "04": "Arizona", "05": "Arkansas", "06": "California", "08": "Colorado",
	"09": "Connecticut", "10": "Delaware", "11": "District of Columbia", "12": "Florida", "13": "Georgia",
	"15": "Hawaii", "16": "Idaho", "17": "Illinois", "18": "Indiana", "19": "Iowa", "20": "Kansas",
	"21": "Kentucky", "22": "Louisiana", "23": "Maine", "24": "Maryland", "25": "Massachusetts",
	"26": "Michigan", "27": "Minnesota", "28": "Mississippi", "29": "Missouri", "30": "Montana",
	"31": "Nebraska", "32": "Nevada", "33": "New Hampshire", "34": "New Jersey", "35": "New Mexico",
	"36": "New York", "37": "North Carolina", "38": "North Dakota", "39": "Ohio", "40": "Oklahoma",
	"41": "Oregon", "42": "Pennsylvania", "44": "Rhode Island", "45": "South Carolina", "46": "South Dakota",
	"47": "Tennessee", "48": "Texas", "49": "Utah", "50": "Vermont", "51": "Virginia", "53": "Washington",
	"54": "West Virginia", "55": "Wisconsin", "56": "Wyoming", "72": "Puerto Rico",
}
