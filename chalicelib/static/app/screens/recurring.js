// Recurring invoices: the list, one template's page (its invoices, edit, pause/resume/stop), and the
// "Make recurring" form on an invoice. The scheduler issues each period's invoice; staff set the rules.

import { PAGE, api, clientsList } from '../lib/api.js';
import { badge, button, checkbox, confirmButton, fact, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { run, toast } from '../lib/forms.js';
import { money, today, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';

const FREQUENCIES = [['weekly', 'Every week'], ['biweekly', 'Every 2 weeks'], ['monthly', 'Every month'],
  ['quarterly', 'Every 3 months'], ['semiannually', 'Every 6 months'], ['yearly', 'Every year']];
const ENDS = [['never', 'Never'], ['after', 'After a number of invoices'], ['on_date', 'On a date']];
const CATCH_UP = [['catch_up', 'Catch up: one invoice per missed period'], ['skip', 'Skip to the current period']];
const remaining = (r) => (r.cycles_remaining === null ? 'No end' : String(r.cycles_remaining));

export async function recurringListScreen() {
  const [page, clients] = await Promise.all([api('GET', `/recurring?limit=${PAGE}`), clientsList()]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = page.items.map((r) => h('tr', { testid: 'recurring-row' },
    h('td', {}, link(`#/recurring/${r.id}`, names.get(r.client_id) || r.client_name)),
    h('td', {}, r.frequency_words), h('td', { class: 'num' }, money(r.total, r.currency)),
    h('td', {}, when(r.next_date) || '—'), h('td', {}, remaining(r)), h('td', {}, badge(r.status))));
  return h('div', {},
    pageHeader('Recurring invoices'),
    h('section', { class: 'card' },
      h('p', { class: 'hint' }, 'Made from an invoice with “Make recurring”. Each period’s invoice is issued once, on its date in your time zone.'),
      table('Recurring invoices', ['Client', 'Repeats', 'Amount', 'Next invoice', 'Still to come', 'Status'], rows,
        'No recurring invoices yet. Open an invoice and choose “Make recurring”.')));
}

export async function recurringScreen(id) {
  const r = await api('GET', `/recurring/${id}`);
  const reload = () => go(`#/recurring/${id}`);
  const act = (action, words) => button(words, { class: 'button secondary', testid: `recurring-${action}`, onclick: (e) => run(e.currentTarget, async () => {
    await api('POST', `/recurring/${id}/${action}`);
    toast(`Recurring invoice ${action === 'stop' ? 'stopped' : `${action}d`}.`);
    reload();
  }) });
  const manage = can(MANAGE.invoices);
  const live = ['active', 'paused'].includes(r.status);
  const actions = manage && live ? [
    r.status === 'active' ? act('pause', 'Pause') : act('resume', 'Resume'),
    confirmButton('Stop', 'Confirm stop', async () => {
      await api('POST', `/recurring/${id}/stop`);
      toast('Recurring invoice stopped.');
      reload();
    }, { testid: 'recurring-stop' })] : [];
  const invoices = r.invoices.map((p) => h('tr', {},
    h('td', {}, p.invoice_id ? link(`#/invoices/${p.invoice_id}`, p.number || 'invoice') : '—'),
    h('td', {}, when(p.issue_date)), h('td', {}, badge(p.state))));
  return h('div', {},
    pageHeader(`${r.frequency_words}: ${r.client_name}`, link('#/recurring', '← All recurring invoices', { class: 'button secondary small' }), badge(r.status)),
    h('section', { class: 'card', 'aria-label': 'Schedule' },
      h('dl', { class: 'facts' },
        fact('Amount', money(r.total, r.currency)), fact('Starts', when(r.start_date)), fact('Next invoice', when(r.next_date) || '—'),
        fact('Still to come', remaining(r)), fact('Sends', r.auto_send ? 'Emailed to the client' : 'Kept as a draft'),
        fact('Charges the saved card', r.auto_charge ? 'Yes' : 'No'),
        fact('Made from', link(`#/invoices/${r.source_invoice_id}`, 'the original invoice'))),
      actions.length ? h('div', { class: 'actions wrap' }, actions) : null),
    manage && live ? editForm(r, reload) : null,
    section('Invoices issued', table('Invoices issued', ['Number', 'Issued', 'State'], invoices, 'None yet.')));
}

function scheduleFields(r) {
  return [
    h('div', { class: 'grid-2' },
      field('Repeats', select({ name: 'frequency', testid: 'recurring-frequency' }, FREQUENCIES, r.frequency || 'monthly')),
      field('First invoice on', input({ name: 'start_date', type: 'date', value: r.start_date || today(), testid: 'recurring-start' }))),
    h('div', { class: 'grid-3' },
      field('Ends', select({ name: 'end' }, ENDS, r.end || 'never')),
      field('After (invoices)', input({ name: 'end_after', inputmode: 'numeric', value: r.end_after ?? '' })),
      field('On', input({ name: 'end_date', type: 'date', value: r.end_date || '' }))),
    field('When a run is late', select({ name: 'catch_up' }, CATCH_UP, r.catch_up || 'catch_up')),
    checkbox('Email each invoice to the client (otherwise it waits as a draft)', h('input', { type: 'checkbox', name: 'auto_send', checked: r.auto_send ?? true })),
    checkbox('Charge the client’s saved card', h('input', { type: 'checkbox', name: 'auto_charge', checked: Boolean(r.auto_charge) })),
  ];
}

function scheduleBody(els, withSchedule) {
  const body = {
    end: els.end.value, catch_up: els.catch_up.value, auto_send: els.auto_send.checked, auto_charge: els.auto_charge.checked,
    end_after: els.end.value === 'after' && els.end_after.value.trim() ? Number(els.end_after.value.trim()) : null,
    end_date: els.end.value === 'on_date' && els.end_date.value ? els.end_date.value : null,
  };
  if (withSchedule) Object.assign(body, { frequency: els.frequency.value, start_date: els.start_date.value });
  return body;
}

function editForm(r, reload) {
  const started = r.next_index > 0;
  const form = h('form', { class: 'stack', novalidate: true }, scheduleFields(r),
    started ? h('p', { class: 'hint' }, 'The frequency and first date are fixed once an invoice was issued.') : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));
  if (started) for (const name of ['frequency', 'start_date']) form.elements[name].disabled = true;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      await api('PATCH', `/recurring/${r.id}`, scheduleBody(form.elements, !started));
      toast('Saved.');
      reload();
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Edit the schedule'), form);
}

/** "Make recurring" on an invoice: the same client, lines, notes, terms and files, on a schedule. */
export function makeRecurringForm(doc) {
  const form = h('form', { class: 'stack', novalidate: true, testid: 'make-recurring' }, scheduleFields({}),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'recurring-save' }, 'Make recurring')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const made = await api('POST', '/recurring', { invoice_id: doc.id, ...scheduleBody(form.elements, true) });
      toast(`Recurring invoice made: ${made.frequency_words.toLowerCase()}, first on ${when(made.next_date)}.`);
      go(`#/recurring/${made.id}`);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', { testid: 'make-recurring-open' }, 'Make recurring'), form);
}
