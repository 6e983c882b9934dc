// The stemgap web map: H3 hexagons coloured by gap for a chosen content area, tract outlines and
// program points, all from this server's vector tiles. No basemap: it works offline.
import * as maplibregl from '/static/vendor/maplibre-gl.mjs';
import { investPanel } from '/static/invest.js';

const state = { run: null, setting: '', content: 'all', colour: 'gap' };

const fmt = (v, digits = 3) => (v === null || v === undefined ? 'no data' : Number(v).toPrecision(digits));

function tileURL(layer) {
  const q = new URLSearchParams({ setting: state.setting, content: state.content, run: state.run.run });
  return `${location.origin}/tiles/${layer}/{z}/{x}/{y}.mvt?${q}`;
}

function summary() {
  return state.run.content_area_summary.find((c) => c.setting === state.setting && c.name === state.content);
}

// Each colouring: a MapLibre expression over the cells layer and the legend that explains it.
function colouring() {
  const s = summary();
  const p = state.run.params;
  const unit = state.run.cost_unit;
  switch (state.colour) {
    case 'access': {
      const mean = s.mean_access || 1;
      // Distances and RAAM costs are better when lower: their ramp runs the other way.
      const lowerIsBetter = ['nearest', 'raam'].includes(state.run.measure);
      const colours = lowerIsBetter ? ['#fde725', '#21918c', '#440154'] : ['#440154', '#21918c', '#fde725'];
      return {
        property: 'access',
        stops: [[0, colours[0]], [mean, colours[1]], [2 * mean, colours[2]]],
        label: `${state.run.access_unit}; regional mean ${fmt(mean)}${lowerIsBetter ? ' (lower is better)' : ''}`,
      };
    }
    case 'nearest':
      return {
        property: 'nearest',
        stops: [[0, '#1a9850'], [p.desert.urban_cost, '#fee08b'], [p.desert.rural_cost, '#d73027']],
        label: `${unit} to the nearest program; deserts lie beyond ${fmt(p.desert.urban_cost)} ${unit} (urban) or ${fmt(p.desert.rural_cost)} ${unit} (rural)`,
        always: true,
      };
    case 'desert':
      return {
        property: 'desert',
        stops: [[0, '#f7f7f7'], [1, '#b2182b']],
        label: 'share of demand in desert cells (1 = desert)',
      };
    default:
      return {
        property: 'gap',
        stops: [[0, '#ffffcc'], [0.25, '#fed976'], [0.5, '#fd8d3c'], [0.75, '#e31a1c'], [1, '#800026']],
        label: 'gap score: 0 = at or above target, 1 = no access, weighted by need',
      };
  }
}

function fillColour(c) {
  const ramp = ['interpolate', ['linear'], ['get', c.property]];
  for (const [v, colour] of c.stops) ramp.push(v, colour);
  // Cells without a demand figure are no data, never zero: grey, whatever the colouring.
  const noData = c.always ? false : ['has', 'nodata'];
  return ['case', ['any', noData, ['!', ['has', c.property]]], '#c8c8c8', ramp];
}

function drawLegend(c) {
  const el = document.getElementById('legend');
  const gradient = c.stops.map(([, colour], i) => `${colour} ${(100 * i) / (c.stops.length - 1)}%`).join(', ');
  el.innerHTML = `
    <div class="ramp"></div>
    <div class="ramp-labels"><span>${fmt(c.stops[0][0])}</span><span>${fmt(c.stops[c.stops.length - 1][0])}</span></div>
    <p class="small">${c.label}</p>
    <p class="small"><span class="swatch swatch-nodata"></span>no data: no figure for ${state.run.demand}</p>
    <p class="small"><span class="swatch swatch-tract"></span>tract outline (bold: desert)</p>
    <p class="small"><span class="swatch swatch-program"></span>program offering ${state.content}</p>`;
  // Set through the CSSOM: the Content-Security-Policy refuses style attributes in markup.
  el.querySelector('.ramp').style.background = `linear-gradient(to right, ${gradient})`;
}

function describe() {
  const r = state.run;
  const s = summary();
  document.getElementById('demand').textContent =
    `Demand: ${r.demand}, from ${r.demand_sources.join('; ') || 'no source recorded'}.`;
  document.getElementById('measure').textContent =
    `Access: ${r.measure} (${r.access_unit}) to ${s.programs} ${state.content} programs (${state.setting} settings), H3 resolution ${r.h3_resolution}. ` +
    (s.too_few ? `Not judged: ${s.note}.` : `${fmt((s.desert_share ?? 0) * 100, 3)}% of ${r.demand} with data live in ${state.content} desert cells.`);
  const inputs = r.inputs.map((i) => `${i.kind}: ${i.source}${i.vintage ? ` (${i.vintage})` : ''}`);
  const notes = document.getElementById('notes');
  notes.replaceChildren(...[...inputs, ...r.notes].map((n) => Object.assign(document.createElement('li'), { textContent: n })));
  const q = `run=${r.run}&setting=${encodeURIComponent(state.setting)}&content=${encodeURIComponent(state.content)}`;
  document.getElementById('downloads').innerHTML =
    `Download: <a href="/api/export/cells.csv?${q}">cells CSV</a> · <a href="/api/export/tracts.csv?${q}">tracts CSV</a> · ` +
    `<a href="/api/export/tracts.geojson?${q}">tracts GeoJSON</a> · <a href="/api/runs/${r.run}/equity">equity</a>`;
  document.getElementById('run').textContent = `Run ${r.run} · ${r.software} · ${r.created_at}`;
}

function refresh(map) {
  const c = colouring();
  for (const layer of ['cells', 'tracts', 'programs']) map.getSource(layer).setTiles([tileURL(layer)]);
  map.setPaintProperty('cells-fill', 'fill-color', fillColour(c));
  drawLegend(c);
  describe();
  state.invest?.seriesChanged();
}

function popupHTML(props, title) {
  const rows = Object.entries(props)
    .filter(([k]) => k !== 'res')
    .map(([k, v]) => `<tr><td>${k}</td><td>${typeof v === 'number' ? fmt(v, 4) : v}</td></tr>`)
    .join('');
  return `<b>${title}</b><table>${rows}</table>`;
}

async function main() {
  const resp = await fetch('/api/runs/latest');
  if (!resp.ok) {
    document.getElementById('map').textContent = 'No analysis run yet: run stemgap analyze, then reload.';
    return;
  }
  state.run = await resp.json();
  state.setting = state.run.setting_groups[0].name;
  const settingSelect = document.getElementById('setting');
  for (const g of state.run.setting_groups) settingSelect.append(new Option(g.name, g.name, g.name === state.setting, g.name === state.setting));
  const select = document.getElementById('content');
  const fillContent = () => {
    select.replaceChildren(...state.run.content_area_summary.filter((c) => c.setting === state.setting).map((c) =>
      new Option(`${c.name} (${c.programs} programs${c.too_few ? ', too few to judge' : ''})`, c.name, c.name === state.content, c.name === state.content)));
  };
  fillContent();
  const tj = await (await fetch(`/tiles/cells.json?run=${state.run.run}&setting=${state.setting}`)).json();
  const vector = (layer) => ({ type: 'vector', tiles: [tileURL(layer)], minzoom: 0, maxzoom: tj.maxzoom, bounds: tj.bounds });
  const c = colouring();
  const map = new maplibregl.Map({
    container: 'map',
    bounds: [[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]],
    style: {
      version: 8,
      sources: { cells: vector('cells'), tracts: vector('tracts'), programs: vector('programs') },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#eef2f5' } },
        { id: 'cells-fill', type: 'fill', source: 'cells', 'source-layer': 'cells', paint: { 'fill-color': fillColour(c), 'fill-opacity': 0.85 } },
        { id: 'tracts-hit', type: 'fill', source: 'tracts', 'source-layer': 'tracts', paint: { 'fill-opacity': 0 } },
        { id: 'tracts-line', type: 'line', source: 'tracts', 'source-layer': 'tracts',
          paint: { 'line-color': '#333', 'line-width': ['case', ['==', ['get', 'desert'], true], 1.8, 0.4], 'line-opacity': 0.7 } },
        { id: 'programs-dot', type: 'circle', source: 'programs', 'source-layer': 'programs', minzoom: 9,
          paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 2, 14, 5], 'circle-color': '#2166ac', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
      ],
    },
  });
  window.stemgapMap = map; // for the browser test and for curious users in the console
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }));
  drawLegend(c);
  describe();
  select.addEventListener('change', () => { state.content = select.value; refresh(map); });
  settingSelect.addEventListener('change', () => { state.setting = settingSelect.value; fillContent(); refresh(map); });
  const colourSelect = document.getElementById('colour');
  colourSelect.addEventListener('change', () => { state.colour = colourSelect.value; refresh(map); });

  map.on('click', 'cells-fill', (e) => {
    if (state.picking) return; // a what-if is being placed (invest.js)
    const f = e.features[0];
    const tract = map.queryRenderedFeatures(e.point, { layers: ['tracts-hit'] })[0];
    let html = popupHTML(f.properties, `Cell ${f.properties.h3}`);
    const id = tract?.properties?.id;
    if (id) html += `<p><a href="/tracts/${id}?run=${state.run.run}" target="_blank">Report for tract ${id}</a></p>`;
    new maplibregl.Popup().setLngLat(e.lngLat).setHTML(html).addTo(map);
  });
  map.on('mouseenter', 'cells-fill', () => { if (!state.picking) map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'cells-fill', () => { if (!state.picking) map.getCanvas().style.cursor = ''; });
  state.invest = investPanel(map, state);
}

main();
