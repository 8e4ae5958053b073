// Paydrop staff dashboard: one plain ES module, no framework, no build step.
// Everything goes through the staff API (/api/v1) with the Cognito ID token as a bearer token.
// The DOM is built with createElement and text nodes only: data from the API is never parsed as
// HTML, and the page's CSP allows scripts and styles from this origin alone.

// The server's figures and colour rules, for what is computed before anything is saved.
import { figureRows, invoiceFigures, palette } from './rules.js';
// The server's input limits (GET /api/v1/limits), checked before a body is sent.
import { checkBody, shapeFor } from './checks.js';

const API = apiBase();
const TOKENS_KEY = 'paydrop.tokens';
const MULTIPART_KEY = 'paydrop.multipart';
const REFRESH_MARGIN_MS = 2 * 60 * 1000;
const PAGE = 100;

const MANAGE = {
  business: 'manage_business', clients: 'manage_clients', products: 'manage_products',
  invoices: 'manage_invoices', resources: 'manage_resources',
};

// `limits`: the server's input limits (GET /limits), checked before a body is sent.
const state = { me: null, business: null, limits: null, cache: new Map() };

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

function apiBase() {
  // `/app/` on the dashboard's origin; `/{stage}/app/` when opened on an execute-api URL.
  const path = location.pathname;
  const at = path.lastIndexOf('/app');
  return `${at > 0 ? path.slice(0, at) : ''}/api/v1`;
}

class ApiError extends Error {
  constructor(message, { status = 0, code = 'error', field = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const tokens = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(TOKENS_KEY)); } catch { return null; }
  },
  save(data, previous) {
    const saved = {
      id_token: data.id_token,
      refresh_token: data.refresh_token || previous?.refresh_token || null,
      expires_at: Date.now() + (Number(data.expires_in) || 3600) * 1000,
    };
    sessionStorage.setItem(TOKENS_KEY, JSON.stringify(saved));
    scheduleRefresh();
    return saved;
  },
  clear() { sessionStorage.removeItem(TOKENS_KEY); },
};

let refreshTimer = null;
let refreshing = null;

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  const saved = tokens.get();
  if (!saved?.refresh_token) return;
  const wait = Math.max(5000, saved.expires_at - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(() => { refreshTokens(); }, Math.min(wait, 2 ** 31 - 1));
}

function refreshTokens() {
  const saved = tokens.get();
  if (!saved?.refresh_token) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch(`${API}/auth/refresh`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refresh_token: saved.refresh_token }),
        });
        if (!res.ok) return false;
        tokens.save(await res.json(), saved);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

async function errorFrom(res) {
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  const err = data?.error;
  const message = err?.message || (res.status >= 500 ? 'Something went wrong on our side; try again.' : `Request failed (${res.status}).`);
  return new ApiError(message, { status: res.status, code: err?.code, field: err?.field ?? null });
}

/** The first limit `body` breaks (the server would answer 400 with the same words), or null. */
function invalidBody(method, path, body) {
  if (!state.limits || body === undefined || body === null) return null;
  const shape = shapeFor(state.limits, method, path);
  if (!shape) return null;
  const currency = (typeof body.currency === 'string' && body.currency) || state.business?.currency || null;
  return checkBody(shape, body, currency, currency ? digitsOf(currency) : 2);
}

/** Call the staff API: JSON in and out; refreshes the session once on 401; throws ApiError. */
async function api(method, path, body, { raw = false } = {}) {
  const invalid = invalidBody(method, path, body);
  if (invalid) throw new ApiError(invalid.message, { status: 400, code: 'invalid', field: invalid.field });
  let saved = tokens.get();
  if (saved && saved.expires_at - Date.now() < 60_000) {
    await refreshTokens();
    saved = tokens.get();
  }
  const send = () => {
    const headers = { Accept: 'application/json' };
    const current = tokens.get();
    if (current?.id_token) headers.Authorization = `Bearer ${current.id_token}`;
    if (body !== undefined && body !== null) headers['Content-Type'] = 'application/json';
    return fetch(`${API}${path}`, {
      method, headers, body: body !== undefined && body !== null ? JSON.stringify(body) : undefined,
    });
  };
  let res;
  try {
    res = await send();
    if (res.status === 401 && tokens.get()?.refresh_token && await refreshTokens()) res = await send();
  } catch {
    throw new ApiError('The server cannot be reached; check your connection and try again.');
  }
  if (res.status === 401 && state.me) {
    signOut('Your session has ended; sign in again.');
  }
  if (!res.ok) throw await errorFrom(res);
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

/** Every item of a paged list (follows `next_cursor`, up to `max` items). */
async function listAll(path, max = 500) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${sep}limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

/** Lists used for names and selects, loaded once per session and dropped after a change. */
function cached(key, load) {
  if (!state.cache.has(key)) {
    const promise = load();
    promise.catch(() => state.cache.delete(key));
    state.cache.set(key, promise);
  }
  return state.cache.get(key);
}
const clientsList = () => cached('clients', () => listAll('/clients'));
const productsList = () => cached('products', () => listAll('/products'));
const documentsList = (kind) => cached(`${kind}s`, () => listAll(`/${kind}s`));
const forget = (...keys) => keys.forEach((k) => state.cache.delete(k));

// ---------------------------------------------------------------------------------------------
// DOM helpers
// ---------------------------------------------------------------------------------------------

let uid = 0;
const nextId = (prefix = 'f') => `${prefix}-${++uid}`;

/** `h('button', {class: 'x', onclick, testid: 'save'}, 'Save')`: children first, then attributes
 * (so a select's `value` finds its options). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  append(el, children);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'value' || key === 'checked') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function field(labelText, input, hint) {
  if (!input.id) input.id = nextId();
  const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: input.id }, labelText), input, hintEl, error);
}

function checkbox(labelText, input) {
  if (!input.id) input.id = nextId();
  return h('div', { class: 'field check' }, input, h('label', { for: input.id }, labelText));
}

const input = (attrs) => h('input', { type: 'text', ...attrs });

function select(attrs, options, value) {
  const el = h('select', attrs, options.map(([v, label]) => h('option', { value: v }, label)));
  if (value !== undefined && value !== null) el.value = value;
  return el;
}

function button(label, attrs = {}) {
  return h('button', { type: 'button', class: 'button', ...attrs }, label);
}

function table(caption, headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
}

function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', { tabindex: -1 }, title),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

const section = (title, ...children) => h('section', { class: 'card' }, h('h2', {}, title), children);

function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

function badge(text, kind = text) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-z_]/g, '')}` }, String(text).replace(/_/g, ' '));
}

/** Two-step confirmation without `confirm()`: the first click asks, the second acts. */
function confirmButton(label, confirmLabel, action, attrs = {}) {
  const btn = button(label, { class: 'button danger', ...attrs });
  let armed = false;
  let timer = null;
  btn.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      btn.textContent = confirmLabel;
      btn.setAttribute('aria-live', 'polite');
      timer = setTimeout(() => { armed = false; btn.textContent = label; }, 5000);
      return;
    }
    clearTimeout(timer);
    armed = false;
    btn.textContent = label;
    await run(btn, action);
  });
  return btn;
}

// ---------------------------------------------------------------------------------------------
// Messages and errors
// ---------------------------------------------------------------------------------------------

let toastTimer = null;

function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `toast toast-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 12000 : 6000);
}

function clearErrors(form) {
  if (!form) return;
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
}

/** Show an error: always as a message; on the named input too when the API names a field. */
function report(error, form) {
  const message = error instanceof ApiError || error?.field ? error.message : 'Something went wrong; try again.';
  if (!(error instanceof ApiError) && !error?.field) console.error(error); // eslint-disable-line no-console
  toast(message, 'error');
  if (!form || !error?.field) return;
  const target = findField(form, error.field);
  if (!target) return;
  target.setAttribute('aria-invalid', 'true');
  const slot = document.getElementById(`${target.id}-error`);
  if (slot) { slot.textContent = message; slot.hidden = false; }
  target.focus();
}

function findField(form, name) {
  const candidates = [name, name.replace(/\.(\d+)(?=\.|$)/g, '[$1]'), name.replace(/\[(\d+)\]/g, '.$1'),
    name.split(/[.[]/)[0], name.split('.').pop()];
  for (const candidate of candidates) {
    const found = [...form.querySelectorAll('[name]')].find((el) => el.name === candidate);
    if (found) return found;
  }
  return null;
}

/** Run an action for a button: disabled while it runs; errors reported next to the form. */
async function run(btn, action, form) {
  if (btn) btn.disabled = true;
  clearErrors(form);
  try {
    return await action();
  } catch (error) {
    report(error, form);
    return undefined;
  } finally {
    if (btn) btn.disabled = false;
  }
}

class FieldError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', readonly: true }, text);
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
  }
}

async function copyAndTell(text, what = 'Link') {
  toast(await copyText(text) ? `${what} copied.` : `${what} ready: copy it from the page.`);
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function filenameOf(disposition, fallback) {
  const match = /filename="?([^";]+)"?/i.exec(disposition || '');
  return match ? match[1] : fallback;
}

// ---------------------------------------------------------------------------------------------
// Money, quantities, dates
// ---------------------------------------------------------------------------------------------

const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
  'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const digitsOf = (currency) => (ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2);

/** `123456, "EUR"` → `"1,234.56 EUR"`: the same text the server's `format_amount` writes. */
function money(minor, currency) {
  if (minor === null || minor === undefined) return '';
  const digits = digitsOf(currency);
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(digits);
  const whole = (abs / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits ? `.${(abs % scale).toString().padStart(digits, '0')}` : '';
  return `${negative ? '-' : ''}${whole}${fraction} ${currency}`;
}

/** Minor units → what a money input shows ("100.00"). */
function majorText(minor, currency) {
  if (minor === null || minor === undefined || minor === '') return '';
  const digits = digitsOf(currency);
  const scale = 10n ** BigInt(digits);
  const value = BigInt(minor);
  return digits ? `${value / scale}.${(value % scale).toString().padStart(digits, '0')}` : `${value}`;
}

/** A decimal typed by a person → BigInt scaled by 10^places; throws FieldError. */
function parseDecimal(text, places, fieldName, what) {
  let value = String(text ?? '').trim().replace(/\s/g, '');
  if (value.includes(',') && !value.includes('.')) value = value.replace(',', '.');
  value = value.replace(/,/g, '');
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(value)) throw new FieldError(`${what} must be a number, e.g. 100.00.`, fieldName);
  const [whole, fraction = ''] = value.split('.');
  if (fraction.length > places) {
    throw new FieldError(`${what} can have at most ${places} decimal place${places === 1 ? '' : 's'}.`, fieldName);
  }
  return BigInt(whole || '0') * 10n ** BigInt(places) + BigInt((fraction + '0'.repeat(places)).slice(0, places) || '0');
}

const parseMoney = (text, currency, fieldName, what = 'The amount') => Number(parseDecimal(text, digitsOf(currency), fieldName, what));

/** "19" or "7.5" (%) → basis points. */
function parsePercent(text, fieldName, what = 'The rate') {
  if (String(text ?? '').trim() === '') return 0;
  const bp = parseDecimal(text, 2, fieldName, what);
  if (bp > 10000n) throw new FieldError(`${what} can be at most 100 %.`, fieldName);
  return Number(bp);
}
const percentText = (bp) => (bp ? (Number(bp) / 100).toString() : '0');

/** Quantity with at most 4 decimal places → BigInt × 10^4. */
const parseQuantity = (text, fieldName) => parseDecimal(text, 4, fieldName, 'The quantity');

/** A totals block from figure rows (the server's `rows`, or `figureRows` while editing): the
 *  same labels and signs as the client page and the PDF, so they add up the same way. */
function figuresBlock(rows, currency, attrs = {}) {
  const testids = { total: 'invoice-total', balance: 'invoice-balance' };
  return h('dl', { class: 'totals', ...attrs }, rows.map((row) => [
    h('dt', {}, row.label),
    h('dd', { class: row.key === 'total' ? 'total' : undefined, testid: testids[row.key] },
      `${row.sign === '-' ? '−' : ''}${money(row.amount, currency)}`)]));
}

function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? date.toLocaleDateString(undefined, { timeZone: 'UTC' }) : date.toLocaleString();
}

function size(bytes) {
  if (bytes === null || bytes === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

const today = () => new Date().toISOString().slice(0, 10);
const orNull = (value) => (String(value ?? '').trim() === '' ? null : String(value).trim());

// ---------------------------------------------------------------------------------------------
// Sign in, sign out, the shell
// ---------------------------------------------------------------------------------------------

const can = (permission) => Boolean(state.me?.permissions?.includes(permission));

function showLogin(message) {
  document.getElementById('topbar').hidden = true;
  document.getElementById('view').hidden = true;
  document.getElementById('view').replaceChildren();
  document.getElementById('login-view').hidden = false;
  if (message) toast(message, 'error');
  document.getElementById('login-email').focus();
}

function signOut(message) {
  clearTimeout(refreshTimer);
  tokens.clear();
  state.me = null;
  state.business = null;
  state.cache.clear();
  if (location.hash) history.replaceState(null, '', location.pathname);
  showLogin(message);
  if (!message) toast('You are signed out.');
}

async function startSession() {
  const [me, business, limits] = await Promise.all([api('GET', '/me'), api('GET', '/business'),
    api('GET', '/limits').catch(() => null)]); // without limits the server still checks everything
  state.me = me;
  state.business = business;
  state.limits = limits;
  document.getElementById('login-view').hidden = true;
  document.getElementById('topbar').hidden = false;
  document.getElementById('view').hidden = false;
  document.getElementById('brand-name').textContent = business.name;
  const role = me.roles?.length ? me.roles.join(', ') : 'no role';
  document.getElementById('who').textContent = `${me.email} · ${role}`;
  scheduleRefresh();
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/invoices';
  else route();
}

function setUpLogin() {
  const form = document.getElementById('login-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submit = form.querySelector('button[type="submit"]');
    run(submit, async () => {
      const email = form.elements.email.value.trim();
      const password = form.elements.password.value;
      if (!email) throw new FieldError('Enter your email address.', 'email');
      if (!password) throw new FieldError('Enter your password.', 'password');
      const res = await fetch(`${API}/auth/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
      }).catch(() => { throw new ApiError('The server cannot be reached; check your connection and try again.'); });
      if (!res.ok) throw await errorFrom(res);
      tokens.save(await res.json());
      form.elements.password.value = '';
      await startSession();
      toast(`Signed in as ${state.me.email}.`);
    }, form);
  });
  for (const name of ['email', 'password']) {
    const el = form.elements[name];
    const error = h('p', { class: 'field-error', id: `${el.id}-error`, hidden: true });
    el.setAttribute('aria-describedby', error.id);
    el.after(error);
  }
  document.getElementById('sign-out').addEventListener('click', () => signOut());
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

const ROUTES = [
  [/^#\/invoices$/, () => documentsScreen('invoice')],
  [/^#\/invoices\/new$/, () => documentScreen('invoice', null)],
  [/^#\/invoices\/([\w-]+)$/, (id) => documentScreen('invoice', id)],
  [/^#\/quotes$/, () => documentsScreen('quote')],
  [/^#\/quotes\/new$/, () => documentScreen('quote', null)],
  [/^#\/quotes\/([\w-]+)$/, (id) => documentScreen('quote', id)],
  [/^#\/clients$/, () => clientsScreen()],
  [/^#\/clients\/([\w-]+)$/, (id) => clientScreen(id)],
  [/^#\/products$/, () => productsScreen()],
  [/^#\/resources$/, () => resourcesScreen()],
  [/^#\/resources\/([\w-]+)$/, (id) => resourceScreen(id)],
  [/^#\/payments$/, () => paymentsScreen()],
  [/^#\/settings$/, () => settingsScreen()],
];

let renderSerial = 0;

async function route() {
  if (!state.me) return;
  const hash = location.hash || '#/invoices';
  const serial = ++renderSerial;
  const view = document.getElementById('view');
  const match = ROUTES.map(([pattern, screen]) => [pattern.exec(hash), screen]).find(([m]) => m);
  const area = hash.split('/')[1] || 'invoices';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === area) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  // While the next screen loads, the current one takes no input (no clicks on stale data).
  view.setAttribute('aria-busy', 'true');
  view.inert = true;
  let content;
  try {
    content = match ? await match[1](...match[0].slice(1)) : h('div', {}, pageHeader('Not found'),
      h('p', {}, 'There is no such page. ', link('#/invoices', 'Go to invoices')));
  } catch (error) {
    report(error);
    content = h('div', {}, pageHeader('Could not load this page'), h('p', { class: 'error-text' }, error.message || ''));
  }
  if (serial !== renderSerial) return; // a newer navigation won
  view.replaceChildren(content);
  view.removeAttribute('aria-busy');
  view.inert = false;
  const heading = view.querySelector('h1');
  if (heading && document.activeElement?.closest('#view') === null) heading.focus({ preventScroll: false });
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

async function clientsScreen() {
  const clients = await clientsList();
  const rows = clients.map((c) => h('tr', { testid: 'client-row' },
    h('td', {}, link(`#/clients/${c.client_id}`, c.name)),
    h('td', {}, c.email || ''),
    h('td', {}, when(c.created_at))));
  return h('div', {},
    pageHeader('Clients'),
    can(MANAGE.clients) ? newClientForm() : null,
    section('All clients', table('Clients', ['Name', 'Email', 'Added'], rows, 'No clients yet.')));
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

async function clientScreen(clientId) {
  const client = await api('GET', `/clients/${clientId}`);
  const portalOut = h('p', { class: 'copy-out', 'aria-live': 'polite' });
  const contactRows = (client.contacts || []).map((k) => h('tr', { testid: 'contact-row' },
    h('td', {}, k.name, k.is_primary ? [' ', badge('primary')] : null),
    h('td', {}, k.email),
    h('td', { class: 'row-actions' },
      can(MANAGE.clients) ? button('Copy portal link', {
        class: 'button secondary small', testid: 'contact-portal',
        onclick: (e) => run(e.currentTarget, async () => {
          const { url } = await api('POST', `/clients/${clientId}/contacts/${k.contact_id}/portal`);
          portalOut.replaceChildren(`Portal link for ${k.name}: `, h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'portal-url' }, url));
          await copyAndTell(url, 'Portal link');
        }),
      }) : null,
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
    section('Access log', await accessLog(`/clients/${clientId}/access-log`, `client-${clientId}`)));
}

function fact(term, value) {
  if (value === null || value === undefined || value === '') return null;
  return [h('dt', {}, term), h('dd', {}, value instanceof Node ? value : String(value))];
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
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('PATCH', `/clients/${client.client_id}`, {
        name: els.name.value.trim(), email: orNull(els.email.value), phone: orNull(els.phone.value),
        tax_number: orNull(els.tax_number.value), address: orNull(els.address.value), notes: orNull(els.notes.value),
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

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

async function productsScreen() {
  const products = await productsList();
  const currency = state.business.currency;
  const rows = products.map((p) => h('tr', { testid: 'product-row' },
    h('td', {}, p.name, p.description ? h('div', { class: 'muted' }, p.description) : null),
    h('td', { class: 'num' }, money(p.unit_price, currency)),
    h('td', { class: 'num' }, `${percentText(p.tax_rate_bp)} %`),
    h('td', { class: 'row-actions' }, can(MANAGE.products) ? confirmButton('Delete', 'Confirm delete', async () => {
      await api('DELETE', `/products/${p.product_id}`);
      forget('products');
      toast(`“${p.name}” deleted.`);
      go('#/products');
    }, { class: 'button danger small' }) : null)));
  return h('div', {},
    pageHeader('Products'),
    can(MANAGE.products) ? newProductForm(currency) : null,
    section('All products', table('Products', ['Name', 'Price', 'Tax', ''], rows, 'No products yet.')));
}

function newProductForm(currency) {
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-product-title' },
    h('h2', { id: 'new-product-title' }, 'New product'),
    h('div', { class: 'grid-2' },
      field('Name', input({ name: 'name', testid: 'product-name' })),
      field(`Price (${currency})`, input({ name: 'unit_price', inputmode: 'decimal', placeholder: '0.00', testid: 'product-price' })),
      field('Tax rate (%)', input({ name: 'tax_rate_bp', inputmode: 'decimal', value: '0', testid: 'product-tax' }))),
    field('Description (optional)', h('textarea', { name: 'description', rows: 2 })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'product-save' }, 'Save product')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      if (!els.name.value.trim()) throw new FieldError('Enter the product’s name.', 'name');
      await api('POST', '/products', {
        name: els.name.value.trim(), description: orNull(els.description.value),
        unit_price: parseMoney(els.unit_price.value, currency, 'unit_price', 'The price'),
        tax_rate_bp: parsePercent(els.tax_rate_bp.value, 'tax_rate_bp', 'The tax rate'),
      });
      forget('products');
      toast('Product saved.');
      go('#/products');
    }, form);
  });
  return form;
}

// ---------------------------------------------------------------------------------------------
// Invoices and quotes
// ---------------------------------------------------------------------------------------------

const STATUSES = {
  invoice: ['draft', 'sent', 'partial', 'paid', 'cancelled'],
  quote: ['draft', 'sent', 'accepted', 'declined', 'cancelled'],
};
const title = (kind) => (kind === 'invoice' ? 'Invoice' : 'Quote');

function viewsBadge(views) {
  const count = views?.view_count || 0;
  const hint = count
    ? `Opened ${count} time${count === 1 ? '' : 's'}; first ${when(views.first_viewed_at)}, last ${when(views.last_viewed_at)}`
    : 'Not opened yet';
  return h('span', { class: `views${count ? '' : ' views-none'}`, title: hint },
    h('span', { class: 'visually-hidden' }, 'Views: '),
    h('span', { class: 'badge badge-views', testid: 'view-count', title: hint }, String(count)));
}

async function documentsScreen(kind, status = '') {
  const query = status ? `?status=${encodeURIComponent(status)}` : '';
  const [page, clients] = await Promise.all([api('GET', `/${kind}s${query}${query ? '&' : '?'}limit=${PAGE}`), clientsList()]);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const tbody = h('tbody', {});
  const addRows = (items) => append(tbody, items.map((d) => h('tr', { testid: kind === 'invoice' ? 'invoice-row' : 'quote-row' },
    h('td', {}, link(`#/${kind}s/${d.id}`, d.number, { class: 'doc-number' })),
    h('td', {}, names.get(d.client_id) || d.bill_to?.name || ''),
    h('td', {}, badge(d.display_status)),
    h('td', { class: 'num' }, money(d.total, d.currency)),
    kind === 'invoice' ? h('td', { class: 'num' }, money(d.balance, d.currency)) : null,
    h('td', {}, viewsBadge(d.views)))));
  addRows(page.items);
  let cursor = page.next_cursor;
  const more = button('Load more', { class: 'button secondary', hidden: !cursor, onclick: (e) => run(e.currentTarget, async () => {
    const next = await api('GET', `/${kind}s?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}${status ? `&status=${status}` : ''}`);
    addRows(next.items);
    cursor = next.next_cursor;
    more.hidden = !cursor;
  }) });
  const filter = select({ id: nextId('status'), name: 'status', testid: kind === 'invoice' ? 'invoice-status-filter' : 'quote-status-filter' },
    [['', 'All'], ...STATUSES[kind].map((s) => [s, s[0].toUpperCase() + s.slice(1)])], status);
  filter.addEventListener('change', async () => {
    const view = document.getElementById('view');
    view.replaceChildren(await documentsScreen(kind, filter.value).catch((e) => { report(e); return h('p', {}, ''); }));
    view.querySelector('select')?.focus();
  });
  const headers = ['Number', 'Client', 'Status', 'Total', ...(kind === 'invoice' ? ['Balance'] : []), 'Views'];
  return h('div', {},
    pageHeader(`${title(kind)}s`,
      can(MANAGE.invoices) ? link(`#/${kind}s/new`, `New ${kind}`, { class: 'button', testid: kind === 'invoice' ? 'invoice-new' : 'quote-new' }) : null),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, field('Status', filter)),
      page.items.length ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `${title(kind)}s` },
        h('table', {}, h('caption', { class: 'visually-hidden' }, `${title(kind)}s`),
          h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))), tbody))
        : h('p', { class: 'empty' }, `No ${kind}s${status ? ` with status ${status}` : ''} yet.`),
      more));
}

async function documentScreen(kind, docId) {
  const [doc, clients, products] = await Promise.all([
    docId ? api('GET', `/${kind}s/${docId}`) : null, clientsList(), productsList()]);
  const editable = can(MANAGE.invoices) && (!doc || doc.status === 'draft');
  const heading = doc ? `${title(kind)} ${doc.number}` : `New ${kind}`;
  return h('div', {},
    pageHeader(heading, link(`#/${kind}s`, `← All ${kind}s`, { class: 'button secondary small' }),
      doc ? badge(doc.display_status) : null),
    doc ? documentActions(kind, doc) : null,
    editable ? documentEditor(kind, doc, clients, products) : documentSummary(kind, doc, clients),
    doc && !editable && can(MANAGE.invoices) && ['sent', 'partial'].includes(doc.status) ? sentDocumentForm(kind, doc) : null,
    doc ? await documentExtras(kind, doc) : null);
}

function documentSummary(kind, doc, clients) {
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
    table('Lines', ['Description', 'Qty', 'Price', 'Tax', 'Amount before discount & tax'], rows, 'No lines.'),
    totalsBlock(doc, doc.currency),
    doc.notes ? h('p', { class: 'muted' }, doc.notes) : null);
}

/** A saved document's totals: the server's figures, never recomputed here. */
function totalsBlock(doc, currency) {
  const block = figuresBlock(doc.rows, currency);
  if (doc.overpaid) append(block, [h('dt', {}, 'Overpaid (refund it)'), h('dd', {}, money(doc.overpaid, currency))]);
  return block;
}

function documentEditor(kind, doc, clients, products) {
  const currency0 = doc?.currency || state.business.currency;
  const form = h('form', { class: 'card stack editor', novalidate: true, 'aria-label': `${title(kind)} details` });
  // The editor's hooks (`invoice-client`, `line-*`, `invoice-total`) are the same for quotes.
  const clientSelect = select({ name: 'client_id', required: true, testid: 'invoice-client' },
    [['', 'Choose a client…'], ...clients.map((c) => [c.client_id, c.name])], doc?.client_id || '');
  const currencyInput = input({ name: 'currency', value: currency0, maxlength: 3, autocapitalize: 'characters', class: 'short' });
  const lines = h('div', { class: 'lines' });
  const totals = h('div', { 'aria-live': 'polite' });
  const partial = h('input', { type: 'checkbox', name: 'allow_partial', checked: Boolean(doc ? doc.allow_partial : state.business.allow_partial_default) });
  const minimum = input({ name: 'minimum_partial', inputmode: 'decimal',
    value: majorText(doc ? doc.minimum_partial : state.business.minimum_partial_default, currency0) });
  const currency = () => (currencyInput.value.trim().toUpperCase() || state.business.currency);

  function lineRow(line = {}) {
    const row = h('fieldset', { class: 'line' });
    const index = () => [...lines.children].indexOf(row);
    const productSelect = select({ name: 'product_id', class: 'product' },
      [['', 'Free text'], ...products.map((p) => [p.product_id, p.name])], line.product_id || '');
    const description = h('input', { type: 'text', name: 'description', value: line.description || '', testid: 'line-description' });
    const quantity = input({ name: 'quantity', inputmode: 'decimal', value: String(line.quantity ?? '1'), class: 'short', testid: 'line-quantity' });
    const price = input({ name: 'unit_price', inputmode: 'decimal', placeholder: '0.00', class: 'short', testid: 'line-price',
      value: line.unit_price !== undefined ? majorText(line.unit_price, currency()) : '' });
    const tax = input({ name: 'tax_rate_bp', inputmode: 'decimal', class: 'short', testid: 'line-tax', value: percentText(line.tax_rate_bp || 0) });
    const discount = input({ name: 'discount_bp', inputmode: 'decimal', class: 'short', testid: 'line-discount', value: percentText(line.discount_bp || 0) });
    const amount = h('output', { class: 'line-amount', testid: 'line-amount' });
    const remove = button('Remove line', { class: 'button secondary small', onclick: () => { row.remove(); renumber(); recompute(); } });
    productSelect.addEventListener('change', () => {
      const product = products.find((p) => p.product_id === productSelect.value);
      if (product) {
        description.value = product.name;
        price.value = majorText(product.unit_price, currency());
        tax.value = percentText(product.tax_rate_bp);
      }
      recompute();
    });
    row.append(
      h('legend', { class: 'visually-hidden' }, 'Line'),
      field('Product', productSelect),
      h('div', { class: 'grow' }, field('Description', description)),
      field('Qty', quantity), field('Unit price', price), field('Tax %', tax), field('Discount %', discount),
      h('div', { class: 'field' }, h('span', { class: 'label' }, 'Amount before discount & tax'), amount),
      h('div', { class: 'field end' }, remove));
    row.read = (strict) => readLine(index(), { productSelect, description, quantity, price, tax, discount }, strict);
    row.show = (text) => { amount.value = text; amount.textContent = text; };
    row.renumber = () => {
      const i = index();
      row.querySelector('legend').textContent = `Line ${i + 1}`;
      for (const [el, name] of [[productSelect, 'product_id'], [description, 'description'], [quantity, 'quantity'],
        [price, 'unit_price'], [tax, 'tax_rate_bp'], [discount, 'discount_bp']]) el.name = `lines[${i}].${name}`;
    };
    return row;
  }

  function readLine(i, els, strict) {
    const cur = currency();
    const f = (name) => `lines[${i}].${name}`;
    const priceText = els.price.value.trim();
    const line = {
      product_id: els.productSelect.value || null,
      description: els.description.value.trim(),
      quantity: els.quantity.value.trim() || '1',
      q4: parseQuantity(els.quantity.value.trim() || '1', f('quantity')),
      unit_price: priceText === '' ? 0 : parseMoney(priceText, cur, f('unit_price'), 'The price'),
      tax_rate_bp: parsePercent(els.tax.value, f('tax_rate_bp'), 'The tax rate'),
      discount_bp: parsePercent(els.discount.value, f('discount_bp'), 'The discount'),
    };
    if (strict && !line.product_id && !line.description) throw new FieldError('Describe the line (or choose a product).', f('description'));
    if (strict && !line.product_id && priceText === '') throw new FieldError('Enter the price.', f('unit_price'));
    return line;
  }

  function renumber() { [...lines.children].forEach((row) => row.renumber()); }

  function recompute() {
    // The server's rule (rules.js, checked against the same cases as domain/figures.py).
    const cur = currency();
    const read = [];
    let valid = true;
    for (const row of lines.children) {
      try {
        const line = row.read(false);
        read.push(line);
        row.show(money(invoiceFigures([line]).lines[0].amount, cur));
      } catch {
        valid = false;
        row.show('—');
      }
    }
    if (!valid) {
      totals.replaceChildren(h('dl', { class: 'totals' },
        h('dt', {}, 'Total'), h('dd', { class: 'total', testid: 'invoice-total' }, '—')));
      return;
    }
    // A draft has nothing paid yet: the preview stops at the total, like a quote.
    totals.replaceChildren(figuresBlock(figureRows(invoiceFigures(read), false), cur));
  }

  const addLine = button('Add line', { class: 'button secondary', testid: 'line-add', onclick: () => {
    const row = lineRow();
    lines.append(row);
    renumber();
    recompute();
    row.querySelector('select').focus();
  } });
  for (const line of doc?.lines?.length ? doc.lines : [{}]) lines.append(lineRow(line));
  renumber();

  const dates = h('div', { class: 'grid-3' },
    field('Issue date', input({ name: 'issue_date', type: 'date', value: doc?.issue_date || today() })),
    field('Due date (optional)', input({ name: 'due_date', type: 'date', value: doc?.due_date || '' })),
    field('PO number (optional)', input({ name: 'po_number', value: doc?.po_number || '' })));
  append(form, [
    h('div', { class: 'grid-2' }, field('Client', clientSelect), field('Currency', currencyInput, 'ISO code, e.g. EUR')),
    dates,
    h('h2', {}, 'Lines'), lines, h('div', { class: 'actions' }, addLine),
    h('h2', { class: 'visually-hidden' }, 'Totals'), totals,
    h('p', { class: 'hint' }, 'Totals here are a preview; the server computes the amounts that count.'),
    kind === 'invoice' ? h('div', { class: 'grid-2' },
      checkbox('Allow part payments', partial), field(`Minimum part payment (${currency0})`, minimum)) : null,
    field('Notes (shown to the client)', h('textarea', { name: 'notes', rows: 2 }, doc?.notes || '')),
    field('Terms', h('textarea', { name: 'terms', rows: 2 }, doc?.terms || (doc ? '' : state.business.default_terms || ''))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button', testid: kind === 'invoice' ? 'invoice-save' : 'quote-save' },
        doc ? 'Save changes' : `Save ${kind}`)),
  ]);
  form.addEventListener('input', recompute);
  form.addEventListener('change', recompute);
  recompute();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      if (!clientSelect.value) throw new FieldError('Choose a client.', 'client_id');
      const cur = currency();
      if (!/^[A-Z]{3}$/.test(cur)) throw new FieldError('The currency is a three-letter code such as EUR.', 'currency');
      const body = {
        client_id: clientSelect.value, currency: cur,
        issue_date: els.issue_date.value || undefined, due_date: els.due_date.value || null,
        po_number: orNull(els.po_number.value), notes: orNull(els.notes.value), terms: orNull(els.terms.value),
        lines: [...lines.children].map((row) => {
          const { q4, ...line } = row.read(true);
          if (!line.product_id) delete line.product_id;
          return line;
        }),
      };
      if (kind === 'invoice') {
        body.allow_partial = partial.checked;
        if (partial.checked && minimum.value.trim()) body.minimum_partial = parseMoney(minimum.value, cur, 'minimum_partial', 'The minimum');
      }
      if (!body.issue_date) delete body.issue_date;
      const saved = doc ? await api('PATCH', `/${kind}s/${doc.id}`, body) : await api('POST', `/${kind}s`, body);
      forget(`${kind}s`);
      toast(`${title(kind)} ${saved.number} saved.`);
      if (doc) go(`#/${kind}s/${saved.id}`);
      else { history.replaceState(null, '', `#/${kind}s/${saved.id}`); route(); }
    }, form);
  });
  return form;
}

function sentDocumentForm(kind, doc) {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Due date', input({ name: 'due_date', type: 'date', value: doc.due_date || '' })),
      field('PO number', input({ name: 'po_number', value: doc.po_number || '' }))),
    field('Notes', h('textarea', { name: 'notes', rows: 2 }, doc.notes || '')),
    field('Terms', h('textarea', { name: 'terms', rows: 2 }, doc.terms || '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Save changes')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('PATCH', `/${kind}s/${doc.id}`, {
        due_date: els.due_date.value || null, po_number: orNull(els.po_number.value),
        notes: orNull(els.notes.value), terms: orNull(els.terms.value),
      });
      toast('Saved.');
      go(`#/${kind}s/${doc.id}`);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Edit notes, terms and due date'), form);
}

function documentActions(kind, doc) {
  const manage = can(MANAGE.invoices);
  const base = `/${kind}s/${doc.id}`;
  const reload = () => { forget(`${kind}s`); go(`#/${kind}s/${doc.id}`); };
  const shareOut = h('p', { class: 'copy-out', 'aria-live': 'polite' },
    doc.share_url ? ['Share link: ', h('a', { href: doc.share_url, target: '_blank', rel: 'noopener', testid: 'share-url' }, doc.share_url)] : null);
  const pdfOut = h('p', { class: 'copy-out', 'aria-live': 'polite' });
  const open = ['sent', 'partial'].includes(doc.status);
  const buttons = [];
  if (manage && doc.status === 'draft') {
    buttons.push(button('Mark sent', { testid: kind === 'invoice' ? 'invoice-send' : 'quote-send', onclick: (e) => run(e.currentTarget, async () => {
      await api('POST', `${base}/send`);
      toast(`${title(kind)} ${doc.number} is sent.`);
      reload();
    }) }));
  }
  if (manage && kind === 'invoice' && !['cancelled', 'paid'].includes(doc.status)) {
    buttons.push(button('Email to client', { class: 'button secondary', testid: 'invoice-email', onclick: (e) => run(e.currentTarget, async () => {
      const outcome = await api('POST', `${base}/email`);
      const sent = outcome.sent_to?.length ? `Emailed to ${outcome.sent_to.join(', ')}.` : 'Nobody to email.';
      const skipped = outcome.skipped?.length ? ` Skipped (opted out): ${outcome.skipped.join(', ')}.` : '';
      toast(sent + skipped);
      reload();
    }) }));
  }
  if (manage && kind === 'invoice' && doc.status !== 'cancelled') {
    buttons.push(button('Copy share link', { class: 'button secondary', testid: 'invoice-share', onclick: (e) => run(e.currentTarget, async () => {
      const { url } = await api('POST', `${base}/share`);
      shareOut.replaceChildren('Share link: ', h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'share-url' }, url));
      await copyAndTell(url, 'Share link');
    }) }));
  }
  buttons.push(button('Share PDF', { class: 'button secondary', testid: kind === 'invoice' ? 'invoice-pdf' : 'quote-pdf', onclick: (e) => run(e.currentTarget,
    () => sharePdf(`${base}/pdf`, `${doc.number}.pdf`, pdfOut)) }));
  if (manage && kind === 'quote' && doc.status === 'accepted' && !doc.converted_invoice_id) {
    buttons.push(button('Convert to invoice', { testid: 'quote-convert', onclick: (e) => run(e.currentTarget, async () => {
      const invoice = await api('POST', `${base}/convert`);
      forget('invoices', 'quotes');
      toast(`Invoice ${invoice.number} created.`);
      go(`#/invoices/${invoice.id}`);
    }) }));
  }
  if (manage && (doc.status === 'draft' || open) && !(doc.amount_paid > 0)) {
    buttons.push(confirmButton(`Cancel ${kind}`, 'Confirm cancel', async () => {
      await api('POST', `${base}/cancel`);
      toast(`${title(kind)} ${doc.number} cancelled.`);
      reload();
    }, { testid: kind === 'invoice' ? 'invoice-cancel' : 'quote-cancel' }));
  }
  if (manage && doc.status === 'draft') {
    buttons.push(confirmButton('Delete draft', 'Confirm delete', async () => {
      await api('DELETE', base);
      forget(`${kind}s`);
      toast(`Draft ${doc.number} deleted.`);
      go(`#/${kind}s`);
    }, { testid: kind === 'invoice' ? 'invoice-delete' : 'quote-delete' }));
  }
  const parts = [h('div', { class: 'actions wrap' }, buttons), shareOut, pdfOut];
  if (manage && kind === 'invoice' && open) parts.push(paymentForm(doc, reload));
  return h('section', { class: 'card', 'aria-label': 'Actions' }, parts);
}

function paymentForm(doc, reload) {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-3' },
      field(`Amount (${doc.currency})`, input({ name: 'amount', inputmode: 'decimal', placeholder: majorText(doc.balance, doc.currency), testid: 'payment-amount' }),
        'Leave empty for the whole balance.'),
      field('Method', select({ name: 'method' }, [['bank_transfer', 'Bank transfer'], ['cash', 'Cash'], ['card', 'Card'],
        ['cheque', 'Cheque'], ['manual', 'Manual'], ['other', 'Other']], 'bank_transfer')),
      field('Received on', input({ name: 'received_on', type: 'date', value: today() }))),
    field('Reference (optional)', input({ name: 'reference' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'payment-save' }, 'Record payment')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const body = { method: els.method.value, reference: orNull(els.reference.value) };
      if (els.amount.value.trim()) body.amount = parseMoney(els.amount.value, doc.currency, 'amount');
      if (els.received_on.value) body.received_on = els.received_on.value;
      const { invoice } = await api('POST', `/invoices/${doc.id}/payments`, body);
      toast(`Payment recorded; ${invoice.number} is ${invoice.status}.`);
      reload();
    }, form);
  });
  return h('details', { class: 'subcard' }, h('summary', {}, 'Record a payment'), form);
}

async function documentExtras(kind, doc) {
  const parts = [];
  const views = doc.views || {};
  parts.push(section('Views', h('dl', { class: 'facts' },
    fact('Opened', h('span', {}, viewsBadge(views), ` time${views.view_count === 1 ? '' : 's'}`)),
    fact('Unique viewers', String(views.unique_viewers || 0)),
    fact('First viewed', when(views.first_viewed_at) || '—'), fact('Last viewed', when(views.last_viewed_at) || '—'))));
  if (kind === 'invoice') {
    const ledger = (doc.payments || []).map((p) => h('tr', { testid: 'ledger-row' },
      h('td', {}, when(p.received_on || p.created_at)), h('td', {}, badge(p.kind)),
      h('td', { class: 'num' }, money(p.amount, p.currency)), h('td', {}, p.method || ''), h('td', {}, p.reference || p.dispute_status || '')));
    parts.push(section('Payments', table('Payments of this invoice', ['Date', 'Kind', 'Amount', 'Method', 'Reference'], ledger, 'No payments yet.')));
    const grants = await api('GET', `/invoices/${doc.id}/grants`).catch(() => ({ items: [] }));
    const rows = grants.items.map((g) => h('tr', {},
      h('td', {}, link(`#/resources/${g.resource_id}`, g.title || g.resource_id)), h('td', {}, policyLabel(g.policy)),
      h('td', {}, badge(g.state)), h('td', { class: 'num' }, `${g.downloads}${g.download_limit ? ` / ${g.download_limit}` : ''}`)));
    parts.push(section('Files on this invoice', table('Files on this invoice', ['File', 'Policy', 'State', 'Downloads'], rows,
      'No files. Attach one from Resources.')));
    parts.push(section('Access log', await accessLog(`/invoices/${doc.id}/access-log`, `invoice-${doc.number}`)));
  }
  return parts;
}

/** The PDF through the device's share sheet when it can share files, else downloaded. */
async function sharePdf(path, filename, out) {
  const { url } = await api('GET', path);
  let file = null;
  try {
    const res = await fetch(url);
    if (res.ok) file = new File([await res.blob()], filename, { type: 'application/pdf' });
  } catch { file = null; }
  if (file && navigator.canShare && navigator.canShare({ files: [file] })) {
    try {
      await navigator.share({ files: [file], title: filename });
      toast('PDF shared.');
      return;
    } catch (error) {
      if (error?.name === 'AbortError') return; // the user closed the share sheet
    }
  }
  if (file) {
    saveBlob(file, filename);
    toast(`${filename} downloaded.`);
    return;
  }
  out?.replaceChildren('PDF ready: ', h('a', { href: url, target: '_blank', rel: 'noopener', testid: 'pdf-url' }, `open ${filename}`));
  toast('PDF ready: open it from the link on the page.');
}

async function downloadUrl(url, filename) {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(String(res.status));
    saveBlob(await res.blob(), filename);
    toast(`${filename} downloaded.`);
  } catch {
    window.open(url, '_blank', 'noopener');
  }
}

// ---------------------------------------------------------------------------------------------
// Access logs (resources, clients, invoices)
// ---------------------------------------------------------------------------------------------

async function accessLog(path, name) {
  const page = await api('GET', `${path}?limit=50`);
  const clients = await clientsList().catch(() => []);
  const names = new Map(clients.map((c) => [c.client_id, c.name]));
  const rows = page.items.map((e) => h('tr', { testid: 'access-log-row' },
    h('td', {}, when(e.at)), h('td', {}, e.action), h('td', {}, badge(e.result)),
    h('td', {}, e.actor || ''), h('td', {}, names.get(e.client_id) || e.client_id || ''), h('td', {}, e.ip || '')));
  const csv = button('Export CSV', { class: 'button secondary small', testid: 'access-log-csv', onclick: (e) => run(e.currentTarget, async () => {
    const res = await api('GET', `${path}?format=csv`, null, { raw: true });
    saveBlob(await res.blob(), filenameOf(res.headers.get('Content-Disposition'), `access-log-${name}.csv`));
    toast('Access log exported.');
  }) });
  return h('div', { class: 'stack' },
    h('div', { class: 'actions' }, csv),
    table('Access log', ['When', 'Action', 'Result', 'Who', 'Client', 'IP'], rows, 'Nobody has accessed anything yet.'),
    page.next_cursor ? h('p', { class: 'hint' }, 'Showing the latest 50 entries; the CSV export has up to 1,000.') : null);
}

// ---------------------------------------------------------------------------------------------
// Resources: uploads straight to S3, the preview grid, attachments, grants, access log
// ---------------------------------------------------------------------------------------------

const POLICIES = [
  ['after_payment', 'After payment'], ['visible', 'Visible now'], ['manual', 'When I release it'],
  ['claim_link', 'Claim link (first to claim)'], ['internal', 'Internal (staff only)'],
];
const policyLabel = (p) => (POLICIES.find(([v]) => v === p) || [p, p])[1];
const REFUND_RULES = [
  ['revoke_on_full_refund', 'Revoke on a full refund'], ['revoke_on_any_refund', 'Revoke on any refund'], ['keep', 'Keep access'],
];
const DECIDED_BY = { payment: 'Payment', staff: 'Staff', claim: 'Claim', policy: 'Policy' };
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
const uploadList = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
let resourceGrid = null;

async function resourcesScreen() {
  resourceGrid = h('ul', { class: 'resource-grid', 'aria-label': 'Resources' });
  await fillGrid(resourceGrid);
  return h('div', {},
    pageHeader('Resources', button('Refresh', { class: 'button secondary small', onclick: (e) => run(e.currentTarget, () => fillGrid(resourceGrid)) })),
    can(MANAGE.resources) ? uploadCard() : null,
    can(MANAGE.resources) ? linkForm() : null,
    section('Files and links', resourceGrid));
}

async function fillGrid(grid) {
  const items = await listAll('/resources', 300);
  grid.replaceChildren(...items.map(resourceCard));
  if (!items.length) grid.append(h('li', { class: 'empty' }, 'No resources yet. Upload a file to start.'));
  if (items.some((r) => r.preview_status === 'pending')) {
    setTimeout(() => { if (grid.isConnected) fillGrid(grid).catch(() => {}); }, 3000);
  }
}

function resourceCard(r) {
  const ext = (r.filename || r.url || '').split('.').pop().slice(0, 4).toUpperCase();
  const thumb = r.preview_url
    ? h('img', { src: r.preview_url, alt: '', loading: 'lazy', width: 160, height: 120, class: 'thumb' })
    : h('span', { class: 'thumb icon', 'aria-hidden': 'true' }, r.kind === 'link' ? 'LINK' : ext || 'FILE');
  const meta = r.kind === 'link' ? r.url : [size(r.size), r.content_type].filter(Boolean).join(' · ');
  const status = r.upload_in_progress ? 'uploading' : r.status;
  return h('li', { class: 'resource', testid: 'resource-row' },
    thumb,
    h('div', { class: 'resource-body' },
      link(`#/resources/${r.resource_id}`, r.title, { class: 'resource-title' }),
      h('div', { class: 'muted small' }, meta),
      h('div', {}, badge(status), r.kind === 'file' && r.preview_status !== 'ready' && r.preview_status !== 'none'
        ? [' ', badge(`preview ${r.preview_status}`, r.preview_status)] : null,
        // The file's content contradicts its declared type (say, a program named .jpg).
        r.type_warning ? [' ', h('span', { class: 'badge badge-type_warning', title: r.type_warning, testid: 'type-warning' },
          'type mismatch')] : null)));
}

function uploadCard() {
  const inputEl = h('input', { type: 'file', id: 'upload-input', multiple: true, testid: 'upload-input', class: 'file-input' });
  inputEl.addEventListener('change', () => {
    for (const file of inputEl.files) startUpload(file);
    inputEl.value = '';
  });
  // The input stays focusable (visually hidden); its label is the visible button.
  const zone = h('div', { class: 'dropzone', testid: 'upload-dropzone' },
    h('p', {}, h('strong', {}, 'Drag files here'), ' or choose them:'),
    inputEl, h('label', { for: 'upload-input', class: 'button secondary' }, 'Choose files'),
    h('p', { class: 'hint' }, 'Files go straight to storage; up to 50 GB each (large files upload in parts and can resume).'));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    for (const file of event.dataTransfer.files) startUpload(file);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'upload-title' }, h('h2', { id: 'upload-title' }, 'Upload files'), zone, uploadList);
}

// A file dropped outside the zone must not replace the dashboard with the file.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

function linkForm() {
  const form = h('form', { class: 'stack', novalidate: true },
    h('div', { class: 'grid-2' },
      field('Title', input({ name: 'title', testid: 'link-title' })),
      field('Link (https://…)', input({ name: 'url', type: 'url', testid: 'link-url' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button secondary', testid: 'link-save' }, 'Add link')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      await api('POST', '/resources', { kind: 'link', title: els.title.value.trim(), url: els.url.value.trim() });
      toast('Link added.');
      form.reset();
      if (resourceGrid?.isConnected) await fillGrid(resourceGrid);
    }, form);
  });
  return h('details', { class: 'card' }, h('summary', {}, 'Add a link instead of a file'), form);
}

function uploadItem(file) {
  const progress = h('progress', { max: 100, value: 0, testid: 'upload-progress', 'aria-label': `Uploading ${file.name}` });
  const status = h('span', { class: 'upload-status', 'aria-live': 'polite' }, 'Starting…');
  const actions = h('span', { class: 'upload-actions' });
  const item = h('li', { class: 'upload', testid: 'upload-item' },
    h('span', { class: 'upload-name' }, file.name, h('span', { class: 'muted small' }, ` ${size(file.size)}`)), progress, status, actions);
  uploadList.prepend(item);
  return {
    progress(percent) { progress.value = Math.min(100, Math.max(0, percent)); },
    status(text) { status.textContent = text; },
    done(resource) {
      progress.value = 100;
      status.replaceChildren(h('span', { class: 'ok', testid: 'upload-done' }, 'Uploaded'), ' · ',
        link(`#/resources/${resource.resource_id}`, 'Attach it'));
      actions.replaceChildren();
    },
    failed(message, retry) {
      status.replaceChildren(h('span', { class: 'error-text' }, message));
      actions.replaceChildren(retry ? button('Retry', { class: 'button secondary small', onclick: () => { actions.replaceChildren(); retry(); } }) : '');
    },
  };
}

const multipartRecords = {
  key: (file) => `${file.name}|${file.size}|${file.lastModified}`,
  all() { try { return JSON.parse(sessionStorage.getItem(MULTIPART_KEY)) || {}; } catch { return {}; } },
  get(file) { return this.all()[this.key(file)] || null; },
  set(file, resourceId) {
    const all = this.all();
    if (resourceId) all[this.key(file)] = resourceId; else delete all[this.key(file)];
    sessionStorage.setItem(MULTIPART_KEY, JSON.stringify(all));
  },
};

function startUpload(file) {
  const ui = uploadItem(file);
  const attempt = async () => {
    try {
      const resource = await uploadFile(file, ui);
      ui.done(resource);
      toast(`${file.name} uploaded.`);
      if (resourceGrid?.isConnected) fillGrid(resourceGrid).catch(() => {});
    } catch (error) {
      ui.failed(error.message || 'The upload failed.', attempt);
      report(error);
    }
  };
  attempt();
}

async function uploadFile(file, ui) {
  if (!file.size) throw new ApiError(`${file.name} is empty; there is nothing to upload.`);
  const contentType = file.type || 'application/octet-stream';
  // An interrupted multipart upload of this very file resumes from the parts S3 already has.
  const pendingId = multipartRecords.get(file);
  if (pendingId) {
    const parts = await api('GET', `/resources/${pendingId}/upload/parts`).catch(() => null);
    if (parts) return uploadParts(file, pendingId, null, parts.parts, ui);
    multipartRecords.set(file, null);
  }
  ui.status('Preparing…');
  const { resource, upload } = await api('POST', '/resources', {
    kind: 'file', title: file.name.slice(0, 200),
    file: { filename: file.name.slice(0, 255), size: file.size, content_type: contentType },
  });
  if (upload.method === 'multipart') {
    multipartRecords.set(file, resource.resource_id);
    return uploadParts(file, resource.resource_id, upload, [], ui);
  }
  ui.status('Uploading…');
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  await xhr('POST', upload.url, form, (loaded) => ui.progress((loaded / file.size) * 99));
  ui.status('Confirming…');
  return api('POST', `/resources/${resource.resource_id}/upload/confirm`);
}

/** Send with XMLHttpRequest (fetch cannot report upload progress); resolves with the XHR. */
function xhr(method, url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded, event.total); };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request);
      else reject(new ApiError(`Storage refused the upload (${request.status}).`, { status: request.status }));
    };
    request.onerror = () => reject(new ApiError('The upload was interrupted; check your connection and retry.'));
    request.onabort = () => reject(new ApiError('The upload was cancelled.'));
    request.send(body);
  });
}

/** The server's part size (domain/uploads.py): whole MB, at least 16 MB, at most 10,000 parts. */
function partSizeFor(bytes) {
  const MB = 1024 * 1024;
  return Math.max(16 * MB, Math.ceil(bytes / 10000 / MB) * MB);
}

async function uploadParts(file, resourceId, plan, already, ui) {
  const partSize = plan?.part_size || partSizeFor(file.size);
  const count = Math.ceil(file.size / partSize);
  const done = new Map(already.map((p) => [p.part_number, p.etag]));
  const loaded = new Map(already.map((p) => [p.part_number, p.size]));
  const showProgress = () => ui.progress(([...loaded.values()].reduce((a, b) => a + b, 0) / file.size) * 99);
  showProgress();
  ui.status(done.size ? `Resuming (${done.size} of ${count} parts already stored)…` : `Uploading ${count} parts…`);
  const todo = [];
  for (let n = 1; n <= count; n += 1) if (!done.has(n)) todo.push(n);
  const urls = new Map(); // part number → presigned PUT URL, asked for up to 100 at a time
  let asking = null;
  const urlFor = async (n) => {
    while (!urls.has(n)) {
      if (!asking) {
        const batch = [n, ...todo.filter((m) => !urls.has(m))].slice(0, 100);
        asking = api('POST', `/resources/${resourceId}/upload/parts`, { part_numbers: batch })
          .then(({ parts }) => { for (const part of parts) urls.set(part.part_number, part.url); })
          .finally(() => { asking = null; });
      }
      await asking;
    }
    const url = urls.get(n);
    urls.delete(n);
    return url;
  };
  let failed = false; // one part gave up: the others stop taking parts (Retry resumes)
  const worker = async () => {
    while (todo.length && !failed) {
      const n = todo.shift();
      const blob = file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
      let lastError;
      for (let tryNo = 0; tryNo < 3; tryNo += 1) {
        try {
          const request = await xhr('PUT', await urlFor(n), blob, (bytes) => { loaded.set(n, bytes); showProgress(); });
          const etag = request.getResponseHeader('ETag');
          if (!etag) throw new ApiError('Storage did not return the part’s ETag (check the bucket’s CORS ExposeHeaders).');
          done.set(n, etag);
          loaded.set(n, blob.size);
          showProgress();
          lastError = null;
          break;
        } catch (error) {
          lastError = error;
        }
      }
      if (lastError) {
        failed = true;
        throw lastError;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  ui.status('Finishing…');
  const parts = [...done.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
  const resource = await api('POST', `/resources/${resourceId}/upload/complete`, { parts });
  multipartRecords.set(file, null);
  return resource;
}

async function resourceScreen(resourceId) {
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
    confirmButton('Revoke all', 'Confirm revoke', async () => {
      const result = await api('POST', `/resources/${resourceId}/grants/revoke`);
      toast(`${result.changed} grant(s) revoked.`);
      reload();
    }, { testid: 'grants-revoke' })) : null;
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
    section('Who has access', grantActions, table('Grants', ['Client', 'Through', 'Policy', 'State', 'Downloads', 'Why', 'Decided by', ''], grantRows, 'Nobody yet.')),
    section('Access log', await accessLog(`/resources/${resourceId}/access-log`, `resource-${resourceId}`)));
}

async function targetNames() {
  const [clients, products, invoices, quotes] = await Promise.all([
    clientsList(), productsList(), documentsList('invoice'), documentsList('quote')].map((p) => p.catch(() => [])));
  return new Map([
    ...clients.map((c) => [`client:${c.client_id}`, c.name]), ...products.map((p) => [`product:${p.product_id}`, p.name]),
    ...invoices.map((d) => [`invoice:${d.id}`, d.number]), ...quotes.map((d) => [`quote:${d.id}`, d.number])]);
}

function targetLink(type, id, names) {
  const name = names.get(`${type}:${id}`) || id;
  const href = { client: `#/clients/${id}`, invoice: `#/invoices/${id}`, quote: `#/quotes/${id}`, product: '#/products' }[type];
  return href ? link(href, name) : name;
}

const TARGETS = {
  client: async () => (await clientsList()).map((c) => [c.client_id, c.name]),
  product: async () => (await productsList()).map((p) => [p.product_id, p.name]),
  invoice: async () => (await documentsList('invoice')).filter((d) => d.status !== 'cancelled').map((d) => [d.id, d.number]),
  quote: async () => (await documentsList('quote')).filter((d) => d.status !== 'cancelled').map((d) => [d.id, d.number]),
};

function attachForm(resourceId) {
  const typeSelect = select({ name: 'target_type', testid: 'attach-target-type' },
    [['invoice', 'Invoice'], ['quote', 'Quote'], ['client', 'Client'], ['product', 'Product']], 'invoice');
  const targetSelect = select({ name: 'target_id', testid: 'attach-target-id' }, [['', 'Loading…']]);
  const policySelect = select({ name: 'policy', testid: 'attach-policy' }, POLICIES, 'after_payment');
  const fillTargets = async () => {
    targetSelect.disabled = true;
    forget(`${typeSelect.value}s`);
    const options = await TARGETS[typeSelect.value]().catch((e) => { report(e); return []; });
    const article = typeSelect.value === 'invoice' ? 'an' : 'a';
    targetSelect.replaceChildren(h('option', { value: '' }, options.length ? `Choose ${article} ${typeSelect.value}…` : `No ${typeSelect.value}s yet`),
      ...options.map(([value, label]) => h('option', { value }, label)));
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

// ---------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------

async function paymentsScreen() {
  const [page, invoices] = await Promise.all([api('GET', `/payments?limit=${PAGE}`), documentsList('invoice').catch(() => [])]);
  const numbers = new Map(invoices.map((d) => [d.id, d.number]));
  const tbody = h('tbody', {});
  const addRows = (items) => append(tbody, items.map((p) => h('tr', { testid: 'payment-row', class: `payment-${p.kind}` },
    h('td', {}, when(p.received_on || p.created_at)),
    h('td', {}, badge(p.kind), p.dispute_status ? [' ', badge(p.dispute_status)] : null),
    h('td', { class: 'num' }, `${p.kind === 'refund' || p.kind === 'dispute' ? '−' : ''}${money(p.amount, p.currency)}`),
    h('td', {}, link(`#/invoices/${p.doc_id}`, numbers.get(p.doc_id) || 'invoice')),
    h('td', {}, p.method || (p.stripe_payment_intent ? 'stripe' : '')),
    h('td', {}, p.reference || p.stripe_payment_intent || ''))));
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
          h('thead', {}, h('tr', {}, ['Date', 'Kind', 'Amount', 'Invoice', 'Method', 'Reference'].map((t) => h('th', { scope: 'col' }, t)))),
          tbody)) : h('p', { class: 'empty' }, 'No payments yet.'),
      more));
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

async function settingsScreen() {
  const b = await api('GET', '/business');
  state.business = b;
  const editable = can(MANAGE.business);
  const off = new Set(b.portal_tabs_off || []);
  const cb = (name, checked, testid) => h('input', { type: 'checkbox', name, checked, testid, disabled: !editable });
  const text = (name, value, attrs = {}) => input({ name, value: value ?? '', disabled: !editable, ...attrs });
  const area = (name, value) => h('textarea', { name, rows: 3, disabled: !editable }, value || '');
  const brand = h('input', { type: 'color', name: 'brand_color', value: b.brand_color || '#0f766e', disabled: !editable, testid: 'settings-brand-color' });
  const accent = h('input', { type: 'color', name: 'accent_color', value: b.accent_color || '#f0fdfa', disabled: !editable, testid: 'settings-accent-color' });
  const logoImg = h('img', { alt: 'Current logo', class: 'logo', hidden: !b.logo_url, src: b.logo_url || undefined });
  const previewName = h('strong', {}, b.name);
  const previewHead = h('div', { class: 'preview-head' }, h('img', { alt: '', class: 'preview-logo', hidden: true }), previewName);
  const previewButton = h('span', { class: 'preview-button' }, 'Pay now');
  const preview = h('div', { class: 'client-preview', 'aria-label': 'Preview of the client page header', role: 'img' },
    previewHead, h('div', { class: 'preview-body' }, h('p', {}, 'Invoice INV-0001 · 100.00 ', b.currency), previewButton));
  const paint = () => {
    // The pairs the client page will use (domain/colours.py, via rules.js).
    const colours = palette(brand.value, accent.value);
    previewHead.style.backgroundColor = colours.fill;
    previewHead.style.color = colours.on_fill;
    const body = preview.querySelector('.preview-body');
    body.style.backgroundColor = colours.accent;
    body.style.color = colours.on_accent;
    previewButton.style.backgroundColor = colours.fill;
    previewButton.style.color = colours.on_fill;
    const img = previewHead.querySelector('img');
    img.hidden = logoImg.hidden;
    if (!logoImg.hidden) img.src = logoImg.src;
  };
  brand.addEventListener('input', paint);
  accent.addEventListener('input', paint);
  let logoKey; // undefined: unchanged; null: removed; string: newly uploaded
  const logoInput = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', name: 'logo', disabled: !editable, testid: 'settings-logo' });
  const logoProgress = h('progress', { max: 100, value: 0, hidden: true, 'aria-label': 'Logo upload' });
  logoInput.addEventListener('change', () => run(null, async () => {
    const file = logoInput.files[0];
    if (!file) return;
    logoProgress.hidden = false;
    const plan = await api('POST', '/business/logo-upload', { content_type: file.type, size: file.size });
    const form = new FormData();
    for (const [name, value] of Object.entries(plan.fields)) form.append(name, value);
    form.append('file', file);
    await xhr('POST', plan.url, form, (loaded) => { logoProgress.value = (loaded / file.size) * 100; });
    logoProgress.value = 100;
    logoKey = plan.key;
    logoImg.src = URL.createObjectURL(file);
    logoImg.hidden = false;
    paint();
    toast('Logo uploaded; save the settings to use it.');
  }, form));
  const removeLogo = button('Remove logo', { class: 'button secondary small', hidden: !editable, onclick: () => {
    logoKey = null;
    logoImg.hidden = true;
    paint();
  } });

  const form = h('form', { class: 'stack', novalidate: true },
    section('Business',
      h('div', { class: 'grid-2' },
        field('Name', text('name', b.name, { testid: 'settings-name' })), field('Email', text('email', b.email, { type: 'email' })),
        field('Phone', text('phone', b.phone, { type: 'tel' })), field('Tax number', text('tax_number', b.tax_number)),
        field('Currency', text('currency', b.currency, { maxlength: 3 })),
        field('Payment terms (days)', text('payment_terms_days', String(b.payment_terms_days), { inputmode: 'numeric' })),
        field('PDF paper size', select({ name: 'paper_size', disabled: !editable }, [['A4', 'A4'], ['Letter', 'Letter']], b.paper_size))),
      field('Address', area('address', b.address))),
    section('Branding',
      h('div', { class: 'branding' },
        h('div', { class: 'stack' },
          h('div', { class: 'grid-2' }, field('Brand colour', brand), field('Accent colour', accent)),
          h('div', { class: 'field' }, h('span', { class: 'label' }, 'Logo'), logoImg, removeLogo),
          field('Upload a new logo (PNG, JPEG or WebP, up to 1 MB)', logoInput), logoProgress),
        h('div', {}, h('p', { class: 'label' }, 'Client page preview'), preview)),
      field('Invoice footer', area('invoice_footer', b.invoice_footer)),
      field('Default terms', area('default_terms', b.default_terms))),
    section('Payments',
      checkbox('Online payment with Stripe (clients see a Pay button)', cb('stripe_enabled', b.stripe_enabled, 'settings-stripe')),
      h('p', { class: 'hint' }, b.stripe_enabled ? 'Stripe: on. The API keys are stored as SSM parameters (see the README).' : 'Stripe: off. Clients pay by bank transfer.'),
      checkbox('Allow part payments by default', cb('allow_partial_default', b.allow_partial_default)),
      field(`Minimum part payment (${b.currency})`, text('minimum_partial_default', majorText(b.minimum_partial_default, b.currency), { inputmode: 'decimal' }))),
    section('Client portal',
      h('p', { class: 'hint' }, 'The invoices tab is always shown.'),
      checkbox('Show the Quotes tab', cb('tab_quotes', !off.has('quotes'))),
      checkbox('Show the Payments tab', cb('tab_payments', !off.has('payments'))),
      checkbox('Show the Files tab', cb('tab_files', !off.has('files'))),
      checkbox('Turn accepted quotes into invoices automatically', cb('quote_auto_convert', b.quote_auto_convert)),
      checkbox('Clients must accept the terms to approve a quote', cb('quote_requires_terms', b.quote_requires_terms))),
    section('Access logs',
      field('Keep access logs for (days, 30–3650)', text('log_retention_days', String(b.log_retention_days), { inputmode: 'numeric', testid: 'settings-retention' }))),
    editable ? h('div', { class: 'actions sticky' }, h('button', { type: 'submit', class: 'button', testid: 'settings-save' }, 'Save settings')) : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const whole = (name, what) => {
        const value = els[name].value.trim();
        if (!/^\d+$/.test(value)) throw new FieldError(`${what} must be a whole number.`, name);
        return Number(value);
      };
      const currency = els.currency.value.trim().toUpperCase();
      const body = {
        name: els.name.value.trim(), email: orNull(els.email.value), phone: orNull(els.phone.value),
        tax_number: orNull(els.tax_number.value), address: orNull(els.address.value), currency,
        payment_terms_days: whole('payment_terms_days', 'Payment terms'), paper_size: els.paper_size.value,
        brand_color: brand.value, accent_color: accent.value,
        invoice_footer: orNull(els.invoice_footer.value), default_terms: orNull(els.default_terms.value),
        stripe_enabled: els.stripe_enabled.checked, allow_partial_default: els.allow_partial_default.checked,
        minimum_partial_default: els.minimum_partial_default.value.trim()
          ? parseMoney(els.minimum_partial_default.value, currency, 'minimum_partial_default', 'The minimum') : 0,
        portal_tabs_off: ['quotes', 'payments', 'files'].filter((tab) => !els[`tab_${tab}`].checked),
        quote_auto_convert: els.quote_auto_convert.checked, quote_requires_terms: els.quote_requires_terms.checked,
        log_retention_days: whole('log_retention_days', 'The retention'),
      };
      if (logoKey !== undefined) body.logo_key = logoKey;
      const saved = await api('PATCH', '/business', body);
      state.business = saved;
      document.getElementById('brand-name').textContent = saved.name;
      toast('Settings saved.');
      go('#/settings');
    }, form);
  });
  paint();
  return h('div', {}, pageHeader('Settings'), editable ? null : h('p', { class: 'hint' }, 'You can view the settings; an owner or admin can change them.'), form);
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

async function boot() {
  setUpLogin();
  window.addEventListener('hashchange', route);
  if (tokens.get()?.id_token) {
    try {
      await startSession();
      return;
    } catch {
      tokens.clear();
    }
  }
  showLogin();
}

boot();
