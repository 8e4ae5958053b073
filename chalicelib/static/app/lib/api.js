// The staff API client: the Cognito ID token as a bearer token (kept for the tab only, refreshed
// before it expires), the server's input limits checked before a body is sent, paged lists and a
// per-session cache of the lists used for names and selects.
export const API = apiBase();
const TOKENS_KEY = 'paydrop.tokens';
const REFRESH_MARGIN_MS = 2 * 60 * 1000;
export const PAGE = 100;

import { checkBody, shapeFor } from '../checks.js';
import { field } from './dom.js';
import { digitsOf } from './money.js';
import { keepForms } from './keep_forms.js';
import { signOut } from './session.js';

// `limits`: the server's input limits (GET /limits), checked before a body is sent.
export const state = { me: null, business: null, limits: null, cache: new Map() };

function apiBase() {
  // `/app/` on the dashboard's origin; `/{stage}/app/` when opened on an execute-api URL.
  const path = location.pathname;
  const at = path.lastIndexOf('/app');
  return `${at > 0 ? path.slice(0, at) : ''}/api/v1`;
}

export class ApiError extends Error {
  constructor(message, { status = 0, code = 'error', field = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const tokens = {
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

/** Stop refreshing the tokens (signing out). */
export function stopRefresh() {
  clearTimeout(refreshTimer);
}

export function scheduleRefresh() {
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

export async function errorFrom(res) {
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
export async function api(method, path, body, { raw = false } = {}) {
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
    // The form being edited is kept (this tab's sessionStorage) and comes back after signing in.
    const kept = keepForms(state.me.email);
    const message = kept ? 'Your session has ended. Sign in again to continue: what you typed is kept.'
      : 'Your session has ended; sign in again.';
    signOut(message, { keepDraft: true });
    throw new ApiError(message, { status: 401, code: 'unauthorized' }); // the toast keeps saying so
  }
  if (!res.ok) throw await errorFrom(res);
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

/** Every item of a paged list (follows `next_cursor`, up to `max` items). */
export async function listAll(path, max = 500) {
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
export const clientsList = () => cached('clients', () => listAll('/clients'));
export const productsList = () => cached('products', () => listAll('/products'));
export const documentsList = (kind) => cached(`${kind}s`, () => listAll(`/${kind}s`));
export const forget = (...keys) => keys.forEach((k) => state.cache.delete(k));
