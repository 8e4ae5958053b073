// Sorting lists on the page: pure functions (no DOM), so tests run them under Node
// (tests/js/sort_and_drafts.test.mjs). Lists sort the rows already loaded: the staff API pages
// newest first and has no sort parameter, so "Load more" adds rows and the chosen order holds.

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Compare two cell values: numbers as numbers, text as people read it ("INV-2" before
 *  "INV-10", case ignored), dates as their ISO text; empty values last whichever the direction. */
export function compareValues(a, b) {
  const emptyA = a === null || a === undefined || a === '';
  const emptyB = b === null || b === undefined || b === '';
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  return collator.compare(String(a), String(b));
}

/** A new array of `items` sorted by `value(item)`; `direction` 'asc' or 'desc'. Stable: equal
 *  rows keep the order they had (the API's newest first). Empty values stay last. */
export function sortItems(items, value, direction = 'asc') {
  const sign = direction === 'desc' ? -1 : 1;
  return items.map((item, index) => ({ item, index, key: value(item) }))
    .sort((x, y) => {
      const emptyX = x.key === null || x.key === undefined || x.key === '';
      const emptyY = y.key === null || y.key === undefined || y.key === '';
      if (emptyX !== emptyY) return emptyX ? 1 : -1;
      return (sign * compareValues(x.key, y.key)) || x.index - y.index;
    })
    .map(({ item }) => item);
}

/** The order after a click on column `key`: a new column starts with its natural direction
 *  (`first`: 'desc' for dates and amounts, newest and largest first), the same column flips. */
export function nextSort(current, key, first = 'asc') {
  if (!current || current.key !== key) return { key, direction: first };
  return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
}

/** The `aria-sort` value a header carries. */
export function ariaSort(current, key) {
  if (!current || current.key !== key) return 'none';
  return current.direction === 'asc' ? 'ascending' : 'descending';
}
