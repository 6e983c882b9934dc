// Command stemgap finds STEM-learning deserts: it ingests areas, demographics and programs,
// scores access on H3 cells, and serves the gaps as vector tiles and a web map.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand: its flags are defined by setup, and run receives the positional
// arguments.
type command struct {
	name    string
	summary string
	usage   string // argument synopsis after the command name
	setup   func(fs *flag.FlagSet, env *environment) func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		demoCommand(), ingestCommand(), analyzeCommand(), serveCommand(), exportCommand(), reportCommand(), configCommand(), migrateCommand(),
		recommendCommand(), compareCommand(), scenarioCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		topUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("stemgap "+c.name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		env := &environment{stdout: stdout, stderr: stderr}
		env.register(fs)
		runFn := c.setup(fs, env)
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: stemgap %s %s\n\n%s\n\nflags:\n", c.name, c.usage, c.summary)
			fs.PrintDefaults()
		}
		positional, err := parseInterspersed(fs, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			return 2
		}
		if err := runFn(ctx, positional); err != nil {
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(stderr, "stemgap %s: %v\n", c.name, err)
				fs.Usage()
				return 2
			}
			fmt.Fprintf(stderr, "stemgap %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "stemgap: unknown command %q\n\n", args[0])
	topUsage(stderr)
	return 2
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: stemgap COMMAND [flags] [args]\n\nstemgap finds where young people lack access to STEM learning.\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun stemgap COMMAND --help for a command's flags. Every command takes --data-dir (the embedded\nstore, ./stemgap-data by default) or --db / $DATABASE_URL (PostGIS).")
}

// usageError marks a mistake in how a command was called, answered with its usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parseInterspersed parses flags wherever they appear among the arguments, so that
// "ingest tracts FILE --id-field X" reads the flag after the file.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// pairs splits repeated NAME=VALUE flags into a map.
func pairs(flagName string, values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" || val == "" {
			return nil, usagef("--%s %q: want NAME=VALUE", flagName, v)
		}
		if _, dup := out[k]; dup {
			return nil, usagef("--%s %s is given twice", flagName, k)
		}
		out[k] = val
	}
	return out, nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
