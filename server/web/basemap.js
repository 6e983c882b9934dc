// What the map draws beneath (and above) the data, in the mode the server runs (/api/basemap):
// a MapLibre style from a URL; a PMTiles archive drawn with the Protomaps style; or, offline,
// context from the data itself — county outlines, county names and tract numbers.

// Noto Sans from the binary, for the Protomaps style's labels: MapLibre draws them from these
// files itself (the style's font-faces), so no glyph server is needed.
const FONTS = {
  'Noto Sans Regular': '/static/vendor/fonts/noto-sans-latin-400-normal.woff2',
  'Noto Sans Medium': '/static/vendor/fonts/noto-sans-latin-500-normal.woff2',
  'Noto Sans Italic': '/static/vendor/fonts/noto-sans-latin-400-italic.woff2',
};
const fontFaces = () => Object.fromEntries(Object.entries(FONTS).map(([name, url]) => [name, [{ url: new URL(url, location.href).href }]]));

const halo = { 'text-halo-color': '#fff', 'text-halo-width': 1.6 };

// The offline context, from the counties tiles: outlines above the data, names above all. With
// no glyphs and no font-faces, MapLibre draws the names in the reader's own sans-serif: nothing
// more to send.
function countyLayers() {
  return [
    { id: 'context-county-line', type: 'line', source: 'counties', 'source-layer': 'counties',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': '#3a3a3a', 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 1, 12, 2.5], 'line-opacity': 0.9 } },
    { id: 'context-tract-number', type: 'symbol', source: 'counties', 'source-layer': 'counties', minzoom: 11,
      filter: ['==', ['get', 'kind'], 'tract'],
      layout: { 'text-field': ['get', 'tract'], 'text-font': ['sans-serif'], 'text-size': 11 },
      paint: { 'text-color': '#333', ...halo } },
    { id: 'context-county-label', type: 'symbol', source: 'counties', 'source-layer': 'counties',
      filter: ['==', ['get', 'kind'], 'county'],
      layout: { 'text-field': ['get', 'county'], 'text-font': ['sans-serif'], 'text-size': ['interpolate', ['linear'], ['zoom'], 7, 11, 11, 15],
        'text-max-width': 8, 'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'], 'text-radial-offset': 0.6 },
      paint: { 'text-color': '#111', ...halo } },
  ];
}

// Protomaps' icons come in a sprite no npm package carries: its layers keep their text only.
function withoutIcons(layers) {
  return layers.flatMap((l) => {
    if (!l.layout?.['icon-image']) return [l];
    if (!l.layout['text-field']) return [];
    const { 'icon-image': _, ...layout } = l.layout;
    return [{ ...l, layout }];
  });
}

// loadScript adds a classic script (pmtiles.js defines a global) and waits for it.
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

// baseStyle answers { style, beforeId, context } for the server's mode: the style to open the
// map with, the layer the data goes beneath (labels stay on top), and what the context is called.
export async function baseStyle(maplibregl, info, countiesURL) {
  if (info.kind === 'style') {
    return { style: info.style, beforeId: (map) => map.getStyle().layers.find((l) => l.type === 'symbol')?.id, context: 'basemap' };
  }
  if (info.kind === 'pmtiles') {
    // Only this mode loads the Protomaps style and the pmtiles protocol.
    const [basemaps] = await Promise.all([import('/static/vendor/protomaps-basemaps.mjs'), loadScript('/static/vendor/pmtiles.js')]);
    const protocol = new window.pmtiles.Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
    const flavor = basemaps.namedFlavor('light');
    const labels = withoutIcons(basemaps.layers('protomaps', flavor, { lang: 'en', labelsOnly: true }));
    return {
      style: {
        version: 8, 'font-faces': fontFaces(),
        // The archive's own metadata carries its attribution.
        sources: { protomaps: { type: 'vector', url: `pmtiles://${new URL(info.url, location.href).href}` } },
        layers: [...basemaps.layers('protomaps', flavor), ...labels],
      },
      beforeId: () => labels[0]?.id,
      context: 'basemap',
    };
  }
  return {
    style: {
      version: 8,
      sources: { counties: { type: 'vector', tiles: [countiesURL], minzoom: 0, maxzoom: 14 } },
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f2ee' } }, ...countyLayers()],
    },
    beforeId: () => 'context-county-line',
    context: 'counties',
  };
}
