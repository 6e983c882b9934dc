package data

import (
	"fmt"
	"sort"
	"strings"
)

// applySettings reads a programs file's settings beyond its setting column: opts.SettingValues
// maps the column's values onto settings (a learning site's type, k12_public_school, onto
// in_school) and opts.Setting is the setting of every program the file gives none (a catalogue
// of summer programs). Each row's setting field then answers with the result. A value the
// mapping does not list is an error, so no program's setting is guessed.
func applySettings(rows []programRow, file string, opts ProgramOptions) error {
	if len(opts.SettingValues) == 0 && opts.Setting == "" {
		return nil
	}
	values := map[string]string{}
	for k, v := range opts.SettingValues {
		if NormalizeLabel(k) == "" || NormalizeLabel(v) == "" {
			return &InputError{File: file, Reason: fmt.Sprintf("setting value mapping %q=%q: both sides must name something", k, v)}
		}
		values[NormalizeLabel(k)] = v
	}
	errs := &errorList{file: file}
	for i := range rows {
		setting, _ := rows[i].get("setting")
		if len(values) > 0 && setting != "" {
			mapped, ok := values[NormalizeLabel(setting)]
			if !ok {
				errs.add(rows[i].ref, "setting %q is not among the mapped values (%s)", setting, mappedValues(values))
				continue
			}
			setting = mapped
		}
		if setting == "" {
			setting = opts.Setting
		}
		get := rows[i].get
		rows[i].get = func(field string) (string, bool) {
			if field == "setting" {
				return setting, true
			}
			return get(field)
		}
	}
	return errs.err()
}

func mappedValues(values map[string]string) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
