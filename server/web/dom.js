// Small helpers for building the page: elements whose text is always text (nothing the data
// carries becomes markup), and JSON fetched with its error said.

// el builds an element: attributes set as properties or attributes, children as text nodes.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return e;
}

// getJSON fetches a JSON answer; an error answer throws with the server's own message.
export async function getJSON(url, init) {
  const resp = await fetch(url, init);
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error(body.error || `${url}: ${resp.status}`);
  return body;
}
