// Hash routing: `#/invoices/…` picks a screen; the newest navigation wins.

import { state } from './api.js';
import { h, link, pageHeader } from './dom.js';
import { report } from './forms.js';
import { restoreForms } from './keep_forms.js';

let ROUTES = [];

/** The table of `[pattern, screen]` pairs, set once by main.js (screens import `go`, not the table). */
export function setRoutes(routes) {
  ROUTES = routes;
}

let renderSerial = 0;

export async function route() {
  if (!state.me) return;
  const hash = location.hash || '#/invoices';
  const serial = ++renderSerial;
  const view = document.getElementById('view');
  const match = ROUTES.map(([pattern, screen]) => [pattern.exec(hash), screen]).find(([m]) => m);
  const area = hash.split('/')[1] || 'invoices';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === area) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  // While the next screen loads, the current one takes no input (no clicks on stale data).
  view.setAttribute('aria-busy', 'true');
  view.inert = true;
  let content;
  try {
    content = match ? await match[1](...match[0].slice(1)) : h('div', {}, pageHeader('Not found'),
      h('p', {}, 'There is no such page. ', link('#/invoices', 'Go to invoices')));
  } catch (error) {
    report(error);
    content = h('div', {}, pageHeader('Could not load this page'), h('p', { class: 'error-text' }, error.message || ''));
  }
  if (serial !== renderSerial) return; // a newer navigation won
  view.replaceChildren(content);
  view.removeAttribute('aria-busy');
  view.inert = false;
  if (restoreForms(hash, state.me?.email)) return; // focus went to the restored form
  const heading = view.querySelector('h1');
  if (heading && document.activeElement?.closest('#view') === null) heading.focus({ preventScroll: false });
}

export function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}
