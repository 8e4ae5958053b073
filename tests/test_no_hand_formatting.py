"""No hand-written money, date or size formatting outside domain/formatting.py (and Intl in the dashboard).

Everything people read is written by `chalicelib/domain/formatting.py` (Babel, by locale) on the
server and by `static/app/lib/money.js` (Intl) in the dashboard. Storage and the JSON APIs keep
data — integer minor units and ISO dates — and are not presentation, so the few places that
build storage keys, file names or API values from dates are allowed below, each with its reason.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHALICELIB = ROOT / "chalicelib"

# Templates: what a page or email prints must go through money()/day()/moment()/file_size()/badge().
TEMPLATE_PATTERNS = {
    "a pre-formatted amount (.display)": re.compile(r"\.display\b(?!_)"),
    "a sliced timestamp ([:10] / [:16])": re.compile(r"\[:1[06]\]"),
    "a timestamp with its T replaced": re.compile(r"""replace\(\s*["']T["']"""),
    "Jinja's filesizeformat (binary units)": re.compile(r"filesizeformat"),
    "a raw ISO date": re.compile(
        r'(?<!datetime=")\{\{\s*[\w.]*(?:_date|_on|_at|_start|_end|\.on|\.date|\.at)\s*(?:\}\}|or\b)'),
    "a raw decimal (a quantity or a percentage)": re.compile(r"\{\{\s*[\w.]*(?:quantity|percent)\s*\}\}"),
    "an amount printed next to its currency code": re.compile(r"\}\}\s*\{\{\s*[\w.]*currency\s*\}\}"),
}

# Python presenters: no decimals by hand, no "{amount} {currency}", no strftime.
PYTHON_PATTERNS = {
    "a float format (:.2f)": re.compile(r":\.\d+f\}"),
    "minor units divided by 100": re.compile(r"/\s*100\b(?!\d)"),
    "an amount and its currency by hand": re.compile(
        r"""f["'][^"']*\{[^}]*(?:amount|total|balance)[^}]*\}\s\{[^}]*currency[^}]*\}"""),
    "an amount's digits grouped by hand": re.compile(r"\{(?:whole|amount|minor|total|balance|value)\w*:,\}|:0\{digits\}d"),
    "strftime": re.compile(r"\.strftime\("),
    "a timestamp sliced into words ([:10] in an f-string)": re.compile(r"""f["'][^"']*\{[^}]*\[:1[06]\][^}]*\}"""),
    # format_amount is en_GB whatever the reader's: only for a view's data `display` and for
    # validation sentences; words a person reads call formatting.money with the reader's locale.
    "an amount in en_GB whatever the reader's locale": re.compile(
        r'^(?!.*ValidationError\()(?!.*locale).*(?<!"display": )\bformat_amount\('),
    "an ISO date written into words": re.compile(r"""f["'][^"']*[A-Za-z]\s\{[^}]*\.isoformat\(\)\}"""),
}

JS_PATTERNS = {
    "toFixed": re.compile(r"\.toFixed\("),
    "toLocaleString without the business's locale": re.compile(r"\.toLocale(?:Date|Time)?String\("),
    "minor units divided by 100": re.compile(r"/\s*100\b(?!\d)"),
    "an amount and its currency by hand": re.compile(r"\$\{[^}]*\}\s\$\{[^}]*currency[^}]*\}"),
    "digits grouped by hand": re.compile(r"\\B\(\?=\(\\d\{3\}\)"),
}

# (file relative to chalicelib, text on the line): why it is not presentation.
ALLOWED = {
    ("domain/money.py", "scaleb"): "data: minor units ↔ decimal strings for inputs and Stripe",
    ("domain/money.py", "percent_text"): "basis points → the percentage typed into an input",
    ("static/app/lib/money.js", "percentText"): "basis points → the percentage typed into an input",
    ("static/app/rules.js", "percentText"): "basis points → the percentage typed into an input",
    ("static/app/checks.js", "(bp / 100).toFixed(2)"): "a percentage limit in a validation sentence (not money)",
    ("static/app/lib/uploads.js", "bytes / 10000"): "a multipart part size, not shown",
    # Validation sentences are English and read the same from the browser and the server
    # (tests/api/test_validation_messages.py): raw minor units there are what the API takes.
    ("api/validation.py", "in the currency's smallest unit (cents)"): "an API value (minor units) in an API error",
    ("static/app/checks.js", "function grouped(n)"): "counts in validation sentences, as the server's",
    ("api/validation.py", "format_amount("): "an amount in an API validation sentence (English, as the browser's)",
    ("services/billing/credits.py", "of credit available"): "an amount in a refusal, like a validation sentence",
}


def _allowed(relative: str, line: str) -> bool:
    return any(relative == file and text in line for (file, text) in ALLOWED)


def _scan(files: list[Path], patterns: dict[str, re.Pattern[str]]) -> list[str]:
    found = []
    for path in files:
        relative = path.relative_to(CHALICELIB).as_posix()
        if relative in ("domain/formatting.py",):
            continue  # the one place that formats
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(("#", "//", "*", "/**")):
                continue
            for what, pattern in patterns.items():
                if pattern.search(line) and not _allowed(relative, line):
                    found.append(f"{relative}:{number}: {what}: {line.strip()[:120]}")
    return found


def test_templates_format_money_dates_and_sizes_through_the_formatting_functions() -> None:
    templates = sorted((CHALICELIB / "templates").rglob("*.html"))
    assert len(templates) > 20
    assert _scan(templates, TEMPLATE_PATTERNS) == []


def test_python_presenters_write_no_money_or_dates_by_hand() -> None:
    sources = [p for p in sorted(CHALICELIB.rglob("*.py")) if "store" not in p.parts]
    assert _scan(sources, PYTHON_PATTERNS) == []


def test_the_dashboard_formats_with_intl_in_the_business_locale() -> None:
    scripts = [p for p in sorted((CHALICELIB / "static").rglob("*.js")) if "vendor" not in p.parts]
    assert scripts
    assert _scan(scripts, JS_PATTERNS) == []


@pytest.mark.parametrize(("line", "patterns"), [
    ("<td>{{ d.total.display }}</td>", TEMPLATE_PATTERNS),
    ("<td>{{ d.issue_date }}</td>", TEMPLATE_PATTERNS),
    ('<td>{{ s.current_period_end or "—" }}</td>', TEMPLATE_PATTERNS),
    ("<dd>{{ s.current_period_start }} to", TEMPLATE_PATTERNS),
    ("    period = f\" ({(paid.period_start or '')[:10]} to {(paid.period_end or '')[:10]})\"", PYTHON_PATTERNS),
    ("{{ m.created_at[:16] | replace(\"T\", \" \") }}", TEMPLATE_PATTERNS),
    ("{{ amount }} {{ currency }}", TEMPLATE_PATTERNS),
    ('<td class="num" data-label="Qty">{{ line.quantity }}</td>', TEMPLATE_PATTERNS),
    ("(−{{ line.discount_percent }} %)", TEMPLATE_PATTERNS),
    ('    return f"{amount / 100:.2f} {currency}"', PYTHON_PATTERNS),
    ('    text = f"Due on {due.isoformat()}"', PYTHON_PATTERNS),
    ('    return [f"Invoice {d.number} to pay: {format_amount(d.balance, d.currency)}"', PYTHON_PATTERNS),
    ('        "price": format_amount(figures.total, currency), "tax_included": figures.tax > 0,', PYTHON_PATTERNS),
    ("  return `${(minor / 100).toFixed(2)} ${currency}`;", JS_PATTERNS),
])
def test_the_scan_catches_hand_formatting(line: str, patterns: dict[str, re.Pattern[str]]) -> None:
    assert any(p.search(line) for p in patterns.values()), line
