"""Money: formatting, currency codes, minor units, percentages and rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.money import (
    format_amount,
    is_currency,
    minor_digits,
    percent_text,
    round_half_up,
    to_decimal_string,
)

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        # EUR: two decimals
        (0, "EUR", "€0.00"),
        (5, "EUR", "€0.05"),
        (99, "EUR", "€0.99"),
        (100, "EUR", "€1.00"),
        (1999, "EUR", "€19.99"),
        (123456, "EUR", "€1,234.56"),
        (123456789, "EUR", "€1,234,567.89"),
        (-5, "EUR", "-€0.05"),
        (-123456, "EUR", "-€1,234.56"),
        # JPY: no minor unit, no decimal point
        (0, "JPY", "JP¥0"),
        (999, "JPY", "JP¥999"),
        (1000, "JPY", "JP¥1,000"),
        (1234567, "JPY", "JP¥1,234,567"),
        (-1234567, "JPY", "-JP¥1,234,567"),
        # KWD: three decimals
        (1, "KWD", "KWD0.001"),
        (1000, "KWD", "KWD1.000"),
        (1234567, "KWD", "KWD1,234.567"),
        (-1234567, "KWD", "-KWD1,234.567"),
        (-50, "KWD", "-KWD0.050"),
    ],
)
def test_format_amount(amount: int, currency: str, expected: str) -> None:
    assert format_amount(amount, currency) == expected


@SETTINGS
@given(amount=st.integers(min_value=-(10**13), max_value=10**13), currency=st.sampled_from(["EUR", "JPY", "KWD"]))
def test_format_amount_reads_back_as_the_same_amount(amount: int, currency: str) -> None:
    text = format_amount(amount, currency)  # Babel, en_GB: "€1,234.56", "-JP¥5", "KWD0.050"
    symbol = {"EUR": "€", "JPY": "JP¥", "KWD": "KWD"}[currency]
    assert text.startswith("-") == (amount < 0)
    assert text.lstrip("-").startswith(symbol)
    number = ("-" if amount < 0 else "") + text.lstrip("-")[len(symbol):]
    digits = minor_digits(currency)
    if digits:
        assert len(number.split(".")[1]) == digits
    else:
        assert "." not in number
    # the thousands separators are in the right places
    whole = number.lstrip("-").split(".")[0]
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= 3
    assert all(len(g) == 3 for g in groups[1:])
    assert Decimal(number.replace(",", "")).scaleb(digits) == amount


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("EUR", 2), ("USD", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("CLP", 0), ("KWD", 3), ("BHD", 3), ("TND", 3)],
)
def test_minor_digits(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "JPY", "KWD", "CHF", "SEK"])
def test_real_currencies_are_currencies(code: str) -> None:
    assert is_currency(code) is True


@pytest.mark.parametrize("code", ["XXX", "eur", "Eur", "EURO", "EU", "", " EUR", "EUR ", "ABC", "BTC"])
def test_fake_currencies_are_not_currencies(code: str) -> None:
    assert is_currency(code) is False


@pytest.mark.parametrize(
    ("bp", "expected"),
    [
        (2050, "20.5"),
        (0, "0"),
        (10000, "100"),
        (2000, "20"),
        (1900, "19"),
        (1, "0.01"),
        (5, "0.05"),
        (1000, "10"),
        (725, "7.25"),
    ],
)
def test_percent_text(bp: int, expected: str) -> None:
    assert percent_text(bp) == expected


@SETTINGS
@given(st.integers(min_value=0, max_value=10_000))
def test_percent_text_is_exact_and_plain(bp: int) -> None:
    text = percent_text(bp)
    assert "E" not in text and "e" not in text
    assert Decimal(text) * 100 == bp
    assert not (("." in text) and text.endswith("0"))  # no trailing zeros after the point


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", 1),
        ("1.5", 2),
        ("2.5", 3),  # banker's rounding would give 2
        ("-0.5", -1),
        ("-2.5", -3),
        ("2.4999", 2),
        ("-2.4999", -2),
        ("2.5001", 3),
        ("11732.5", 11733),
        ("0", 0),
        ("7", 7),
    ],
)
def test_round_half_up_halves_away_from_zero(value: str, expected: int) -> None:
    result = round_half_up(Decimal(value))
    assert result == expected
    assert type(result) is int


@SETTINGS
@given(st.decimals(min_value=-(10**13), max_value=10**13, places=4))
def test_round_half_up_is_nearest_integer(value: Decimal) -> None:
    result = round_half_up(value)
    assert abs(result - value) <= Decimal("0.5")
    if abs(result - value) == Decimal("0.5"):
        assert abs(result) > abs(value)  # ties go away from zero


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(1999, "EUR", "19.99"), (0, "EUR", "0.00"), (-5, "EUR", "-0.05"), (1234, "JPY", "1234"), (1, "KWD", "0.001")],
)
def test_to_decimal_string(amount: int, currency: str, expected: str) -> None:
    assert to_decimal_string(amount, currency) == expected


@pytest.mark.parametrize(("text", "locale", "minor"), [
    ("500,00", "de_DE", 50000), ("1.040,50", "de_DE", 104050), ("1.040", "de_DE", 104000), ("977.85", "de_DE", 97785),
    ("1.234.567,8", "de_DE", 123456780), ("2 000", "de_DE", 200000), ("500,00", "en_GB", 50000),
    ("1,040", "en_GB", 104000), ("1,234,567.8", "en_GB", 123456780)])
def test_amounts_typed_as_the_locale_writes_them(text: str, locale: str, minor: int) -> None:
    from chalicelib.domain.money import parse_major

    assert parse_major(text, "EUR", locale) == minor


def test_an_amount_to_type_over_is_written_as_the_locale_writes_it() -> None:
    from chalicelib.domain.formatting import amount_text

    assert (amount_text(10_000_000, "EUR", "de_DE"), amount_text(10_000_000, "EUR"), amount_text(500, "JPY")) == \
        ("100.000,00", "100,000.00", "500")
