package data

import (
	"fmt"
	"strings"
)

// UnknownAreas describes the area ids of a demographics file that are not among the loaded
// areas: their figures are stored, but no analysis uses them — often a sign of the wrong file,
// the wrong id column or another census geography.
type UnknownAreas struct {
	File   string
	Count  int      // distinct unknown ids
	Of     int      // distinct ids in the file
	Loaded int      // areas loaded
	Sample []string // the first few, in file order, each with its place
}

// sampleSize is how many unknown ids a report names.
const sampleSize = 5

func (u *UnknownAreas) Error() string {
	if u.Loaded == 0 {
		return fmt.Sprintf("%s: no areas are loaded, so none of its %d area ids can be matched: ingest the areas first", u.File, u.Of)
	}
	return fmt.Sprintf("%s: %d of its %d area ids are not among the %d loaded areas (%s): their figures would be stored but never used",
		u.File, u.Count, u.Of, u.Loaded, strings.Join(u.Sample, ", "))
}

// CheckAreaIDs compares a demographics ingest's area ids with the loaded areas. It returns nil
// when every id is known; otherwise the caller warns, or, under --strict, fails.
func CheckAreaIDs(in Ingest, areas []Area) *UnknownAreas {
	if in.Record.Kind != KindDemographics {
		return nil
	}
	loaded := make(map[string]bool, len(areas))
	for _, a := range areas {
		loaded[a.ID] = true
	}
	u := &UnknownAreas{File: in.Record.Source, Loaded: len(areas)}
	seen := map[string]bool{}
	for _, d := range in.Demographics {
		if seen[d.AreaID] {
			continue
		}
		seen[d.AreaID] = true
		u.Of++
		if loaded[d.AreaID] {
			continue
		}
		u.Count++
		if len(u.Sample) < sampleSize {
			u.Sample = append(u.Sample, fmt.Sprintf("%s at %s", d.AreaID, d.Ref))
		}
	}
	if u.Count == 0 {
		return nil
	}
	if u.Count > len(u.Sample) {
		u.Sample = append(u.Sample, fmt.Sprintf("and %d more", u.Count-len(u.Sample)))
	}
	return u
}
