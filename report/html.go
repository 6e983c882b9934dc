package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	text "text/template"
	"unicode"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
	"stemgap/data/export"
	"stemgap/data/labels"
)

//go:embed templates
var templateFiles embed.FS

// Page says how a rendered page reaches its stylesheet: linked (the server, whose
// Content-Security-Policy allows no inline style) or inlined (a file written by the command
// line, read without a server).
type Page struct {
	StylesheetURL string
	InlineCSS     string
}

func (p Page) stylesheet() template.HTML {
	if p.StylesheetURL != "" {
		return template.HTML(fmt.Sprintf(`<link rel="stylesheet" href="%s">`, template.HTMLEscapeString(p.StylesheetURL)))
	}
	// Our own stylesheet, compiled into the binary; it carries no data.
	return template.HTML("<style>\n" + p.InlineCSS + "</style>")
}

// pages holds every page template and texts the Markdown ones; each render clones them with the
// words of its run.
var (
	pages = template.Must(template.New("pages").Funcs(funcs(words{}, Page{})).ParseFS(templateFiles, "templates/*.html"))
	texts = text.Must(text.New("texts").Funcs(text.FuncMap(funcs(words{}, Page{}))).Funcs(text.FuncMap{"md": markdownText}).ParseFS(templateFiles, "templates/*.md"))
)

func funcs(w words, page Page) template.FuncMap {
	return template.FuncMap{
		"stylesheet":   page.stylesheet,
		"lower":        lower,
		"cap":          capitalise,
		"contentLabel": labels.ContentArea,
		"settingLabel": labels.Setting,
		"fmt": func(key string, v any) string {
			f, ok := v.(float64)
			if !ok {
				return labels.NoData
			}
			return w.format(key, f)
		},
		"count": func(v any) string { return w.count(number(v)) },
		"share": func(v any) string { return w.share(number(v)) },
		"ratio": func(v any) string { return ratioText(number(v)) },
		// pctl is a percentile without the word, for a column headed "percentile".
		"pctl": func(v any) string {
			return strings.TrimSuffix(labels.Format{Style: labels.StylePercentile}.Format(number(v)), " percentile")
		},
		"score": func(v any) string { return labels.Format{Style: labels.StyleScore}.Format(number(v)) },
		"km":    func(v float64) string { return labels.Format{Style: labels.StyleNumber, Suffix: " km"}.Format(v) },
		"short": func(digest string) string {
			if len(digest) > 12 {
				return digest[:12] + "…"
			}
			return digest
		},
	}
}

// number reads a figure that may be missing (nil), a float or an int.
func number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return math.NaN()
}

func capitalise(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return string(unicode.ToUpper(r[0])) + string(r[1:])
}

func render(out io.Writer, name string, w words, page Page, v any) error {
	t, err := pages.Clone()
	if err != nil {
		return err
	}
	return t.Funcs(funcs(w, page)).ExecuteTemplate(out, name, v)
}

func renderText(out io.Writer, name string, w words, v any) error {
	t, err := texts.Clone()
	if err != nil {
		return err
	}
	return t.Funcs(text.FuncMap(funcs(w, Page{}))).ExecuteTemplate(out, name, v)
}

// markdownText escapes text for Markdown: characters that would start emphasis, code, links, HTML
// or a table cell are written as themselves, and a line break becomes a space.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteHTML writes the tract report as a page to read or print.
func (t *Tract) WriteHTML(out io.Writer, page Page) error {
	return render(out, "tract", t.words, page, t)
}

// WriteMarkdown writes the tract report as Markdown, without its map and chart.
func (t *Tract) WriteMarkdown(out io.Writer) error { return renderText(out, "tract.md", t.words, t) }

// WriteJSON writes the tract report as JSON, as /api/tracts/{id} serves it.
func (t *Tract) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// Rows are the content areas as the report lists them: all programs first.
func (t *Tract) Rows() []Content { return t.chartRows() }

// Noun is what the demand counts: "youth".
func (t *Tract) Noun() string { return t.words.noun }

// HasMOE reports whether any figure has a margin of error: without one, the column is left out.
func (t *Tract) HasMOE() bool {
	for _, f := range t.Figures {
		if f.MOEText != "" {
			return true
		}
	}
	return false
}

// MethodSummary says in a sentence or two how the figures were computed, with the run's
// parameters.
func (t *Tract) MethodSummary() string { return methodSummary(t.run.RunInfo, t.words) }

func methodSummary(info *data.RunInfo, w words) string {
	p := params(info)
	m := p.Measure
	area, _ := h3.HexagonAreaAvgKm2(info.Resolution)
	catch := costText(m.Catchment, info.CostUnit)
	var how string
	switch info.Measure {
	case "e2sfca", "2sfca", "3sfca":
		how = fmt.Sprintf("each program's seats are shared among the %s within %s of it", w.noun, catch)
		if m.Decay != "none" && info.Measure != "2sfca" {
			how += fmt.Sprintf(", nearer ones weighing more (%s decay)", m.Decay)
		}
		how += fmt.Sprintf(", and each hexagon adds up the shares it can reach, in %s", info.AccessUnit)
	case "gravity":
		how = fmt.Sprintf("each program's seats are shared among the %s within %s, weighted by distance to the power −%s, in %s", w.noun, catch,
			labels.Format{Style: labels.StyleNumber}.Format(m.Beta), info.AccessUnit)
	case "cumulative":
		how = fmt.Sprintf("the seats within %s of each hexagon", catch)
	case "nearest":
		how = "the distance from each hexagon to the nearest program"
	case "raam":
		how = fmt.Sprintf("the average cost, in travel and crowding, that each hexagon's %s pay when they choose programs as rational agents", w.noun)
	}
	return joinLines(
		fmt.Sprintf("Each tract's %s were spread evenly over its hexagons (H3 resolution %d, about %s each).", w.noun, info.Resolution,
			labels.Format{Style: labels.StyleNumber, Suffix: " km²"}.Format(area)),
		fmt.Sprintf("Access is the %s: %s.", labels.MeasureName(info.Measure), how),
		fmt.Sprintf("The gap score weighs each hexagon's shortfall from the regional average by need (need weight %s).", labels.Format{Style: labels.StyleNumber}.Format(p.Gap.NeedWeight)),
		fmt.Sprintf("A tract's figures are the averages of its hexagons'; it is ranked among the tracts where someone lives, 1 being the lowest access."),
	)
}

// joinLines joins non-empty parts with spaces.
func joinLines(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// WriteHTML writes the region report as a page.
func (r *Region) WriteHTML(out io.Writer, page Page) error {
	return render(out, "region", r.words, page, r)
}

// WriteMarkdown writes the region report as Markdown, its charts as tables.
func (r *Region) WriteMarkdown(out io.Writer) error { return renderText(out, "region.md", r.words, r) }

// WriteCSV writes the ranked tracts, as ordered, for a spreadsheet.
func (r *Region) WriteCSV(out io.Writer) error {
	return export.WriteTable(out, export.FormatCSV, r.Table(), nil)
}

// Table lays the ranked tracts out by the export's rules: typed columns, described.
func (r *Region) Table() export.Table {
	run := r.run
	cols := []export.Column{
		{Name: "position", Datatype: "integer", Description: "position in the ranking, worst first, by " + r.Sort},
		{Name: "id", Datatype: "string", Description: "area id (GEOID for tracts)"},
		{Name: "tract", Datatype: "string", Description: "the area's name"},
		{Name: "place", Datatype: "string", Description: "the county (or state) it lies in"},
		{Name: run.Demand, Datatype: "double", Description: r.words.measures["demand"].Label},
		{Name: "need", Datatype: "double", Description: "0–1 need percentile"},
		{Name: run.Measure, Datatype: "double", Description: run.AccessUnit},
		{Name: "nearest_" + run.CostUnit, Datatype: "double", Description: "demand-weighted mean of the area's cells' costs to their nearest program"},
		{Name: "gap", Datatype: "double", Description: "mean gap score, 0–1; empty: not judged"},
		{Name: "unmet", Datatype: "double", Description: "unmet seats; empty: not judged"},
		{Name: "desert_share", Datatype: "double", Description: "share of demand in desert cells; empty: not judged"},
		{Name: "desert", Datatype: "boolean", Description: "whether the area is a desert; empty: not judged"},
		{Name: "setting", Datatype: "string", Description: "the setting group"},
		{Name: "content_area", Datatype: "string", Description: "the content area"},
		{Name: "run", Datatype: "string", Description: "the analysis run"},
	}
	return export.Table{Title: r.Title, Columns: cols, Rows: len(r.Tracts), Value: func(row, col int) any {
		t := r.Tracts[row]
		var desert any = t.Desert
		if r.FocusTooFew != "" {
			desert = nil
		}
		return []any{t.Position, t.ID, t.Title, t.Place, t.Demand, t.Need, t.Access, t.Nearest, t.Gap, t.Unmet, t.DesertShare, desert, r.Setting, r.Focus, run.ID}[col]
	}}
}

// Noun is what the demand counts: "youth".
func (r *Region) Noun() string { return r.words.noun }

// MethodSummary says how the figures were computed.
func (r *Region) MethodSummary() string { return methodSummary(r.run.RunInfo, r.words) }

// SortLink is the report ordered by another figure.
// PrintedTracts is how many ranked tracts the printed report lists: the worst, in the order
// chosen. A region's whole ranking runs to dozens of pages (Chicago's 793 tracts to 57 Letter
// pages); printed, the report stays a few pages that a meeting can read, and names where the
// whole ranking is.
const PrintedTracts = 30

// PrintedTracts is the constant, for the template.
func (r *Region) PrintedTracts() int { return PrintedTracts }

// RankingCSV is the link to the whole ranking as CSV.
func (r *Region) RankingCSV() string { return r.Links["csv"] }

func (r *Region) SortLink(key string) string { return link(r.opt, "/report?"+r.query(key)) }

// trusted marks HTML that our own code produced from our own document (METHOD.md, through a
// Markdown renderer that drops raw HTML).
func trusted(s string) template.HTML { return template.HTML(s) }

// WriteError writes an error page: the status, a heading and what went wrong, for the HTML
// routes, whose readers are people rather than programs.
func WriteError(out io.Writer, status int, heading, message string, page Page) error {
	return render(out, "error", words{}, page, struct {
		Status           int
		Heading, Message string
	}{status, heading, message})
}

// Programs names the programs the report's map, histogram and ranking count: "out-of-school
// engineering programs".
func (r *Region) Programs() string { return seriesWords(r.Setting, r.Focus) }

// Programs names the programs the tract report's map counts.
func (t *Tract) Programs() string { return seriesWords(t.Setting, t.Focus) }
