// Payments: payments, refunds and disputes, newest first.

import { PAGE, api, documentsList } from '../lib/api.js';
import { append, badge, button, h, link, pageHeader } from '../lib/dom.js';
import { downloadUrl } from '../lib/files.js';
import { run } from '../lib/forms.js';
import { money, when } from '../lib/money.js';

export async function paymentsScreen() {
  const [page, invoices] = await Promise.all([api('GET', `/payments?limit=${PAGE}`), documentsList('invoice').catch(() => [])]);
  const numbers = new Map(invoices.map((d) => [d.id, d.number]));
  const tbody = h('tbody', {});
  const addRows = (items) => append(tbody, items.map((p) => h('tr', { testid: 'payment-row', class: `payment-${p.kind}` },
    h('td', {}, when(p.received_on || p.created_at)),
    h('td', {}, badge(p.kind), p.dispute_status ? [' ', badge(p.dispute_status)] : null),
    h('td', { class: 'num' }, `${p.kind === 'refund' || p.kind === 'dispute' ? '−' : ''}${money(p.amount, p.currency)}`),
    h('td', {}, link(`#/invoices/${p.doc_id}`, numbers.get(p.doc_id) || 'invoice')),
    h('td', {}, p.method || (p.stripe_payment_intent ? 'stripe' : '')),
    h('td', {}, p.reference || p.stripe_payment_intent || ''),
    h('td', {}, p.kind === 'payment' ? button('Receipt', { class: 'button secondary small', testid: 'payment-receipt',
      onclick: (e) => run(e.currentTarget, async () => {
        const { url } = await api('GET', `/invoices/${p.doc_id}/payments/${p.payment_id}/receipt/pdf`);
        await downloadUrl(url, `receipt-${numbers.get(p.doc_id) || p.doc_id}.pdf`);
      }) }) : null))));
  addRows(page.items);
  let cursor = page.next_cursor;
  const more = button('Load more', { class: 'button secondary', hidden: !cursor, onclick: (e) => run(e.currentTarget, async () => {
    const next = await api('GET', `/payments?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
    addRows(next.items);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }) });
  return h('div', {},
    pageHeader('Payments'),
    h('section', { class: 'card' },
      h('p', { class: 'hint' }, 'Payments, refunds and disputes, newest first.'),
      page.items.length ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Payments' },
        h('table', {}, h('caption', { class: 'visually-hidden' }, 'Payments'),
          h('thead', {}, h('tr', {}, ['Date', 'Kind', 'Amount', 'Invoice', 'Method', 'Reference', ''].map((t) => h('th', { scope: 'col' }, t)))),
          tbody)) : h('p', { class: 'empty' }, 'No payments yet.'),
      more));
}
