// Opens a tract report and the region report in headless Chromium, as an advocate and a
// workgroup would, and checks what they read and print: the tract report renders with its map and
// chart, prints to at most two Letter pages holding the tract's name and no JSON, and the region
// report's charts are SVG with one bar per judged series, per equity group and per histogram bin.
// Usage: node report.mjs TRACT-URL REGION-URL OUT-DIR
// TRACT-URL and REGION-URL carry the same run, setting and content; OUT-DIR receives
// screenshots and the PDF.
import { launchChromium } from './chromium.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [tractURL, regionURL, outDir] = process.argv.slice(2);
if (!tractURL || !regionURL || !outDir) {
  console.error('usage: node report.mjs TRACT-URL REGION-URL OUT-DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const browser = await launchChromium();
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// PDF pages: count the page objects of the file Chromium wrote.
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;

try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.text()} ${m.location().url}`); });

  // The tract report.
  const api = await (await fetch(tractURL.replace('/tracts/', '/api/tracts/'))).json();
  const resp = await page.goto(tractURL);
  check(resp.status() === 200, `tract report answered ${resp.status()}`);
  const title = await page.textContent('h1');
  check(title === api.title, `the heading reads ${JSON.stringify(title)}, the API's title ${JSON.stringify(api.title)}`);
  check(/^Census Tract [0-9.]+, /.test(title), `the heading does not name a census tract and its place: ${title}`);
  const summary = await page.textContent('.summary');
  check(summary.length > 200 && /live in this tract/.test(summary), `no summary in plain words: ${summary.slice(0, 120)}`);
  const order = await page.evaluate(() => [...document.querySelectorAll('main > *')].map((e) => e.className || e.tagName));
  check(order.indexOf('caveats') >= 0 && order.indexOf('caveats') < order.indexOf('pair'), `the caveats do not come before the map and chart: ${order.join(', ')}`);
  check(await page.locator('figure.locator svg path').count() > 3, 'the locator map draws no shapes');
  const bars = await page.locator('svg.access-chart rect.bar').count();
  const withAccess = api.content_areas.filter((c) => c.access_ratio !== null).length;
  check(bars === withAccess, `the access chart has ${bars} bars for ${withAccess} content areas with a figure`);
  check(await page.locator('table.deciding tbody tr').count() === api.content_areas.length, 'the rule table does not list every content area');
  const body = await page.textContent('body');
  check(!body.includes('{"'), 'the page holds JSON');
  check(body.includes('How to cite') && body.includes(api.provenance.run), 'no citation with the run id');
  check(!/e\+\d/.test(body), 'a number is written in exponent form');
  await page.screenshot({ path: join(outDir, 'tract-report.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(outDir, 'tract-report-print.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'Letter', printBackground: true, preferCSSPageSize: true });
  writeFileSync(join(outDir, 'tract-report.pdf'), pdf);
  const pages = pdfPages(pdf);
  check(pages >= 1 && pages <= 2, `the tract report prints to ${pages} Letter pages`);
  // The PDF's own text is read back by pdftotext in the Go test that runs this script.
  await page.emulateMedia({ media: 'screen' });

  // The region report.
  const regionResp = await page.goto(regionURL);
  check(regionResp.status() === 200, `region report answered ${regionResp.status()}`);
  const runs = await (await fetch(new URL('/api/runs/latest', regionURL))).json();
  const judged = runs.content_area_summary.filter((c) => !c.too_few).length;
  const desertBars = await page.locator('svg.desert-chart rect.bar').count();
  check(desertBars === judged, `the desert chart has ${desertBars} bars for ${judged} judged series`);
  const url = new URL(regionURL);
  const equity = await (await fetch(new URL(`/api/runs/${url.searchParams.get('run') || 'latest'}/equity`, regionURL))).json();
  const equityRows = equity.equity.filter((e) => e.setting === (url.searchParams.get('setting') || runs.setting_groups[0].name)
    && e.content_area === (url.searchParams.get('content') || 'all')).length;
  const equityBars = await page.locator('svg.equity-chart rect.bar').count();
  check(equityBars === equityRows, `the equity chart has ${equityBars} bars for ${equityRows} groups`);
  const histBars = await page.locator('svg.histogram rect.bar').count();
  check(histBars >= 3, `the histogram has ${histBars} bars`);
  const rows = await page.locator('table.ranked tbody tr').count();
  const withDemand = (await (await fetch(new URL('/report?format=csv&' + url.searchParams, regionURL))).text()).trim().split('\n').length - 1;
  check(rows === withDemand && rows > 0, `the ranked table has ${rows} rows, the CSV ${withDemand}`);
  const first = await page.getAttribute('table.ranked tbody tr:first-child a', 'href');
  check(first && new URL(first, regionURL).pathname.startsWith('/tracts/'), `the first ranked tract does not link to its report: ${first}`);
  // Sorting by unmet seats reorders the table through its heading's link.
  await page.click('table.ranked thead a:text("Unmet seats")');
  check(page.url().includes('sort=unmet'), `the unmet heading leads to ${page.url()}`);
  // A series too thin to judge has no unmet seats: it stays ranked by access, and says so.
  const judgedFocus = (await page.locator('p.sort-note').count()) === 0;
  const marked = await page.textContent('table.ranked th[aria-sort]');
  check(marked === (judgedFocus ? 'Unmet seats' : 'Access'), `the column marked as sorted is ${marked}`);
  await page.goto(regionURL);
  await page.screenshot({ path: join(outDir, 'region-report.png'), fullPage: true });
  // Printed as a reader prints it: with the print style sheet, which lists only the first ranked
  // tracts and says where the whole ranking is.
  await page.emulateMedia({ media: 'print' });
  const regionPDF = await page.pdf({ format: 'Letter', printBackground: true, preferCSSPageSize: true });
  await page.emulateMedia({ media: 'screen' });
  writeFileSync(join(outDir, 'region-report.pdf'), regionPDF);
  const regionPages = pdfPages(regionPDF);
  check(regionPages >= 1 && regionPages <= 4, `the region report prints to ${regionPages} Letter pages`);

  check(errors.length === 0, `page errors: ${errors.join(' | ')}`);

  // The method page and an unknown tract.
  const method = await page.goto(new URL('/method', regionURL).href);
  check(method.status() === 200 && (await page.textContent('h1')).includes('How stemgap measures'), 'the method page does not render METHOD.md');
  const missing = await page.goto(new URL('/tracts/99999999999', regionURL).href);
  check(missing.status() === 404 && (await missing.headerValue('content-type')).startsWith('text/html'), 'an unknown tract is not an HTML 404');
  console.log(`tract "${title}": ${pages} page(s); region: ${regionPages} page(s), ${desertBars} desert bars, ${equityBars} equity bars, ${histBars} histogram bars, ${rows} tracts`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error('FAIL\n' + failures.join('\n'));
  process.exit(1);
}
