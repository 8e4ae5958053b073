// Products: the catalogue lines can be picked from.

import { api, forget, productsList, state } from '../lib/api.js';
import { confirmButton, field, h, input, pageHeader, section, table } from '../lib/dom.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { money, orNull, parseMoney, parsePercent, percentText } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';

export async function productsScreen() {
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
    section('All products', table('Products', ['Name', { label: 'Price', num: true }, { label: 'Tax', num: true }, ''], rows, 'No products yet.')));
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
