// The two server rules the dashboard needs while a person types, before anything is saved:
// an invoice's figures (chalicelib/domain/figures.py) and readable brand colours
// (chalicelib/domain/colours.py). Saved documents always show the server's figures from the
// JSON; this copy only drives the editor's live preview and the branding preview.
// tests/domain/test_shared_cases.py runs this file under node against the same cases as the
// Python rules (tests/cases/money.json, tests/cases/colours.json), so the two cannot drift.

const roundDiv = (n, d) => (2n * n + d) / (2n * d); // half-up, n ≥ 0, d > 0 (BigInt)

/** One line: amount = quantity × unit price (before discount and tax); discount and tax rounded half-up per line.
 *  `q4` is the quantity × 10^4 as a BigInt; amounts are minor units (BigInt). */
export function lineFigures(q4, unitPrice, taxBp, discountBp) {
  const amount = roundDiv(q4 * BigInt(unitPrice), 10000n);
  const discount = roundDiv(amount * BigInt(discountBp), 10000n);
  const net = amount - discount;
  const tax = roundDiv(net * BigInt(taxBp), 10000n);
  return { amount, discount, net, tax_rate_bp: Number(taxBp), tax };
}

/** Every figure of a document: subtotal (Σ amounts), discounts, tax per rate, total, paid, balance. */
export function invoiceFigures(lines, paid = 0n) {
  const parts = lines.map((l) => lineFigures(l.q4, l.unit_price, l.tax_rate_bp, l.discount_bp));
  const byRate = new Map();
  for (const p of parts) if (p.tax_rate_bp) byRate.set(p.tax_rate_bp, (byRate.get(p.tax_rate_bp) || 0n) + p.tax);
  const sum = (key) => parts.reduce((acc, p) => acc + p[key], 0n);
  const subtotal = sum('amount');
  const discount = sum('discount');
  const tax = sum('tax');
  const total = subtotal - discount + tax;
  const taxes = [...byRate.entries()].sort((a, b) => a[0] - b[0]).map(([rate_bp, amount]) => ({ rate_bp, amount }));
  return { lines: parts, subtotal, discount, taxes, tax, total, paid: BigInt(paid), balance: total - BigInt(paid) };
}

const percentText = (bp) => (bp ? (Number(bp) / 100).toString() : '0');

/** The totals block, top to bottom, as every surface prints it (figures.rows). */
export function figureRows(f, withPaid = true) {
  const rows = [{ key: 'subtotal', label: 'Subtotal', amount: f.subtotal, sign: '+' }];
  if (f.discount) rows.push({ key: 'discount', label: 'Discounts', amount: f.discount, sign: '-' });
  if (f.taxes.length) {
    for (const t of f.taxes) rows.push({ key: 'tax', label: `Tax ${percentText(t.rate_bp)} %`, amount: t.amount, sign: '+' });
  } else rows.push({ key: 'tax', label: 'Tax', amount: 0n, sign: '+' });
  rows.push({ key: 'total', label: 'Total', amount: f.total, sign: '=' });
  if (withPaid) {
    if (f.paid) rows.push({ key: 'paid', label: 'Paid', amount: f.paid, sign: '-' });
    rows.push({ key: 'balance', label: 'Balance due', amount: f.balance, sign: '=' });
  }
  return rows;
}

// --- colours (domain/colours.py) ---------------------------------------------------------

const MINIMUM = 4.5;
const LIGHT = '#ffffff';
const DARK = '#1b1f24';
const BLACK = '#000000';
const WHITE = '#ffffff';
const STEPS = 256;

const normalise = (colour, fallback) => (/^#[0-9a-fA-F]{6}$/.test(colour || '') ? colour.toLowerCase() : fallback);
const channels = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const linear = (channel) => {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

export function luminance(hex) {
  const [r, g, b] = channels(hex);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const textOn = (background) => (contrast(background, LIGHT) > contrast(background, DARK) ? LIGHT : DARK);

function mix(colour, target, step) {
  const t = channels(target);
  return `#${channels(colour).map((c, i) => c + Math.floor(((t[i] - c) * step) / STEPS))
    .map((p) => p.toString(16).padStart(2, '0')).join('')}`;
}

/** `colour`, or the nearest darker (or lighter) shade of it, with 4.5:1 against `against`. */
export function readableOn(colour, against) {
  if (contrast(colour, against) >= MINIMUM) return colour;
  const target = contrast(BLACK, against) >= contrast(WHITE, against) ? BLACK : WHITE;
  let low = 0;
  let high = STEPS;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (contrast(mix(colour, target, middle), against) >= MINIMUM) high = middle;
    else low = middle + 1;
  }
  return mix(colour, target, low);
}

function pair(background) {
  const text = textOn(background);
  return [readableOn(background, text), text];
}

/** Every colour a client page draws text with (colours.palette). */
export function palette(brand, accent) {
  const b = normalise(brand, '#1f4b99');
  const a = normalise(accent, '#f2f5fa');
  const [fill, onFill] = pair(b);
  const [page, onPage] = pair(a);
  return { brand: b, fill, on_fill: onFill, ink: readableOn(b, WHITE), accent: page, on_accent: onPage, tint: readableOn(a, DARK) };
}
