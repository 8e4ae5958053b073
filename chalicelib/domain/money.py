"""Money: integer minor units with an ISO 4217 currency. Never floats."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not 2 digits.
_ZERO_DECIMAL = frozenset(
    [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
        "VND", "VUV", "XAF", "XOF", "XPF"
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_TWO_DECIMAL = frozenset(
    [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD",
        "BDT", "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
        "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP",
        "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD",
        "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR",
        "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
        "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
        "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON",
        "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD",
        "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD",
        "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR", "ZMW", "ZWL"
    ]
)
CURRENCIES = _ZERO_DECIMAL | _THREE_DECIMAL | _TWO_DECIMAL
MAX_AMOUNT = 10**13  # a hard ceiling far above any invoice, well inside DynamoDB's number range


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def minor_digits(currency: str) -> int:
    """How many digits the currency's minor unit has (JPY 0, EUR 2, KWD 3)."""
    if currency in _ZERO_DECIMAL:
        return 0
    if currency in _THREE_DECIMAL:
        return 3
    return 2


def round_half_up(value: Decimal) -> int:
    """Round a Decimal amount of minor units to an int, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(amount: int, currency: str, locale: str = "en_GB") -> str:
    """`123456, "EUR"` → `"€1,234.56"`: for messages with no reader's locale at hand (validation
    errors); pages, PDFs and emails call `domain/formatting.money` with the reader's locale."""
    from chalicelib.domain.formatting import money

    return money(amount, currency, locale)


def to_decimal_string(amount: int, currency: str) -> str:
    """`1999, "EUR"` → `"19.99"`: the amount in major units, exact."""
    digits = minor_digits(currency)
    return str(Decimal(amount).scaleb(-digits)) if digits else str(amount)


def parse_major(text: str, currency: str, locale: str = "en_GB") -> int:
    """`"40"`, `"40.5"` or `"1,040.50"` typed by a person → minor units; ValueError if not an amount.
    Typed as `locale` writes amounts: "1.040,50" and "500,00" in de_DE (see `_decimal_text`)."""
    cleaned = _decimal_text(text.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", ""), locale)
    if not cleaned or not all(c in "0123456789." for c in cleaned):
        raise ValueError(text)  # no signs, exponents, NaN or Infinity
    try:
        value = Decimal(cleaned)
    except ArithmeticError as e:
        raise ValueError(text) from e
    digits = minor_digits(currency)
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -digits or value > MAX_AMOUNT:  # type: ignore[operator]
        raise ValueError(text)
    return int(value.scaleb(digits))


def _decimal_text(text: str, locale: str) -> str:
    """`text` with "." as its only separator, the decimal one. Both "," and "." typed: the last is
    the decimal separator. One of them, once, before other than three digits: decimal whatever the
    locale ("500,00", "40.5"). Before exactly three digits ("1.040"), or repeated: the locale says —
    its decimal symbol is decimal, the other is grouping."""
    mark = ""
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    elif (mark := "," if "," in text else "." if "." in text else "") and text.count(mark) == 1 \
            and len(text) - text.index(mark) - 1 != 3:
        decimal = mark
    elif mark:
        from babel.numbers import get_decimal_symbol

        decimal = mark if str(get_decimal_symbol(locale)) == mark and text.count(mark) == 1 else ""
    else:
        return text
    group = {",": ".", ".": ","}[decimal] if decimal else mark
    whole = text.split(decimal)[0] if decimal else text
    if group in whole and not _grouped(whole, group):
        return text  # "1,0400.00": not a way anyone writes 10,400; refused, never guessed
    return text.replace(group, "").replace(decimal, ".") if decimal else text.replace(group, "")


def _grouped(whole: str, group: str) -> bool:
    """Digit groups as people write them: threes (1,040,000) or India's lakh grouping (1,00,000)."""
    g = re.escape(group)
    return bool(re.fullmatch(rf"[0-9]{{1,3}}({g}[0-9]{{3}})+|[0-9]{{1,2}}({g}[0-9]{{2}})+{g}[0-9]{{3}}", whole))


def percent_text(basis_points: float) -> str:
    """`2050` → `"20.5"`: a basis-point rate as a percentage, exact."""
    return f"{Decimal(int(basis_points)).scaleb(-2).normalize():f}"
