package data

import (
	"fmt"
	"sort"
	"strings"
)

// Variable is a canonical demographic variable that source columns are mapped onto.
type Variable struct {
	Name        string
	Description string
	Percent     bool // a 0–100 share rather than a count or an amount
	Flag        bool // 0 or 1
	Dollars     bool // an amount of money, not a count
}

// counts says whether the variable counts people or households, and so is bounded by
// Limits.MaxPopulation.
func (v Variable) counts() bool { return !v.Percent && !v.Flag && !v.Dollars }

// Variables lists every canonical variable stemgap understands. Raw ACS exports are mapped onto
// them with --column canonical=SOURCE.
var variables = []Variable{
	{Name: "total_pop", Description: "total population"},
	{Name: "youth_pop", Description: "population aged 0–17"},
	{Name: "youth_female", Description: "girls aged 0–17"},
	{Name: "youth_male", Description: "boys aged 0–17"},
	{Name: "youth_poc", Description: "youth of colour aged 0–17 (all but non-Hispanic white)"},
	{Name: "poverty_pop", Description: "people below the poverty line"},
	{Name: "poverty_pct", Description: "share of people below the poverty line", Percent: true},
	{Name: "race_white", Description: "white alone"},
	{Name: "race_black", Description: "Black or African American alone"},
	{Name: "race_black_aic", Description: "Black or African American alone or in combination with one or more other races (ACS DP05)"},
	{Name: "race_asian", Description: "Asian alone"},
	{Name: "race_aian", Description: "American Indian and Alaska Native alone"},
	{Name: "race_nhpi", Description: "Native Hawaiian and Other Pacific Islander alone"},
	{Name: "race_other", Description: "some other race alone (or other and multiracial together, where the source combines them)"},
	{Name: "race_multi", Description: "two or more races"},
	{Name: "hispanic", Description: "Hispanic or Latino, of any race"},
	{Name: "white_nh", Description: "white alone, not Hispanic or Latino"},
	{Name: "median_hh_income", Description: "median household income (dollars)", Dollars: true},
	{Name: "median_family_income", Description: "median family income (dollars)", Dollars: true},
	{Name: "households", Description: "households (occupied housing units)"},
	{Name: "hh_no_vehicle", Description: "households without a vehicle"},
	{Name: "no_vehicle_pct", Description: "share of households without a vehicle", Percent: true},
	{Name: "no_internet_pct", Description: "share of households without an internet subscription", Percent: true},
	{Name: "youth_in_households", Description: "children under 18 in households (ACS B28005_002)"},
	{Name: "youth_no_computer_broadband", Description: "children under 18 in households without a computer with a broadband subscription (ACS B28005_002 − B28005_005)"},
	{Name: "urban", Description: "1 when the area is urban (e.g. the Food Access Research Atlas flag), 0 when rural", Flag: true},
}

// Variables returns the canonical variables in a stable order.
func Variables() []Variable { return append([]Variable(nil), variables...) }

// LookupVariable finds a canonical variable by name.
func LookupVariable(name string) (Variable, bool) {
	for _, v := range variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

func unknownVariable(name string) error {
	names := make([]string, len(variables))
	for i, v := range variables {
		names[i] = v.Name
	}
	sort.Strings(names)
	return fmt.Errorf("unknown canonical variable %q (known: %s)", name, strings.Join(names, ", "))
}
