// Subscriptions: the list of the business's subscriptions (mirrored from Stripe) and one subscription's
// page (plan, status, next charge, its paid invoices and the files it opens). Subscribers change their
// own plan in the portal; staff revoke or release a file from the file's page as for any grant.

import { PAGE, api, clientsList } from '../lib/api.js';
import { badge, fact, h, link, pageHeader, table } from '../lib/dom.js';
import { money } from '../lib/money.js';

const charge = (s) => (s.next_charge ? `${money(s.next_charge.amount, s.next_charge.currency)} on ${s.next_charge.date}` : '—');
const plan = (s) => (s.price ? `${s.plan} · ${money(s.price.amount, s.price.currency)} a ${s.interval}` : s.plan);

export async function subscriptionsScreen() {
  const [page, clients] = await Promise.all([api('GET', `/subscriptions?limit=${PAGE}`), clientsList()]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = page.items.map((s) => h('tr', { testid: 'subscription-row' },
    h('td', {}, link(`#/subscriptions/${s.id}`, names.get(s.client_id) || 'Buyer')),
    h('td', {}, plan(s)), h('td', {}, badge(s.status)), h('td', {}, charge(s)),
    h('td', {}, s.current_period_end || '—')));
  return h('div', {},
    pageHeader('Subscriptions'),
    h('section', { class: 'card' },
      h('p', { class: 'hint' }, 'Started through a recurring buy link. Each paid period is recorded as a paid invoice.'),
      table('Subscriptions', ['Client', 'Plan', 'Status', 'Next charge', 'Period ends'], rows,
        'No subscriptions yet. They appear when someone buys through a recurring buy link.')));
}

export async function subscriptionScreen(id) {
  const s = await api('GET', `/subscriptions/${id}`);
  const invoices = s.invoices.map((p) => h('tr', {},
    h('td', {}, link(`#/invoices/${p.invoice_id}`, p.number)), h('td', {}, p.paid_at.slice(0, 10)),
    h('td', { class: 'num' }, money(p.amount, p.currency))));
  const files = s.grants.map((g) => h('tr', {},
    h('td', {}, link(`#/resources/${g.resource_id}`, g.title)), h('td', {}, badge(g.state)),
    h('td', {}, g.decided_by === 'staff' ? 'Decided by staff' : 'Follows the subscription')));
  return h('div', {},
    pageHeader(plan(s), link('#/subscriptions', '← All subscriptions', { class: 'button secondary small' }), badge(s.status)),
    h('section', { class: 'card', 'aria-label': 'Subscription' },
      h('dl', { class: 'facts' },
        fact('Client', s.client_id ? link(`#/clients/${s.client_id}`, 'Open client') : '—'),
        fact('Next charge', charge(s)), fact('Current period', `${s.current_period_start || '—'} to ${s.current_period_end || '—'}`),
        fact('Ends at period end', s.cancel_at_period_end ? 'Yes' : 'No'), fact('Stripe subscription', s.id))),
    h('section', { class: 'card' }, h('h2', {}, 'Paid periods'),
      table('Paid periods', ['Invoice', 'Paid', 'Amount'], invoices, 'No paid periods yet.')),
    h('section', { class: 'card' }, h('h2', {}, 'Files'),
      table('Files', ['File', 'State', 'Decided by'], files, 'The plan’s products have no files released after payment.')));
}
