"""How money, dates, numbers and file sizes read to people: one place, by locale, with Babel.

Storage and the JSON APIs keep data (integer minor units, ISO dates); everything a person
reads — client pages, PDFs, emails, CSV columns — is written here, in the business's locale
(`Business.locale`) unless the client has its own (`Client.locale`). The staff dashboard does
the same in the browser with `Intl` (static/app/lib/money.js).

Pure: no AWS, no clock (callers pass `today`). Babel is imported inside the functions so
`import app` does not load its locale data.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.money import minor_digits

DEFAULT_LOCALE = "en_GB"


def locale_of(business: Any = None, client: Any = None) -> str:
    """The client's locale if it has one, else the business's, else en_GB (objects or dicts)."""
    for owner in (client, business):
        value = owner.get("locale") if isinstance(owner, dict) else getattr(owner, "locale", None)
        if value:
            return str(value)
    return DEFAULT_LOCALE


def money(amount: int | None, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`97785, "EUR"` → "€977.85" (en_GB), "977,85 €" (de_DE): minor units, by locale."""
    from babel.numbers import format_currency

    if amount is None:
        return ""
    value = Decimal(int(amount)).scaleb(-minor_digits(currency))
    return str(format_currency(value, currency, locale=locale))


def amount_text(amount: int | None, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """An amount to type over in a form field, as `locale` writes it without its currency:
    `10000000, "EUR"` → "100,000.00" (en_GB), "100.000,00" (de_DE)."""
    from babel.numbers import format_decimal

    if amount is None:
        return ""
    digits = minor_digits(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(Decimal(int(amount)).scaleb(-digits), format=pattern, locale=locale))


def _as_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def day(value: str | date | None, locale: str = DEFAULT_LOCALE) -> str:
    """An ISO date (or a date) as people of `locale` write it: "15 Dec 2026", "15.12.2026"."""
    from babel.dates import format_date

    if not value:
        return ""
    return str(format_date(_as_date(value), format="medium", locale=locale))


def moment(value: str | datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    """An ISO timestamp (UTC) as a date and time: "15 Dec 2026, 14:05" (en_GB)."""
    from babel.dates import format_date, format_time, get_datetime_format

    if not value:
        return ""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    # The locale's own way of joining a medium date and a short time ("{1}, {0}" in en_GB).
    pattern = str(get_datetime_format("medium", locale=locale))
    return pattern.replace("{1}", str(format_date(at.date(), "medium", locale=locale))).replace(
        "{0}", str(format_time(at.time(), "short", locale=locale)))


def period(start: str | date | None, end: str | date | None, locale: str = DEFAULT_LOCALE) -> str:
    """Two days as one span, as people of `locale` write it: "1 Nov – 1 Dec 2026" (en_GB),
    "1. Nov. – 1. Dez. 2026" (de_DE), "Nov 1 – Dec 1, 2026" (en_US)."""
    from babel.dates import format_interval

    if not start or not end:
        return day(start or end, locale)
    return str(format_interval(_as_date(start), _as_date(end), skeleton="yMMMd", locale=locale))


def number(value: int | float | Decimal | str, locale: str = DEFAULT_LOCALE) -> str:
    """1234.5 → "1,234.5" (en_GB), "1.234,5" (de_DE); a decimal string ("1.5", a quantity) too."""
    from babel.numbers import format_decimal

    return str(format_decimal(Decimal(value) if isinstance(value, str) else value, locale=locale))


def percent(value: int | float | Decimal | str, locale: str = DEFAULT_LOCALE) -> str:
    """A percentage as the pages write it, the number by locale: "19.5" → "19.5 %", "19,5 %" (de_DE)."""
    return f"{number(value, locale)} %"


_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def file_size(size: int | None, locale: str = DEFAULT_LOCALE) -> str:
    """The one file-size format: 1_200_000 → "1.2 MB" (decimal units, one decimal, by locale)."""
    from babel.numbers import format_decimal

    if size is None:
        return ""
    value, unit = Decimal(int(size)), 0
    while value >= 1000 and unit < len(_UNITS) - 1:
        value, unit = value / 1000, unit + 1
    if unit == 0:
        return f"{format_decimal(int(size), locale=locale)} {'byte' if size == 1 else 'bytes'}"
    return f"{format_decimal(value, format='#,##0.#', locale=locale)} {_UNITS[unit]}"


def due_words(due: str | date | None, today: date, locale: str = DEFAULT_LOCALE) -> str:
    """When an invoice is due, in words: "due today", "due in 5 days", "overdue by 3 days".
    The pages' words are English in every locale (only money, dates and numbers follow the
    locale), so the span is Babel's English with the locale's digits: "due in 1,200 days" in
    en_GB, "due in 1.200 days" in de_DE, never "due in 5 Tagen"."""
    from babel.dates import format_timedelta

    if not due:
        return ""
    days = (_as_date(due) - today).days
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    span = format_timedelta(abs(days) * 86400, granularity="day", threshold=abs(days) + 1, locale="en")
    span = span.replace(str(abs(days)), number(abs(days), locale), 1)
    return f"due in {span}" if days > 0 else f"overdue by {span}"


_BADGE_WORDS = {"partial": "Partly paid", "partially_paid": "Partly paid", "partly_paid": "Partly paid"}


def badge(status: str | None) -> str:
    """A status as a sentence-case badge: "partial" → "Partly paid", "overdue" → "Overdue"."""
    if not status:
        return ""
    text = _BADGE_WORDS.get(str(status).lower()) or str(status).replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


# Keys of a view (services' dicts) that hold a date to print, and the money shape they use.
DATE_KEYS = frozenset(("issue_date", "due_date", "received_on", "paid_on", "on", "from", "to", "applied_on", "issued_on"))
# Keys that hold a decimal string to print as a number of the locale ("1.5" → "1,5").
NUMBER_KEYS = frozenset(("quantity", "tax_rate_percent", "discount_percent", "rate_percent"))


def _decimal(text: str) -> bool:
    from decimal import InvalidOperation

    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def localized(view: Any, locale: str, currency: str | None = None) -> Any:
    """A copy of a page's view ready for paper (PDFs): each money shape `{amount, currency,
    display}` and each totals row get `display` in `locale`, each date under DATE_KEYS is
    written as a day. The view itself keeps data; only what is printed changes."""
    if isinstance(view, list):
        return [localized(item, locale, currency) for item in view]
    if not isinstance(view, dict):
        return view
    own = view.get("currency") if isinstance(view.get("currency"), str) else currency
    out = {key: (day(value, locale) if key in DATE_KEYS and isinstance(value, str) and value[:4].isdigit()
                 else number(value, locale) if key in NUMBER_KEYS and isinstance(value, str) and _decimal(value)
                 else localized(value, locale, own)) for key, value in view.items()}
    if "display" in view and isinstance(view.get("amount"), int) and own:
        if "sign" in view:  # a totals row (domain/figures.py): its sign, or "nothing to pay" when cancelled
            out["display"] = view["display"] if view.get("key") == "cancelled" else (
                ("−" if view["sign"] == "-" else "") + money(view["amount"], own, locale))
        else:
            out["display"] = money(view["amount"], own, locale)
    return out
