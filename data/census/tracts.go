package census

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"stemgap/data"
)

// tractsURL is where the TIGER/Line tracts of a state are published.
func (f *Fetcher) tractsURL(r Request) string {
	base := f.TigerURL
	if base == "" {
		base = DefaultTigerURL
	}
	return fmt.Sprintf("%s/TIGER%d/TRACT/tl_%d_%s_tract.zip", base, r.Year, r.Year, r.State)
}

// Tracts downloads the TIGER/Line tracts of the requested counties as an areas ingest. TIGER/Line
// coordinates are NAD83 longitude/latitude, which differ from WGS 84 by well under the size of
// an H3 cell; they are used as they come.
func (f *Fetcher) Tracts(ctx context.Context, r Request, now time.Time) (data.Ingest, error) {
	if err := r.Check(); err != nil {
		return data.Ingest{}, err
	}
	u := f.tractsURL(r)
	name := fmt.Sprintf("tl_%d_%s_tract.zip", r.Year, r.State)
	raw, err := f.get(ctx, "TIGER/Line tracts "+name, u)
	if err != nil {
		return data.Ingest{}, err
	}
	records, err := readShapefileZip(raw)
	if err != nil {
		return data.Ingest{}, fmt.Errorf("%s: %w", name, err)
	}
	in := data.Ingest{Record: data.IngestRecord{Kind: data.KindAreas, Source: name, SHA256: digest(raw),
		Vintage: fmt.Sprintf("TIGER/Line %d census tracts", r.Year), Options: requestOptions(r), LoadedAt: now.UTC()}}
	for i, rec := range records {
		if !r.inCounty(rec.Fields["COUNTYFP"]) {
			continue
		}
		id := rec.Fields["GEOID"]
		land, err := strconv.ParseFloat(rec.Fields["ALAND"], 64)
		if err != nil {
			return data.Ingest{}, fmt.Errorf("%s: record %d (GEOID %s): ALAND %q is not a number", name, i+1, id, rec.Fields["ALAND"])
		}
		if len(rec.Geometry) == 0 {
			return data.Ingest{}, fmt.Errorf("%s: record %d (GEOID %s) has no geometry", name, i+1, id)
		}
		in.Areas = append(in.Areas, data.Area{ID: id, Name: rec.Fields["NAMELSAD"], Geometry: rec.Geometry, LandKm2: land / 1e6,
			Ref: fmt.Sprintf("record %d", i+1)})
	}
	if len(in.Areas) == 0 {
		return data.Ingest{}, fmt.Errorf("%s: %w in counties %v", name, errNoTracts, r.Counties)
	}
	in.Record.Rows = len(in.Areas)
	f.log().Info("tracts read", "file", name, "tracts", len(in.Areas))
	return in, data.CheckIngest(in)
}

func requestOptions(r Request) map[string]string {
	opts := map[string]string{"state": r.State, "year": strconv.Itoa(r.Year)}
	if len(r.Counties) > 0 {
		opts["counties"] = fmt.Sprint(r.Counties)
	}
	return opts
}
