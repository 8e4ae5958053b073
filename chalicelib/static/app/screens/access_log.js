// Access logs (resources, clients, invoices): the latest entries and the CSV export.

import { api, clientsList } from '../lib/api.js';
import { badge, button, h, table } from '../lib/dom.js';
import { filenameOf, saveBlob } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { when } from '../lib/money.js';

export async function accessLog(path, name) {
  const page = await api('GET', `${path}?limit=50`);
  const clients = await clientsList().catch(() => []);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = page.items.map((e) => h('tr', { testid: 'access-log-row' },
    h('td', {}, when(e.at)), h('td', {}, e.action), h('td', {}, badge(e.result)),
    h('td', {}, e.actor || ''), h('td', {}, names.get(e.client_id) || e.client_id || ''), h('td', {}, e.ip || '')));
  const csv = button('Export CSV', { class: 'button secondary small', testid: 'access-log-csv', onclick: (e) => run(e.currentTarget, async () => {
    const res = await api('GET', `${path}?format=csv`, null, { raw: true });
    saveBlob(await res.blob(), filenameOf(res.headers.get('Content-Disposition'), `access-log-${name}.csv`));
    toast('Access log exported.');
  }) });
  return h('div', { class: 'stack' },
    h('div', { class: 'actions' }, csv),
    table('Access log', ['When', 'Action', 'Result', 'Who', 'Client', 'IP'], rows, 'Nobody has accessed anything yet.'),
    page.next_cursor ? h('p', { class: 'hint' }, 'Showing the latest 50 entries; the CSV export has up to 1,000.') : null);
}
