// The search box: a tract by number or GEOID, a county, or a program by name (/api/search); the
// map flies to the one chosen, and a tract's summary opens in the panel.
import { el, getJSON } from '/static/dom.js';

export function search(map, state, panel, say) {
  const form = document.getElementById('search');
  const input = document.getElementById('search-q');
  const list = document.getElementById('search-results');

  function go(r) {
    const [w, s, e, n] = r.bbox || [];
    if (r.bbox && (e - w > 1e-4 || n - s > 1e-4)) map.fitBounds([[w, s], [e, n]], { padding: 40, maxZoom: 14, duration: 800 });
    else map.flyTo({ center: r.center, zoom: 14, duration: 800 });
    if (r.kind === 'tract') panel.showTract(r.id);
    // Say what the map went to: a program or a county opens nothing in the panel, which may still
    // show what was clicked before.
    list.replaceChildren(el('li', { class: 'small', id: 'search-shown' }, `Shown on the map: ${r.label}${r.detail ? ` (${r.detail})` : ''}.`));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    try {
      const a = await getJSON(`/api/search?${new URLSearchParams({ q, run: state.run.run, limit: 8 })}`);
      if (!a.results.length) {
        list.replaceChildren(el('li', { class: 'small' }, `Nothing found for “${q}”.`));
        return;
      }
      list.replaceChildren(...a.results.map((r) => el('li', {},
        el('button', { type: 'button', class: 'result', 'data-kind': r.kind, 'data-id': r.id, onclick: () => go(r) },
          r.label, el('span', { class: 'detail' }, r.detail)))));
      if (a.results.length === 1) go(a.results[0]);
    } catch (err) {
      say(err.message);
    }
  });
}
