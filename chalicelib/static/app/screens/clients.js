// Clients: the list, one client (details, contacts, statement, access log).

import { api, clientsList, forget } from '../lib/api.js';
import { badge, button, checkbox, confirmButton, fact, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { copyAndTell, downloadUrl, openPreview } from '../lib/files.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { localeOptions } from '../lib/locales.js';
import { orNull, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { sortableTable } from '../lib/sortable.js';
import { accessLog } from './access_log.js';
import { statementSection } from './statements.js';

export async function clientsScreen() {
  const clients = await clientsList();
  const list = sortableTable({
    caption: 'Clients', items: clients, testid: 'clients-table', empty: 'No clients yet.', initial: { key: 'client', direction: 'asc' },
    columns: [{ key: 'client', label: 'Name', value: (c) => c.name }, { key: 'email', label: 'Email', value: (c) => c.email },
      { key: 'date', label: 'Added', value: (c) => c.created_at, first: 'desc' }],
    row: (c) => h('tr', { testid: 'client-row' },
      h('td', {}, link(`#/clients/${c.client_id}`, c.name)), h('td', {}, c.email || ''), h('td', {}, when(c.created_at))),
  });
  return h('div', {},
    pageHeader('Clients'),
    can(MANAGE.clients) ? newClientForm() : null,
    section('All clients', list.el));
}

function newClientForm() {
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-client-title' },
    h('h2', { id: 'new-client-title' }, 'New client'),
    h('div', { class: 'grid-2' },
      field('Client name', input({ name: 'name', required: true, autocomplete: 'organization', testid: 'client-name' })),
      field('Billing email (optional)', input({ name: 'email', type: 'email', testid: 'client-email' }))),
    h('fieldset', {}, h('legend', {}, 'First contact (optional)'),
      h('div', { class: 'grid-2' },
        field('Contact name', input({ name: 'contacts[0].name', autocomplete: 'off', testid: 'contact-name' })),
        field('Contact email', input({ name: 'contacts[0].email', type: 'email', autocomplete: 'off', testid: 'contact-email' })))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'client-save' }, 'Save client')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(event.submitter || form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const body = { name: els.name.value.trim(), email: orNull(els.email.value), contacts: [] };
      if (!body.name) throw new FieldError('Enter the client’s name.', 'name');
      const contactName = els['contacts[0].name'].value.trim();
      const contactEmail = els['contacts[0].email'].value.trim();
      if (contactName || contactEmail) {
        if (!contactName) throw new FieldError('Enter the contact’s name.', 'contacts[0].name');
        if (!contactEmail) throw new FieldError('Enter the contact’s email.', 'contacts[0].email');
        body.contacts.push({ name: contactName, email: contactEmail, is_primary: true });
      }
      const client = await api('POST', '/clients', body);
      forget('clients');
      toast(`Client “${client.name}” saved.`);
      go(`#/clients/${client.client_id}`);
    }, form);
  });
  return form;
}

export async function clientScreen(clientId) {
  const client = await api('GET', `/clients/${clientId}`);
  const portalOut = h('p', { class: 'copy-out', 'aria-live': 'polite' });
  const contactRows = (client.contacts || []).map((k) => h('tr', { testid: 'contact-row' },
    h('td', {}, k.name, k.is_primary ? [' ', badge('primary')] : null),
    h('td', {}, k.email, k.email_suppressed ? suppressedNote(clientId, k) : null),
    h('td', { class: 'row-actions' }, portalButtons(clientId, k, portalOut),
      can(MANAGE.clients) && !k.is_primary ? confirmButton('Remove', 'Confirm remove', async () => {
        await api('DELETE', `/clients/${clientId}/contacts/${k.contact_id}`);
        toast(`${k.name} removed.`);
        go(`#/clients/${clientId}`);
      }, { class: 'button danger small' }) : null)));
  return h('div', {},
    pageHeader(client.name, link('#/clients', '← All clients', { class: 'button secondary small' }),
      button('Statement PDF', { class: 'button secondary small', onclick: (e) => run(e.currentTarget, async () => {
        const { url } = await api('GET', `/clients/${clientId}/statement`);
        await downloadUrl(url, `statement-${client.name}.pdf`);
      }) })),
    section('Details', h('dl', { class: 'facts' },
      fact('Email', client.email), fact('Phone', client.phone), fact('Address', client.address),
      fact('Tax number', client.tax_number), fact('Notes', client.notes))),
    can(MANAGE.clients) ? editClientForm(client) : null,
    section('Contacts', table('Contacts', ['Name', 'Email', ''], contactRows, 'No contacts yet.'), portalOut,
      can(MANAGE.clients) ? newContactForm(clientId) : null),
    statementSection(client),
    section('Access log', await accessLog(`/clients/${clientId}/access-log`, `client-${clientId}`)));
}

/** A contact's portal link: copy, regenerate (the old link stops working), revoke, and preview it as the contact. */
function portalButtons(clientId, k, out) {
  const base = `/clients/${clientId}/contacts/${k.contact_id}`;
  const show = async (url, what) => {
    out.replaceChildren(`${what} for ${k.name}: `, h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'portal-url' }, url));
    await copyAndTell(url, what);
  };
  return [
    can(MANAGE.clients) ? button('Copy portal link', { class: 'button secondary small', testid: 'contact-portal',
      onclick: (e) => run(e.currentTarget, async () => show((await api('POST', `${base}/portal`)).url, 'Portal link')) }) : null,
    button('Preview as client', { class: 'button secondary small', testid: 'contact-preview',
      onclick: (e) => run(e.currentTarget, () => openPreview(`${base}/preview-link`)) }),
    can(MANAGE.clients) ? confirmButton('New portal link', 'Confirm: the old link stops working', async () => {
      await show((await api('POST', `${base}/portal/regenerate`)).url, 'New portal link');
    }, { class: 'button secondary small', testid: 'contact-portal-regenerate' }) : null,
    can(MANAGE.clients) ? confirmButton('Revoke portal link', `Confirm: ${k.name} loses the link`, async () => {
      await api('DELETE', `${base}/portal`);
      out.replaceChildren(`${k.name}’s portal link is revoked; it no longer opens.`);
      toast(`${k.name}’s portal link revoked.`);
    }, { class: 'button danger small', testid: 'contact-portal-revoke' }) : null,
  ];
}

/** Why emails to this contact are not sent (it bounced, or they complained), and how to send again. */
function suppressedNote(clientId, k) {
  return h('div', { class: 'hint', testid: 'contact-suppressed' },
    badge('not emailed', 'overdue'), ' ',
    `Emails to this address ${k.suppressed_reason_text} on ${when(k.suppressed_since)}. `,
    k.suppression_clearable ? null : 'Ask the client for another address. ',
    can(MANAGE.clients) && k.suppression_clearable ? confirmButton('Email again', 'Confirm: the address works now', async () => {
      await api('DELETE', `/clients/${clientId}/contacts/${k.contact_id}/suppression`);
      toast(`Emails to ${k.email} will be sent again.`);
      go(`#/clients/${clientId}`);
    }, { class: 'button secondary small', testid: 'contact-unsuppress' }) : null);
}

function editClientForm(client) {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Name', input({ name: 'name', value: client.name })),
      field('Email', input({ name: 'email', type: 'email', value: client.email || '' })),
      field('Phone', input({ name: 'phone', type: 'tel', value: client.phone || '' })),
      field('Tax number', input({ name: 'tax_number', value: client.tax_number || '' }))),
    field('Address', h('textarea', { name: 'address', rows: 3 }, client.address || '')),
    field('Notes', h('textarea', { name: 'notes', rows: 2 }, client.notes || '')),
    field('Emails write money and dates as', select({ name: 'locale', testid: 'client-locale' },
      [['', 'The business’s setting'], ...localeOptions(client.locale)], client.locale || '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('PATCH', `/clients/${client.client_id}`, {
        name: els.name.value.trim(), email: orNull(els.email.value), phone: orNull(els.phone.value),
        tax_number: orNull(els.tax_number.value), address: orNull(els.address.value), notes: orNull(els.notes.value),
        locale: els.locale.value || null,
      });
      forget('clients');
      toast('Client saved.');
      go(`#/clients/${client.client_id}`);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Edit client'), form);
}

function newContactForm(clientId) {
  const form = h('form', { class: 'stack inline-form', novalidate: true, 'aria-label': 'Add a contact' },
    h('h3', {}, 'Add a contact'),
    h('div', { class: 'grid-2' },
      field('Name', input({ name: 'name', autocomplete: 'off' })),
      field('Email', input({ name: 'email', type: 'email', autocomplete: 'off' }))),
    checkbox('Primary contact', h('input', { type: 'checkbox', name: 'is_primary' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Add contact')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('POST', `/clients/${clientId}/contacts`, {
        name: els.name.value.trim(), email: els.email.value.trim(), is_primary: els.is_primary.checked,
      });
      toast('Contact added.');
      go(`#/clients/${clientId}`);
    }, form);
  });
  return form;
}
