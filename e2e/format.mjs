// Holds the browser's number formatter (server/web/format.js) to the hand-worked cases that
// data/labels (Go) passes too, so that the map and the reports write every figure alike.
// Usage: node format.mjs
import { readFileSync } from 'node:fs';
import { format } from '../server/web/format.js';

const { cases } = JSON.parse(readFileSync(new URL('../data/labels/testdata/formats.json', import.meta.url)));
const wrong = cases
  .map((c) => ({ ...c, got: format({ style: c.style, suffix: c.suffix }, c.value) }))
  .filter((c) => c.got !== c.want);
for (const c of wrong) console.error(`${c.style} ${c.value}: got ${JSON.stringify(c.got)}, want ${JSON.stringify(c.want)}`);
if (cases.length < 30 || wrong.length) process.exit(1);
console.log(`format.js writes all ${cases.length} cases as data/labels does`);
