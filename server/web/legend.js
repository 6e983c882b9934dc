// The legend: class breaks of the data from /api/breaks (the method named, a label at every
// stop, a note when the top is capped, "no data" only where there is none), what a hexagon is
// at this zoom, and the patterns that mark deserts, no data and overstated access.
import { el, getJSON } from '/static/dom.js';
import { classColour, paintSeries, ramp } from '/static/layers.js';
import { series, seriesQuery } from '/static/state.js';

const CLASSES = 5;
// H3's average hexagon area by resolution, km² (h3geo.org, "Tables of cell statistics").
const H3_AREA_KM2 = { 4: 1770.35, 5: 252.9, 6: 36.13, 7: 5.161, 8: 0.7373, 9: 0.1053, 10: 0.01504, 11: 0.002149 };


function hexagonWords(res) {
  const km2 = H3_AREA_KM2[res];
  if (!km2) return `H3 resolution ${res}`;
  // A regular hexagon of area A is 2·√(2A/(3√3)) across its corners.
  const across = 2 * Math.sqrt((2 * km2) / (3 * Math.sqrt(3)));
  const size = km2 >= 1 ? `${km2 >= 100 ? Math.round(km2) : km2.toPrecision(2)} km²` : `${Math.round(km2 * 100) / 100} km²`;
  const width = across >= 1 ? `${across.toPrecision(2)} km` : `${Math.round(across * 1000 / 10) * 10} m`;
  return `H3 resolution ${res}, about ${size}, ${width} across`;
}

export function legend(map, state, W, context) {
  const body = document.getElementById('legend-body');
  const warning = document.getElementById('warning');
  const zoomNote = el('p', { class: 'small', id: 'legend-zoom' });

  // drawnRes is the H3 resolution the cells tiles draw at this zoom (tiles of the zoom's floor,
  // overzoomed past maxzoom); null below cells_minzoom, where tracts stand in for hexagons.
  const drawnRes = () => {
    const z = map.getZoom();
    return z < (state.tj.cells_minzoom ?? 0) ? null : state.tj.resolutions?.[Math.min(Math.floor(z), state.tj.maxzoom)] ?? null;
  };

  // sayZoom says what the figures are drawn as at this zoom: tracts, or hexagons of a resolution.
  function sayZoom() {
    const res = drawnRes();
    if (!res) {
      zoomNote.textContent = `At this scale each census tract is coloured by its figures (youth-weighted over its hexagons); zoom in past level ${state.tj.cells_minzoom} to see hexagons.`;
      return;
    }
    const own = state.run.h3_resolution;
    zoomNote.textContent = res < own
      ? `Each hexagon here is ${hexagonWords(res)}. It aggregates the resolution-${own} hexagons within it (${hexagonWords(own)}): youth and unmet seats summed, other figures weighted by youth.`
      : `Each hexagon here is ${hexagonWords(res)}: the finest the analysis measured.`;
  }

  // Each level drawn so far keeps its own classes, so that tiles of the zoom left behind, still
  // on screen while new ones load, keep their colours.
  let painted = { series: '', levels: {} };
  let asked = 0; // the latest update's number: an earlier answer arriving late is dropped
  async function update() {
    const mine = ++asked;
    const s = series(state);
    const m = W.measure(state.colour);
    const res = drawnRes();
    const q = seriesQuery(state, { property: state.colour, classes: CLASSES });
    if (res) q.set('res', res); // tracts: the run's own cells
    const b = await getJSON(`/api/breaks?${q}`);
    if (mine !== asked) return;
    const edges = b.breaks; // every class's edges, lowest first
    const n = edges.length - 1;
    // The worse end is dark: a measure where more is worse (the label table's lower_is_better) runs
    // light to dark.
    const colours = m.lower_is_better ? ramp(n) : ramp(n).reverse();
    const fill = classColour(state.colour, edges.slice(1, -1), colours);
    q.delete('res');
    if (painted.series !== `${q}`) painted = { series: `${q}`, levels: {} };
    if (res) painted.levels[res] = fill;
    painted.res = res;
    paintSeries(map, state.colour, fill, painted.levels, !res);

    warning.hidden = !s.too_few;
    if (s.too_few) {
      const need = s.min_programs ?? state.run.params.min_programs;
      warning.textContent = `Too few programs to map gaps in ${W.content(state.content).toLowerCase()} (${s.programs}): ` +
        `${W.setting(state.setting).toLowerCase()} programs need at least ${need} to judge. The map shows their access only — no deserts, gap scores or unmet seats.`;
    }

    const stop = (v) => W.value(state.colour, v);
    // A class is labelled by what it holds, from its least value (its edge) to its greatest
    // (class_max): a class of one value (the many hexagons with no unmet seats) reads "0", and the
    // class above it, whose least value may write the same, "more than 0, up to …".
    const alone = (i) => stop(edges[i]) === stop(b.class_max[i]);
    const rows = colours.map((c, i) => {
      const lo = stop(edges[i]);
      const hi = stop(b.class_max[i]);
      let label = `${lo} to ${hi}`;
      if (i === n - 1 && b.capped) label = `${lo} and more`;
      else if (i > 0 && alone(i - 1) && lo === stop(b.class_max[i - 1])) label = `more than ${lo}, up to ${hi}`;
      else if (lo === hi) label = lo;
      const sw = el('span', { class: 'swatch' });
      sw.style.background = c; // through the CSSOM: the CSP refuses style attributes
      return el('li', {}, sw, label);
    });
    // The answer's note writes raw numbers: the legend says the same in the map's words.
    const notes = [];
    if (b.classes < b.classes_asked) notes.push(`Only ${n === 1 ? 'one class' : `${n} classes`}, not ${b.classes_asked}: many hexagons share the same value.`);
    if (b.capped) notes.push(`The top class reaches the 99th percentile, ${stop(b.cap)}; the few above it, up to ${stop(b.max)}, are drawn in it too.`);
    const key = [];
    if (b.has_no_data) key.push(el('li', {}, el('span', { class: 'swatch swatch-nodata' }), `No data: no figure for ${W.measure('demand').short.toLowerCase()} here`));
    if (!s.too_few) key.push(el('li', {}, el('span', { class: 'swatch swatch-desert' }), 'STEM desert (hexagons: most of their youth live in desert cells)'));
    key.push(el('li', {}, el('span', { class: 'swatch swatch-overstated' }), 'Access overstated: programs near it also reach places with no youth count'));
    key.push(el('li', {}, el('span', { class: 'swatch swatch-tract' }), 'Census tract outline'));
    key.push(el('li', {}, el('span', { class: 'swatch swatch-program' }), `${W.setting(state.setting)} program offering ${state.content === 'all' ? 'any content area' : W.content(state.content).toLowerCase()}`));
    if (context === 'counties') key.push(el('li', {}, el('span', { class: 'swatch swatch-county' }), 'County line and name; tract numbers from zoom 11'));

    body.replaceChildren(...[
      el('p', { id: 'legend-measure' }, el('strong', {}, m.label), m.help ? ` — ${m.help}` : ''),
      el('ul', { class: 'classes', id: 'legend-classes' }, rows),
      el('p', { class: 'small', id: 'legend-method' }, `Classes by ${b.method} of the ${b.weighted_by} at H3 resolution ${b.res}${res ? ', the one drawn here' : ''}: darker is worse. `, notes.join(' ')),
      state.colour === 'count' ? el('p', { class: 'small' }, 'Tracts carry no count of programs nearby: at region scale they are drawn grey; zoom in for hexagons.') : null,
      zoomNote,
      el('ul', { class: 'classes', id: 'legend-key' }, key),
    ].filter(Boolean));
    sayZoom();
  }

  map.on('idle', sayZoom);
  map.on('zoomend', () => { if (drawnRes() !== painted.res) update(); });
  return { update };
}
