package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/uber/h3-go/v4"
	"stemgap/data"
)

// Partial is the measurement of some of a run's partitions: what `stemgap analyze --partitions`
// computes and `analyze --merge` completes into a run. Separate processes or machines each
// measure a share of the partitions from the same inputs and parameters; the merge, which needs
// the whole region's means for targets and deserts, scores and rolls up. Measuring is nearly all
// of an analysis's work.
type Partial struct {
	// Key digests the parameters, the inputs' digests and the software, like a run id: partials
	// merge only with the inputs and parameters they were measured from.
	Key                 string
	PartitionResolution int
	Parts               []PartialPartition
}

// PartialPartition is one partition's figures for its cells, per program set in the run's order
// (series with the same programs share a set).
type PartialPartition struct {
	Parent  h3.Cell
	Cells   int
	Nearest [][]float64
	Count   [][]int32
	Raw     [][]float64 // access before scoring
	// Overstated flags the cells whose access is overstated by demand left unknown.
	Overstated [][]bool
	// ReachUnknown lists the programs (in id order) reaching a cell of it without a demand figure.
	ReachUnknown []int32
}

// PartitionInfo describes one partition of a region.
type PartitionInfo struct {
	Parent h3.Cell
	Cells  int
}

// Partitions lists the region's partitions, in H3 order, for dividing a run among processes.
func Partitions(ctx context.Context, in Inputs, params Params, opt Options) ([]PartitionInfo, error) {
	a, err := preparePartitioned(ctx, in, params, opt)
	if err != nil {
		return nil, err
	}
	out := make([]PartitionInfo, len(a.m.parts))
	for k, part := range a.m.parts {
		out[k] = PartitionInfo{Parent: part.parent, Cells: part.hi - part.lo}
	}
	return out, nil
}

// preparePartitioned prepares a run to be divided, or says why it cannot be: RAAM and cost
// matrices measure the whole region at once.
func preparePartitioned(ctx context.Context, in Inputs, params Params, opt Options) (*prepared, error) {
	a, err := prepare(ctx, in, params, opt)
	if err != nil {
		return nil, err
	}
	if len(a.m.parts) == 1 && a.m.parts[0].parent == 0 {
		return nil, fmt.Errorf("this run (measure %s, cost matrix %v) measures the whole region at once: RAAM and cost matrices cannot be divided into partitions", a.p.Measure.Kind, a.m.matrix != nil)
	}
	return a, nil
}

// MeasurePartitions measures the partitions with the given parents (at the options' partition
// resolution).
func MeasurePartitions(ctx context.Context, in Inputs, params Params, opt Options, parents []h3.Cell) (*Partial, error) {
	a, err := preparePartitioned(ctx, in, params, opt)
	if err != nil {
		return nil, err
	}
	byParent := a.partitionIndex()
	var which []int
	for _, c := range parents {
		k, ok := byParent[c]
		if !ok {
			return nil, fmt.Errorf("partition %s holds no cell of the region (stemgap analyze --list-partitions lists them)", c)
		}
		if !slices.Contains(which, k) {
			which = append(which, k)
		}
	}
	out := &Partial{Key: a.key, PartitionResolution: a.m.parts[0].parent.Resolution()}
	opt.progress("measuring access by partition", 0, len(which))
	err = a.m.measure(ctx, which, func(k int, r *measured) {
		part := a.m.parts[k]
		out.Parts = append(out.Parts, PartialPartition{Parent: part.parent, Cells: part.hi - part.lo,
			Nearest: r.nearest, Count: r.count, Raw: r.raw, Overstated: r.overstated, ReachUnknown: r.reachUnknown})
		opt.progress("measuring access by partition", len(out.Parts), len(which))
	})
	if err != nil {
		return nil, err
	}
	// In H3 order, whatever order they finished in: the same partitions give the same bytes.
	slices.SortFunc(out.Parts, func(x, y PartialPartition) int { return cmp.Compare(x.Parent, y.Parent) })
	return out, nil
}

func (a *prepared) partitionIndex() map[h3.Cell]int {
	byParent := make(map[h3.Cell]int, len(a.m.parts))
	for k, part := range a.m.parts {
		byParent[part.parent] = k
	}
	return byParent
}

// ErrPartialMismatch is returned when partials do not belong to the inputs and parameters given.
var ErrPartialMismatch = errors.New("partial run does not match")

// Merge completes a run from partials that together hold every partition of the region exactly
// once, measured from the same inputs and parameters: the run equals Analyze's.
func Merge(ctx context.Context, in Inputs, params Params, opt Options, partials []*Partial) (*data.Run, error) {
	var c collector
	run, err := MergeTo(ctx, in, params, opt, partials, &c)
	if err != nil {
		return nil, err
	}
	run.Cells = c.t
	return run, nil
}

// MergeTo is Merge writing the run's cells to w as they are scored, as AnalyzeTo does.
func MergeTo(ctx context.Context, in Inputs, params Params, opt Options, partials []*Partial, w data.CellWriter) (*data.Run, error) {
	a, err := preparePartitioned(ctx, in, params, opt)
	if err != nil {
		return nil, err
	}
	ms, err := newMeasurements(len(a.m.parts), len(a.m.sets))
	if err != nil {
		return nil, err
	}
	defer ms.close()
	byParent := a.partitionIndex()
	res := a.m.parts[0].parent.Resolution()
	seen := make([]bool, len(a.m.parts))
	unknown := map[int32]bool{}
	for n, partial := range partials {
		if partial.Key != a.key {
			return nil, fmt.Errorf("partial %d was measured from other inputs, parameters or software (%s, here %s): %w", n+1, partial.Key, a.key, ErrPartialMismatch)
		}
		if partial.PartitionResolution != res {
			return nil, fmt.Errorf("partial %d has partitions at H3 resolution %d, here %d: %w", n+1, partial.PartitionResolution, res, ErrPartialMismatch)
		}
		for _, pp := range partial.Parts {
			k, ok := byParent[pp.Parent]
			switch {
			case !ok:
				return nil, fmt.Errorf("partial %d: partition %s is not in the region: %w", n+1, pp.Parent, ErrPartialMismatch)
			case seen[k]:
				return nil, fmt.Errorf("partial %d: partition %s was already given: %w", n+1, pp.Parent, ErrPartialMismatch)
			case pp.Cells != a.m.parts[k].hi-a.m.parts[k].lo || len(pp.Raw) != len(a.m.sets) || len(pp.Nearest) != len(a.m.sets) || len(pp.Count) != len(a.m.sets) ||
				len(pp.Overstated) != len(a.m.sets):
				return nil, fmt.Errorf("partial %d: partition %s has %d cells and %d program sets, here %d and %d: %w", n+1, pp.Parent, pp.Cells, len(pp.Raw), a.m.parts[k].hi-a.m.parts[k].lo, len(a.m.sets), ErrPartialMismatch)
			}
			for s := range pp.Raw {
				if len(pp.Raw[s]) != pp.Cells || len(pp.Nearest[s]) != pp.Cells || len(pp.Count[s]) != pp.Cells || len(pp.Overstated[s]) != pp.Cells {
					return nil, fmt.Errorf("partial %d: partition %s: a column is not %d cells long: %w", n+1, pp.Parent, pp.Cells, ErrPartialMismatch)
				}
			}
			seen[k] = true
			if err := ms.put(k, &measured{nearest: pp.Nearest, count: pp.Count, raw: pp.Raw, overstated: pp.Overstated}); err != nil {
				return nil, err
			}
			for _, j := range pp.ReachUnknown {
				unknown[j] = true
			}
		}
	}
	var missing []string
	for k, ok := range seen {
		if !ok {
			missing = append(missing, a.m.parts[k].parent.String())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d of %d partitions were not measured: %v: %w", len(missing), len(seen), missing, ErrPartialMismatch)
	}
	return a.finish(ctx, in, len(unknown), ms, w, opt)
}
