// "What this shows": the demand and its sources, the measure, the run's notes, the downloads of
// the series shown and the links to the region report.
import { el } from '/static/dom.js';
import { series, seriesQuery } from '/static/state.js';

export function describe(state, labels, W) {
  const r = state.run;
  const s = series(state);
  const noun = W.programsNoun(s.programs);
  const programs = `${W.count(s.programs)} ${W.setting(state.setting).toLowerCase()} ${state.content === 'all' ? noun : `${W.content(state.content).toLowerCase()} ${noun}`}`;
  document.getElementById('demand').textContent =
    `Demand: ${W.measure('demand').label.toLowerCase()} (${r.demand}), from ${r.demand_sources.join('; ') || 'no source recorded'}.`;
  document.getElementById('measure').textContent =
    `Access to ${programs}, ${W.measure('access').unit}, measured as the ${labels.measure_name}; hexagons are H3 resolution ${r.h3_resolution}. ` +
    (s.too_few ? 'Too few programs to judge deserts.' : `${W.value('desert_share', s.desert_share)} of youth with a count live in desert hexagons.`);
  const inputs = r.inputs.map((i) => `${i.kind}: ${i.source}${i.vintage ? ` (${i.vintage})` : ''}`);
  document.getElementById('notes').replaceChildren(...[...inputs, ...r.notes].map((n) => el('li', {}, n)));
  const q = seriesQuery(state);
  document.getElementById('downloads').replaceChildren('Download: ',
    el('a', { href: `/api/export/cells.csv?${q}` }, 'hexagons (CSV)'), ' · ',
    el('a', { href: `/api/export/tracts.csv?${q}` }, 'tracts (CSV)'), ' · ',
    el('a', { href: `/api/export/tracts.geojson?${q}` }, 'tracts (GeoJSON)'), '. ',
    el('a', { href: `/report?${q}`, id: 'report-link' }, 'Region report, with equity'), ' · ',
    el('a', { href: '/method' }, 'Method'));
  document.getElementById('run').textContent = `Run ${r.run} · ${r.software} · ${r.created_at}`;
}
