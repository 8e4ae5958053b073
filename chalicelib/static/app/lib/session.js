// Sign in, sign out and the shell around the screens (top bar, who is signed in).

import { API, ApiError, api, errorFrom, scheduleRefresh, state, stopRefresh, tokens } from './api.js';
import { h } from './dom.js';
import { FieldError, run, toast } from './forms.js';
import { draftAddress, forgetForms } from './keep_forms.js';
import { route } from './router.js';

export const MANAGE = {
  business: 'manage_business', clients: 'manage_clients', products: 'manage_products',
  invoices: 'manage_invoices', resources: 'manage_resources',
};

export const can = (permission) => Boolean(state.me?.permissions?.includes(permission));

export function showLogin(message) {
  document.getElementById('topbar').hidden = true;
  document.getElementById('view').hidden = true;
  document.getElementById('view').replaceChildren();
  document.getElementById('login-view').hidden = false;
  if (message) toast(message, 'error');
  document.getElementById('login-email').focus();
}

export function signOut(message, { keepDraft = false } = {}) {
  if (!keepDraft) forgetForms(); // signing out on purpose leaves nothing typed behind
  stopRefresh();
  tokens.clear();
  state.me = null;
  state.business = null;
  state.cache.clear();
  if (location.hash) history.replaceState(null, '', location.pathname);
  showLogin(message);
  if (!message) toast('You are signed out.');
}

export async function startSession() {
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
  const back = draftAddress(me.email); // a session that expired mid-edit: back to that form
  if (back && back !== location.hash) location.hash = back;
  else if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/invoices';
  else route();
}

export function setUpLogin() {
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
