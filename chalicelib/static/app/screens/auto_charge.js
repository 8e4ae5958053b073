// An invoice's card charges: the last auto-charge attempt, why it failed, and "charge now".

import { api, forget } from '../lib/api.js';
import { badge, button, fact, h, section } from '../lib/dom.js';
import { run, toast } from '../lib/forms.js';
import { money, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';

export function autoChargeSection(doc) {
  const state = doc.card_charge;
  const open = ['sent', 'partial'].includes(doc.status);
  if (!state && !doc.auto_charge && !open) return null;
  const facts = state
    ? h('dl', { class: 'facts' },
      fact('Last charge', h('span', {}, badge(state.state), ` attempt ${state.attempt}, ${money(state.amount, doc.currency)}`)),
      fact('When', when(state.updated_at)),
      state.failure_reason ? fact('Why it failed', h('span', { testid: 'autocharge-failure' }, state.failure_reason)) : null)
    : h('p', { class: 'muted' }, 'The saved card has not been charged for this invoice.');
  const buttons = [];
  if (can(MANAGE.invoices) && open && state?.state !== 'charging' && state?.state !== 'submitted') {
    buttons.push(button('Charge saved card now', { class: 'button secondary', testid: 'charge-now', onclick: (e) => run(e.currentTarget, async () => {
      const outcome = await api('POST', `/invoices/${doc.id}/charge-now`);
      toast(outcome.outcome === 'submitted' ? 'Charged; the payment shows here once Stripe confirms it.'
        : `The charge failed: ${outcome.card_charge?.failure_reason || 'see below'}`);
      forget('invoices');
      go(`#/invoices/${doc.id}`);
    }) }));
  }
  return section('Saved card', facts, buttons.length ? h('div', { class: 'actions' }, buttons) : null);
}
