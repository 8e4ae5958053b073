// Access logs (resources, clients, invoices): the latest entries and the CSV export.
// The export runs in the background (a log can hold a million entries): the button queues it,
// the line beside it says how far it got, and once the file is ready it offers the download.
// The file's link is short-lived, so each click asks for a fresh one.

import { api } from '../lib/api.js';
import { badge, button, h, link } from '../lib/dom.js';
import { downloadUrl } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { number, when } from '../lib/money.js';
import { sortableTable } from '../lib/sortable.js';

const POLL_MS = 1500;
const count = (n) => number(n);

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

/** Who acted, in words: the contact's name, staff's address, or how a link was used. */
function who(e) {
  if (e.actor_name) return e.actor_name;
  if (e.actor?.startsWith('staff:')) return `${e.actor.slice(6)} (staff)`;
  if (e.actor === 'link') return 'Someone with the link';
  return e.actor || '';
}

export async function accessLog(path, name) {
  const page = await api('GET', `${path}?limit=50`);
  // The API names the file, invoice, client and contact of each entry (ids stay for anything gone).
  const columns = [
    { key: 'date', label: 'When', value: (e) => e.at, first: 'desc' },
    { key: 'action', label: 'Action', value: (e) => e.action },
    { key: 'status', label: 'Result', value: (e) => e.result },
    { key: 'who', label: 'Who', value: who },
    { key: 'file', label: 'File', value: (e) => e.resource_title || e.resource_id },
    { key: 'number', label: 'Invoice', value: (e) => e.doc_number || e.doc_id },
    { key: 'client', label: 'Client', value: (e) => e.client_name || e.client_id },
    { key: 'ip', label: 'IP', value: (e) => e.ip },
  ];
  const list = sortableTable({
    caption: 'Access log', columns, items: page.items, testid: 'access-log-table', empty: 'Nobody has accessed anything yet.',
    row: (e) => h('tr', { testid: 'access-log-row' },
      h('td', {}, when(e.at)), h('td', {}, e.action), h('td', {}, badge(e.result)), h('td', {}, who(e)),
      h('td', { testid: 'access-log-file' }, e.resource_id ? link(`#/resources/${e.resource_id}`, e.resource_title || 'removed file') : ''),
      h('td', {}, e.doc_id ? link(`#/invoices/${e.doc_id}`, e.doc_number || 'invoice') : ''),
      h('td', { testid: 'access-log-client' }, e.client_id ? link(`#/clients/${e.client_id}`, e.client_name || 'removed client') : ''),
      h('td', {}, e.ip || '')),
  });
  const progress = h('span', { class: 'hint', 'aria-live': 'polite' });
  const csv = button('Export CSV', { class: 'button secondary small', testid: 'access-log-csv', onclick: (e) => run(e.currentTarget, async () => {
    const started = await api('POST', `${path}/exports`, {});
    progress.replaceChildren(h('span', { testid: 'access-log-export-status' }, exportProgress(started)));
    await follow(started.status_url.replace(/^\/api\/v1/, ''), progress, `access-log-${name}.csv`);
  }) });
  return h('div', { class: 'stack' },
    h('div', { class: 'actions' }, csv, progress),
    list.el,
    h('p', { class: 'hint' }, 'The CSV has every entry, with the file, invoice, client and contact names beside their ids.'),
    page.next_cursor ? h('p', { class: 'hint' }, 'Showing the latest 50 entries; the CSV export has them all.') : null);
}
