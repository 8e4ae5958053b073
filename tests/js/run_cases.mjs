// Runs the dashboard's copy of the server rules (chalicelib/static/app/rules.js) over the shared
// cases and prints what it computed as JSON; tests/domain/test_shared_cases.py compares that
// with the expectations (which the Python rules must meet too).
// Usage: node tests/js/run_cases.mjs <rules.js> <money.json> <colours.json>
import { readFileSync } from 'node:fs';

const [rulesPath, moneyPath, coloursPath] = process.argv.slice(2);
// rules.js is a browser ES module with no imports: load it from its source, whatever package.json says.
const source = readFileSync(rulesPath, 'utf8');
const rules = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

const q4 = (text) => {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 10000n + BigInt((fraction + '0000').slice(0, 4));
};
const plain = (value) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));

const money = JSON.parse(readFileSync(moneyPath, 'utf8')).cases.map((c) => {
  const f = rules.invoiceFigures(c.lines.map((l) => ({ ...l, q4: q4(l.quantity) })), BigInt(c.paid));
  return { name: c.name, figures: plain(f), rows: plain(rules.figureRows(f)) };
});
const colours = JSON.parse(readFileSync(coloursPath, 'utf8')).cases.map((c) => ({
  name: c.name, palette: rules.palette(c.brand, c.accent),
}));
process.stdout.write(JSON.stringify({ money, colours }));
