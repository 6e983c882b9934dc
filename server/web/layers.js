// The data on the map: census tracts as a choropleth at region scale, H3 hexagons from
// cells_minzoom on (outlined when they are big enough to see), deserts hatched, cells without a
// demand figure dotted, overstated access outlined, and the program points.

const NO_DATA = '#bdbdbd';
// Viridis, light to dark: the map draws the worse end dark whichever way a measure runs.
const VIRIDIS = ['#fde725', '#b5de2b', '#6ece58', '#35b779', '#1f9e89', '#26828e', '#31688e', '#3e4989', '#482878', '#440154'];

// ramp picks n colours of viridis, spread over its length, light first.
export function ramp(n) {
  if (n <= 1) return [VIRIDIS[4]]; // one class says nothing of better or worse: the middle
  return Array.from({ length: n }, (_, i) => VIRIDIS[Math.round((i * (VIRIDIS.length - 1)) / (n - 1))]);
}

// Patterns drawn in code: MapLibre takes them as images, so no sprite is fetched.
function pattern(size, paint) {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const rgba = paint(x, y);
      if (rgba) data.set(rgba, 4 * (y * size + x));
    }
  }
  return { width: size, height: size, data };
}
// Black-and-white diagonal stripes read over the light and the dark end of the ramp alike, with
// room between them for the colour.
const HATCH = pattern(10, (x, y) => {
  const d = (x + y) % 10;
  if (d === 0) return [0, 0, 0, 200];
  if (d === 1) return [255, 255, 255, 200];
  return null;
});
const DOTS = pattern(6, (x, y) => (x % 6 < 2 && y % 6 < 2 ? [40, 40, 40, 255] : null));

// addData adds the data's sources and layers beneath beforeId. tj is the cells TileJSON; urls
// gives each layer's tile URL for the series shown.
export function addData(map, tj, beforeId, urls) {
  map.addImage('hatch', HATCH, { pixelRatio: 1 });
  map.addImage('dots', DOTS, { pixelRatio: 1 });
  const cellsFrom = tj.cells_minzoom ?? 0;
  const vector = (layer) => ({ type: 'vector', tiles: [urls(layer)], minzoom: 0, maxzoom: tj.maxzoom, bounds: tj.bounds });
  for (const layer of ['cells', 'tracts', 'programs']) map.addSource(layer, vector(layer));
  const add = (spec) => map.addLayer(spec, beforeId);
  const tracts = { source: 'tracts', 'source-layer': 'tracts' };
  const cells = { source: 'cells', 'source-layer': 'cells', minzoom: cellsFrom };
  // Region scale: tracts as a choropleth.
  add({ id: 'tracts-fill', type: 'fill', ...tracts, maxzoom: cellsFrom, paint: { 'fill-color': NO_DATA, 'fill-opacity': 0.8 } });
  add({ id: 'tracts-nodata', type: 'fill', ...tracts, maxzoom: cellsFrom, filter: ['has', 'nodata'], paint: { 'fill-pattern': 'dots' } });
  add({ id: 'tracts-desert', type: 'fill', ...tracts, maxzoom: cellsFrom, filter: ['==', ['get', 'desert'], true], paint: { 'fill-pattern': 'hatch' } });
  // Closer: hexagons.
  add({ id: 'cells-fill', type: 'fill', ...cells, paint: { 'fill-color': NO_DATA, 'fill-opacity': 0.8 } });
  add({ id: 'cells-nodata', type: 'fill', ...cells, filter: ['has', 'nodata'], paint: { 'fill-pattern': 'dots' } });
  // A coarser hexagon holds a share of youth in deserts: hatched where most of them are.
  add({ id: 'cells-desert', type: 'fill', ...cells, filter: ['>=', ['to-number', ['get', 'desert'], 0], 0.5], paint: { 'fill-pattern': 'hatch' } });
  add({ id: 'cells-outline', type: 'line', ...cells, minzoom: Math.max(cellsFrom, 11.5),
    paint: { 'line-color': '#ffffff', 'line-opacity': 0.7, 'line-width': ['interpolate', ['linear'], ['zoom'], 11.5, 0.3, 15, 1.2] } });
  add({ id: 'cells-overstated', type: 'line', ...cells, filter: ['==', ['get', 'overstated'], true],
    paint: { 'line-color': '#000', 'line-width': 1.6, 'line-dasharray': [2, 1.5] } });
  add({ id: 'cells-selected', type: 'line', ...cells, filter: ['==', ['get', 'h3'], ''], paint: { 'line-color': '#c75000', 'line-width': 3 } });
  add({ id: 'tracts-hit', type: 'fill', ...tracts, paint: { 'fill-opacity': 0 } });
  add({ id: 'tracts-line', type: 'line', ...tracts,
    paint: { 'line-color': '#222', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 13, 1.2], 'line-opacity': 0.6 } });
  add({ id: 'tracts-selected', type: 'line', ...tracts, filter: ['==', ['get', 'id'], ''], paint: { 'line-color': '#c75000', 'line-width': 3 } });
  add({ id: 'programs-dot', type: 'circle', source: 'programs', 'source-layer': 'programs', minzoom: 9,
    paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 2.5, 14, 6], 'circle-color': '#d94801', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.2 } });
}

// setSeries points every data source at the series shown.
export function setSeries(map, urls) {
  for (const layer of ['cells', 'tracts', 'programs']) map.getSource(layer).setTiles([urls(layer)]);
}

// classColour is the fill for a property by class breaks (the upper bounds of every class but
// the last) and one colour per class; a feature without the figure is no data.
export function classColour(property, uppers, colours) {
  let fill = colours[0];
  if (uppers.length) {
    fill = ['step', ['to-number', ['get', property]], colours[0]];
    uppers.forEach((b, i) => fill.push(b, colours[i + 1]));
  }
  return ['case', ['!', ['has', property]], NO_DATA, fill];
}

// paintSeries colours each level of hexagons by its own classes (levels: resolution → fill; fill
// for the rest), and tracts by fill when tracts is set; tracts carry no programs-nearby figure, so
// for it they are drawn as no data and the legend says so.
export function paintSeries(map, property, fill, levels, tracts) {
  const byRes = Object.entries(levels).flatMap(([res, f]) => [Number(res), f]);
  map.setPaintProperty('cells-fill', 'fill-color', byRes.length ? ['match', ['get', 'res'], ...byRes, fill] : fill);
  if (tracts) map.setPaintProperty('tracts-fill', 'fill-color', property === 'count' ? NO_DATA : fill);
}

// showLayers switches the reader's layers. "cells" is the figures: hexagons, and tracts where
// they stand in for them; "tracts" the outlines; "context" every layer that is not data. Hit
// areas and the selection stay.
export function showLayers(map, on) {
  const always = ['tracts-hit', 'tracts-selected', 'cells-selected'];
  const figures = (id) => id.startsWith('cells-') || ['tracts-fill', 'tracts-nodata', 'tracts-desert'].includes(id);
  // While invest.js draws its own layer in place of the hexagons, it owns cells-fill.
  const investing = map.getLayer('invest-fill') && map.getLayoutProperty('invest-fill', 'visibility') !== 'none';
  for (const { id } of map.getStyle().layers) {
    let shown;
    if (id === 'background' || always.includes(id) || id.startsWith('invest-')) continue;
    else if (id === 'cells-fill' && investing) continue;
    else if (figures(id)) shown = on.cells;
    else if (id === 'tracts-line') shown = on.tracts;
    else if (id.startsWith('programs-')) shown = on.programs;
    else shown = on.context;
    map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none');
  }
}
