// Checks in headless Chromium that the server's Content-Security-Policy stops injected code on
// the map page even if escaping fails: the payload of issue 12's defect 4 (a tract id
// `<img src=x onerror=…>` put into HTML), an injected inline <script>, and eval (a string timer).
// Usage: node csp.mjs http://127.0.0.1:PORT/
import { launchChromium } from './chromium.mjs';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: node csp.mjs URL');
  process.exit(2);
}
const browser = await launchChromium();
const failures = [];
try {
  const page = await browser.newPage();
  const response = await page.goto(url);
  if (!response.headers()['content-security-policy']) failures.push('the map page has no Content-Security-Policy');
  const outcome = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    const host = document.createElement('div');
    document.body.append(host);
    host.innerHTML = 'Report for tract <img src=x onerror="window.pwnedByHandler = 1">';
    const script = document.createElement('script');
    script.textContent = 'window.pwnedByScript = 1';
    document.body.append(script);
    // A string timer is eval by another name; DevTools' own evaluation is exempt from the CSP,
    // the timer's later run is not.
    setTimeout('window.pwnedByEval = 1', 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { handler: window.pwnedByHandler, script: window.pwnedByScript, evalRan: window.pwnedByEval !== undefined, violations };
  });
  if (outcome.handler !== undefined) failures.push('the injected onerror handler ran');
  if (outcome.script !== undefined) failures.push('the injected inline script ran');
  if (outcome.evalRan) failures.push('eval ran');
  for (const d of ['script-src-attr', 'script-src-elem', 'script-src']) {
    if (!outcome.violations.includes(d)) failures.push(`no ${d} violation was reported (saw ${outcome.violations.join(', ')})`);
  }
  console.log(`blocked: ${outcome.violations.join(', ')}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
