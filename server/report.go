package server

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"

	"github.com/go-chi/chi/v5"
	"stemgap/data"
	"stemgap/data/export"
)

// tractReport is everything an advocate needs to cite one area: its figures with their sources,
// each content area's result with the rule that produced it, and the run's provenance.
type tractReport struct {
	Provenance   export.Provenance `json:"provenance"`
	Setting      string            `json:"setting"` // the setting group the content areas are measured within
	Area         reportArea        `json:"area"`
	Figures      []reportFigure    `json:"figures"`
	ContentAreas []reportContent   `json:"content_areas"`
}

type reportArea struct {
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	DemandVariable string `json:"demand_variable"`
	Demand         any    `json:"demand"`
	Need           any    `json:"need"`
	Urban          bool   `json:"urban"`
	UrbanBasis     string `json:"urban_basis"`
	Cells          int    `json:"cells"`
}

type reportFigure struct {
	Variable string `json:"variable"`
	Value    any    `json:"value"`
	MOE      any    `json:"moe"`
	Vintage  string `json:"vintage,omitempty"`
	Source   string `json:"source"`
}

type reportContent struct {
	Name         string `json:"name"`
	Access       any    `json:"access"`
	RegionalMean any    `json:"regional_mean"`
	Nearest      any    `json:"nearest"` // demand-weighted mean of the area's cells' nearest costs
	Unmet        any    `json:"unmet"`
	Gap          any    `json:"gap"`
	DesertDemand any    `json:"desert_demand"`
	DesertShare  any    `json:"desert_share"`
	Desert       bool   `json:"desert"`
	Reason       string `json:"reason"`
	Rank         int    `json:"rank"`
	Ranked       int    `json:"ranked_areas"`
	Percentile   any    `json:"percentile"`
}

func (s *Server) buildReport(r *http.Request) (*tractReport, error) {
	id := chi.URLParam(r, "id")
	lr, err := s.runs.get(r.Context(), r.URL.Query().Get("run"))
	if err != nil {
		return nil, err
	}
	run := lr.view()
	idx := -1
	for i := range run.Areas {
		if run.Areas[i].ID == id {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("area %q is not in run %s: %w", id, run.ID, data.ErrNotFound)
	}
	a := &run.Areas[idx]
	rep := &tractReport{
		Provenance: export.ProvenanceFor(run.RunInfo, settingParam(r)),
		Setting:    run.SettingOrDefault(settingParam(r)),
		Area: reportArea{ID: a.ID, Name: a.Name, DemandVariable: run.Demand, Demand: export.Number(a.Demand), Need: export.Number(a.Need),
			Urban: a.Urban, UrbanBasis: a.UrbanWhy, Cells: a.Cells},
	}
	for _, v := range lr.inputs.Demographics {
		if v.AreaID == id {
			rep.Figures = append(rep.Figures, reportFigure{Variable: v.Variable, Value: v.Value, MOE: export.Number(v.MOE), Vintage: v.Vintage, Source: v.Source})
		}
	}
	sort.Slice(rep.Figures, func(i, j int) bool { return rep.Figures[i].Variable < rep.Figures[j].Variable })
	if _, err := run.CheckSeries(rep.Setting, data.AllContentAreas); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	for k, c := range run.ContentAreas {
		if c.Setting != rep.Setting {
			continue
		}
		ranked := 0
		for i := range run.Areas {
			if run.Areas[i].Measures[k].Rank > 0 {
				ranked++
			}
		}
		m := a.Measures[k]
		pct := export.Number(m.Percentile)
		if m.Rank == 0 {
			pct = nil
		}
		rep.ContentAreas = append(rep.ContentAreas, reportContent{Name: c.Name, Access: export.Number(m.Access), RegionalMean: export.Number(c.MeanAccess),
			Nearest: export.Number(m.Nearest), Unmet: export.Number(m.Unmet), Gap: export.Number(m.Gap), DesertDemand: export.Number(m.DesertYouth),
			DesertShare: export.Number(m.DesertShare), Desert: m.Desert, Reason: m.Reason, Rank: m.Rank, Ranked: ranked, Percentile: pct})
	}
	return rep, nil
}

func (s *Server) tractReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.buildReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": func(v any) string {
		f, ok := v.(float64)
		if !ok || math.IsNaN(f) {
			return "no data"
		}
		return fmt.Sprintf("%.4g", f)
	},
	"pct": func(v any) string {
		f, ok := v.(float64)
		if !ok {
			return "no data"
		}
		return fmt.Sprintf("%.0f%%", 100*f)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Area.ID}} — stemgap report</title>
<link rel="stylesheet" href="/static/report.css"></head>
<body>
<h1>{{if .Area.Name}}{{.Area.Name}} ({{.Area.ID}}){{else}}Area {{.Area.ID}}{{end}}</h1>
<p>Demand: <b>{{num .Area.Demand}}</b> ({{.Area.DemandVariable}}) · need percentile {{num .Area.Need}} ·
{{if .Area.Urban}}urban{{else}}rural{{end}} ({{.Area.UrbanBasis}}) · {{.Area.Cells}} H3 cells at resolution {{.Provenance.Resolution}}</p>
<h2>Access by content area — {{.Setting}} settings</h2>
<p><small>Access is {{.Provenance.Measure}}, in {{.Provenance.AccessUnit}}. Rank 1 is the lowest access in the region.
Mean to nearest is the demand-weighted mean of the area's cells' costs to their nearest program, not the cost from the area to its nearest program.</small></p>
<table><tr><th>content area</th><th>access</th><th>regional mean</th><th>mean to nearest ({{.Provenance.CostUnit}})</th><th>rank</th><th>in deserts</th><th>verdict and reason</th></tr>
{{range .ContentAreas}}<tr><td>{{.Name}}</td><td>{{num .Access}}</td><td>{{num .RegionalMean}}</td><td>{{num .Nearest}}</td>
<td>{{if .Rank}}{{.Rank}} of {{.Ranked}}{{else}}—{{end}}</td><td>{{pct .DesertShare}}</td><td{{if .Desert}} class="desert"{{end}}>{{.Reason}}</td></tr>
{{end}}</table>
<h2>Figures for this area</h2>
<table><tr><th>variable</th><th>value</th><th>margin of error</th><th>vintage</th><th>source</th></tr>
{{range .Figures}}<tr><td>{{.Variable}}</td><td>{{num .Value}}</td><td>{{num .MOE}}</td><td>{{.Vintage}}</td><td>{{.Source}}</td></tr>{{end}}</table>
<h2>How this was computed</h2>
<p>Run <code>{{.Provenance.Run}}</code>, {{.Provenance.Software}}; method: {{.Provenance.Method}}. Demand from {{range .Provenance.DemandSource}}{{.}}; {{end}}</p>
<ul>{{range .Provenance.Notes}}<li>{{.}}</li>{{end}}</ul>
<p>Inputs:</p><ul>{{range .Provenance.Inputs}}<li>{{.Kind}}: {{.Source}} ({{.Rows}} rows{{if .Vintage}}, {{.Vintage}}{{end}}), SHA-256 <code>{{.SHA256}}</code></li>{{end}}</ul>
<p>Parameters: <code>{{printf "%s" .Provenance.Params}}</code></p>
</body></html>`))

func (s *Server) tractPage(w http.ResponseWriter, r *http.Request) {
	rep, err := s.buildReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := reportPage.Execute(w, rep); err != nil {
		s.log.Error("report page", "err", err)
	}
}
