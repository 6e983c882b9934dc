// Where to invest, on the map: the sites where new programs would close the most need-weighted
// unmet demand, a funder's what-if (click a point, choose a content area and seats, see the
// change), and what changed from another run. Every data-borne string reaches the page as text.
import * as maplibregl from '/static/vendor/maplibre-gl.mjs';
import { format } from '/static/format.js';
import { el, getJSON } from '/static/dom.js';
import { seriesQuery } from '/static/state.js';

// Diverging colours for a change: red where access fell, blue where it rose (ColorBrewer RdBu,
// readable to colour-blind eyes); cells that did not change are left clear.
const FELL = ['#b2182b', '#ef8a62'];
const ROSE = ['#67a9cf', '#2166ac'];
const SAME = '#f7f7f7';
// Access with and without a what-if, on one scale: viridis, darker where access is lower.
const ACCESS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

// investPanel adds the "Where to invest" section to the page's panel (#panel, before #about when
// there is one). state is the page's: run (the /api/runs summary), setting and content, the series
// shown. It sets state.picking while a what-if is being placed, so that the page's own click
// handler stands aside, and returns { seriesChanged }, for the page to call when the series changes.
// say tells the reader what happened; W is the page's words (words.js), its labels already read.
export function investPanel(map, state, say, W) {
  const { count } = W;
  const number = (v) => format({ style: 'number' }, v);
  const series = () => ({ setting: state.setting, content: state.content });
  const seriesWords = () => W.seriesWords(state);
  let markers = [];
  let overlay = null; // { id, kind: 'delta' | 'scenario' | 'baseline', ... }
  let scenario = null;
  let plainTop = 0;
  const idle = () => new Promise((resolve) => { map.once('idle', resolve); map.triggerRepaint(); });

  // --- the section -----------------------------------------------------------------------------
  const recCount = el('input', { id: 'rec-count', type: 'number', min: '1', max: '10', value: '5' });
  const recSeats = el('input', { id: 'rec-seats', type: 'number', min: '1', placeholder: 'as every program' });
  const recButton = el('button', { type: 'button', id: 'recommend' }, 'Recommend sites');
  const recList = el('ol', { id: 'recommendations', class: 'recommendations' });
  const recNote = el('div', { class: 'small', id: 'rec-note', 'aria-live': 'polite' });

  const whatContent = el('select', { id: 'whatif-content' });
  const whatSeats = el('input', { id: 'whatif-seats', type: 'number', min: '1', value: '60' });
  const whatToken = el('input', { id: 'whatif-token', type: 'password', autocomplete: 'off' });
  const whatButton = el('button', { type: 'button', id: 'whatif-place', 'aria-pressed': 'false' }, 'Place a program on the map');
  const whatView = el('div', { id: 'whatif-view', hidden: true });
  const whatResult = el('div', { id: 'whatif-result', 'aria-live': 'polite' });

  const cmpRuns = el('select', { id: 'compare-run' });
  const cmpButton = el('button', { type: 'button', id: 'compare' }, 'Show what changed');
  const cmpResult = el('div', { id: 'compare-result', 'aria-live': 'polite' });
  const clearButton = el('button', { type: 'button', id: 'invest-clear', hidden: true }, 'Back to the map of today');
  const legend = el('p', { class: 'small', id: 'invest-legend' });

  const section = el('section', { id: 'invest', 'aria-labelledby': 'invest-title' },
    el('h2', { id: 'invest-title' }, 'Where to invest'),
    el('p', { class: 'small' }, 'For the programs chosen above. Sites are chosen one at a time, each where a new program would close the most unmet seats for the youth who need them most, given those chosen before it.'),
    el('label', { for: 'rec-count' }, 'Sites'), recCount,
    el('label', { for: 'rec-seats' }, 'Seats per new program'), recSeats,
    el('div', { class: 'actions' }, recButton), recNote, recList,
    el('h3', {}, 'What if…'),
    el('label', { for: 'whatif-content' }, 'A new program in'), whatContent,
    el('label', { for: 'whatif-seats' }, 'with seats'), whatSeats,
    el('label', { for: 'whatif-token' }, 'Writing token (what-ifs are computed on the server)'), whatToken,
    el('div', { class: 'actions' }, whatButton), whatView, whatResult,
    el('h3', {}, 'What changed'),
    el('label', { for: 'compare-run' }, 'Compare with the run of'), cmpRuns,
    el('div', { class: 'actions' }, cmpButton), cmpResult,
    legend, el('div', { class: 'actions' }, clearButton));
  document.getElementById('panel').insertBefore(section, document.getElementById('about'));

  const names = [...new Set(state.run.content_area_summary.map((c) => c.name))].filter((n) => n !== 'all');
  whatContent.replaceChildren(...names.map((n) => el('option', { value: n, selected: n === state.content }, W.content(n))));

  // --- recommendations -------------------------------------------------------------------------
  const clearMarkers = () => { for (const m of markers) m.remove(); markers = []; };

  const marker = (lng, lat, text, title, cls) => {
    const e = el('div', { class: cls, title, role: 'img', 'aria-label': title }, text);
    Object.assign(e.style, { width: '22px', height: '22px', borderRadius: '11px', background: cls === 'invest-site' ? '#1a1a1a' : '#c2185b',
      color: '#fff', font: 'bold 12px sans-serif', display: 'flex', alignItems: 'center', justifyContent: 'center', border: '2px solid #fff',
      boxShadow: '0 0 3px rgba(0,0,0,0.6)' });
    const m = new maplibregl.Marker({ element: e }).setLngLat([lng, lat]).addTo(map);
    markers.push(m);
    return m;
  };

  recButton.onclick = async () => {
    const q = seriesQuery(state, { count: recCount.value || '5' });
    if (recSeats.value) q.set('capacity', recSeats.value);
    recButton.disabled = true;
    recNote.textContent = `Weighing candidate sites for ${seriesWords()}: this takes a few seconds.`;
    try {
      const { recommendations: r } = await getJSON(`/api/recommendations?${q}`);
      clearMarkers();
      const sites = r.sites || [];
      recList.replaceChildren(...sites.map((s) => el('li', { class: 'recommendation' },
        el('strong', {}, s.site.name || (s.area_name ? `In ${s.area_name}` : `At ${s.site.id}`)), ' ',
        el('span', {}, s.reason), ' ',
        el('button', { type: 'button', class: 'link', onclick: () => map.flyTo({ center: [s.lng, s.lat], zoom: 12 }) }, 'Show'))));
      sites.forEach((s) => marker(s.lng, s.lat, String(s.rank), `Recommended site ${s.rank}`, 'invest-site'));
      const seats = `${number(r.capacity)} seat${r.capacity === 1 ? '' : 's'}`;
      recNote.replaceChildren(sites.length
        ? `${sites.length} sites for ${seriesWords()} of ${seats} each: together they bring ${count(r.newly_in_reach)} youth within reach of such a program for the first time and close ${number(r.unmet_before - r.unmet_after)} of the region's ${number(r.unmet_before)} unmet seats.`
        : 'No site would close any unmet seats.',
      el('details', {}, el('summary', {}, 'How they were chosen'), el('ul', {}, ...(r.notes || []).map((n) => el('li', {}, n)))));
      if (sites.length) map.fitBounds(bounds(sites.map((s) => [s.lng, s.lat])), { padding: 60, maxZoom: 11, duration: 600 });
      say(`Recommended ${sites.length} sites for ${seriesWords()}.`);
    } catch (err) {
      recNote.textContent = String(err.message);
    } finally {
      recButton.disabled = false;
    }
  };

  // --- overlays: a comparison or a scenario drawn over the map ---------------------------------
  const overlayQuery = (run) => new URLSearchParams({ run, ...series() });

  // showOverlay draws run's cells over the map; view names what is drawn, for the reader of the
  // page's state (and the browser test).
  async function showOverlay(run, kind, words0, view = kind) {
    const q = overlayQuery(run);
    const tiles = [`${location.origin}/tiles/cells/{z}/{x}/{y}.mvt?${q}`];
    if (!map.getSource('invest')) {
      const tj = await getJSON(`/tiles/cells.json?${q}`);
      map.addSource('invest', { type: 'vector', tiles, minzoom: 0, maxzoom: tj.maxzoom, bounds: tj.bounds });
      // Over the hexagons, beneath outlines, programs and labels.
      const above = map.getStyle().layers.findIndex((l) => l.id === 'cells-fill');
      const next = map.getStyle().layers.slice(above + 1).find((l) => !l.id.startsWith('cells-'))?.id;
      map.addLayer({ id: 'invest-fill', type: 'fill', source: 'invest', 'source-layer': 'cells', paint: { 'fill-color': SAME, 'fill-opacity': 0.85 } }, next);
    } else {
      map.getSource('invest').setTiles(tiles);
    }
    map.setLayoutProperty('cells-fill', 'visibility', 'none');
    map.setLayoutProperty('invest-fill', 'visibility', 'visible');
    if (kind === 'delta') {
      map.setFilter('invest-fill', ['!=', ['to-number', ['get', 'access'], 0], 0]);
      legend.textContent = words0;
    } else {
      map.setFilter('invest-fill', null);
    }
    // The scale follows what is drawn: the largest change in view, or the largest access with the
    // what-if (which only raises access), shared by the views with and without it.
    await idle();
    const values = map.queryRenderedFeatures({ layers: ['invest-fill'] }).map((f) => Number(f.properties.access)).filter(Number.isFinite);
    if (kind === 'delta') {
      const top = Math.max(0, ...values.map(Math.abs));
      map.setPaintProperty('invest-fill', 'fill-color', top > 0
        ? ['interpolate', ['linear'], ['to-number', ['get', 'access'], 0], -top, FELL[0], -top / 2, FELL[1], 0, SAME, top / 2, ROSE[0], top, ROSE[1]]
        : SAME);
      legend.textContent = `${words0} Blue: access rose (darkest: ${number(top)} ${state.run.access_unit} more in this view); red: it fell; clear: no change.`;
    } else {
      plainTop = Math.max(plainTop, ...values);
      const stops = ACCESS.flatMap((c, i) => [(plainTop * i) / (ACCESS.length - 1), c]);
      map.setPaintProperty('invest-fill', 'fill-color', plainTop > 0
        ? ['case', ['has', 'nodata'], '#bdbdbd', ['interpolate', ['linear'], ['to-number', ['get', 'access'], 0], ...stops]] : SAME);
      legend.textContent = `${words0} Access, ${state.run.access_unit}: dark 0, bright ${number(plainTop)} and more — one scale with and without the program.`;
    }
    overlay = { run, kind, view };
    legend.dataset.view = view;
    clearButton.hidden = false;
  }

  function clearOverlay() {
    if (map.getLayer('invest-fill')) map.setLayoutProperty('invest-fill', 'visibility', 'none');
    map.setLayoutProperty('cells-fill', 'visibility', state.layers?.cells === false ? 'none' : 'visible');
    overlay = null;
    legend.textContent = '';
    delete legend.dataset.view;
    clearButton.hidden = true;
  }
  clearButton.onclick = () => { clearOverlay(); say('Showing the map of today.'); };

  // --- what if ---------------------------------------------------------------------------------
  let picking = false;
  const pick = (on) => {
    picking = on;
    state.picking = on; // the map's own click opens no details meanwhile
    whatButton.setAttribute('aria-pressed', String(on));
    whatButton.textContent = on ? 'Click the map where the program would be (Esc to stop)' : 'Place a program on the map';
    map.getCanvas().style.cursor = on ? 'crosshair' : '';
  };
  whatButton.onclick = () => pick(!picking);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && picking) pick(false); });

  map.on('click', async (e) => {
    if (!picking) return;
    pick(false);
    const { lng, lat } = e.lngLat;
    const body = { run: state.run.run, add: [{ name: 'What-if program', lat, lng, content_areas: [whatContent.value], setting: state.setting === 'all' ? '' : state.setting }] };
    if (whatSeats.value) body.add[0].capacity = Number(whatSeats.value);
    whatResult.replaceChildren(el('p', { class: 'small' }, 'Computing the change…'));
    try {
      const resp = await fetch('/api/scenarios', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${whatToken.value}` }, body: JSON.stringify(body) });
      const answer = await resp.json();
      if (!resp.ok) throw new Error(answer.error || `the server answered ${resp.status}`);
      scenario = answer;
      plainTop = 0;
      for (const m of markers.filter((x) => x.getElement().classList.contains('invest-new'))) m.remove();
      markers = markers.filter((x) => !x.getElement().classList.contains('invest-new'));
      marker(lng, lat, '+', 'The what-if program', 'invest-new');
      drawScenario(answer);
      await showView('delta');
      say(`What if: ${answer.cells_recomputed} cells recomputed in ${number(answer.took_ms)} ms.`);
    } catch (err) {
      whatResult.replaceChildren(el('p', { class: 'warning' }, String(err.message)));
    }
  });

  function drawScenario(a) {
    const mine = a.changes.find((c) => c.setting === state.setting && c.name === state.content) || a.changes[0];
    const lines = a.changes.map((c) => el('li', {},
      `${W.setting(c.setting)}, ${W.content(c.name).toLowerCase()}: access rose for ${count(c.demand_rose)} youth in ${count(c.cells_rose)} hexagons; ${count(c.newly_in_reach)} come within reach of such a program for the first time` +
      (c.judged_b && c.left_desert ? `; ${count(c.left_desert)} leave a desert.` : '.')));
    whatResult.replaceChildren(
      el('p', {}, mine ? `A ${number(Number(whatSeats.value) || NaN)}-seat program here reaches ${count(mine.demand_rose)} youth.` : 'This program changes none of the programs shown.'),
      el('ul', { id: 'whatif-changes' }, ...lines),
      el('p', { class: 'small' }, `Scenario ${a.id}: ${a.cells_recomputed} hexagons recomputed in ${number(a.took_ms)} ms, judged against today's targets; kept until ${a.expires_at}.`),
      el('button', { type: 'button', id: 'whatif-delete', onclick: deleteScenario }, 'Forget this what-if'));
    whatView.hidden = false;
    whatView.replaceChildren(...[['delta', 'The change'], ['scenario', 'With the program'], ['baseline', 'Today']].map(([v, words]) => el('label', {},
      el('input', { type: 'radio', name: 'whatif-view', value: v, checked: v === 'delta', onchange: () => showView(v) }), ` ${words}`)));
  }

  async function showView(v) {
    if (!scenario) return;
    const run = { delta: `cmp-${scenario.baseline}-${scenario.id}`, scenario: scenario.id, baseline: scenario.baseline }[v];
    const said = { delta: 'The what-if program\'s change (with it, less today).', scenario: 'With the what-if program.', baseline: 'Today, without it.' }[v];
    await showOverlay(run, v === 'delta' ? 'delta' : 'plain', said, v);
  }

  async function deleteScenario() {
    if (!scenario) return;
    await fetch(`/api/scenarios/${encodeURIComponent(scenario.id)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${whatToken.value}` } });
    scenario = null;
    plainTop = 0;
    clearOverlay();
    for (const m of markers.filter((x) => x.getElement().classList.contains('invest-new'))) m.remove();
    markers = markers.filter((x) => !x.getElement().classList.contains('invest-new'));
    whatView.hidden = true;
    whatResult.replaceChildren(el('p', { class: 'small' }, 'The what-if is forgotten.'));
  }

  // --- what changed ----------------------------------------------------------------------------
  getJSON('/api/runs').then((runs) => {
    const others = runs.filter((r) => r.run !== state.run.run);
    cmpRuns.replaceChildren(...others.map((r) => el('option', { value: r.run }, `${r.created_at} (${r.run})`)));
    cmpButton.disabled = others.length === 0;
    if (!others.length) cmpResult.replaceChildren(el('p', { class: 'small' }, 'There is no other run to compare with.'));
  }).catch((err) => cmpResult.replaceChildren(el('p', { class: 'warning' }, String(err.message))));

  cmpButton.onclick = async () => {
    const a = cmpRuns.value;
    try {
      const { comparison: c, tiles } = await getJSON(`/api/compare?${new URLSearchParams({ a, b: state.run.run, ...series() })}`);
      const s = c.series.find((x) => x.setting === state.setting && x.name === state.content);
      const groups = c.groups.filter((g) => g.changed && g.setting === state.setting && g.content_area === state.content);
      cmpResult.replaceChildren(
        el('p', {}, s ? `From ${a} to this run, for ${seriesWords()}: ${s.programs_a} → ${s.programs_b} programs; access rose in ${count(s.cells_rose)} hexagons (${count(s.demand_rose)} youth) and fell in ${count(s.cells_fell)} (${count(s.demand_fell)} youth); ${count(s.newly_in_reach)} youth came within reach.` : 'The other run does not have these programs.'),
        groups.length ? el('ul', {}, ...groups.map((g) => el('li', {}, `${g.group}: ${format({ style: 'share' }, g.share_a)} → ${format({ style: 'share' }, g.share_b)} in deserts`))) : null,
        c.differences.length ? el('details', {}, el('summary', {}, 'What else differs'), el('ul', {}, ...c.differences.map((d) => el('li', {}, d)))) : null);
      await showOverlay(new URLSearchParams(tiles.split('?')[1]).get('run'), 'delta', `What changed from ${a} to this run.`, 'compare');
    } catch (err) {
      cmpResult.replaceChildren(el('p', { class: 'warning' }, String(err.message)));
    }
  };

  // A new series chosen above redraws what is drawn here for it.
  return {
    seriesChanged() {
      clearMarkers();
      recList.replaceChildren();
      recNote.textContent = '';
      if (overlay) showOverlay(overlay.run, overlay.kind, legend.textContent.split('.')[0] + '.', overlay.view).catch((err) => say(err.message));
    },
  };
}

function bounds(points) {
  const lng = points.map((p) => p[0]);
  const lat = points.map((p) => p[1]);
  return [[Math.min(...lng), Math.min(...lat)], [Math.max(...lng), Math.max(...lat)]];
}
