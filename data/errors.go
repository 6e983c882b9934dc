package data

import (
	"errors"
	"fmt"
)

// InputError is a problem with one place in an input file. It names the file, the place
// ("line 12", "feature 57") and what is wrong, so the user can go straight to it.
type InputError struct {
	File   string
	Ref    string
	Reason string
}

func (e *InputError) Error() string {
	if e.Ref == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Ref, e.Reason)
}

// maxReported bounds how many input errors one read reports: enough to show a pattern, few
// enough to read.
const maxReported = 10

// errorList gathers the problems of one file so that a user sees several at once.
type errorList struct {
	file    string
	errs    []error
	dropped int
}

func (l *errorList) add(ref, format string, args ...any) {
	if len(l.errs) >= maxReported {
		l.dropped++
		return
	}
	l.errs = append(l.errs, &InputError{File: l.file, Ref: ref, Reason: fmt.Sprintf(format, args...)})
}

func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	if l.dropped > 0 {
		l.errs = append(l.errs, fmt.Errorf("%s: and %d more problems", l.file, l.dropped))
	}
	return errors.Join(l.errs...)
}

func lineRef(line int) string { return fmt.Sprintf("line %d", line) }
func featureRef(i int) string { return fmt.Sprintf("feature %d", i+1) }
