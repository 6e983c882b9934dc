// The table view: the figures of what the map shows in view — the hexagons, or the tracts at
// region scale — for those who cannot read a map, worst first. Loaded when first opened.
import { el } from '/static/dom.js';

const LIMIT = 100;
const COLUMNS = ['demand', 'access', 'nearest', 'gap', 'desert'];

export function table(map, state, W) {
  const button = document.getElementById('table-toggle');
  const view = document.getElementById('table-view');
  const body = document.getElementById('table-body');

  function draw() {
    if (view.hidden) return;
    const cells = map.getZoom() >= (state.tj.cells_minzoom ?? 0);
    const layer = cells ? 'cells-fill' : 'tracts-fill';
    const key = cells ? 'h3' : 'id';
    const seen = new Map();
    for (const f of map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }) : []) seen.set(f.properties[key], f.properties);
    const rows = [...seen.values()];
    const m = W.measure(state.colour);
    const worse = m.lower_is_better ? -1 : 1;
    const v = (p) => (typeof p[state.colour] === 'number' ? p[state.colour] : null);
    rows.sort((a, b) => (v(a) === null) - (v(b) === null) || worse * (v(a) - v(b)));
    const cols = [state.colour, ...COLUMNS.filter((c) => c !== state.colour)];
    const desert = (p) => (cells ? W.value('desert', p.desert) : p.desert === true ? 'yes' : p.desert === false ? 'no' : W.value('desert', undefined));
    body.replaceChildren(el('table', { class: 'data-table', id: 'data-table' },
      el('caption', {}, `${cells ? 'Hexagons' : 'Census tracts'} in view, worst first by ${m.short.toLowerCase()}: ${Math.min(LIMIT, rows.length)} of ${rows.length}.`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, cells ? 'Hexagon' : 'Tract'),
        cols.map((c) => el('th', { scope: 'col' }, c === 'desert' && !cells ? 'Desert' : W.measure(c).label)))),
      el('tbody', {}, rows.slice(0, LIMIT).map((p) => el('tr', {},
        el('th', { scope: 'row' }, cells ? p.h3 : p.name || p.id),
        cols.map((c) => el('td', {}, c === 'desert' ? desert(p) : W.value(c, p[c]))))))));
  }

  map.on('idle', draw);
  return {
    draw,
    toggle: () => {
      view.hidden = !view.hidden;
      button.setAttribute('aria-expanded', String(!view.hidden));
      draw();
    },
  };
}
