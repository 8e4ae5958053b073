// Invoices and quotes: the lists and one document's page.

import { PAGE, api, clientsList, productsList } from '../lib/api.js';
import { badge, button, field, h, link, nextId, pageHeader, select } from '../lib/dom.js';
import { report, run } from '../lib/forms.js';
import { money, when } from '../lib/money.js';
import { MANAGE, can } from '../lib/session.js';
import { sortableTable } from '../lib/sortable.js';
import { documentActions, sentDocumentForm } from './document_actions.js';
import { documentEditor } from './document_editor.js';
import { documentExtras, documentSummary, title, viewsBadge, viewsRule } from './document_parts.js';
import { makeRecurringForm } from './recurring.js';

const STATUSES = {
  invoice: ['draft', 'sent', 'partial', 'overdue', 'paid', 'cancelled'],
  quote: ['draft', 'sent', 'accepted', 'declined', 'cancelled'],
};
export async function documentsScreen(kind, status = '') {
  const query = status ? `?status=${encodeURIComponent(status)}` : '';
  const [page, clients] = await Promise.all([api('GET', `/${kind}s${query}${query ? '&' : '?'}limit=${PAGE}`), clientsList()]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const clientOf = (d) => names.get(d.client_id) || d.bill_to?.name || '';
  const columns = [
    { key: 'number', label: 'Number', value: (d) => d.number },
    { key: 'client', label: 'Client', value: clientOf },
    { key: 'date', label: 'Date', value: (d) => d.issue_date || d.created_at, first: 'desc' },
    { key: 'status', label: 'Status', value: (d) => d.display_status },
    { key: 'total', label: 'Total', num: true, value: (d) => Number(d.total), first: 'desc' },
    ...(kind === 'invoice' ? [{ key: 'balance', label: 'Balance', num: true, value: (d) => Number(d.balance), first: 'desc' }] : []),
    { key: 'views', label: 'Views', num: true, value: (d) => d.views?.view_count || 0, first: 'desc' },
  ];
  const list = sortableTable({
    caption: `${title(kind)}s`, columns, items: page.items, testid: `${kind}-table`,
    empty: `No ${kind}s${status ? ` with status ${status}` : ''} yet.`,
    row: (d) => h('tr', { testid: kind === 'invoice' ? 'invoice-row' : 'quote-row' },
      h('td', {}, link(`#/${kind}s/${d.id}`, d.number, { class: 'doc-number' })),
      h('td', {}, clientOf(d)),
      h('td', {}, when(d.issue_date)),
      h('td', {}, badge(d.display_status)),
      h('td', { class: 'num' }, money(d.total, d.currency)),
      kind === 'invoice' ? h('td', { class: 'num' }, money(d.balance, d.currency)) : null,
      h('td', { class: 'num' }, viewsBadge(d.views))),
  });
  let cursor = page.next_cursor;
  const more = button('Load more', { class: 'button secondary', hidden: !cursor, onclick: (e) => run(e.currentTarget, async () => {
    const next = await api('GET', `/${kind}s?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}${status ? `&status=${status}` : ''}`);
    list.add(next.items);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }) });
  const filter = select({ id: nextId('status'), name: 'status', testid: kind === 'invoice' ? 'invoice-status-filter' : 'quote-status-filter' },
    [['', 'All'], ...STATUSES[kind].map((s) => [s, s[0].toUpperCase() + s.slice(1)])], status);
  filter.addEventListener('change', async () => {
    const view = document.getElementById('view');
    view.replaceChildren(await documentsScreen(kind, filter.value).catch((e) => { report(e); return h('p', {}, ''); }));
    view.querySelector('select')?.focus();
  });
  return h('div', {},
    pageHeader(`${title(kind)}s`,
      can(MANAGE.invoices) ? link(`#/${kind}s/new`, `New ${kind}`, { class: 'button', testid: kind === 'invoice' ? 'invoice-new' : 'quote-new' }) : null),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, field('Status', filter)),
      list.el,
      h('p', { class: 'hint' }, `Newest first; select a heading to sort by it (the rows loaded so far). ${viewsRule(page.items[0]?.views)}`),
      more));
}

export async function documentScreen(kind, docId) {
  const [doc, clients, products] = await Promise.all([
    docId ? api('GET', `/${kind}s/${docId}`) : null, clientsList(), productsList()]);
  const editable = can(MANAGE.invoices) && (!doc || doc.status === 'draft');
  const heading = doc ? `${title(kind)} ${doc.number}` : `New ${kind}`;
  return h('div', {},
    pageHeader(heading, link(`#/${kind}s`, `← All ${kind}s`, { class: 'button secondary small' }),
      doc ? badge(doc.display_status) : null),
    doc ? documentActions(kind, doc) : null,
    editable ? documentEditor(kind, doc, clients, products) : documentSummary(kind, doc, clients),
    doc && !editable && can(MANAGE.invoices) && ['sent', 'partial'].includes(doc.status) ? sentDocumentForm(kind, doc) : null,
    doc && kind === 'invoice' && can(MANAGE.invoices) && doc.status !== 'cancelled' ? makeRecurringForm(doc) : null,
    doc ? await documentExtras(kind, doc) : null);
}
