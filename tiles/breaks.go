package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ErrBadBreaks is returned for a property or a number of classes the legend cannot have.
var ErrBadBreaks = errors.New("bad class breaks")

// BreakProperties are the cell figures the map can be coloured by.
var BreakProperties = []string{"access", "gap", "nearest", "count", "unmet"}

// Classes bounds the number of classes of a legend.
const (
	MinClasses     = 3
	MaxClasses     = 9
	DefaultClasses = 5
)

// capQuantile is where unbounded figures are capped: a few cells far above the rest would
// otherwise stretch the top class's label to a value almost nobody has.
const capQuantile = 0.99

// Breaks are a legend's class breaks for one figure of one series.
type Breaks struct {
	Property string
	Res      int       // the H3 resolution of the cells classed
	Classes  int       // the classes the breaks make, equal breaks collapsed
	Asked    int       // the classes asked for
	Breaks   []float64 // Classes+1 ascending values; empty when no cell has the figure
	// Highest is the greatest value in each class (the top class's is Max, capped or not), so
	// that a legend labels a class by what it holds: a class of zeros reads "0", not "0 to 0.000006".
	Highest  []float64
	Min, Max float64 // NaN when no cell has the figure
	Cap      float64 // the top break when capped, else NaN
	Capped   bool
	Cells    int // cells counted: those with a demand figure and the figure
	// HasNoData: some cell of the run has no demand figure, so the map shows a "no data" swatch.
	HasNoData bool
	TooFew    bool
	Note      string
}

// Breaks computes quantile class breaks of a figure over the cells with a demand figure at H3
// resolution res, aggregated exactly as the cells layer draws them there (res 0: the run's own):
// each class holds about as many cells. A coarse level sums unmet seats over many fine cells, so
// its classes are its own. The set keeps each legend's breaks once computed: a run's cells do
// not change.
func (s *Set) Breaks(ctx context.Context, setting, content, property string, classes, res int) (Breaks, error) {
	k, _, err := s.seriesOf(setting, content)
	if err != nil {
		return Breaks{}, err
	}
	if !slices.Contains(BreakProperties, property) {
		return Breaks{}, fmt.Errorf("%w: property %q is not one of %s", ErrBadBreaks, property, strings.Join(BreakProperties, ", "))
	}
	if classes < MinClasses || classes > MaxClasses {
		return Breaks{}, fmt.Errorf("%w: classes must be %d–%d, not %d", ErrBadBreaks, MinClasses, MaxClasses, classes)
	}
	if res == 0 {
		res = s.info.Resolution
	}
	if !slices.Contains(s.resolutions, res) {
		return Breaks{}, fmt.Errorf("%w: resolution %d is not one the map draws for this run (%d–%d)", ErrBadBreaks, res, minCellResolution, s.info.Resolution)
	}
	key := breaksKey{series: k, property: property, classes: classes, res: res}
	s.breaksMu.Lock()
	b, ok := s.breaks[key]
	s.breaksMu.Unlock()
	if !ok {
		// One computation however many ask at once; it runs to the end even if the asker that
		// started it leaves, since the others wait on it and it is kept.
		v, err, _ := s.breaksAsking.Do(fmt.Sprint(key), func() (any, error) {
			s.breaksMu.Lock()
			b, ok := s.breaks[key] // kept by a computation that ended since the look above
			s.breaksMu.Unlock()
			if ok {
				return b, nil
			}
			b, err := s.computeBreaks(context.WithoutCancel(ctx), key)
			if err != nil {
				return Breaks{}, err
			}
			s.breaksMu.Lock()
			if s.breaks == nil {
				s.breaks = map[breaksKey]Breaks{}
			}
			s.breaks[key] = b
			s.breaksMu.Unlock()
			return b, nil
		})
		if err != nil {
			return Breaks{}, err
		}
		b = v.(Breaks)
	}
	// A copy, so that no caller can change what the next is given.
	b.Breaks, b.Highest = slices.Clone(b.Breaks), slices.Clone(b.Highest)
	return b, nil
}

// breaksKey names one legend of a set: the breaks of a figure of a series at a resolution.
type breaksKey struct {
	series, classes, res int
	property             string
}

// computeBreaks reads every piece of the run at the key's resolution for its breaks: what the
// set keeps, since the legend asks again on every change of series, colour or zoom level.
func (s *Set) computeBreaks(ctx context.Context, key breaksKey) (Breaks, error) {
	k, property, classes, res := key.series, key.property, key.classes, key.res
	var values []float64
	noData := false
	pieces, unit := s.pieces(res)
	for p := range pieces {
		lv, m, err := s.measures(ctx, unit, p, res, k)
		if err != nil {
			return Breaks{}, err
		}
		for i := range lv.cells {
			f := figuresOf(lv, m, i)
			if f.NoData {
				noData = true
				continue
			}
			var v float64
			switch property {
			case "access":
				v = f.Access
			case "gap":
				v = f.Gap
			case "nearest":
				v = f.Nearest
			case "count":
				v = f.Count
			case "unmet":
				v = f.Unmet
			}
			if !math.IsNaN(v) {
				values = append(values, v)
			}
		}
	}
	out := quantileBreaks(values, classes, property != "gap")
	out.Property, out.Res, out.HasNoData = property, res, noData
	series := s.info.ContentAreas[k]
	out.TooFew = series.TooFew
	var notes []string
	if out.Note != "" {
		notes = append(notes, out.Note)
	}
	if series.TooFew {
		notes = append(notes, series.TooFewNote())
	}
	if out.Cells == 0 {
		notes = append(notes, "no cell has this figure")
	}
	switch {
	case out.Cells > 0 && out.Min == out.Max:
		notes = append(notes, fmt.Sprintf("one class: every cell has the same value, %g", out.Min))
	case out.Classes < classes && out.Cells > 0:
		notes = append(notes, fmt.Sprintf("%d classes, not %d: too few distinct values", out.Classes, classes))
	}
	if out.Capped {
		notes = append(notes, fmt.Sprintf("the top class runs from %g up to the highest value, %g; its upper break is the 99th percentile, %g", out.Breaks[out.Classes-1], out.Max, out.Cap))
	}
	out.Note = strings.Join(notes, "; ")
	return out, nil
}

// quantileBreaks sorts the values and breaks them into classes of about equal counts, from the
// bottom up: classes are half-open, [b_i, b_i+1) — a value equal to a break starts the next
// class, and the top class holds the greatest value too — and each takes the ceiling of an equal
// share of the values not yet classed. A value shared by more than a class's share (many cells
// with no program in reach have access 0) fills its class alone, and the classes above divide
// the rest, so that ties never swallow the legend. The first break is the least value, the last
// the greatest; with capTop, the 99th percentile (the smallest value with at least 99% at or below
// it) when the greatest lies above it and it lies above the top class's start.
func quantileBreaks(values []float64, classes int, capTop bool) Breaks {
	out := Breaks{Asked: classes, Min: math.NaN(), Max: math.NaN(), Cap: math.NaN(), Breaks: []float64{}, Highest: []float64{}, Cells: len(values)}
	if len(values) == 0 {
		return out
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	out.Min, out.Max = sorted[0], sorted[n-1]
	breaks := []float64{sorted[0]}
	var ties []string
	for i, left := 0, classes; left > 1; left-- {
		share := (n - i + left - 1) / left
		j := i + share // the next class starts at the first value past this one's share
		if j >= n {
			break
		}
		if sorted[j] == sorted[j-1] { // ties stay in one class
			tie := sorted[j-1]
			lo, _ := slices.BinarySearch(sorted, tie)
			for j < n && sorted[j] == tie {
				j++
			}
			if lo == i && j-lo > share {
				ties = append(ties, fmt.Sprintf("%g alone makes a class: %.0f%% of the cells have it", tie, 100*float64(j-lo)/float64(n)))
			}
		}
		if j >= n {
			break
		}
		breaks = append(breaks, sorted[j])
		out.Highest = append(out.Highest, sorted[j-1])
		i = j
	}
	top := sorted[n-1]
	p99 := sorted[min(max(int(math.Ceil(capQuantile*float64(n)-1e-9)), 1), n)-1]
	if capTop && p99 < top && p99 > breaks[len(breaks)-1] {
		top, out.Capped, out.Cap = p99, true, p99
	}
	// The top break may equal the one below it: the top class then holds the greatest value alone.
	out.Breaks = append(breaks, top)
	out.Highest = append(out.Highest, sorted[n-1])
	out.Classes = len(out.Breaks) - 1
	out.Note = strings.Join(ties, "; ")
	return out
}
