// Developers: webhook endpoints (events, signing secret, deliveries with responses, resend) and
// personal API keys (create with a role, revoke). Secrets and keys are shown once, when made.

import { api } from '../lib/api.js';
import { badge, button, checkbox, confirmButton, field, h, input, pageHeader, section, select, table } from '../lib/dom.js';
import { copyAndTell } from '../lib/files.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { when } from '../lib/money.js';
import { go, route } from '../lib/router.js';

const ROLES = [['viewer', 'Viewer (read only)'], ['staff', 'Staff'], ['admin', 'Admin'], ['owner', 'Owner']];

/** A secret or key the server shows this once: copy it now. */
function shownOnce(label, value, testid) {
  return h('div', { class: 'card stack', role: 'status', testid },
    h('p', {}, h('strong', {}, `${label} (shown only now; copy it):`)),
    h('code', { class: 'secret' }, value),
    h('div', { class: 'actions' }, button('Copy', { class: 'button secondary', onclick: () => copyAndTell(value, label) })));
}

export async function developersScreen() {
  const [endpoints, keys] = await Promise.all([api('GET', '/webhook-endpoints?limit=100'), api('GET', '/api-keys')]);
  const revealed = h('div', { 'aria-live': 'polite' });
  return h('div', {},
    pageHeader('Developers'),
    revealed,
    section('Webhook endpoints',
      h('p', { class: 'hint' }, 'Paydrop POSTs each event as JSON, signed in the Paydrop-Signature header ',
        '(t=<unix time>,v1=<HMAC-SHA256 of "t.body" with the endpoint’s secret>). Deduplicate by the event id; ',
        'failed deliveries are retried with backoff for 3 days.'),
      endpointsTable(endpoints.items, revealed),
      newEndpointForm(endpoints.event_types, revealed)),
    section('API keys',
      h('p', { class: 'hint' }, 'For server-to-server calls: send Authorization: Bearer <key>. ',
        'A key acts with its role, never above yours. The API is described at ', h('code', {}, '/api/v1/openapi.json'), '.'),
      keysTable(keys.items),
      newKeyForm(revealed)));
}

function endpointsTable(items, revealed) {
  const rows = items.map((e) => {
    const deliveries = h('div', { class: 'deliveries', testid: 'deliveries' });
    return [h('tr', { testid: 'endpoint-row' },
      h('td', {}, h('code', {}, e.url), e.description ? h('div', { class: 'muted' }, e.description) : null),
      h('td', {}, e.events.join(', ')),
      h('td', {}, badge(e.enabled ? 'active' : 'paused')),
      h('td', { class: 'row-actions' },
        button('Deliveries', { class: 'button secondary small', testid: 'show-deliveries',
          onclick: (ev) => run(ev.currentTarget, () => showDeliveries(e, deliveries)) }),
        button(e.enabled ? 'Pause' : 'Resume', { class: 'button secondary small',
          onclick: (ev) => run(ev.currentTarget, async () => {
            await api('PATCH', `/webhook-endpoints/${e.endpoint_id}`, { enabled: !e.enabled });
            go('#/developers');
          }) }),
        confirmButton('Rotate secret', 'Confirm rotate', async () => {
          const rotated = await api('POST', `/webhook-endpoints/${e.endpoint_id}/rotate-secret`);
          revealed.replaceChildren(shownOnce('New signing secret (the old one also works for 24 hours)', rotated.secret, 'endpoint-secret'));
        }, { class: 'button secondary small' }),
        confirmButton('Delete', 'Confirm delete', async () => {
          await api('DELETE', `/webhook-endpoints/${e.endpoint_id}`);
          toast('Endpoint deleted.');
          go('#/developers');
        }, { class: 'button danger small' }))),
    h('tr', {}, h('td', { colspan: 4 }, deliveries))];
  });
  return table('Webhook endpoints', ['URL', 'Events', 'Status', ''], rows.flat(), 'No endpoints yet.');
}

async function showDeliveries(endpoint, into) {
  const page = await api('GET', `/webhook-endpoints/${endpoint.endpoint_id}/deliveries?limit=25`);
  const rows = page.items.map((d) => h('tr', { testid: 'delivery-row' },
    h('td', {}, d.event_type, h('div', { class: 'muted' }, d.event_id)),
    h('td', {}, badge(d.status), d.next_attempt_at ? h('div', { class: 'muted' }, `next try ${when(d.next_attempt_at)}`) : null),
    h('td', {}, h('ol', { class: 'attempts' }, d.attempts.map((a) => h('li', {},
      `${when(a.at)}: ${a.status_code ?? 'no response'} in ${a.duration_ms} ms${a.manual ? ' (resent)' : ''}`,
      a.error ? h('div', { class: 'error' }, a.error) : null,
      a.response ? h('details', {}, h('summary', {}, 'Response'), h('pre', {}, a.response)) : null)))),
    h('td', { class: 'row-actions' }, button('Resend', { class: 'button secondary small', testid: 'resend',
      onclick: (ev) => run(ev.currentTarget, async () => {
        await api('POST', `/webhook-endpoints/${endpoint.endpoint_id}/deliveries/${d.delivery_id}/resend`);
        toast('Queued to send again.');
        setTimeout(() => showDeliveries(endpoint, into), 1500);
      }) }))));
  into.replaceChildren(table('Deliveries', ['Event', 'Status', 'Attempts', ''], rows, 'No deliveries yet.'));
}

function newEndpointForm(eventTypes, revealed) {
  const boxes = eventTypes.map((t) => checkbox(t, input({ type: 'checkbox', name: 'events', value: t })));
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-endpoint-title' },
    h('h3', { id: 'new-endpoint-title' }, 'Add an endpoint'),
    field('URL (https://…)', input({ name: 'url', type: 'url', testid: 'endpoint-url', placeholder: 'https://example.com/paydrop' })),
    field('Description (optional)', input({ name: 'description' })),
    h('fieldset', { class: 'events', testid: 'endpoint-events' }, h('legend', {}, 'Events'), boxes),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'endpoint-save' }, 'Add endpoint')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const events = [...form.querySelectorAll('[name=events]:checked')].map((b) => b.value);
      if (!events.length) throw new FieldError('Choose at least one event.', 'events');
      const made = await api('POST', '/webhook-endpoints', {
        url: form.elements.url.value.trim(), events, description: form.elements.description.value.trim() || null });
      await route(); // the screen again, then the secret above it
      document.querySelector('[aria-live=polite]')?.replaceChildren(shownOnce('Signing secret', made.secret, 'endpoint-secret'));
    }, form);
  });
  return form;
}

function keysTable(items) {
  const rows = items.map((k) => h('tr', { testid: 'key-row' },
    h('td', {}, k.name, h('div', { class: 'muted' }, h('code', {}, `${k.prefix}…`))),
    h('td', {}, k.role),
    h('td', {}, k.last_used_at ? when(k.last_used_at) : 'never'),
    h('td', {}, k.revoked_at ? badge('revoked') : badge('active')),
    h('td', { class: 'row-actions' }, k.revoked_at ? null : confirmButton('Revoke', 'Confirm revoke', async () => {
      await api('DELETE', `/api-keys/${k.key_id}`);
      toast('Key revoked: requests with it are refused now.');
      go('#/developers');
    }, { class: 'button danger small' }))));
  return table('API keys', ['Name', 'Role', 'Last used', 'Status', ''], rows, 'No API keys yet.');
}

function newKeyForm() {
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-key-title' },
    h('h3', { id: 'new-key-title' }, 'Create an API key'),
    h('div', { class: 'grid-2' },
      field('Name', input({ name: 'name', testid: 'key-name', placeholder: 'Accounting sync' })),
      field('Role', select({ name: 'role', testid: 'key-role' }, ROLES, 'viewer'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'key-save' }, 'Create key')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const name = form.elements.name.value.trim();
      if (!name) throw new FieldError('Name the key (what uses it).', 'name');
      const made = await api('POST', '/api-keys', { name, role: form.elements.role.value });
      await route(); // the screen again, then the secret above it
      document.querySelector('[aria-live=polite]')?.replaceChildren(shownOnce('API key', made.key, 'api-key'));
    }, form);
  });
  return form;
}
