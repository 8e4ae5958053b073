// Payments: payments, refunds and disputes, newest first; sortable by date, client, invoice,
// amount and kind (the rows loaded so far: the API pages newest first).

import { PAGE, api, clientsList, documentsList } from '../lib/api.js';
import { badge, button, h, link, pageHeader } from '../lib/dom.js';
import { downloadUrl } from '../lib/files.js';
import { run } from '../lib/forms.js';
import { money, when } from '../lib/money.js';
import { sortableTable } from '../lib/sortable.js';

const signed = (p) => (p.kind === 'refund' || p.kind === 'dispute' ? -1 : 1) * Number(p.amount);

export async function paymentsScreen() {
  const [page, invoices, clients] = await Promise.all([api('GET', `/payments?limit=${PAGE}`),
    documentsList('invoice').catch(() => []), clientsList().catch(() => [])]);
  const byId = new Map(invoices.map((d) => [d.id, d]));
  const clientNames = new Map(clients.map((c) => [c.client_id, c.name]));
  // Entries carry their client and invoice number; older ones are looked up in the invoice list.
  const clientOf = (p) => clientNames.get(p.client_id || byId.get(p.doc_id)?.client_id) || '';
  const numberOf = (p) => p.doc_number || byId.get(p.doc_id)?.number || '';
  const columns = [
    { key: 'date', label: 'Date', value: (p) => p.received_on || p.created_at, first: 'desc' },
    { key: 'client', label: 'Client', value: clientOf },
    { key: 'number', label: 'Invoice', value: numberOf },
    { key: 'status', label: 'Kind', value: (p) => p.kind },
    { key: 'amount', label: 'Amount', num: true, value: signed, first: 'desc' },
    { key: 'method', label: 'Method', value: (p) => p.method || (p.stripe_payment_intent ? 'stripe' : '') },
    { key: 'reference', label: 'Reference', sortable: false },
    { key: 'receipt', label: '', sortable: false },
  ];
  const list = sortableTable({
    caption: 'Payments', columns, items: page.items, testid: 'payments-table', empty: 'No payments yet.',
    row: (p) => h('tr', { testid: 'payment-row', class: `payment-${p.kind}` },
      h('td', {}, when(p.received_on || p.created_at)),
      h('td', { testid: 'payment-client' }, clientOf(p) ? link(`#/clients/${p.client_id || byId.get(p.doc_id)?.client_id}`, clientOf(p)) : ''),
      h('td', {}, link(`#/invoices/${p.doc_id}`, numberOf(p) || 'invoice')),
      h('td', {}, badge(p.kind), p.dispute_status ? [' ', badge(p.dispute_status)] : null),
      h('td', { class: 'num' }, `${signed(p) < 0 ? '−' : ''}${money(p.amount, p.currency)}`),
      h('td', {}, p.method || (p.stripe_payment_intent ? 'stripe' : '')),
      h('td', {}, p.reference || p.stripe_payment_intent || ''),
      h('td', {}, p.kind === 'payment' ? button('Receipt', { class: 'button secondary small', testid: 'payment-receipt',
        onclick: (e) => run(e.currentTarget, async () => {
          const { url } = await api('GET', `/invoices/${p.doc_id}/payments/${p.payment_id}/receipt/pdf`);
          await downloadUrl(url, `receipt-${numberOf(p) || p.doc_id}.pdf`);
        }) }) : null)),
  });
  let cursor = page.next_cursor;
  const more = button('Load more', { class: 'button secondary', hidden: !cursor, onclick: (e) => run(e.currentTarget, async () => {
    const next = await api('GET', `/payments?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
    list.add(next.items);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }) });
  return h('div', {},
    pageHeader('Payments'),
    h('section', { class: 'card' },
      h('p', { class: 'hint' }, 'Payments, refunds and disputes, newest first; select a heading to sort the rows shown.'),
      list.el, more));
}
