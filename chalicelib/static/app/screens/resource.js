// One resource: details, attachments (attach form), grants and their staff actions, access log.

import { api, clientsList, documentsList, forget, listAll, productsList } from '../lib/api.js';
import { badge, button, confirmButton, fact, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { copyAndTell } from '../lib/files.js';
import { FieldError, report, run, toast } from '../lib/forms.js';
import { DECIDED_BY, POLICIES, REFUND_RULES, policyLabel } from '../lib/labels.js';
import { documentLabel, size, when } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';
import { sortItems } from '../lib/sort.js';
import { accessLog } from './access_log.js';
import { revokeAllButton } from './revoke_all.js';

// One grant's staff actions: what staff decide sticks until they hand it back to the payment rule.
function grantButtons(g, path, reload) {
  if (!can(MANAGE.resources) || g.reason === 'detached') return null;
  const actions = [['release', 'Release'], ['lock', 'Lock'], ['revoke', 'Revoke']]
    .filter(([a]) => !(a === 'release' && g.state === 'available') && !(a === 'lock' && g.state !== 'available') && !(a === 'revoke' && g.state === 'revoked'));
  if (g.policy === 'after_payment' && g.decided_by === 'staff' && g.doc_id) actions.push(['follow_payment', 'Follow payment']);
  return actions.map(([action, label]) => button(label, {
    class: 'button secondary small', testid: `grant-${action}`, onclick: (e) => run(e.currentTarget, async () => {
      await api('POST', `${path}/grants/${g.grant_id}/${action}`);
      toast(`${label}: done.`);
      reload();
    }),
  }));
}

export async function resourceScreen(resourceId) {
  const [resource, attachments, grants] = await Promise.all([
    api('GET', `/resources/${resourceId}`), api('GET', `/resources/${resourceId}/attachments`), api('GET', `/resources/${resourceId}/grants`)]);
  const names = await targetNames();
  const reload = () => go(`#/resources/${resourceId}`);
  const claimOut = h('p', { class: 'copy-out', 'aria-live': 'polite' });
  const attachmentRows = attachments.items.map((a) => h('tr', { testid: 'attachment-row' },
    h('td', {}, `${a.target_type}: `, targetLink(a.target_type, a.target_id, names)),
    h('td', {}, policyLabel(a.policy)),
    h('td', {}, a.claim_url ? [h('a', { href: a.claim_url, target: '_blank', rel: 'noopener', class: 'claim-url', testid: 'claim-url' }, 'claim link'), ' ',
      button('Copy', { class: 'button secondary small', testid: 'claim-copy', onclick: () => copyAndTell(a.claim_url, 'Claim link') })] : ''),
    h('td', {}, when(a.created_at)),
    h('td', { class: 'row-actions' }, can(MANAGE.resources) ? confirmButton('Detach', 'Confirm detach', async () => {
      const result = await api('DELETE', `/resources/${resourceId}/attachments/${a.attachment_id}`);
      toast(`Detached; ${result.grants_revoked} grant(s) revoked.`);
      reload();
    }, { class: 'button danger small' }) : null)));
  const grantRows = grants.items.map((g) => h('tr', { testid: 'grant-row' },
    h('td', {}, names.get(`client:${g.client_id}`) || g.client_id || (g.claimed_by ? g.claimed_by : 'unclaimed')),
    h('td', {}, `${g.target_type}: `, targetLink(g.target_type, g.target_id, names)),
    h('td', {}, policyLabel(g.policy)), h('td', {}, badge(g.state)),
    h('td', { class: 'num' }, `${g.downloads}${g.download_limit ? ` / ${g.download_limit}` : ''}`),
    h('td', {}, g.reason ? String(g.reason).replace(/_/g, ' ') : ''),
    h('td', {}, DECIDED_BY[g.decided_by] || g.decided_by || ''),
    h('td', { class: 'row-actions' }, grantButtons(g, `/resources/${resourceId}`, reload))));
  const grantActions = can(MANAGE.resources) ? h('div', { class: 'actions wrap' },
    ['release', 'lock'].map((action) => button(action === 'release' ? 'Release all' : 'Lock all', {
      class: 'button secondary', testid: action === 'release' ? 'grants-release' : 'grants-lock', onclick: (e) => run(e.currentTarget, async () => {
        const result = await api('POST', `/resources/${resourceId}/grants/${action}`);
        toast(`${result.changed} grant(s) ${action === 'release' ? 'released' : 'locked'}.`);
        reload();
      }),
    })),
    revokeAllButton(resourceId, reload)) : null;
  const large = resource.preview_large_url
    ? h('img', { src: resource.preview_large_url, alt: `Preview of ${resource.title}`, class: 'preview-large' }) : null;
  return h('div', {},
    pageHeader(resource.title, link('#/resources', '← All resources', { class: 'button secondary small' })),
    resource.type_warning ? h('p', { class: 'type-warning', role: 'alert', testid: 'type-warning' }, resource.type_warning) : null,
    section('Details', h('div', { class: 'resource-detail' }, large, h('dl', { class: 'facts' },
      fact('Kind', resource.kind), fact('File', resource.filename), fact('Size', size(resource.size)),
      fact('Type', resource.content_type),
      fact('Declared type', resource.declared_content_type && resource.declared_content_type !== resource.content_type
        ? resource.declared_content_type : null),
      fact('Version', resource.kind === 'file' ? String(resource.version) : null),
      fact('Link', resource.url ? h('a', { href: resource.url, target: '_blank', rel: 'noopener noreferrer' }, resource.url) : null),
      fact('Status', resource.upload_in_progress ? 'upload in progress' : resource.status),
      fact('Preview', resource.kind === 'file' ? `${resource.preview_status}${resource.preview_reason ? ` (${resource.preview_reason})` : ''}` : null)))),
    can(MANAGE.resources) ? attachForm(resourceId) : null,
    section('Attached to', table('Attachments', ['Target', 'Policy', 'Claim link', 'Added', ''], attachmentRows, 'Not attached to anything yet.'), claimOut),
    section('Who has access', grantActions, table('Grants', ['Client', 'Through', 'Policy', 'State', { label: 'Downloads', num: true }, 'Why', 'Decided by', ''], grantRows, 'Nobody yet.')),
    section('Access log', await accessLog(`/resources/${resourceId}/access-log`, `resource-${resourceId}`)));
}

async function targetNames() {
  const [clients, products, invoices, quotes, projects] = await Promise.all([
    clientsList(), productsList(), documentsList('invoice'), documentsList('quote'), listAll('/projects', 300)]
    .map((p) => p.catch(() => [])));
  return new Map([
    ...clients.map((c) => [`client:${c.client_id}`, c.name]), ...products.map((p) => [`product:${p.product_id}`, p.name]),
    ...invoices.map((d) => [`invoice:${d.id}`, d.number]), ...quotes.map((d) => [`quote:${d.id}`, d.number]),
    ...projects.map((p) => [`project:${p.id}`, p.name])]);
}

function targetLink(type, id, names) {
  const name = names.get(`${type}:${id}`) || id;
  const href = { client: `#/clients/${id}`, invoice: `#/invoices/${id}`, quote: `#/quotes/${id}`, product: '#/products',
    project: `#/projects/${id}` }[type];
  return href ? link(href, name) : name;
}

const TARGETS = {
  client: async () => (await clientsList()).map((c) => [c.client_id, c.name]),
  product: async () => (await productsList()).map((p) => [p.product_id, p.name]),
  invoice: async () => documentOptions('invoice'),
  quote: async () => documentOptions('quote'),
  // A file attached to a project is what the Approvals screen can ask its client to approve.
  project: async () => (await listAll('/projects', 300)).map((p) => [p.id, p.name]),
};

/** The invoice (or quote) picker: "INV-0007 · Acme Ltd · €1,200.00", sorted by number, newest number first. */
async function documentOptions(kind) {
  const [docs, clients] = await Promise.all([documentsList(kind), clientsList().catch(() => [])]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  return sortItems(docs.filter((d) => d.status !== 'cancelled'), (d) => d.number, 'desc')
    .map((d) => [d.id, documentLabel(d, names.get(d.client_id) || d.bill_to?.name)]);
}

function attachForm(resourceId) {
  const typeSelect = select({ name: 'target_type', testid: 'attach-target-type' },
    [['invoice', 'Invoice'], ['quote', 'Quote'], ['client', 'Client'], ['product', 'Product'], ['project', 'Project']],
    'invoice');
  const targetSelect = select({ name: 'target_id', testid: 'attach-target-id' }, [['', 'Loading…']]);
  const policySelect = select({ name: 'policy', testid: 'attach-policy' }, POLICIES, 'after_payment');
  // Loads can overlap (the screen opens, then the type changes): only the latest one fills the
  // list, and a choice the person already made survives the refill.
  let latestLoad = 0;
  const fillTargets = async () => {
    const load = ++latestLoad;
    const kind = typeSelect.value;
    targetSelect.disabled = true;
    forget(`${kind}s`);
    const options = await TARGETS[kind]().catch((e) => { report(e); return []; });
    if (load !== latestLoad) return;
    const chosen = targetSelect.value;
    const article = kind === 'invoice' ? 'an' : 'a';
    targetSelect.replaceChildren(h('option', { value: '' }, options.length ? `Choose ${article} ${kind}…` : `No ${kind}s yet`),
      ...options.map(([value, label]) => h('option', { value }, label)));
    if (options.some(([value]) => value === chosen)) targetSelect.value = chosen;
    targetSelect.disabled = false;
  };
  typeSelect.addEventListener('change', fillTargets);
  fillTargets();
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'attach-title' },
    h('h2', { id: 'attach-title' }, 'Attach'),
    h('div', { class: 'grid-3' }, field('Attach to', typeSelect), field('Which one', targetSelect), field('Access', policySelect)),
    h('div', { class: 'grid-3' },
      field('Download limit (optional)', input({ name: 'download_limit', inputmode: 'numeric' })),
      field('Access for days (optional)', input({ name: 'access_days', inputmode: 'numeric' })),
      field('After a refund', select({ name: 'refund_rule', testid: 'attach-refund-rule' }, REFUND_RULES, 'revoke_on_full_refund'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'attach-save' }, 'Attach')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      if (!targetSelect.value) throw new FieldError(`Choose ${typeSelect.value === 'invoice' ? 'an' : 'a'} ${typeSelect.value}.`, 'target_id');
      const body = { target_type: typeSelect.value, target_id: targetSelect.value, policy: policySelect.value,
        refund_rule: els.refund_rule.value };
      for (const name of ['download_limit', 'access_days']) {
        const value = els[name].value.trim();
        if (value) {
          if (!/^\d+$/.test(value)) throw new FieldError('Enter a whole number.', name);
          body[name] = Number(value);
        }
      }
      const { attachment, grants } = await api('POST', `/resources/${resourceId}/attachments`, body);
      toast(`Attached; ${grants.length} client grant(s).`);
      if (attachment.claim_url) {
        await copyAndTell(attachment.claim_url, 'Claim link');
      }
      const view = document.getElementById('view');
      view.replaceChildren(await resourceScreen(resourceId));
      if (attachment.claim_url) {
        view.querySelector('.copy-out')?.replaceChildren('New claim link: ',
          h('a', { href: attachment.claim_url, target: '_blank', rel: 'noopener', testid: 'claim-url-new' }, attachment.claim_url));
      }
    }, form);
  });
  return form;
}
