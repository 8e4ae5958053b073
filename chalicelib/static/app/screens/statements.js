// A client's statement: a period (this year so far by default), downloaded as a PDF or emailed
// to the client's contacts (each gets their own link to it).

import { api } from '../lib/api.js';
import { button, field, h, input, section } from '../lib/dom.js';
import { downloadUrl } from '../lib/files.js';
import { run, toast } from '../lib/forms.js';
import { MANAGE, can } from '../lib/session.js';

/** `YYYY-MM-DD` of a local date (the business's day, as the server's defaults). */
const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function thisYear(today = new Date()) {
  return { from: `${today.getFullYear()}-01-01`, to: day(today) };
}

export function statementSection(client) {
  const range = thisYear();
  const from = input({ name: 'from', type: 'date', value: range.from, testid: 'statement-from' });
  const to = input({ name: 'to', type: 'date', value: range.to, testid: 'statement-to' });
  const form = h('form', { class: 'stack', novalidate: true, testid: 'statement-form' },
    h('div', { class: 'grid-2' }, field('From', from), field('To', to)));
  const query = () => `from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`;
  const download = button('Download PDF', { class: 'button secondary', testid: 'statement-download',
    onclick: (e) => run(e.currentTarget, async () => {
      const { url } = await api('GET', `/clients/${client.client_id}/statement?${query()}`);
      await downloadUrl(url, `statement-${client.name}.pdf`);
    }, form) });
  const email = can(MANAGE.invoices) ? button('Email to the client', { class: 'button', testid: 'statement-email',
    onclick: (e) => run(e.currentTarget, async () => {
      const sent = await api('POST', `/clients/${client.client_id}/statement/email`, { from: from.value, to: to.value });
      toast(sent.sent_to.length ? `Statement emailed to ${sent.sent_to.join(', ')}.`
        : 'Nobody was emailed: the contacts opted out of documents.');
    }, form) }) : null;
  form.append(h('div', { class: 'actions' }, download, email));
  return section('Statement', form);
}
