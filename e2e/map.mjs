// Opens the stemgap map in headless Chromium and checks that it draws: hexagons from the cells
// tiles, the legend and the data sources, and new tiles when the content area changes.
// Usage: node map.mjs http://127.0.0.1:PORT/ [screenshot.png]
import { launchChromium } from './chromium.mjs';

const [url, screenshot] = process.argv.slice(2);
if (!url) {
  console.error('usage: node map.mjs URL [screenshot.png]');
  process.exit(2);
}

const browser = await launchChromium();
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(new URL(url).origin)) external.push(r.url()); });
  const tileRequests = [];
  page.on('response', (r) => { if (r.url().includes('/tiles/cells/')) tileRequests.push([r.url(), r.status()]); });

  await page.goto(url);
  await page.waitForFunction(() => window.stemgapMap && window.stemgapMap.loaded() && window.stemgapMap.isSourceLoaded('cells'), null, { timeout: 60000 });
  // The map opens on out-of-school learning: libraries, museums, colleges and robotics teams.
  check(await page.inputValue('#setting') === 'out_of_school', 'the map does not open on out-of-school programs');
  // Zoom to downtown St. Louis, where hexagons are resolution-9 cells.
  await page.evaluate(() => window.stemgapMap.jumpTo({ center: [-90.1994, 38.627], zoom: 12 }));
  await page.waitForFunction(() => window.stemgapMap.areTilesLoaded() && window.stemgapMap.isSourceLoaded('cells'), null, { timeout: 60000 });
  await page.waitForTimeout(500);

  const hexes = await page.evaluate(() => window.stemgapMap.queryRenderedFeatures({ layers: ['cells-fill'] }).map((f) => f.properties));
  check(hexes.length > 50, `only ${hexes.length} hexagons drawn over downtown`);
  check(hexes.some((p) => typeof p.access === 'number' && typeof p.gap === 'number'), 'no drawn hexagon carries access and gap');
  check(hexes.every((p) => p.res === 9), 'downtown hexagons at z12 should be resolution 9');
  const tracts = await page.evaluate(() => window.stemgapMap.queryRenderedFeatures({ layers: ['tracts-line'] }).length);
  check(tracts > 0, 'no tract outlines drawn');
  const programs = await page.evaluate(() => window.stemgapMap.queryRenderedFeatures({ layers: ['programs-dot'] }).length);
  check(programs > 0, 'no program points drawn');

  const panel = await page.textContent('#panel');
  check(panel.includes('youth_pop'), 'the panel does not name the demand variable');
  check(panel.includes('kids_0_17_census2010'), 'the panel does not name the demand source column');
  check(panel.includes('no data'), 'the legend does not explain no data');
  check(panel.includes('ACS_14_5YR_B01001_with_ann.csv'), 'the panel does not name the Illinois youth source');
  check(panel.includes('youth_pop mixes vintages: 455 areas'), 'the panel does not say that the two sides of the river differ in vintage');

  // Drawn pixels: the canvas is not blank.
  // Read pixels inside a render event, while the drawing buffer still holds the frame.
  const colours = await page.evaluate(() => new Promise((resolve) => {
    const map = window.stemgapMap;
    map.once('render', () => {
      const gl = map.painter.context.gl;
      const c = map.getCanvas();
      const px = new Uint8Array(4 * 128 * 128);
      gl.readPixels(c.width / 2 - 64, c.height / 2 - 64, 128, 128, gl.RGBA, gl.UNSIGNED_BYTE, px);
      const seen = new Set();
      for (let i = 0; i < px.length; i += 4) seen.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
      resolve(seen.size);
    });
    map.triggerRepaint();
  }));
  check(colours > 3, `the map centre shows only ${colours} colours`);

  await page.selectOption('#content', 'science');
  await page.waitForFunction(() => window.stemgapMap.areTilesLoaded(), null, { timeout: 60000 });
  await page.waitForTimeout(500);
  check(tileRequests.some(([u, s]) => u.includes('content=science') && s === 200), 'choosing science did not fetch science tiles');
  check((await page.textContent('#measure')).includes('science'), 'the panel does not follow the content area');

  if (screenshot) await page.screenshot({ path: screenshot });
  check(errors.length === 0, `page errors: ${errors.join(' | ')}`);
  check(external.length === 0, `requests left the server (no CDN, no basemap): ${external.slice(0, 3).join(', ')}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error('map check failed:\n- ' + failures.join('\n- '));
  process.exit(1);
}
console.log('map check passed');
