// Reads a stemgap PMTiles archive back with the pmtiles npm reader, then has MapLibre draw it in
// headless Chromium from a plain static file server, as a host without stemgap would serve it.
// Usage: node pmtiles.mjs ARCHIVE LNG LAT [screenshot.png]
// The archive must cover LNG,LAT; every tile the header counts must be found by its z/x/y.
import { launchChromium } from './chromium.mjs';
import { PMTiles } from 'pmtiles';
import { createServer } from 'node:http';
import { open, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

const [archivePath, lng, lat, screenshot] = process.argv.slice(2);
if (!archivePath || !lng || !lat) {
  console.error('usage: node pmtiles.mjs ARCHIVE LNG LAT [screenshot.png]');
  process.exit(2);
}
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// The reader, over the file.
const file = await open(archivePath);
const size = (await stat(archivePath)).size;
const source = {
  getKey: () => archivePath,
  getBytes: async (offset, length) => {
    const n = Math.max(0, Math.min(length, size - offset));
    const buf = Buffer.alloc(n);
    await file.read(buf, 0, n, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) };
  },
};
const archive = new PMTiles(source);
const header = await archive.getHeader();
check(header.specVersion === 3 && header.tileType === 1 && header.tileCompression === 2 && header.clustered, `header ${JSON.stringify(header)}`);
check(header.minZoom === 0 && header.maxZoom >= 10, `zooms ${header.minZoom}–${header.maxZoom}`);
check(header.minLon < lng && lng < header.maxLon && header.minLat < lat && lat < header.maxLat, 'the bounds do not hold the point');
const meta = await archive.getMetadata();
const layerIDs = (meta.vector_layers || []).map((l) => l.id).sort().join(',');
check(layerIDs === 'cells,counties,programs,tracts', `vector_layers ${layerIDs}`);
check(meta.stemgap && meta.stemgap.run && meta.stemgap.inputs.length > 0, 'no provenance in the metadata');

// Every tile inside the bounds, at every zoom: the ones found are exactly the ones addressed.
const lon2x = (lon, z) => Math.floor(((lon + 180) / 360) * 2 ** z);
const lat2y = (la, z) => Math.floor(((1 - Math.log(Math.tan((la * Math.PI) / 180) + 1 / Math.cos((la * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
let found = 0;
const perZoom = [];
for (let z = header.minZoom; z <= header.maxZoom; z++) {
  let n = 0;
  for (let x = lon2x(header.minLon, z); x <= lon2x(header.maxLon, z); x++) {
    for (let y = lat2y(header.maxLat, z); y <= lat2y(header.minLat, z); y++) {
      const t = await archive.getZxy(z, x, y);
      if (!t) continue;
      const bytes = new Uint8Array(t.data);
      // A vector tile starts with its first layer: field 3, length-delimited (0x1a).
      check(bytes.length > 0 && bytes[0] === 0x1a, `tile ${z}/${x}/${y} is not a decompressed vector tile`);
      n++;
    }
  }
  perZoom.push(n);
  found += n;
  const here = await archive.getZxy(z, lon2x(+lng, z), lat2y(+lat, z));
  check(here, `no tile at ${z} over the point`);
}
check(found === header.numAddressedTiles, `found ${found} tiles by z/x/y, the header addresses ${header.numAddressedTiles}`);
await file.close();

// MapLibre, from static files with Range requests.
const nm = new URL('./node_modules/', import.meta.url).pathname;
const files = {
  '/': join(new URL('./pmtiles/', import.meta.url).pathname, 'index.html'),
  '/page.js': join(new URL('./pmtiles/', import.meta.url).pathname, 'page.js'),
  '/page.css': join(new URL('./pmtiles/', import.meta.url).pathname, 'page.css'),
  '/pmtiles.js': join(nm, 'pmtiles/dist/pmtiles.js'),
};
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };
const ranges = [];
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/archive.pmtiles') {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range || '');
    const all = await readFile(archivePath);
    if (!m) { res.writeHead(200, { 'Content-Length': all.length }); res.end(all); return; }
    const [from, to] = [+m[1], Math.min(+m[2], all.length - 1)];
    ranges.push(to - from + 1);
    res.writeHead(206, { 'Content-Range': `bytes ${from}-${to}/${all.length}`, 'Content-Length': to - from + 1, 'Accept-Ranges': 'bytes' });
    res.end(all.subarray(from, to + 1));
    return;
  }
  const name = files[path] || (path.startsWith('/maplibre/') ? join(nm, 'maplibre-gl/dist', path.slice('/maplibre/'.length)) : null);
  if (!name || name.includes('..')) { res.writeHead(404); res.end(); return; }
  try {
    const body = await readFile(name);
    res.writeHead(200, { 'Content-Type': types[extname(name)] || 'application/octet-stream' });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${origin}/?lng=${lng}&lat=${lat}&z=12`);
  await page.waitForFunction(() => window.archiveMap && window.archiveMap.loaded() && window.archiveMap.areTilesLoaded(), null, { timeout: 180000 });
  await page.waitForTimeout(500);
  const drawn = await page.evaluate(() => Object.fromEntries(['cells', 'tracts', 'programs', 'counties'].map((id) => [id, window.archiveMap.queryRenderedFeatures({ layers: [id] }).length])));
  check(drawn.cells > 50, `only ${drawn.cells} hexagons drawn from the archive`);
  check(drawn.tracts > 0, 'no tract outlines drawn from the archive');
  const withGap = await page.evaluate(() => window.archiveMap.queryRenderedFeatures({ layers: ['cells'] }).filter((f) => typeof f.properties.access === 'number').length);
  check(withGap > 0, 'the hexagons carry no access figure');
  check(ranges.length > 0 && ranges.every((n) => n < size), 'MapLibre did not read the archive by ranges');
  if (screenshot) await page.screenshot({ path: screenshot });
  check(errors.length === 0, `page errors: ${errors.join(' | ')}`);
  console.log(`archive: ${found} tiles (${perZoom.join(' ')} by zoom); drawn ${JSON.stringify(drawn)} from ${ranges.length} range requests`);
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.error('FAIL\n' + failures.join('\n'));
  process.exit(1);
}
