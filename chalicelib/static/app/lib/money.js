// Money, quantities, dates: the same texts the server writes.

import { formatAmount } from '../checks.js';
import { h } from './dom.js';
import { FieldError } from './forms.js';
import { state } from './api.js';
import { can } from './session.js';

/** The business's locale as Intl spells it ("en_GB" → "en-GB"): the dashboard writes money,
 *  dates and numbers the way the business's client pages, PDFs and emails do. */
export function pageLocale() {
  const locale = String(state.business?.locale || 'en_GB').replace('_', '-');
  try { return Intl.getCanonicalLocales(locale)[0]; } catch { return 'en-GB'; }
}

const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI',
  'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
export const digitsOf = (currency) => (ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2);

/** `123456, "EUR"` → `"€1,234.56"` by the business's locale (Intl), as the server's Babel writes it. */
export function money(minor, currency) {
  if (minor === null || minor === undefined) return '';
  return formatAmount(minor, currency, digitsOf(currency), pageLocale());
}

/** A count or quantity by the business's locale: 1234.5 → "1,234.5". */
export const number = (value) => new Intl.NumberFormat(pageLocale()).format(Number(value || 0));

/** Minor units → what a money input shows ("100.00"). */
export function majorText(minor, currency) {
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

export const parseMoney = (text, currency, fieldName, what = 'The amount') => Number(parseDecimal(text, digitsOf(currency), fieldName, what));

/** "19" or "7.5" (%) → basis points. */
export function parsePercent(text, fieldName, what = 'The rate') {
  if (String(text ?? '').trim() === '') return 0;
  const bp = parseDecimal(text, 2, fieldName, what);
  if (bp > 10000n) throw new FieldError(`${what} can be at most 100 %.`, fieldName);
  return Number(bp);
}
export const percentText = (bp) => (bp ? (Number(bp) / 100).toString() : '0');

/** Quantity with at most 4 decimal places → BigInt × 10^4. */
export const parseQuantity = (text, fieldName) => parseDecimal(text, 4, fieldName, 'The quantity');

/** A totals block from figure rows (the server's `rows`, or `figureRows` while editing): the
 *  same labels and signs as the client page and the PDF, so they add up the same way. */
export function figuresBlock(rows, currency, attrs = {}) {
  const testids = { total: 'invoice-total', balance: 'invoice-balance' };
  return h('dl', { class: 'totals', ...attrs }, rows.map((row) => [
    h('dt', {}, row.label),
    h('dd', { class: row.key === 'total' ? 'total' : undefined, testid: testids[row.key] },
      `${row.sign === '-' ? '−' : ''}${money(row.amount, currency)}`)]));
}

/** An ISO date ("15 Dec 2026") or timestamp ("15 Dec 2026, 14:05") by the business's locale. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  return new Intl.DateTimeFormat(pageLocale(), dateOnly ? { dateStyle: 'medium', timeZone: 'UTC' }
    : { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** The one file-size format (as the server's formatting.file_size): decimal units, one decimal, "1.2 MB". */
export function size(bytes) {
  if (bytes === null || bytes === undefined) return '';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${new Intl.NumberFormat(pageLocale(), { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

export const today = () => new Date().toISOString().slice(0, 10);
export const orNull = (value) => (String(value ?? '').trim() === '' ? null : String(value).trim());

/** How a picker names a document: number, client and amount (what is still due on an open invoice). */
export function documentLabel(d, clientName) {
  const open = d.balance !== undefined && d.balance !== null && d.balance !== d.total && Number(d.balance) > 0;
  const amount = open ? `${money(d.balance, d.currency)} due of ${money(d.total, d.currency)}` : money(d.total, d.currency);
  return [d.number, clientName, amount].filter(Boolean).join(' · ');
}
