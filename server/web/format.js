// The browser's half of data/labels (format.go): writes a figure by the same rules, so that the
// map, the reports and the exports read alike. data/labels/testdata/formats.json holds the cases
// both must pass (the browser test checks this file against them).

export const NO_DATA = 'no data';

const grouped = new Map();

// fixed rounds half away from zero on the exact value, as data/labels does, drops trailing zeros,
// groups thousands and writes no sign on a result that rounds to zero.
function fixed(v, decimals) {
  if (!grouped.has(decimals)) {
    grouped.set(decimals, new Intl.NumberFormat('en-US', {
      minimumFractionDigits: 0, maximumFractionDigits: decimals, roundingMode: 'halfExpand', signDisplay: 'negative',
    }));
  }
  return grouped.get(decimals).format(v);
}

// significantDecimals keeps three significant digits, at most six decimals, comparing against
// powers of ten exactly as format.go does.
function significantDecimals(v) {
  const a = Math.abs(v);
  let d = 2;
  for (let limit = 1; d > 0 && a >= limit * 10; limit *= 10) d--;
  for (let limit = 1; d < 6 && a > 0 && a < limit; limit /= 10) d++;
  return d;
}

function percent(p) {
  const a = Math.abs(p);
  return `${fixed(p, a < 10 || a > 90 ? 1 : 0)}%`;
}

function ordinalSuffix(digits) {
  const n = digits.length;
  if (n >= 2 && digits[n - 2] === '1') return 'th';
  return { 1: 'st', 2: 'nd', 3: 'rd' }[digits[n - 1]] || 'th';
}

// format writes v in a data/labels format ({style, suffix}); NO_DATA for a missing figure.
export function format(fmt, v) {
  if (v === null || v === undefined || typeof v !== 'number' || !Number.isFinite(v)) return NO_DATA;
  let s;
  switch (fmt.style) {
    case 'count': s = fixed(v, 0); break;
    case 'money': s = fixed(v, 0); s = s.startsWith('-') ? `-$${s.slice(1)}` : `$${s}`; break;
    case 'share': s = percent(100 * v); break;
    case 'percent': s = percent(v); break;
    case 'percentile': s = fixed(100 * v, 0); s += `${ordinalSuffix(s)} percentile`; break;
    case 'score': s = fixed(v, 2); break;
    default: s = fixed(v, significantDecimals(v));
  }
  return s + (fmt.suffix || '');
}
