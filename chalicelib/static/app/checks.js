// The server's input limits, checked in the browser before a request is sent.
// The limits are not written here: the dashboard loads them from GET /api/v1/limits, which
// reads them from the server's own input shapes (chalicelib/domain/inputs.py). The words
// follow the server's (chalicelib/api/validation.py), so a person reads the same sentence
// whichever side refuses. No DOM here: tests run this module under Node.

const KIND_WORDS = {
  integer: 'a whole number', text: 'text', boolean: 'true or false', date: 'a date like 2026-12-31',
  decimal: 'a number like 1.5', list: 'a list', object: 'a JSON object',
};

/** `1234567, 'EUR'` → `€12,345.67` in `locale` (the server's Babel `money` writes the same in en_GB).
 *  The exact decimal goes to Intl as a string: no floating point between the minor units and the text. */
export function formatAmount(minor, currency, digits, locale = 'en-GB') {
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(digits);
  const exact = `${negative ? '-' : ''}${abs / scale}${digits ? `.${(abs % scale).toString().padStart(digits, '0')}` : ''}`;
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits,
    maximumFractionDigits: digits }).format(exact);
}

function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

function percent(bp) {
  const text = (bp / 100).toFixed(2).replace(/\.?0+$/, '');
  return `${text} %`;
}

function fieldName(path) {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || null;
}

function label(path, specs) {
  // specs[i + 1]: the spec of path[i] (specs[0] is the body); worded as the server's label_of
  const where = [];
  for (let i = 1; i < path.length; i += 1) {
    if (typeof path[i] === 'number') where.push(`${specs[i + 1].label.toLowerCase()} ${path[i] + 1}`);
  }
  const last = path[path.length - 1];
  let leaf;
  if (typeof last === 'number') {
    leaf = where.pop();
    leaf = leaf.charAt(0).toUpperCase() + leaf.slice(1);
  } else {
    leaf = specs[specs.length - 1].label;
  }
  return where.length ? `${leaf} (${where.join(', ')})` : leaf;
}

function problem(spec, value, money) {
  if (value === null) return spec.nullable ? null : `must be ${KIND_WORDS[spec.kind] || 'a valid value'}`;
  const typeOk = {
    integer: () => typeof value === 'number' && Number.isInteger(value),
    text: () => typeof value === 'string',
    boolean: () => typeof value === 'boolean',
    date: () => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
    decimal: () => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)),
    list: () => Array.isArray(value),
    object: () => typeof value === 'object' && !Array.isArray(value),
  }[spec.kind];
  if (typeOk && !typeOk()) {
    if (spec.money) return `must be an amount in the currency's smallest unit, a whole number (${money.example})`;
    return `must be ${KIND_WORDS[spec.kind]}`;
  }
  if (spec.kind === 'text') {
    const length = [...value].length;
    if (spec.min_length !== undefined && length < spec.min_length) {
      return spec.min_length === 1 ? 'cannot be empty' : `must be at least ${grouped(spec.min_length)} characters`;
    }
    if (spec.max_length !== undefined && length > spec.max_length) return `must be at most ${grouped(spec.max_length)} characters`;
    if (spec.choices && !spec.choices.includes(value)) return `must be one of: ${spec.choices.join(', ')}`;
    if (spec.pattern && !new RegExp(spec.pattern).test(value)) {
      return spec.means ? `must be ${spec.means}` : 'has a format that is not accepted';
    }
  }
  if (spec.kind === 'integer') {
    const tooLow = spec.min !== undefined && value < spec.min;
    const tooHigh = spec.max !== undefined && value > spec.max;
    if (!tooLow && !tooHigh) return null;
    if (spec.money) {
      if (tooLow) return spec.min === 0 ? 'cannot be negative' : `must be at least ${money.format(spec.min)}`;
      return `must be at most ${money.format(spec.max)}`;
    }
    const show = (spec.unit || '').startsWith('basis points') ? percent : (n) => `${grouped(n)}${spec.unit ? ` ${spec.unit}` : ''}`;
    // The unit once, after the range: "from 1 to 30 days" (percentages keep their sign on both ends).
    const first = spec.unit && !spec.unit.startsWith('basis points') ? grouped(spec.min) : show(spec.min);
    if (spec.min !== undefined && spec.max !== undefined) return `must be from ${first} to ${show(spec.max)}`;
    return tooLow ? `must be at least ${show(spec.min)}` : `must be at most ${show(spec.max)}`;
  }
  return null;
}

function check(spec, value, path, specs, money) {
  const wrong = problem(spec, value, money);
  if (wrong) return { field: fieldName(path), message: `${label(path, specs)} ${wrong}.` };
  if (value === null) return null;
  if (spec.kind === 'list') {
    for (let i = 0; i < value.length; i += 1) { // items first, then the length (the server's order)
      const found = check(spec.item, value[i], [...path, i], [...specs, spec.item], money);
      if (found) return found;
    }
    if (spec.min_length !== undefined && value.length < spec.min_length) {
      const need = spec.min_length === 1 ? 'must have at least one item' : `must have at least ${spec.min_length} items`;
      return { field: fieldName(path), message: `${label(path, specs)} ${need}.` };
    }
    if (spec.max_length !== undefined && value.length > spec.max_length) {
      return { field: fieldName(path), message: `${label(path, specs)} can have at most ${grouped(spec.max_length)} items.` };
    }
  }
  if (spec.kind === 'object') return checkFields(spec.fields, value, path, specs, money);
  return null;
}

function checkFields(fields, body, path, specs, money) {
  for (const [name, value] of Object.entries(body)) {
    const spec = fields[name];
    if (!spec) return { field: fieldName([...path, name]), message: `“${name}” is not a field you can send here; remove it.` };
    const found = check(spec, value, [...path, name], [...specs, spec], money);
    if (found) return found;
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.required && !(name in body)) {
      return { field: fieldName([...path, name]), message: `${label([...path, name], [...specs, spec])} is required.` };
    }
  }
  return null;
}

/**
 * The first thing the server would refuse in `body` (as `{field, message}`), or null.
 * `shape` is one entry of the limits' `shapes`; `currency` and `digits` word money limits.
 */
export function checkBody(shape, body, currency, digits) {
  const money = currency
    ? { format: (n) => formatAmount(n, currency, digits), example: `1050 means ${formatAmount(1050, currency, digits)}` }
    : { format: (n) => `${grouped(n)} in the currency's smallest unit (cents)`, example: '1050 means 10.50' };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: null, message: 'The request must be a JSON object.' };
  }
  return checkFields(shape, body, [], [null], money);
}

/** The body shape a request sends, from the limits' `routes` ("PATCH /clients/{client_id}"). */
export function shapeFor(limits, method, path) {
  const bare = path.split('?')[0];
  for (const [route, name] of Object.entries(limits.routes)) {
    const [routeMethod, template] = route.split(' ');
    if (routeMethod !== method) continue;
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare)) return limits.shapes[name];
  }
  return null;
}
