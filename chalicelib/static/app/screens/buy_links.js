// Buy links: a public page that sells one or more products (one-off or recurring), with stock,
// a limit per buyer, an expiry date and a pause. The page's URL is shown to copy and share.

import { api, listAll, productsList, state } from '../lib/api.js';
import { badge, button, checkbox, confirmButton, field, h, input, link, pageHeader, section, select, table } from '../lib/dom.js';
import { copyAndTell } from '../lib/files.js';
import { FieldError, run, toast } from '../lib/forms.js';
import { money } from '../lib/money.js';
import { go } from '../lib/router.js';
import { MANAGE, can } from '../lib/session.js';

export async function buyLinksScreen() {
  const [links, products] = await Promise.all([listAll('/buy-links'), productsList()]);
  const names = new Map(products.map((p) => [p.product_id, p]));
  const editable = can(MANAGE.products);
  const rows = links.map((l) => h('tr', { testid: 'buy-link-row' },
    h('td', {}, l.title, h('div', { class: 'muted' }, l.product_ids.map((id) => names.get(id)?.name || 'a deleted product').join(', '))),
    h('td', {}, badge(l.state), l.mode === 'subscription' ? h('div', { class: 'muted' }, `every ${l.interval}`) : null),
    h('td', { class: 'num' }, l.stock === null ? '—' : String(l.stock)),
    h('td', { class: 'num' }, String(l.sold)),
    h('td', {}, link(l.url, 'Open page', { target: '_blank', rel: 'noopener', testid: 'buy-link-url' }), ' ',
      button('Copy link', { class: 'button secondary small', onclick: () => copyAndTell(l.url, 'Buy link') })),
    h('td', { class: 'row-actions' }, editable ? [
      button(l.paused ? 'Resume' : 'Pause', { class: 'button secondary small', testid: 'buy-link-pause',
        onclick: (e) => run(e.currentTarget, async () => {
          await api('POST', `/buy-links/${l.link_id}/${l.paused ? 'resume' : 'pause'}`);
          toast(l.paused ? `“${l.title}” is on sale again.` : `“${l.title}” is paused.`);
          go('#/buy-links');
        }) }),
      confirmButton('Delete', 'Confirm delete', async () => {
        await api('DELETE', `/buy-links/${l.link_id}`);
        toast(`“${l.title}” deleted; its page no longer opens.`);
        go('#/buy-links');
      }, { class: 'button danger small' })] : null)));
  return h('div', {},
    pageHeader('Buy links'),
    editable ? newLinkForm(products) : null,
    section('All buy links', table('Buy links', ['Offer', 'State', 'Left', 'Sold', 'Page', ''], rows,
      'No buy links yet. A buy link sells products on a public page: the buyer pays, becomes a client and gets the files.')));
}

const whole = (text, name, what) => {
  const value = text.trim();
  if (!value) return null;
  if (!/^\d+$/.test(value)) throw new FieldError(`${what} must be a whole number.`, name);
  return Number(value);
};

function newLinkForm(products) {
  const currency = state.business.currency;
  const picks = products.map((p) => checkbox(`${p.name} (${money(p.unit_price, currency)})`,
    input({ type: 'checkbox', name: 'product', value: p.product_id })));
  const form = h('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'new-buy-link-title', testid: 'buy-link-form' },
    h('h2', { id: 'new-buy-link-title' }, 'New buy link'),
    field('Title', input({ name: 'title', testid: 'buy-link-title' })),
    field('Description (optional)', h('textarea', { name: 'description', rows: 2 })),
    h('fieldset', {}, h('legend', {}, 'Products'), picks.length ? picks : h('p', { class: 'hint' }, 'Add a product first.'),
      h('input', { type: 'hidden', name: 'product_ids' })),
    h('div', { class: 'grid-2' },
      field('Charged', select({ name: 'mode' }, [['payment', 'Once'], ['subscription', 'Every month or year']], 'payment')),
      field('Every', select({ name: 'interval' }, [['', '—'], ['month', 'Month'], ['year', 'Year']], '')),
      field('Least per purchase', input({ name: 'min_quantity', inputmode: 'numeric', value: '1' })),
      field('Most per purchase', input({ name: 'max_quantity', inputmode: 'numeric', value: '1' })),
      field('Units in stock (empty: no limit)', input({ name: 'stock', inputmode: 'numeric', testid: 'buy-link-stock' })),
      field('Most per buyer (empty: no limit)', input({ name: 'per_buyer_limit', inputmode: 'numeric' })),
      field('Ends on (optional)', input({ name: 'expires_at', type: 'date' }))),
    checkbox('The buyer may change the quantity', input({ type: 'checkbox', name: 'adjustable_quantity' })),
    checkbox('Allow promotion codes at checkout', input({ type: 'checkbox', name: 'allow_promotion_codes' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', testid: 'buy-link-save' }, 'Create buy link')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(form.querySelector('[type=submit]'), async () => {
      const els = form.elements;
      const chosen = [...form.querySelectorAll('input[name=product]:checked')].map((el) => el.value);
      if (!els.title.value.trim()) throw new FieldError('Enter a title for the page.', 'title');
      if (!chosen.length) throw new FieldError('Choose at least one product.', 'product_ids');
      const body = {
        title: els.title.value.trim(), product_ids: chosen, mode: els.mode.value,
        min_quantity: whole(els.min_quantity.value, 'min_quantity', 'The least per purchase') ?? 1,
        max_quantity: whole(els.max_quantity.value, 'max_quantity', 'The most per purchase') ?? 1,
        stock: whole(els.stock.value, 'stock', 'The stock'),
        per_buyer_limit: whole(els.per_buyer_limit.value, 'per_buyer_limit', 'The most per buyer'),
        adjustable_quantity: els.adjustable_quantity.checked, allow_promotion_codes: els.allow_promotion_codes.checked,
      };
      if (els.description.value.trim()) body.description = els.description.value.trim();
      if (els.interval.value) body.interval = els.interval.value;
      if (els.expires_at.value) body.expires_at = `${els.expires_at.value}T23:59:59Z`;
      const made = await api('POST', '/buy-links', body);
      toast(`Buy link created: ${made.url}`);
      go('#/buy-links');
    }, form);
  });
  return form;
}
