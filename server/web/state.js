// What the map shows, and the URL hash that keeps it: the view, the series, the colouring, the
// layers and the run, so that a link reopens the same map.

// The figures a map can be coloured by, as /api/breaks names them.
export const COLOURINGS = ['gap', 'access', 'nearest', 'count', 'unmet'];
// The layers a reader can switch; context is the basemap or the county outlines and names.
export const LAYERS = ['cells', 'tracts', 'programs', 'context'];

// series is the run's summary of the series shown (a setting and a content area); undefined
// when the run has no such series.
export function series(state) {
  return state.run.content_area_summary.find((c) => c.setting === state.setting && c.name === state.content);
}

// seriesQuery is the query naming the run and series shown, with extra parameters after them.
export function seriesQuery(state, extra = {}) {
  return new URLSearchParams({ run: state.run.run, setting: state.setting, content: state.content, ...extra });
}

// readHash reads the hash as it stands; every field is optional and checked later against the run.
export function readHash(hash = location.hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const out = {};
  const view = (q.get('map') || '').split('/').map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) out.view = { zoom: view[0], lat: view[1], lng: view[2] };
  for (const k of ['run', 'setting', 'content']) if (q.get(k)) out[k] = q.get(k);
  if (COLOURINGS.includes(q.get('colour'))) out.colour = q.get('colour');
  if (q.has('layers')) {
    const on = new Set(q.get('layers').split(','));
    out.layers = Object.fromEntries(LAYERS.map((l) => [l, on.has(l)]));
  }
  return out;
}

// hashOf writes the state and the map's view as a hash; five decimals place a point to a metre.
export function hashOf(state, map) {
  const c = map.getCenter();
  const q = new URLSearchParams({
    map: `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`,
    setting: state.setting,
    content: state.content,
    colour: state.colour,
    layers: LAYERS.filter((l) => state.layers[l]).join(','),
    run: state.run.run,
  });
  // URLSearchParams escapes the slashes and commas it need not; a hash reads better without.
  return '#' + q.toString().replaceAll('%2F', '/').replaceAll('%2C', ',');
}

// keepHash rewrites the address (without a history entry per pan) whenever the view or a choice
// changes; it returns the function to call after a choice.
export function keepHash(state, map) {
  const write = () => history.replaceState(null, '', hashOf(state, map));
  map.on('moveend', write);
  return write;
}
