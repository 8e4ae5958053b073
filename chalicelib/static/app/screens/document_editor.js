// The editor of a draft invoice or quote: lines, live totals (rules.js), save.
// `documentEditor` builds an `editor` (its controls and lines) that the pieces below share.

import { api, forget, state } from '../lib/api.js';
import { append, button, checkbox, field, h, input, select } from '../lib/dom.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { figuresBlock, majorText, money, orNull, parseMoney, parsePercent, parseQuantity, percentText, today } from '../lib/money.js';
import { go, route } from '../lib/router.js';
import { figureRows, invoiceFigures } from '../rules.js';
import { title } from './document_parts.js';

export function documentEditor(kind, doc, clients, products) {
  const editor = editorControls(kind, doc, clients, products);
  const { form, lines } = editor;
  editor.renumber = () => { [...lines.children].forEach((row) => row.renumber()); };
  editor.recompute = () => recompute(editor);
  const addLine = button('Add line', { class: 'button secondary', testid: 'line-add', onclick: () => {
    const row = lineRow(editor);
    lines.append(row);
    editor.renumber();
    editor.recompute();
    row.querySelector('select').focus();
  } });
  for (const line of doc?.lines?.length ? doc.lines : [{}]) lines.append(lineRow(editor, line));
  editor.renumber();
  append(form, editorFields(editor, addLine));
  form.addEventListener('input', editor.recompute);
  form.addEventListener('change', editor.recompute);
  editor.recompute();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), () => saveDocument(editor), form);
  });
  return form;
}

/** The form and the controls outside the lines; `currency()` is what the currency field says now. */
function editorControls(kind, doc, clients, products) {
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
  return { kind, doc, products, currency0, form, clientSelect, currencyInput, lines, totals, partial, minimum, currency };
}

/** One line's fieldset; `row.read(strict)` parses it, `row.show` writes its amount. */
function lineRow(editor, line = {}) {
  const { lines, products, currency } = editor;
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
  const remove = button('Remove line', { class: 'button secondary small', onclick: () => { row.remove(); editor.renumber(); editor.recompute(); } });
  productSelect.addEventListener('change', () => {
    const product = products.find((p) => p.product_id === productSelect.value);
    if (product) {
      description.value = product.name;
      price.value = majorText(product.unit_price, currency());
      tax.value = percentText(product.tax_rate_bp);
    }
    editor.recompute();
  });
  row.append(
    h('legend', { class: 'visually-hidden' }, 'Line'),
    field('Product', productSelect),
    h('div', { class: 'grow' }, field('Description', description)),
    field('Qty', quantity), field('Unit price', price), field('Tax %', tax), field('Discount %', discount),
    h('div', { class: 'field' }, h('span', { class: 'label' }, 'Amount before discount & tax'), amount),
    h('div', { class: 'field end' }, remove));
  const els = { productSelect, description, quantity, price, tax, discount };
  row.read = (strict) => readLine(index(), els, currency(), strict);
  row.show = (text) => { amount.value = text; amount.textContent = text; };
  row.renumber = () => {
    const i = index();
    row.querySelector('legend').textContent = `Line ${i + 1}`;
    for (const [el, name] of [[productSelect, 'product_id'], [description, 'description'], [quantity, 'quantity'],
      [price, 'unit_price'], [tax, 'tax_rate_bp'], [discount, 'discount_bp']]) el.name = `lines[${i}].${name}`;
  };
  return row;
}

function readLine(i, els, cur, strict) {
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

/** Each line's amount and the totals preview: the server's rule (rules.js, checked against the
 *  same cases as domain/figures.py). */
function recompute({ lines, totals, currency }) {
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

/** Everything the form shows, in order: client and currency, dates, lines, totals, terms, save. */
function editorFields(editor, addLine) {
  const { kind, doc, currency0, clientSelect, currencyInput, lines, totals, partial, minimum } = editor;
  const dates = h('div', { class: 'grid-3' },
    field('Issue date', input({ name: 'issue_date', type: 'date', value: doc?.issue_date || today() })),
    field('Due date (optional)', input({ name: 'due_date', type: 'date', value: doc?.due_date || '' })),
    field('PO number (optional)', input({ name: 'po_number', value: doc?.po_number || '' })));
  return [
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
  ];
}

/** The body to send, every line parsed strictly; throws FieldError on the first bad field. */
function documentBody({ kind, form, clientSelect, lines, partial, minimum, currency }) {
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
  return body;
}

async function saveDocument(editor) {
  const { kind, doc } = editor;
  const body = documentBody(editor);
  const saved = doc ? await api('PATCH', `/${kind}s/${doc.id}`, body) : await api('POST', `/${kind}s`, body);
  forget(`${kind}s`);
  toast(`${title(kind)} ${saved.number} saved.`);
  if (doc) go(`#/${kind}s/${saved.id}`);
  else { history.replaceState(null, '', `#/${kind}s/${saved.id}`); route(); }
}
