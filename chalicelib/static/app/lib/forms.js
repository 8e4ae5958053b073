// Messages and errors: the toast, errors shown next to the field the API names, button runs.

import { ApiError } from './api.js';
import { field, h } from './dom.js';

let toastTimer = null;

/** Hide the toast (its close button, Escape, or its time is up). */
export function dismissToast() {
  clearTimeout(toastTimer);
  const el = document.getElementById('toast');
  if (el) el.hidden = true;
}

/** A message at the bottom of the screen: dismissible with its × button or Escape; errors stay longer. */
export function toast(message, kind = 'info') {
  const el = document.getElementById('toast');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss message', testid: 'toast-close',
    onclick: dismissToast }, '×');
  el.replaceChildren(h('span', { class: 'toast-text' }, message), close);
  el.className = `toast toast-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(dismissToast, kind === 'error' ? 12000 : 6000);
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !document.getElementById('toast')?.hidden) dismissToast();
});

function clearErrors(form) {
  if (!form) return;
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
}

/** Show an error: always as a message; on the named input too when the API names a field. */
export function report(error, form) {
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
export async function run(btn, action, form) {
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

export class FieldError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}
