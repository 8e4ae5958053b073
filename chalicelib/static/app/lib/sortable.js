// Sortable tables: a header button per sortable column (`aria-sort` on its header), numbers
// right-aligned with their header. Sorting is done here, on the rows loaded so far (see sort.js).

import { h } from './dom.js';
import { ariaSort, nextSort, sortItems } from './sort.js';

/**
 * `columns`: [{ key, label, value(item) → sort value, num: right-aligned, first: 'asc'|'desc',
 * sortable: false to opt out }]; `row(item)` → a <tr> with one cell per column.
 * `initial`: { key, direction } (the API's order when absent). Returns { el, add(items) }.
 */
export function sortableTable({ caption, columns, items, row, initial = null, empty = 'Nothing here yet.', testid }) {
  let all = [...items];
  let order = initial;
  const tbody = h('tbody', {});
  const heads = columns.map((column) => {
    const th = h('th', { scope: 'col', class: column.num ? 'num' : null });
    if (column.sortable === false || !column.value) {
      th.append(column.label);
      return th;
    }
    const mark = h('span', { class: 'sort-mark', 'aria-hidden': 'true' });
    th.append(h('button', { type: 'button', class: 'sort', testid: `sort-${column.key}`, onclick: () => {
      order = nextSort(order, column.key, column.first || 'asc');
      render();
    } }, column.label, mark));
    return th;
  });
  const render = () => {
    const column = order && columns.find((c) => c.key === order.key);
    const shown = column ? sortItems(all, column.value, order.direction) : all;
    tbody.replaceChildren(...shown.map(row));
    heads.forEach((th, i) => {
      const state = ariaSort(order, columns[i].key);
      if (th.querySelector('button')) {
        th.setAttribute('aria-sort', state);
        th.querySelector('.sort-mark').textContent = state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : '';
      }
    });
  };
  render();
  const table = h('table', { testid }, h('caption', { class: 'visually-hidden' },
    caption, '. Select a column heading to sort the rows shown.'), h('thead', {}, h('tr', {}, heads)), tbody);
  const wrap = h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption }, table);
  const emptyNote = h('p', { class: 'empty', hidden: all.length > 0 }, empty);
  wrap.hidden = all.length === 0;
  return {
    el: h('div', {}, wrap, emptyNote),
    add(more) {
      all = all.concat(more);
      wrap.hidden = all.length === 0;
      emptyNote.hidden = all.length > 0;
      render();
    },
  };
}

/** A plain header list with numbers right-aligned: `['Name', { label: 'Amount', num: true }]`. */
export const headerCells = (headers) => headers.map((t) => (typeof t === 'string'
  ? h('th', { scope: 'col' }, t) : h('th', { scope: 'col', class: t.num ? 'num' : null }, t.label)));
