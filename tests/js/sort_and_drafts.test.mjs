// Unit tests of the dashboard's pure modules (no DOM): sorting lists and keeping drafts.
// Run by `node --test` from tests/js/test_dashboard_js.py (pytest), or directly:
//   node --test tests/js/
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyDraft, hasInput, pendingDraft, saveDraft, snapshot } from '../../chalicelib/static/app/lib/drafts.js';
import { ariaSort, compareValues, nextSort, sortItems } from '../../chalicelib/static/app/lib/sort.js';

test('numbers sort as numbers and document numbers as people read them', () => {
  assert.deepEqual(sortItems([{ n: 10 }, { n: 9 }, { n: 100 }], (x) => x.n).map((x) => x.n), [9, 10, 100]);
  const numbers = ['INV-0010', 'INV-2', 'inv-0003'];
  assert.deepEqual(sortItems(numbers, (x) => x), ['INV-2', 'inv-0003', 'INV-0010']);
  assert.equal(compareValues('acme', 'Acme'), 0);
});

test('descending flips the order, keeps ties stable and empty values last', () => {
  const rows = [{ id: 'a', v: 5 }, { id: 'b', v: null }, { id: 'c', v: 5 }, { id: 'd', v: 7 }];
  assert.deepEqual(sortItems(rows, (r) => r.v, 'desc').map((r) => r.id), ['d', 'a', 'c', 'b']);
  assert.deepEqual(sortItems(rows, (r) => r.v, 'asc').map((r) => r.id), ['a', 'c', 'd', 'b']);
  assert.deepEqual(rows.map((r) => r.id), ['a', 'b', 'c', 'd'], 'the input is not changed');
});

test('dates (ISO text) sort in time order', () => {
  const dates = ['2026-12-01', '2026-02-15', '2027-01-01'];
  assert.deepEqual(sortItems(dates, (d) => d, 'desc'), ['2027-01-01', '2026-12-01', '2026-02-15']);
});

test('a click on a new column starts with its natural direction; a second click flips it', () => {
  let order = nextSort(null, 'amount', 'desc');
  assert.deepEqual(order, { key: 'amount', direction: 'desc' });
  assert.equal(ariaSort(order, 'amount'), 'descending');
  assert.equal(ariaSort(order, 'client'), 'none');
  order = nextSort(order, 'amount');
  assert.deepEqual(order, { key: 'amount', direction: 'asc' });
  assert.deepEqual(nextSort(order, 'client'), { key: 'client', direction: 'asc' });
});

// --- drafts ---------------------------------------------------------------------------------

class FakeStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

function fakeForm(fields) {
  const elements = fields.map(([name, type, value]) => ({ name, type, value: type === 'checkbox' ? 'on' : value,
    checked: type === 'checkbox' ? Boolean(value) : false, disabled: false }));
  elements.namedItem = (name) => elements.find((el) => el.name === name) || null;
  return { elements };
}

test('a draft keeps what was typed, never a password or a file', () => {
  const form = fakeForm([['name', 'text', 'Globex'], ['notes', 'textarea', 'Net 30'], ['password', 'password', 'hunter2'],
    ['upload', 'file', 'C:\\fakepath\\x.pdf'], ['allow_partial', 'checkbox', true]]);
  assert.deepEqual(snapshot([form]), [[['name', 'Globex'], ['notes', 'Net 30'], ['allow_partial', true]]]);
  assert.equal(hasInput([fakeForm([['name', 'text', '']])]), false);
  assert.equal(hasInput([form]), true);
});

test('a saved draft comes back only for the same person, on the same screen, within a day', () => {
  const storage = new FakeStorage();
  const typed = fakeForm([['name', 'text', 'Globex'], ['email', 'email', 'ap@globex.test']]);
  saveDraft(storage, { hash: '#/clients', email: 'owner@biz.test', forms: [typed], now: 1_000 });
  assert.equal(pendingDraft(storage, 'someone.else@biz.test', 2_000), null, 'another person gets nothing');
  assert.equal(storage.getItem('paydrop.draft'), null, 'and the draft is dropped');

  saveDraft(storage, { hash: '#/clients', email: 'owner@biz.test', forms: [typed], now: 1_000 });
  assert.equal(pendingDraft(storage, 'owner@biz.test', 1_000 + 25 * 3600 * 1000), null, 'a day later it is gone');

  saveDraft(storage, { hash: '#/clients', email: 'owner@biz.test', forms: [typed], now: 1_000 });
  const draft = pendingDraft(storage, 'owner@biz.test', 5_000);
  assert.equal(draft.hash, '#/clients');
  const fresh = fakeForm([['name', 'text', ''], ['email', 'email', '']]);
  const changed = [];
  assert.equal(applyDraft([fresh], draft, { changed: (el) => changed.push(el.name) }), 2);
  assert.deepEqual(fresh.elements.map((el) => el.value), ['Globex', 'ap@globex.test']);
  assert.deepEqual(changed, ['name', 'email']);
});

test('a draft with more lines than the new form grows the form first', () => {
  const storage = new FakeStorage();
  const typed = fakeForm([['lines[0].description', 'text', 'Design'], ['lines[1].description', 'text', 'Build'],
    ['lines[2].description', 'text', 'Support']]);
  saveDraft(storage, { hash: '#/invoices/new', email: 'o@b.test', forms: [typed], now: 1 });
  const fresh = fakeForm([['lines[0].description', 'text', '']]);
  const grow = (form, name) => {
    const n = form.elements.length;
    const el = { name: `lines[${n}].description`, type: 'text', value: '', disabled: false };
    form.elements.push(el);
    return name.startsWith('lines[');
  };
  assert.equal(applyDraft([fresh], pendingDraft(storage, 'o@b.test', 2), { grow }), 3);
  assert.deepEqual(fresh.elements.map((el) => el.value), ['Design', 'Build', 'Support']);
});
