// Package region reads region manifests: small JSON files that describe a region's inputs — its
// areas, demographics and programs files, how their columns and values map onto stemgap's, and
// their vintages — and the analysis parameters it needs. The St. Louis and Chicago demos are
// manifests built into the binary; stemgap demo --manifest FILE reads a user's own.
package region

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"stemgap/data"
)

//go:embed manifests/*.json
var builtin embed.FS

// Default is the region the demo shows unless told otherwise.
const Default = "stlouis"

// Manifest describes a region. Relative file paths are read from a base folder chosen by the
// caller: the shared data folder for built-in regions, the manifest's own folder for a user's.
type Manifest struct {
	Name         string  `json:"name"` // lower-case letters, digits, - and _
	Title        string  `json:"title"`
	About        string  `json:"about,omitempty"`
	Areas        Input   `json:"areas"`
	Demographics []Input `json:"demographics"`
	Programs     []Input `json:"programs"`
	// Params overrides analysis parameters, in the config-file form (stemgap config print);
	// --config and the analysis flags override it in turn.
	Params json.RawMessage `json:"params,omitempty"`
}

// Input is one file and how to read it; the fields are the ingest command's flags.
type Input struct {
	File  string `json:"file"`
	About string `json:"about,omitempty"` // why the file is read this way, for the people who read the manifest
	// IDField is the property (areas) or column (demographics) holding the area id.
	IDField string `json:"id_field,omitempty"`
	// Columns maps canonical variables (demographics) or program fields (programs) onto source
	// columns; a demographics source may be a sum, sum(A,B,…).
	Columns  map[string]string `json:"columns,omitempty"`
	MOE      map[string]string `json:"moe,omitempty"`      // demographics: margin-of-error columns
	Vintage  string            `json:"vintage,omitempty"`  // the file's vintage
	Vintages map[string]string `json:"vintages,omitempty"` // demographics: per variable
	Merge    bool              `json:"merge,omitempty"`    // demographics: add to earlier files' figures
	Source   string            `json:"source,omitempty"`   // programs: dataset name
	// SettingValues maps the setting column's values onto settings; Setting is the setting of
	// programs the file gives none (programs only).
	SettingValues map[string]string `json:"setting_values,omitempty"`
	Setting       string            `json:"setting,omitempty"`
	// Counties (areas only) names counties by their five-digit state and county FIPS code, for
	// tract files that give no county name: the tracts whose GEOID begins with a code take its name.
	Counties map[string]string `json:"counties,omitempty"`
}

// File is one input resolved against a base folder, ready for data.LoadFile.
type File struct {
	Kind    string
	Path    string
	Options data.LoadOptions
}

var (
	namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	countyCode  = regexp.MustCompile(`^[0-9]{5}$`)
)

// Names lists the built-in regions.
func Names() []string {
	entries, _ := builtin.ReadDir("manifests")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	return out
}

// Builtin returns a built-in region's manifest.
func Builtin(name string) (Manifest, error) {
	raw, err := builtin.ReadFile("manifests/" + name + ".json")
	if errors.Is(err, fs.ErrNotExist) || !namePattern.MatchString(name) {
		return Manifest{}, fmt.Errorf("unknown region %q (built in: %s; describe your own with --manifest FILE)", name, strings.Join(Names(), ", "))
	}
	if err != nil {
		return Manifest{}, err
	}
	return Parse(raw, name+".json")
}

// ReadFile reads a manifest file.
func ReadFile(path string) (Manifest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest: %w", err)
	}
	return Parse(raw, path)
}

// Parse reads and checks a manifest; errors name the file and the field. Unknown fields are
// errors, so a misspelt one is never silently ignored.
func Parse(raw []byte, file string) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return m, &data.InputError{File: file, Ref: fmt.Sprintf("line %d", 1+bytes.Count(raw[:syn.Offset], []byte("\n"))), Reason: "invalid JSON: " + err.Error()}
		}
		return m, &data.InputError{File: file, Reason: "not a region manifest: " + err.Error()}
	}
	return m, m.check(file)
}

func (m Manifest) check(file string) error {
	var errs []error
	bad := func(where, format string, args ...any) {
		errs = append(errs, &data.InputError{File: file, Ref: where, Reason: fmt.Sprintf(format, args...)})
	}
	if !namePattern.MatchString(m.Name) {
		bad("name", "%q: a region's name is lower-case letters, digits, - and _", m.Name)
	}
	if len(m.Demographics) == 0 {
		bad("demographics", "a region needs at least one demographics file")
	}
	if len(m.Programs) == 0 {
		bad("programs", "a region needs at least one programs file")
	}
	m.Areas.check("areas", data.KindAreas, bad)
	for i, in := range m.Demographics {
		in.check(fmt.Sprintf("demographics[%d]", i), data.KindDemographics, bad)
	}
	sources := map[string]string{}
	for i, in := range m.Programs {
		where := fmt.Sprintf("programs[%d]", i)
		in.check(where, data.KindPrograms, bad)
		if prev, dup := sources[in.source()]; dup {
			bad(where, "source %q is also %s's: loading one would replace the other's programs (give each a source)", in.source(), prev)
		}
		sources[in.source()] = where
	}
	return errors.Join(errs...)
}

// check rejects fields that do not apply to the input's kind, so none is silently ignored.
func (in Input) check(where, kind string, bad func(where, format string, args ...any)) {
	if strings.TrimSpace(in.File) == "" {
		bad(where, "no file")
	}
	var misplaced []string
	field := func(name string, set bool, kinds ...string) {
		if set && !slices.Contains(kinds, kind) {
			misplaced = append(misplaced, name)
		}
	}
	field("columns", len(in.Columns) > 0, data.KindDemographics, data.KindPrograms)
	field("moe", len(in.MOE) > 0, data.KindDemographics)
	field("vintages", len(in.Vintages) > 0, data.KindDemographics)
	field("merge", in.Merge, data.KindDemographics)
	field("id_field", in.IDField != "", data.KindAreas, data.KindDemographics)
	field("source", in.Source != "", data.KindPrograms)
	field("setting", in.Setting != "", data.KindPrograms)
	field("setting_values", len(in.SettingValues) > 0, data.KindPrograms)
	field("counties", len(in.Counties) > 0, data.KindAreas)
	for code, name := range in.Counties {
		if !countyCode.MatchString(code) || strings.TrimSpace(name) == "" {
			bad(where, "counties: %q = %q: a county is named by its five-digit state and county FIPS code, e.g. \"17031\": \"Cook County, IL\"", code, name)
		}
	}
	if len(misplaced) > 0 {
		bad(where, "%s do not apply to %s", strings.Join(misplaced, ", "), kind)
	}
}

func (in Input) source() string {
	if in.Source != "" {
		return in.Source
	}
	return filepath.Base(in.File)
}

// Files lists the manifest's inputs in loading order — areas, demographics, programs — with
// relative paths resolved against base.
func (m Manifest) Files(base string) []File {
	resolve := func(kind string, in Input) File {
		path := in.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(base, filepath.FromSlash(path))
		}
		return File{Kind: kind, Path: path, Options: data.LoadOptions{IDField: in.IDField, Columns: in.Columns, MOE: in.MOE,
			Vintage: in.Vintage, Vintages: in.Vintages, Merge: in.Merge, Source: in.Source,
			SettingValues: in.SettingValues, Setting: in.Setting, Counties: in.Counties}}
	}
	files := []File{resolve(data.KindAreas, m.Areas)}
	for _, in := range m.Demographics {
		files = append(files, resolve(data.KindDemographics, in))
	}
	for _, in := range m.Programs {
		files = append(files, resolve(data.KindPrograms, in))
	}
	return files
}

// Loaded is a region's inputs read and validated in memory and combined as a store combines
// them: for tests, benchmarks and tools that need no store.
type Loaded struct {
	Areas        []data.Area
	Demographics []data.DemographicValue
	Programs     []data.Program
	Records      []data.IngestRecord
}

// Ingests reads and validates every input of the manifest from base, in loading order.
func (m Manifest) Ingests(base string, now time.Time) ([]data.Ingest, error) {
	var out []data.Ingest
	for _, f := range m.Files(base) {
		in, err := data.LoadFile(f.Kind, f.Path, f.Options, now)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// Load reads every input of the manifest from base and combines them.
func (m Manifest) Load(base string, now time.Time) (Loaded, error) {
	var l Loaded
	ins, err := m.Ingests(base, now)
	if err != nil {
		return l, err
	}
	owner := map[string]string{}
	for _, in := range ins {
		switch in.Record.Kind {
		case data.KindAreas:
			l.Areas = in.Areas
		case data.KindDemographics:
			l.Demographics, l.Records = data.ApplyDemographics(l.Demographics, l.Records, in)
		case data.KindPrograms:
			for _, p := range in.Programs {
				if src, dup := owner[p.ID]; dup {
					return l, &data.InputError{File: in.Record.Source, Ref: p.Ref, Reason: fmt.Sprintf("program id %s is already loaded from source %s", p.ID, src)}
				}
				owner[p.ID] = p.Source
			}
			l.Programs = append(l.Programs, in.Programs...)
		}
		l.Records = append(l.Records, in.Record)
	}
	return l, nil
}

// LoadBuiltin reads a built-in region's inputs from the shared data folder.
func LoadBuiltin(name, shared string, now time.Time) (Loaded, error) {
	m, err := Builtin(name)
	if err != nil {
		return Loaded{}, err
	}
	return m.Load(shared, now)
}
