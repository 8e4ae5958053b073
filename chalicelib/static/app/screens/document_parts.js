// Pieces of a document's page shared by its screens: names, views, the summary, the extras.

import { api } from '../lib/api.js';
import { append, badge, fact, h, link, section, table } from '../lib/dom.js';
import { policyLabel } from '../lib/labels.js';
import { figuresBlock, money, percentText, when } from '../lib/money.js';
import { accessLog } from './access_log.js';
import { autoChargeSection } from './auto_charge.js';

export const title = (kind) => (kind === 'invoice' ? 'Invoice' : 'Quote');

/** How opens are counted, in the server's words and with its window (`counted_once_per_minutes`). */
export function viewsRule(views) {
  const minutes = views?.counted_once_per_minutes;
  return minutes ? `Opens are counted once per ${minutes} minutes per viewer.` : '';
}

/** "8 opens, counted once per 30 minutes per viewer". */
export function viewsText(views) {
  const count = views?.view_count || 0;
  const opens = `${count} open${count === 1 ? '' : 's'}`;
  const minutes = views?.counted_once_per_minutes;
  return minutes ? `${opens}, counted once per ${minutes} minutes per viewer` : opens;
}

export function viewsBadge(views) {
  const count = views?.view_count || 0;
  const hint = count
    ? `${viewsText(views)}; first ${when(views.first_viewed_at)}, last ${when(views.last_viewed_at)}`
    : `Not opened yet. ${viewsRule(views)}`.trim();
  return h('span', { class: `views${count ? '' : ' views-none'}`, title: hint },
    h('span', { class: 'visually-hidden' }, 'Views: '),
    h('span', { class: 'badge badge-views', testid: 'view-count', title: hint }, String(count)));
}

export function documentSummary(kind, doc, clients) {
  const client = clients.find((c) => c.client_id === doc.client_id);
  const rows = doc.lines.map((l) => h('tr', {},
    // The amount column is before discount (as on the client page): the discount shows here.
    h('td', {}, l.description, l.discount_bp ? h('span', { class: 'muted' }, ` (−${percentText(l.discount_bp)} %)`) : null),
    h('td', { class: 'num' }, String(l.quantity)),
    h('td', { class: 'num' }, money(l.unit_price, doc.currency)),
    h('td', { class: 'num' }, `${percentText(l.tax_rate_bp)} %`),
    h('td', { class: 'num' }, money(l.amount, doc.currency))));
  return section('Summary',
    h('dl', { class: 'facts' },
      fact('Client', client ? link(`#/clients/${client.client_id}`, client.name) : doc.bill_to?.name),
      fact('Status', doc.display_status), fact('Issued', when(doc.issue_date)), fact('Due', when(doc.due_date)),
      fact('PO number', doc.po_number), fact('Sent', when(doc.sent_at)), fact('Paid', when(doc.paid_at))),
    table('Lines', ['Description', { label: 'Qty', num: true }, { label: 'Price', num: true }, { label: 'Tax', num: true },
      { label: 'Amount before discount & tax', num: true }], rows, 'No lines.'),
    totalsBlock(doc, doc.currency),
    doc.notes ? h('p', { class: 'muted' }, doc.notes) : null);
}

/** A saved document's totals: the server's figures, never recomputed here. */
function totalsBlock(doc, currency) {
  const block = figuresBlock(doc.rows, currency);
  if (doc.overpaid) append(block, [h('dt', {}, 'Overpaid (refund it)'), h('dd', {}, money(doc.overpaid, currency))]);
  return block;
}
export async function documentExtras(kind, doc) {
  const parts = [];
  const views = doc.views || {};
  parts.push(section('Views', h('p', { testid: 'views-text' }, viewsText(views), '.'), h('dl', { class: 'facts' },
    fact('Opened', h('span', {}, viewsBadge(views), ` time${views.view_count === 1 ? '' : 's'}`)),
    fact('Unique viewers', String(views.unique_viewers || 0)),
    fact('First viewed', when(views.first_viewed_at) || '—'), fact('Last viewed', when(views.last_viewed_at) || '—'))));
  if (kind === 'invoice') {
    const ledger = (doc.payments || []).map((p) => h('tr', { testid: 'ledger-row' },
      h('td', {}, when(p.received_on || p.created_at)), h('td', {}, badge(p.kind)),
      h('td', { class: 'num' }, money(p.amount, p.currency)), h('td', {}, p.method || ''), h('td', {}, p.reference || p.dispute_status || '')));
    parts.push(section('Payments', table('Payments of this invoice', ['Date', 'Kind', { label: 'Amount', num: true }, 'Method', 'Reference'], ledger, 'No payments yet.')));
    const charges = autoChargeSection(doc);
    if (charges) parts.push(charges);
    const grants = await api('GET', `/invoices/${doc.id}/grants`).catch(() => ({ items: [] }));
    const rows = grants.items.map((g) => h('tr', {},
      h('td', {}, link(`#/resources/${g.resource_id}`, g.title || g.resource_id)), h('td', {}, policyLabel(g.policy)),
      h('td', {}, badge(g.state)), h('td', { class: 'num' }, `${g.downloads}${g.download_limit ? ` / ${g.download_limit}` : ''}`)));
    parts.push(section('Files on this invoice', table('Files on this invoice', ['File', 'Policy', 'State', { label: 'Downloads', num: true }], rows,
      'No files. Attach one from Resources.')));
    parts.push(section('Access log', await accessLog(`/invoices/${doc.id}/access-log`, `invoice-${doc.number}`)));
  }
  return parts;
}
