// Reading the map: a tooltip on hover, and on a click the side panel's details — a hexagon's
// figures in words with units (from /api/cells) and its tract's summary, or a tract's summary,
// with a link to the tract report.
import { el, getJSON } from '/static/dom.js';
import { seriesQuery } from '/static/state.js';

// The figures of a hexagon, in the panel's order.
const CELL_FIGURES = ['demand', 'access', 'nearest', 'count', 'need', 'unmet', 'gap', 'desert'];

export function details(map, state, W, say) {
  const body = document.getElementById('details-body');
  const hint = document.getElementById('details-hint');
  const tooltip = document.getElementById('tooltip');
  const seriesWords = () => W.seriesWords(state);
  let shown = null; // { kind, id } of what the panel shows, to redraw it when the series changes

  const figures = (rows) => el('dl', { class: 'figures' }, rows.flatMap(([key, v]) => [
    el('dt', {}, W.measure(key).label), el('dd', { 'data-key': key }, W.value(key, v)),
  ]));

  async function tractSummary(id) {
    const t = await getJSON(`/api/tracts/${encodeURIComponent(id)}?${seriesQuery(state)}`);
    return el('section', { class: 'tract', 'aria-label': t.title },
      el('h3', {}, t.title),
      el('p', {}, t.summary),
      el('p', {}, el('a', { href: `/tracts/${encodeURIComponent(id)}?${seriesQuery(state)}`, id: 'tract-link' }, `Read the report on ${t.title}`)));
  }

  function select(kind, id) {
    map.setFilter('cells-selected', ['==', ['get', 'h3'], kind === 'cell' ? id : '']);
    map.setFilter('tracts-selected', ['==', ['get', 'id'], kind === 'tract' ? id : '']);
  }

  async function showCell(h3) {
    shown = { kind: 'cell', id: h3 };
    select('cell', h3);
    hint.hidden = true;
    try {
      const c = await getJSON(`/api/cells/${encodeURIComponent(h3)}?${seriesQuery(state)}`);
      const flags = [];
      if (c.nodata) flags.push(`No youth count here: the census gives no figure for ${W.measure('demand').short.toLowerCase()} in this hexagon, so its access and gap are not measured.`);
      else if (c.desert >= 0.5) flags.push(`A STEM desert for ${seriesWords()}: ${W.value('desert', c.desert)} of its youth live in desert hexagons.`);
      if (c.overstated) flags.push('Access here may be overstated: programs near it also reach places with no youth count, whose young people would compete for the same seats.');
      const rows = CELL_FIGURES.filter((k) => k in c && !(c.nodata && ['access', 'unmet', 'gap', 'desert'].includes(k))).map((k) => [k, c[k]]);
      const parts = [
        el('h3', { id: 'cell-title' }, `Hexagon ${c.h3}`),
        el('p', { class: 'small' }, `H3 resolution ${c.res}; ${seriesWords()}.`),
        ...flags.map((f) => el('p', { class: 'flag' }, f)),
        figures(rows),
      ];
      body.replaceChildren(...parts);
      if (!c.tract?.id) return;
      // A hexagon of the run's resolution lies in one tract; a coarser one spans several (a
      // resolution-5 hexagon over downtown St. Louis has its centre across the river), so only
      // the tract at its centre is named, as that, without a summary that would read as its own.
      if (c.res >= state.run.h3_resolution) body.append(await tractSummary(c.tract.id));
      else {
        body.append(el('p', { class: 'small', id: 'cell-centre-tract' },
          `This hexagon spans parts of several census tracts; the one at its centre is `,
          el('a', { href: `/tracts/${encodeURIComponent(c.tract.id)}?${seriesQuery(state)}`, id: 'centre-tract-link' }, c.tract.name),
          `. Zoom in to the finest hexagons (resolution ${state.run.h3_resolution}) to read a tract's own figures with them.`));
      }
    } catch (err) {
      body.replaceChildren(el('p', {}, `Could not read this hexagon: ${err.message}`));
    }
  }

  async function showTract(id) {
    shown = { kind: 'tract', id };
    select('tract', id);
    hint.hidden = true;
    try {
      body.replaceChildren(await tractSummary(id));
    } catch (err) {
      body.replaceChildren(el('p', {}, `Could not read this tract: ${err.message}`));
    }
  }

  // The figures under the pointer: a hexagon where hexagons are drawn, else a tract.
  function under(point) {
    const [cell] = map.getLayer('cells-fill') ? map.queryRenderedFeatures(point, { layers: ['cells-fill'] }) : [];
    if (cell) return { kind: 'cell', f: cell };
    const [tract] = map.queryRenderedFeatures(point, { layers: ['tracts-fill', 'tracts-hit'].filter((l) => map.getLayer(l)) });
    return tract ? { kind: 'tract', f: tract } : null;
  }

  function tip(hit, point) {
    if (!hit || state.picking) {
      tooltip.hidden = true;
      return;
    }
    const p = hit.f.properties;
    const lines = hit.kind === 'cell'
      ? [`Hexagon (H3 resolution ${p.res})`, p.nodata ? 'No youth count' : `${W.measure(state.colour).short}: ${W.withUnit(state.colour, p[state.colour])}`,
        p.nodata ? null : `${W.measure('demand').short}: ${W.value('demand', p.demand)}`]
      : [p.name || `Tract ${p.id}`, `${W.measure(state.colour).short}: ${W.withUnit(state.colour, p[state.colour])}`];
    tooltip.replaceChildren(el('b', {}, lines[0]), ...lines.slice(1).filter(Boolean).map((l) => el('div', {}, l)), el('div', { class: 'small' }, 'Click for details'));
    const box = map.getContainer().getBoundingClientRect();
    tooltip.style.left = `${box.left + point.x + 14}px`;
    tooltip.style.top = `${box.top + point.y + 14}px`;
    tooltip.hidden = false;
  }

  map.on('mousemove', (e) => {
    const hit = under(e.point);
    map.getCanvas().style.cursor = state.picking ? 'crosshair' : hit ? 'pointer' : '';
    tip(hit, e.point);
  });
  map.on('mouseout', () => { tooltip.hidden = true; });
  map.on('click', (e) => {
    if (state.picking) return; // a what-if is being placed (invest.js)
    const hit = under(e.point);
    if (!hit) return;
    // On a phone the panel lies below the map: bring the details into view.
    if (matchMedia('(max-width: 700px)').matches) document.getElementById('details').scrollIntoView({ block: 'start' });
    if (hit.kind === 'cell') showCell(hit.f.properties.h3).catch((err) => say(err.message));
    else showTract(hit.f.properties.id).catch((err) => say(err.message));
  });

  return {
    showTract,
    // seriesChanged redraws what the panel shows for the new series.
    seriesChanged: () => shown && (shown.kind === 'cell' ? showCell(shown.id) : showTract(shown.id)),
  };
}
