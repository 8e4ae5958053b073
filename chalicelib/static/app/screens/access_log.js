// Access logs (resources, clients, invoices): the latest entries and the CSV export.
// The export runs in the background (a log can hold a million entries): the button queues it,
// the line beside it says how far it got, and once the file is ready it offers the download.
// The file's link is short-lived, so each click asks for a fresh one.

import { api, clientsList } from '../lib/api.js';
import { badge, button, h, table } from '../lib/dom.js';
import { downloadUrl } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { when } from '../lib/money.js';

const POLL_MS = 1500;
const count = (n) => Number(n || 0).toLocaleString('en');

export function exportProgress(exp) {
  if (exp.status === 'queued') return 'Export queued…';
  if (exp.status === 'running') return `Exporting… ${count(exp.rows)} rows so far`;
  if (exp.status === 'ready') return `Export ready: ${count(exp.rows)} rows.`;
  return exp.error || 'The export failed. Start it again.';
}

async function follow(statusPath, out, filename) {
  let exp = await api('GET', statusPath);
  while ((exp.status === 'queued' || exp.status === 'running') && out.isConnected) {
    out.replaceChildren(h('span', { testid: 'access-log-export-status' }, exportProgress(exp)));
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    exp = await api('GET', statusPath);
  }
  const status = h('span', { testid: 'access-log-export-status' }, exportProgress(exp), ' ');
  if (exp.status !== 'ready') {
    out.replaceChildren(status);
    toast(exportProgress(exp), 'error');
    return;
  }
  const download = button('Download CSV', { class: 'button small', testid: 'access-log-export-link', onclick: (e) => run(e.currentTarget, async () => {
    const fresh = await api('GET', statusPath);  // the last link may have expired
    await downloadUrl(fresh.url, filename);
  }) });
  out.replaceChildren(status, download);
  toast('Access log export ready.');
}

export async function accessLog(path, name) {
  const page = await api('GET', `${path}?limit=50`);
  const clients = await clientsList().catch(() => []);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = page.items.map((e) => h('tr', { testid: 'access-log-row' },
    h('td', {}, when(e.at)), h('td', {}, e.action), h('td', {}, badge(e.result)),
    h('td', {}, e.actor || ''), h('td', {}, names.get(e.client_id) || e.client_id || ''), h('td', {}, e.ip || '')));
  const progress = h('span', { class: 'hint', 'aria-live': 'polite' });
  const csv = button('Export CSV', { class: 'button secondary small', testid: 'access-log-csv', onclick: (e) => run(e.currentTarget, async () => {
    const started = await api('POST', `${path}/exports`, {});
    progress.replaceChildren(h('span', { testid: 'access-log-export-status' }, exportProgress(started)));
    await follow(started.status_url.replace(/^\/api\/v1/, ''), progress, `access-log-${name}.csv`);
  }) });
  return h('div', { class: 'stack' },
    h('div', { class: 'actions' }, csv, progress),
    table('Access log', ['When', 'Action', 'Result', 'Who', 'Client', 'IP'], rows, 'Nobody has accessed anything yet.'),
    page.next_cursor ? h('p', { class: 'hint' }, 'Showing the latest 50 entries; the CSV export has them all.') : null);
}
