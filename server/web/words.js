// The map's words and numbers, from the server's label table (/api/labels) and format.js, so
// that the map, the reports and the exports name and write every figure alike.
import { format } from '/static/format.js';

export function words(labels) {
  const name = (table, key) => labels[table]?.[key] || key.replaceAll('_', ' ');
  const measure = (key) => labels.measures[key] || { key, label: key, short: key, format: { style: 'number' } };
  return {
    content: (key) => name('content_areas', key),
    setting: (key) => name('settings', key),
    measure,
    // value writes a figure of a measure by its format ("0.42", "2.77 km", "31st percentile").
    value: (key, v) => format(measure(key).format, v),
    // withUnit writes it with the unit its format does not already carry ("0.12 seats per 1,000 youth").
    withUnit: (key, v) => {
      const m = measure(key);
      const s = format(m.format, v);
      return m.unit && !m.format.suffix && Number.isFinite(v) ? `${s} ${m.unit}` : s;
    },
    count: (v) => format({ style: 'count' }, v),
    // programsNoun is the noun after a count of programs: "1 program", "31 programs".
    programsNoun: (n) => (n === 1 ? 'program' : 'programs'),
    // seriesWords names the programs of the series shown, as a sentence of the panels reads them.
    seriesWords: (state) => `${name('settings', state.setting).toLowerCase()} ${state.content === 'all' ? 'programs' : `${name('content_areas', state.content).toLowerCase()} programs`}`,
  };
}
