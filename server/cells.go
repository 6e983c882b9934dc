package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/uber/h3-go/v4"
	"stemgap/data/export"
	"stemgap/tiles"
)

// cellAnswer is /api/cells/{h3}: one cell's figures for a series, as the cells tile carries them
// at the cell's resolution; null where there is no figure.
type cellAnswer struct {
	H3         string     `json:"h3"`
	Res        int        `json:"res"`
	Run        string     `json:"run"`
	Setting    string     `json:"setting"`
	Content    string     `json:"content"`
	Demand     any        `json:"demand"`
	Access     any        `json:"access"`
	Nearest    any        `json:"nearest"`
	Count      any        `json:"count"`
	Need       any        `json:"need"`
	Unmet      any        `json:"unmet"`
	Gap        any        `json:"gap"`
	Desert     any        `json:"desert"`
	NoData     bool       `json:"nodata"`
	Overstated any        `json:"overstated"`
	Tract      *cellTract `json:"tract"`
}

type cellTract struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// parseCell reads an H3 cell id as the tiles write it: 15 hexadecimal digits of a valid cell.
func parseCell(s string) (h3.Cell, error) {
	lower := strings.ToLower(s)
	if len(s) != 15 || strings.Trim(lower, "0123456789abcdef") != "" {
		return 0, fmt.Errorf("%w: %q is not an H3 cell id (15 hexadecimal digits)", errBadRequest, s)
	}
	c := h3.CellFromString(lower)
	if !c.IsValid() {
		return 0, fmt.Errorf("%w: %q is not a valid H3 cell", errBadRequest, s)
	}
	return c, nil
}

func (s *Server) cell(w http.ResponseWriter, r *http.Request) {
	c, err := parseCell(chi.URLParam(r, "h3"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	content := contentParam(r)
	var f tiles.CellFigures
	lr, err := s.runs.read(r.Context(), r.URL.Query().Get("run"), func(lr *loadedRun) (err error) {
		f, err = lr.set.Cell(r.Context(), settingParam(r), content, c)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	info := lr.set.Info()
	out := cellAnswer{H3: f.Cell.String(), Res: f.Res, Run: info.ID, Setting: info.SettingOrDefault(settingParam(r)), Content: content,
		Demand: export.Number(f.Demand), Access: export.Number(f.Access), Nearest: export.Number(f.Nearest), Count: export.Number(f.Count),
		Need: export.Number(f.Need), Unmet: export.Number(f.Unmet), Gap: export.Number(f.Gap), Desert: export.Number(f.Desert),
		NoData: f.NoData}
	if f.Recorded {
		out.Overstated = f.Overstated
	}
	if f.Area >= 0 {
		out.Tract = &cellTract{ID: lr.set.Areas()[f.Area].ID, Name: lr.set.AreaTitle(f.Area)}
	}
	w.Header().Set("Cache-Control", cacheControl(r))
	writeJSON(w, http.StatusOK, out)
}
