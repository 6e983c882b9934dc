// A map drawn from nothing but static files: MapLibre reads the stemgap archive through the
// pmtiles protocol, with HTTP Range requests to a plain file server.
import * as maplibregl from '/maplibre/maplibre-gl.mjs';

const protocol = new window.pmtiles.Protocol();
maplibregl.addProtocol('pmtiles', protocol.tile);
const params = new URLSearchParams(location.search);
const archive = `pmtiles://${location.origin}/archive.pmtiles`;
const map = new maplibregl.Map({
  container: 'map',
  center: [Number(params.get('lng')), Number(params.get('lat'))],
  zoom: Number(params.get('z')),
  style: {
    version: 8,
    sources: { stemgap: { type: 'vector', url: archive } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f4f0' } },
      { id: 'cells', type: 'fill', source: 'stemgap', 'source-layer': 'cells',
        paint: { 'fill-color': ['interpolate', ['linear'], ['coalesce', ['get', 'gap'], 0], 0, '#2166ac', 0.5, '#f7f7f7', 1, '#b2182b'], 'fill-opacity': 0.8 } },
      { id: 'tracts', type: 'line', source: 'stemgap', 'source-layer': 'tracts', paint: { 'line-color': '#333', 'line-width': 0.6 } },
      { id: 'counties', type: 'line', source: 'stemgap', 'source-layer': 'counties', filter: ['==', ['geometry-type'], 'LineString'],
        paint: { 'line-color': '#000', 'line-width': 1.5, 'line-dasharray': [3, 2] } },
      { id: 'programs', type: 'circle', source: 'stemgap', 'source-layer': 'programs', paint: { 'circle-radius': 4, 'circle-color': '#1b7837' } },
    ],
  },
});
window.archiveMap = map;
