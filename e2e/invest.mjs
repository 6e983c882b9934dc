// Browser test of the map's "Where to invest" section (server/web/invest.js) in headless Chromium.
// Usage: node invest.mjs URL SCREENSHOT-DIR TOKEN
//   the top five out-of-school engineering sites appear as markers with their reasons, as the API
//   ranks them; a what-if program placed by a click shows its change (the delta layer) and can be
//   seen with and without it; a comparison with the other run shows where access moved; nothing
//   is said on the console.
import { launchChromium } from './chromium.mjs';

const [url, shots, token] = process.argv.slice(2);
if (!url || !shots || !token) {
  console.error('usage: node invest.mjs URL SCREENSHOT-DIR TOKEN');
  process.exit(2);
}
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); return ok; };

const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
page.setDefaultTimeout(180000);
const noise = [];
page.on('pageerror', (e) => noise.push(`page error: ${e}`));
page.on('console', (m) => {
  if (['error', 'warning'].includes(m.type()) && !/GL Driver Message|GPU stall|WebGL-0x/.test(m.text())) noise.push(`console ${m.type()}: ${m.text()}`);
});

const settle = async () => {
  await page.waitForFunction(() => window.stemgapMap?.loaded() && window.stemgapMap.areTilesLoaded() && window.stemgapMap.getLayer('cells-fill'));
  await page.waitForFunction(() => new Promise((resolve) => { window.stemgapMap.once('idle', () => resolve(true)); window.stemgapMap.triggerRepaint(); }));
};
const changed = () => page.evaluate(() => (window.stemgapMap.getLayer('invest-fill')
  ? window.stemgapMap.queryRenderedFeatures({ layers: ['invest-fill'] }).map((f) => f.properties.access) : []));

await page.goto(url);
await settle();
// Out-of-school engineering, by the page's own controls: a select, or radio buttons.
if (await page.$('select#setting')) await page.selectOption('select#setting', 'out_of_school');
else await page.check('input[name=setting][value=out_of_school]');
await page.selectOption('#content', 'engineering');
await settle();

// The investment tools load when opened (not on the first load of the page).
check(!(await page.$('#invest')), 'the investment tools loaded before they were opened');
await page.click('#invest-toggle');
await page.waitForSelector('#recommend');

// 1. Recommendations: five markers, each with its reason, in the API's order.
await page.fill('#rec-count', '5');
await page.click('#recommend');
await page.waitForFunction(() => document.querySelectorAll('.invest-site').length === 5);
const api = await (await fetch(`${url}api/recommendations?setting=out_of_school&content=engineering&count=5`)).json();
const listed = await page.$$eval('#recommendations li', (lis) => lis.map((li) => li.textContent));
check(listed.length === 5, `5 recommendations listed, not ${listed.length}`);
api.recommendations.sites.forEach((s, k) => check(listed[k]?.includes(s.reason), `site ${k + 1}'s reason is listed: ${s.reason}`));
check(listed.every((t) => /engineering program here would be within 8 km of [0-9,]+ youth/.test(t)), 'every reason says how many youth the site reaches');
const first = await page.$eval('.invest-site', (e) => e.getAttribute('aria-label'));
check(first === 'Recommended site 1', `the first marker is site 1: ${first}`);
await page.screenshot({ path: `${shots}/invest-recommendations.png` });

// 2. A funder's what-if: a 60-seat engineering program clicked onto north St. Louis.
await page.selectOption('#whatif-content', 'engineering');
await page.fill('#whatif-seats', '60');
await page.fill('#whatif-token', token);
await page.click('#whatif-place');
await page.evaluate(() => window.stemgapMap.jumpTo({ center: [-90.229, 38.684], zoom: 11 }));
await settle();
const at = await page.evaluate(() => {
  const p = window.stemgapMap.project([-90.229, 38.684]);
  const box = window.stemgapMap.getContainer().getBoundingClientRect();
  return { x: box.left + p.x, y: box.top + p.y };
});
const posted = page.waitForResponse((r) => r.url().endsWith('/api/scenarios') && r.request().method() === 'POST');
await page.mouse.click(at.x, at.y);
const answer = await posted;
check(answer.status() === 201, `the what-if is created: ${answer.status()}`);
await page.waitForSelector('#whatif-changes li');
await page.waitForFunction(() => /access rose/.test(document.getElementById('invest-legend').textContent));
await settle();
const delta = await changed();
check(delta.length > 0 && delta.every((v) => Number(v) > 0), `the delta layer shows where access rose, and nowhere a fall: ${delta.length} hexagons`);
const words = await page.textContent('#whatif-result');
check(/within reach of such a program for the first time/.test(words), `the what-if says who it reaches: ${words}`);
await page.screenshot({ path: `${shots}/invest-whatif-delta.png` });
for (const view of ['scenario', 'baseline']) {
  await page.check(`input[name=whatif-view][value=${view}]`);
  await page.waitForFunction((v) => document.getElementById('invest-legend').dataset.view === v, view);
  await settle();
  check((await changed()).length > 0, `the ${view} view draws hexagons`);
}
await page.screenshot({ path: `${shots}/invest-whatif-scenario.png` });
await page.check('input[name=whatif-view][value=delta]');
await page.waitForFunction(() => document.getElementById('invest-legend').dataset.view === 'delta');
await settle();

// 3. What changed from the other run.
const others = await page.$$eval('#compare-run option', (o) => o.length);
if (check(others > 0, 'another run is offered for comparison')) {
  await page.click('#compare');
  await page.waitForFunction(() => /access rose in/.test(document.getElementById('compare-result').textContent)
    && document.getElementById('invest-legend').dataset.view === 'compare');
  await settle();
  check((await changed()).length > 0, 'the comparison draws the hexagons whose access moved');
  await page.screenshot({ path: `${shots}/invest-compare.png` });
}
await page.click('#invest-clear');

check(noise.length === 0, `nothing on the console: ${noise.join('; ')}`);
await browser.close();
if (failures.length) {
  console.error(failures.map((f) => `FAIL ${f}`).join('\n'));
  process.exit(1);
}
console.log('invest: recommendations, what-if and comparison on the map ok');
