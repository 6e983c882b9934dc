// The stemgap web map: where young people lack STEM learning, as census tracts at region scale
// and H3 hexagons closer in, over the context the server offers (a basemap, or county lines and
// names from the data). This module wires the others together; each does one job.
import * as maplibregl from '/static/vendor/maplibre-gl.mjs';
import { getJSON, el } from '/static/dom.js';
import { words } from '/static/words.js';
import { COLOURINGS, LAYERS, readHash, keepHash, hashOf, series, seriesQuery } from '/static/state.js';
import { baseStyle } from '/static/basemap.js';
import { addData, setSeries, showLayers } from '/static/layers.js';
import { legend } from '/static/legend.js';
import { details } from '/static/details.js';
import { search } from '/static/search.js';
import { describe } from '/static/about.js';

// The worker by a URL that names its content (the server rewrites it with ?v=HASH), so that a
// reload takes it from the cache rather than asking again.
maplibregl.setWorkerUrl(new URL('/static/vendor/maplibre-gl-worker.mjs', location.href).href);

const LAYER_WORDS = { cells: 'Hexagons (tracts at region scale)', tracts: 'Tract outlines', programs: 'Programs', context: 'Context: map and names' };

// say tells the reader, politely, what went wrong.
function say(message) {
  const w = document.getElementById('warning');
  w.hidden = false;
  w.textContent = message;
}

function tileURL(state, layer) {
  return `${location.origin}/tiles/${layer}/{z}/{x}/{y}.mvt?${seriesQuery(state)}`;
}

// choose checks what the hash asks for against the run, keeping what it has.
function choose(state, asked) {
  const r = state.run;
  state.setting = r.setting_groups.some((g) => g.name === asked.setting) ? asked.setting : r.setting_groups[0].name;
  state.content = series({ run: r, setting: state.setting, content: asked.content }) ? asked.content : 'all';
  state.colour = asked.colour || 'gap';
  state.layers = asked.layers || Object.fromEntries(LAYERS.map((l) => [l, true]));
}

// A series too thin to judge has no gap scores or unmet seats: it is coloured by access.
function colourable(state) {
  const judged = !series(state).too_few;
  return (c) => judged || !['gap', 'unmet'].includes(c);
}

async function main() {
  const asked = readHash();
  const state = { run: null, setting: '', content: 'all', colour: 'gap', layers: {}, picking: false };
  try {
    state.run = await getJSON(`/api/runs/${encodeURIComponent(asked.run || 'latest')}`);
  } catch {
    document.getElementById('map').textContent = 'No analysis run yet: run stemgap analyze, then reload.';
    return;
  }
  choose(state, asked);
  const runQ = `run=${state.run.run}`;
  const [labels, info, tj] = await Promise.all([
    getJSON(`/api/labels?${runQ}`),
    getJSON('/api/basemap'),
    getJSON(`/tiles/cells.json?${runQ}&setting=${encodeURIComponent(state.setting)}`),
  ]);
  state.tj = tj;
  const W = words(labels);
  const urls = (layer) => tileURL(state, layer);

  // The controls.
  const settingSelect = document.getElementById('setting');
  const contentSelect = document.getElementById('content');
  const colourSelect = document.getElementById('colour');
  settingSelect.replaceChildren(...state.run.setting_groups.map((g) => new Option(W.setting(g.name), g.name, false, g.name === state.setting)));
  const fillContent = () => contentSelect.replaceChildren(...state.run.content_area_summary.filter((c) => c.setting === state.setting).map((c) =>
    new Option(`${W.content(c.name)} (${W.count(c.programs)} ${W.programsNoun(c.programs)}${c.too_few ? ', too few to judge' : ''})`, c.name, false, c.name === state.content)));
  const fillColour = () => {
    const ok = colourable(state);
    if (!ok(state.colour)) state.colour = 'access';
    colourSelect.replaceChildren(...COLOURINGS.map((c) => {
      const o = new Option(W.measure(c).label, c, false, c === state.colour);
      o.disabled = !ok(c);
      return o;
    }));
  };
  fillContent();
  fillColour();
  const layerBox = document.getElementById('layers');
  for (const l of LAYERS) {
    const box = el('input', { type: 'checkbox', id: `layer-${l}`, checked: state.layers[l] });
    layerBox.append(el('label', { for: `layer-${l}` }, box, LAYER_WORDS[l]));
    box.addEventListener('change', () => { state.layers[l] = box.checked; showLayers(map, state.layers); writeHash(); });
  }

  const base = await baseStyle(maplibregl, info, `${location.origin}/tiles/counties/{z}/{x}/{y}.mvt?${runQ}`);
  const view = asked.view;
  const map = new maplibregl.Map({
    container: 'map',
    style: base.style,
    ...(view ? { center: [view.lng, view.lat], zoom: view.zoom } : { bounds: [[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]] }),
    attributionControl: { compact: true },
  });
  window.stemgapMap = map; // for the browser test and for curious users in the console
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }));
  await new Promise((resolve) => (map.isStyleLoaded() ? resolve() : map.once('style.load', resolve)));
  addData(map, tj, base.beforeId(map), urls);
  showLayers(map, state.layers);
  const writeHash = keepHash(state, map);

  const key = legend(map, state, W, base.context);
  const panel = details(map, state, W, say);
  let tableView = null; // the table module comes when the table is first opened
  document.getElementById('table-toggle').addEventListener('click', async () => {
    tableView ??= (await import('/static/table.js')).table(map, state, W);
    tableView.toggle();
  });
  search(map, state, panel, say);
  // The investment tools come when first opened: most visits never use them, and the first load
  // stays within its budget.
  const investToggle = document.getElementById('invest-toggle');
  investToggle.addEventListener('click', async () => {
    investToggle.disabled = true;
    try {
      const { investPanel } = await import('/static/invest.js');
      state.invest = investPanel(map, state, say, W);
      document.getElementById('invest-open').remove();
      document.getElementById('recommend').focus();
    } catch (err) {
      investToggle.disabled = false;
      say(err.message);
    }
  });

  const refresh = async ({ tiles = true } = {}) => {
    if (tiles) setSeries(map, urls);
    describe(state, labels, W);
    writeHash();
    await key.update().catch((err) => say(err.message));
    tableView?.draw();
    if (tiles) {
      panel.seriesChanged();
      state.invest?.seriesChanged();
    }
  };
  settingSelect.addEventListener('change', () => {
    state.setting = settingSelect.value;
    if (!series(state)) state.content = 'all';
    fillContent();
    fillColour();
    refresh();
  });
  contentSelect.addEventListener('change', () => { state.content = contentSelect.value; fillColour(); refresh(); });
  colourSelect.addEventListener('change', () => { state.colour = colourSelect.value; refresh({ tiles: false }); });

  // Share: the address already holds the view; copy it, and show it for those without a clipboard.
  const shareBox = document.getElementById('share-box');
  const shareURL = document.getElementById('share-url');
  const said = document.getElementById('share-said');
  document.getElementById('share').addEventListener('click', async () => {
    const url = location.href.split('#')[0] + hashOf(state, map);
    shareURL.value = url;
    shareBox.hidden = false;
    shareURL.select();
    try {
      await navigator.clipboard.writeText(url);
      said.textContent = ' Copied.';
    } catch {
      said.textContent = ' Copy the link above.';
    }
  });

  await refresh({ tiles: false });
}

main();
