package export

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
	"stemgap/data"
)

// RecommendationProvenance travels with exported recommendations: the run's provenance, and how
// the sites were chosen and what they change in all.
type RecommendationProvenance struct {
	Provenance
	Recommendations *data.Recommendations `json:"recommendations"`
}

// RecommendationsProvenance is the recommendations' provenance on the run they were made for.
func RecommendationsProvenance(r *data.Recommendations, info *data.RunInfo) RecommendationProvenance {
	summary := *r
	summary.Sites = nil
	return RecommendationProvenance{Provenance: ProvenanceFor(info, r.Setting), Recommendations: &summary}
}

// RecommendationsTable lays recommendations out for export: one row per site, best first,
// located at the site.
func RecommendationsTable(r *data.Recommendations) Table {
	cols := []Column{
		exportColumn("rank", "integer", "1 = chosen first; each site is weighed given those before it"),
		exportColumn("site_id", "string", "the candidate site: an H3 cell index, or the id in the list of sites"),
		exportColumn("site_name", "string", "the site's name, where the list gives one"),
		exportColumn("lng", "double", "longitude of the site"),
		exportColumn("lat", "double", "latitude of the site"),
		exportColumn("h3", "string", "the run's H3 cell at the site"),
		exportColumn("area", "string", "the area (tract) holding the site"),
		exportColumn("setting", "string", "the setting group the new program counts in"),
		exportColumn("content", "string", "the content area the new program offers"),
		exportColumn("capacity", "double", "seats of the new program"),
		exportColumn("youth_in_reach", "double", "demand within the catchment of the site"),
		exportColumn("newly_in_reach", "double", "of them, those with no program of the series within the catchment before"),
		exportColumn("unmet_in_reach", "double", "unmet seats within the catchment before, against the run's target"),
		exportColumn("unmet_closed", "double", "unmet seats the program closes"),
		exportColumn("need_weighted_gain", "double", "unmet seats closed, each weighed (1 − λ) + λ·need: what the choice maximises"),
		exportColumn("areas", "string", "the areas (tracts) whose unmet seats it closes or whose youth it newly reaches, most closed first, separated by ;"),
		exportColumn("reason", "string", "why, in a sentence"),
	}
	return Table{
		Title: "recommended sites", Columns: cols, Rows: len(r.Sites),
		Value: func(row, col int) any {
			s := r.Sites[row]
			switch cols[col].Name {
			case "rank":
				return s.Rank
			case "site_id":
				return s.Site.ID
			case "site_name":
				return s.Site.Name
			case "lng":
				return s.Lng
			case "lat":
				return s.Lat
			case "h3":
				return s.H3
			case "area":
				return s.Area
			case "setting":
				return r.Setting
			case "content":
				return r.Content
			case "capacity":
				return r.Capacity
			case "youth_in_reach":
				return s.YouthInReach
			case "newly_in_reach":
				return s.NewlyInReach
			case "unmet_in_reach":
				return s.UnmetInReach
			case "unmet_closed":
				return s.UnmetClosed
			case "need_weighted_gain":
				return s.NeedWeightedGain
			case "areas":
				ids := make([]string, len(s.Areas))
				for k, a := range s.Areas {
					ids[k] = a.ID
				}
				return strings.Join(ids, ";")
			case "reason":
				return s.Reason
			}
			return math.NaN()
		},
		Geometry: func(row int) (orb.Geometry, error) { return orb.Point{r.Sites[row].Lng, r.Sites[row].Lat}, nil },
	}
}

// exportColumn describes one exported field; datatype is CSVW's.
func exportColumn(name, datatype, description string) Column {
	return Column{Name: name, Datatype: datatype, Description: description}
}
