package main

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeFlagsTokenAndCORS(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	parse := func(args ...string) (*serveFlags, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		sf := registerServeFlags(fs)
		return sf, fs.Parse(args)
	}
	const token = "synthetic-token-0123456789abcdef"
	for _, c := range []struct {
		env   string
		args  []string
		token string
		cors  string
		fails string
	}{
		{args: nil},
		{env: token, token: token},
		{env: "short-token", fails: "at least 16"},
		{env: "ignored-because-the-file-wins", args: []string{"--token-file", file("token", token+"\n")}, token: token},
		{args: []string{"--token-file", file("empty", " \n")}, fails: "is empty"},
		{args: []string{"--token-file", filepath.Join(dir, "missing")}, fails: "--token-file"},
		{args: []string{"--cors-origin", "https://Planner.example.org/", "--cors-origin", "*"}, cors: "https://planner.example.org *"},
		{args: []string{"--cors-origin", "https://x.org; script-src *"}, fails: "--cors-origin"},
		{args: []string{"--cors-origin", "https://*.example.org"}, fails: "exact origins"},
	} {
		t.Setenv("STEMGAP_TOKEN", c.env)
		sf, err := parse(c.args...)
		if err != nil {
			t.Fatal(err)
		}
		opt, err := sf.options(log)
		if c.fails != "" {
			if err == nil || !strings.Contains(err.Error(), c.fails) {
				t.Errorf("%q with STEMGAP_TOKEN=%q: error %v, want one saying %q", c.args, c.env, err, c.fails)
			}
			continue
		}
		if err != nil || opt.Token != c.token || strings.Join(opt.CORSOrigins, " ") != c.cors {
			t.Errorf("%q with STEMGAP_TOKEN=%q: token %q, CORS %q, %v", c.args, c.env, opt.Token, opt.CORSOrigins, err)
		}
	}
}
