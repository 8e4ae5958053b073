// DOM helpers. The DOM is built with createElement and text nodes only: data from the API is
// never parsed as HTML, and the page's CSP allows scripts and styles from this origin alone.

import { run } from './forms.js';
import { title } from '../screens/document_parts.js';

let uid = 0;
export const nextId = (prefix = 'f') => `${prefix}-${++uid}`;

/** `h('button', {class: 'x', onclick, testid: 'save'}, 'Save')`: children first, then attributes
 * (so a select's `value` finds its options). */
export function h(tag, attrs, ...children) {
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

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function field(labelText, input, hint) {
  if (!input.id) input.id = nextId();
  const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: input.id }, labelText), input, hintEl, error);
}

export function checkbox(labelText, input) {
  if (!input.id) input.id = nextId();
  return h('div', { class: 'field check' }, input, h('label', { for: input.id }, labelText));
}

export const input = (attrs) => h('input', { type: 'text', ...attrs });

export function select(attrs, options, value) {
  const el = h('select', attrs, options.map(([v, label]) => h('option', { value: v }, label)));
  if (value !== undefined && value !== null) el.value = value;
  return el;
}

export function button(label, attrs = {}) {
  return h('button', { type: 'button', class: 'button', ...attrs }, label);
}

/** A header cell: a string, or `{ label, num: true }` for a number column (right-aligned like its cells). */
export function headerCell(t) {
  if (t && typeof t === 'object' && !(t instanceof Node)) return h('th', { scope: 'col', class: t.num ? 'num' : null }, t.label);
  // An empty header (a column of buttons) still gets a name for screen readers.
  return h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions'));
}

export function table(caption, headers, rows, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map(headerCell))),
      h('tbody', {}, rows)));
}

export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', { tabindex: -1 }, title),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export const section = (title, ...children) => h('section', { class: 'card' }, h('h2', {}, title), children);

export function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

const BADGE_WORDS = { partial: 'Partly paid', partially_paid: 'Partly paid' };

/** A status as a sentence-case badge, as the client pages write it (domain/formatting.badge). */
export function badgeText(text) {
  const raw = String(text);
  // A status code ("partial", "PAID", "not_emailed") is reworded; words already written (names) stay.
  const code = /^[A-Za-z_ ]+$/.test(raw);
  const words = BADGE_WORDS[raw.toLowerCase()] || (code ? raw.replace(/_/g, ' ').trim().toLowerCase() : raw);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-z_]/g, '')}` }, badgeText(text));
}

/** Two-step confirmation without `confirm()`: the first click asks, the second acts. */
export function confirmButton(label, confirmLabel, action, attrs = {}) {
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

export function fact(term, value) {
  if (value === null || value === undefined || value === '') return null;
  return [h('dt', {}, term), h('dd', {}, value instanceof Node ? value : String(value))];
}
