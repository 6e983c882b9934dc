package server

import (
	"fmt"
	"net/http"
	"strconv"

	"stemgap/data/export"
	"stemgap/tiles"
)

// breaksAnswer is /api/breaks: a legend's class breaks.
type breaksAnswer struct {
	Run          string    `json:"run"`
	Setting      string    `json:"setting"`
	Content      string    `json:"content"`
	Property     string    `json:"property"`
	Res          int       `json:"res"`
	Method       string    `json:"method"`
	WeightedBy   string    `json:"weighted_by"`
	Classes      int       `json:"classes"`
	ClassesAsked int       `json:"classes_asked"`
	Breaks       []float64 `json:"breaks"`
	ClassMax     []float64 `json:"class_max"`
	Min          any       `json:"min"`
	Max          any       `json:"max"`
	Capped       bool      `json:"capped"`
	Cap          any       `json:"cap"`
	Cells        int       `json:"cells"`
	HasNoData    bool      `json:"has_no_data"`
	TooFew       bool      `json:"too_few"`
	Note         string    `json:"note"`
}

func (s *Server) breaks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	classes := tiles.DefaultClasses
	if v := q.Get("classes"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(w, r, fmt.Errorf("%w: classes %q is not a whole number", errBadRequest, v))
			return
		}
		classes = n
	}
	res := 0 // the run's own
	if v := q.Get("res"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			s.fail(w, r, fmt.Errorf("%w: res %q is not an H3 resolution", errBadRequest, v))
			return
		}
		res = n
	}
	content := contentParam(r)
	var b tiles.Breaks
	lr, err := s.runs.read(r.Context(), q.Get("run"), func(lr *loadedRun) (err error) {
		b, err = lr.set.Breaks(r.Context(), settingParam(r), content, q.Get("property"), classes, res)
		return err
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	info := lr.set.Info()
	w.Header().Set("Cache-Control", cacheControl(r))
	writeJSON(w, http.StatusOK, breaksAnswer{Run: info.ID, Setting: info.SettingOrDefault(settingParam(r)), Content: content,
		Property: b.Property, Res: b.Res, Method: "quantiles", WeightedBy: "cells with a demand figure", Classes: b.Classes, ClassesAsked: b.Asked,
		Breaks: b.Breaks, ClassMax: b.Highest, Min: export.Number(b.Min), Max: export.Number(b.Max), Capped: b.Capped, Cap: export.Number(b.Cap), Cells: b.Cells,
		HasNoData: b.HasNoData, TooFew: b.TooFew, Note: b.Note})
}
