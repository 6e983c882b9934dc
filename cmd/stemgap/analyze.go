package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"stemgap/analysis"
	"stemgap/data"
	"stemgap/data/region"
)

func analyzeCommand() command {
	return command{
		name:    "analyze",
		summary: "score access for every H3 cell and store the run",
		usage:   "[--config FILE] [--res N] [--demand VAR] [--measure KIND] [--costs FILE] [--list-partitions | --partitions H3,… -o FILE | --merge FILE…]",
		setup: func(fs *flag.FlagSet, env *environment) func(context.Context, []string) error {
			f := registerAnalysisFlags(fs)
			pf := registerPartitionFlags(fs)
			return func(ctx context.Context, args []string) error {
				if err := pf.check(args); err != nil {
					return err
				}
				store, err := env.openStore(ctx)
				if err != nil {
					return err
				}
				defer store.Close()
				if pf.active() {
					return analyzePartitions(ctx, env, store, f, pf, args)
				}
				return analyzeStore(ctx, env, store, f)
			}
		},
	}
}

// analysisFlags are the parameters a command line may override.
type analysisFlags struct {
	config, demand, measure, costs *string
	res                            *int
	// region holds a region manifest's parameters, read over the defaults and under the rest.
	region region.Manifest
}

func registerAnalysisFlags(fs *flag.FlagSet) analysisFlags {
	return analysisFlags{
		config:  fs.String("config", "", "JSON file of parameters (stemgap config print shows them all); flags below override it"),
		res:     fs.Int("res", 0, "H3 resolution, 6–10 (default 9)"),
		demand:  fs.String("demand", "", "canonical variable counted as demand (default youth_pop)"),
		measure: fs.String("measure", "", "access measure: nearest, cumulative, 2sfca, e2sfca, 3sfca, gravity, raam (default e2sfca)"),
		costs:   fs.String("costs", "", "origin–destination cost CSV (origin,program,minutes) to use instead of great-circle km"),
	}
}

func (f analysisFlags) params() (analysis.Params, error) {
	p := analysis.DefaultParams()
	if len(f.region.Params) > 0 {
		if err := analysis.DecodeParams(bytes.NewReader(f.region.Params), &p); err != nil {
			return p, fmt.Errorf("region %s: params: %w", f.region.Name, err)
		}
	}
	if *f.config != "" {
		var err error
		if p, err = analysis.LoadParams(*f.config, p); err != nil {
			return p, err
		}
	}
	if *f.res != 0 {
		p.Resolution = *f.res
	}
	if *f.demand != "" {
		p.Demand = *f.demand
	}
	if *f.measure != "" {
		p.Measure.Kind = *f.measure
	}
	if *f.costs != "" {
		p.Costs.Matrix = *f.costs
	}
	return p, nil
}

// analysisJob is what every analysis command reads before it computes: the parameters, one
// snapshot of the store and the analysis inputs from it, and progress logging.
type analysisJob struct {
	log   *slog.Logger
	p     analysis.Params
	snap  *data.Inputs
	in    analysis.Inputs
	opt   analysis.Options
	start time.Time
}

func newAnalysisJob(ctx context.Context, env *environment, store data.Store, f analysisFlags) (*analysisJob, error) {
	log, err := env.logger()
	if err != nil {
		return nil, err
	}
	j := &analysisJob{log: log, start: time.Now()}
	if j.p, err = f.params(); err != nil {
		return nil, err
	}
	if j.snap, err = store.Snapshot(ctx); err != nil {
		return nil, err
	}
	if j.in, err = analysisInputs(j.snap, j.p); err != nil {
		return nil, err
	}
	j.opt = analysis.Options{Progress: func(stage string, done, total int) {
		log.Info(stage, "done", done, "of", total, "elapsed", time.Since(j.start).Round(time.Millisecond))
	}}
	return j, nil
}

// analyzeStore runs the analysis on a store's inputs, saves the run there and prints its
// summary.
func analyzeStore(ctx context.Context, env *environment, store data.Store, f analysisFlags) error {
	j, err := newAnalysisJob(ctx, env, store, f)
	if err != nil {
		return err
	}
	return j.save(ctx, env, store, func(w data.CellWriter) (*data.Run, error) {
		return analysis.AnalyzeTo(ctx, j.in, j.p, j.opt, w)
	})
}

// save computes the run into the store, its cells written as they are scored (never all in
// memory), and prints its summary.
func (j *analysisJob) save(ctx context.Context, env *environment, store data.Store, compute func(data.CellWriter) (*data.Run, error)) error {
	var run *data.Run
	cells := &cellCount{}
	err := store.SaveRunStream(ctx, j.snap, func(w data.CellWriter) (*data.Run, error) {
		cells.w = w
		var err error
		run, err = compute(cells)
		return run, err
	})
	if err != nil {
		return err
	}
	j.log.Info("analysed and saved", "run", run.ID, "cells", cells.n, "areas", len(run.Areas), "took", time.Since(j.start).Round(time.Millisecond))
	printSummary(env.stdout, run, cells.n)
	return nil
}

// cellCount counts the cells written through it.
type cellCount struct {
	w data.CellWriter
	n int
}

func (c *cellCount) WriteCells(t *data.CellTable) error {
	c.n += t.Len()
	return c.w.WriteCells(t)
}

// analysisInputs is what an analysis reads: one snapshot of the store, so that the digests the
// run records name the data it used, and the cost matrix when one is named.
func analysisInputs(snap *data.Inputs, p analysis.Params) (analysis.Inputs, error) {
	in := analysis.Inputs{Areas: snap.Areas, Demographics: snap.Demographics, Programs: snap.Programs, Records: snap.Records}
	if p.Costs.Matrix != "" {
		var err error
		if in.Costs, in.CostsRecord, err = data.LoadCostMatrix(p.Costs.Matrix, time.Now()); err != nil {
			return in, err
		}
	}
	return in, nil
}

func printSummary(w io.Writer, run *data.Run, cells int) {
	fmt.Fprintf(w, "run %s: %s, %s, demand %s, %d cells at H3 resolution %d\n", run.ID, run.Measure, run.AccessUnit, run.Demand, cells, run.Resolution)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "settings\tcontent area\tprograms\tregional mean access\tdemand in deserts\tshare\tdesert areas\t")
	for _, c := range run.ContentAreas {
		if c.TooFew {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.4g\ttoo few programs to judge\t\t\t\n", c.Setting, c.Name, c.Programs, c.MeanAccess)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4g\t%.0f\t%.1f%%\t%d\t\n", c.Setting, c.Name, c.Programs, c.MeanAccess, c.DesertYouth, 100*c.DesertShare, c.DesertAreas)
	}
	tw.Flush()
	for _, n := range run.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}
