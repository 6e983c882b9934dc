package main

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/uber/h3-go/v4"
	"stemgap/analysis"
	"stemgap/data"
)

// partialMagic opens every partial-run file, so that a merge names a file that is not one.
const partialMagic = "stemgap partial run 1\n"

// partitionFlags divide one analysis among processes or machines: each measures some
// resolution-3 partitions (--partitions) into a file, and one merges the files into the run.
type partitionFlags struct {
	list       *bool
	partitions *string
	out        *string
	merge      *bool
}

func registerPartitionFlags(fs *flag.FlagSet) partitionFlags {
	return partitionFlags{
		list:       fs.Bool("list-partitions", false, "list the region's H3 resolution-3 partitions and their cells, to divide a run among processes"),
		partitions: fs.String("partitions", "", "measure only these partitions (comma-separated H3 resolution-3 cells) into the file -o names; --merge completes the run"),
		out:        fs.String("o", "", "with --partitions: the partial-run file to write"),
		merge:      fs.Bool("merge", false, "complete the run from the partial-run files given as arguments, which must hold every partition once"),
	}
}

func (f partitionFlags) active() bool { return *f.list || *f.partitions != "" || *f.merge }

func (f partitionFlags) check(args []string) error {
	modes := 0
	for _, on := range []bool{*f.list, *f.partitions != "", *f.merge} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return usagef("--list-partitions, --partitions and --merge go one at a time")
	case *f.partitions != "" && *f.out == "":
		return usagef("--partitions needs -o FILE for the partial run")
	case *f.out != "" && *f.partitions == "":
		return usagef("-o goes with --partitions")
	case *f.merge && len(args) == 0:
		return usagef("--merge needs the partial-run files as arguments")
	case !*f.merge && len(args) != 0:
		return usagef("analyze takes no arguments (but --merge takes files)")
	}
	return nil
}

// analyzePartitions lists, measures or merges partitions of the store's region.
func analyzePartitions(ctx context.Context, env *environment, store data.Store, f analysisFlags, pf partitionFlags, files []string) error {
	j, err := newAnalysisJob(ctx, env, store, f)
	if err != nil {
		return err
	}
	in, p, opt, log := j.in, j.p, j.opt, j.log
	// The partitions are the h3_r3 keys, whatever the region's size.
	opt.PartitionResolution = analysis.DefaultPartitionResolution
	switch {
	case *pf.list:
		parts, err := analysis.Partitions(ctx, in, p, opt)
		if err != nil {
			return err
		}
		total := 0
		for _, part := range parts {
			fmt.Fprintf(env.stdout, "%s\t%d\n", part.Parent, part.Cells)
			total += part.Cells
		}
		log.Info("partitions", "count", len(parts), "cells", total)
		return nil
	case *pf.partitions != "":
		var parents []h3.Cell
		for _, s := range strings.Split(*pf.partitions, ",") {
			c := h3.Cell(h3.IndexFromString(strings.TrimSpace(s)))
			if !c.IsValid() {
				return usagef("--partitions: %q is not an H3 cell", s)
			}
			parents = append(parents, c)
		}
		partial, err := analysis.MeasurePartitions(ctx, in, p, opt, parents)
		if err != nil {
			return err
		}
		err = data.WriteFileAtomic(*pf.out, func(w *bufio.Writer) error {
			if _, err := io.WriteString(w, partialMagic); err != nil {
				return err
			}
			return gob.NewEncoder(w).Encode(partial)
		})
		if err != nil {
			return err
		}
		cells := 0
		for _, part := range partial.Parts {
			cells += part.Cells
		}
		fmt.Fprintf(env.stdout, "measured %d partitions (%d cells) into %s; stemgap analyze --merge completes the run\n", len(partial.Parts), cells, *pf.out)
		return nil
	}
	var partials []*analysis.Partial
	for _, name := range files {
		partial, err := readPartial(name)
		if err != nil {
			return err
		}
		partials = append(partials, partial)
	}
	return j.save(ctx, env, store, func(w data.CellWriter) (*data.Run, error) {
		return analysis.MergeTo(ctx, in, p, opt, partials, w)
	})
}
func readPartial(name string) (*analysis.Partial, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r := bufio.NewReader(file)
	head := make([]byte, len(partialMagic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != partialMagic {
		return nil, fmt.Errorf("%s: not a partial run written by stemgap analyze --partitions", name)
	}
	var partial analysis.Partial
	if err := gob.NewDecoder(r).Decode(&partial); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("the file ends early")
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &partial, nil
}
