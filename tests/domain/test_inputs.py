"""Input shapes: what msgspec accepts and refuses when decoding a request body."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.inputs import (
    BusinessUpdate,
    ClientInput,
    ClientUpdate,
    ContactInput,
    ContactUpdate,
    DocumentInput,
    DocumentUpdate,
    LineInput,
    LoginInput,
    PaymentInput,
    ProductInput,
    ProductUpdate,
)

SETTINGS = settings(max_examples=200, deadline=None)


def decode(body: Any, type_: type) -> Any:
    return msgspec.json.decode(json.dumps(body).encode(), type=type_)


def refused(body: Any, type_: type) -> str:
    with pytest.raises(msgspec.ValidationError) as caught:
        decode(body, type_)
    return str(caught.value)


# --- unknown fields -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "body"),
    [
        (ProductInput, {"name": "Tea", "unit_price": 100, "owner_id": "x"}),
        (LineInput, {"quantity": "1", "total": 5}),
        (DocumentInput, {"client_id": "c1", "status": "paid"}),
        (DocumentUpdate, {"amount_paid": 100}),
        (BusinessUpdate, {"tenant_id": "someone-else"}),
        (LoginInput, {"email": "a@b.co", "password": "x", "remember": True}),
        (PaymentInput, {"amount": 1, "status": "paid"}),
    ],
)
def test_unknown_fields_are_refused(type_: type, body: dict[str, Any]) -> None:
    message = refused(body, type_)
    assert "unknown field" in message


def test_unknown_fields_in_nested_lines_are_refused() -> None:
    refused({"client_id": "c1", "lines": [{"quantity": "1", "unit_price": 1, "net": 5}]}, DocumentInput)


def test_a_valid_product_decodes() -> None:
    product = decode({"name": "Tea", "unit_price": 450, "tax_rate_bp": 700}, ProductInput)
    assert product == ProductInput(name="Tea", unit_price=450, tax_rate_bp=700)


# --- types ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["100", 100.0, 1.5, True, False, None, [100], {"v": 100}])
def test_unit_price_must_be_an_int(value: Any) -> None:
    refused({"name": "Tea", "unit_price": value}, ProductInput)


@pytest.mark.parametrize("value", ["2000", 2000.0, True])
def test_tax_rate_must_be_an_int(value: Any) -> None:
    refused({"name": "Tea", "unit_price": 1, "tax_rate_bp": value}, ProductInput)


@pytest.mark.parametrize("value", ["5", 5.0, True])
def test_payment_amount_must_be_an_int(value: Any) -> None:
    refused({"amount": value}, PaymentInput)


def test_name_must_be_a_string() -> None:
    refused({"name": 5, "unit_price": 1}, ProductInput)


def test_body_must_be_an_object() -> None:
    refused([], ProductInput)
    refused("Tea", ProductInput)


# --- limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, -(10**12)])
def test_negative_unit_price_is_refused(value: int) -> None:
    refused({"name": "Tea", "unit_price": value}, ProductInput)
    refused({"quantity": "1", "unit_price": value}, LineInput)
    refused({"unit_price": value}, ProductUpdate)


def test_unit_price_bounds() -> None:
    assert decode({"name": "Free", "unit_price": 0}, ProductInput).unit_price == 0
    assert decode({"name": "Max", "unit_price": 10**12}, ProductInput).unit_price == 10**12
    refused({"name": "Too much", "unit_price": 10**12 + 1}, ProductInput)


@pytest.mark.parametrize("field", ["tax_rate_bp", "discount_bp"])
def test_basis_points_over_100_percent_are_refused(field: str) -> None:
    assert getattr(decode({field: 10_000}, LineInput), field) == 10_000
    refused({field: 10_001}, LineInput)
    refused({field: -1}, LineInput)


def test_payment_amount_must_be_positive() -> None:
    refused({"amount": 0}, PaymentInput)
    refused({"amount": -5}, PaymentInput)
    assert decode({"amount": 1}, PaymentInput).amount == 1
    assert decode({}, PaymentInput).amount is None


def test_payment_method_is_one_of_the_known_ones() -> None:
    assert decode({"method": "cash"}, PaymentInput).method == "cash"
    assert decode({}, PaymentInput).method == "manual"
    refused({"method": "bitcoin"}, PaymentInput)
    refused({"method": "cash "}, PaymentInput)
    refused({"method": "cashcard"}, PaymentInput)


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@example.com", "x@sub.domain.org"])
def test_good_emails_are_accepted(email: str) -> None:
    assert decode({"email": email, "password": "pw"}, LoginInput).email == email


@pytest.mark.parametrize(
    "email",
    ["", "plain", "a@b", "@b.co", "a@.co", "a b@c.de", "a@b c.de", "<a@b.co>", "a@@b.co", 'a"@b.co', "a\n@b.co"],
)
def test_bad_emails_are_refused(email: str) -> None:
    refused({"email": email, "password": "pw"}, LoginInput)
    refused({"name": "Ann", "email": email}, ContactInput)


def test_oversized_email_is_refused() -> None:
    refused({"email": "a" * 250 + "@b.co", "password": "pw"}, LoginInput)


@pytest.mark.parametrize("color", ["#12345", "red", "123456", "#1234567", "#GGGGGG", "#12345g", "", "# 12345"])
def test_bad_colours_are_refused(color: str) -> None:
    refused({"brand_color": color}, BusinessUpdate)
    refused({"accent_color": color}, BusinessUpdate)


@pytest.mark.parametrize("color", ["#123456", "#abcdef", "#ABCDEF", "#0a1B2c"])
def test_good_colours_are_accepted(color: str) -> None:
    assert decode({"brand_color": color}, BusinessUpdate).brand_color == color


@pytest.mark.parametrize("currency", ["eur", "Eur", "EURO", "EU", "", "E1R", " EUR"])
def test_currency_must_be_three_capital_letters(currency: str) -> None:
    refused({"currency": currency}, BusinessUpdate)
    refused({"client_id": "c1", "currency": currency}, DocumentInput)
    refused({"currency": currency}, DocumentUpdate)


def test_currency_pattern_accepts_three_capitals() -> None:
    assert decode({"client_id": "c1", "currency": "EUR"}, DocumentInput).currency == "EUR"


def test_names_are_1_to_200_characters() -> None:
    assert decode({"name": "x" * 200, "unit_price": 1}, ProductInput).name == "x" * 200
    refused({"name": "x" * 201, "unit_price": 1}, ProductInput)
    refused({"name": "", "unit_price": 1}, ProductInput)
    refused({"name": "x" * 201}, ClientInput)
    refused({"name": "x" * 201}, ClientUpdate)
    refused({"name": "x" * 201}, BusinessUpdate)


def test_long_text_is_limited() -> None:
    assert decode({"client_id": "c1", "notes": "n" * 4000}, DocumentInput).notes == "n" * 4000
    refused({"client_id": "c1", "notes": "n" * 4001}, DocumentInput)
    refused({"client_id": "c1", "po_number": "p" * 201}, DocumentInput)


@pytest.mark.parametrize("client_id", ["", "a/b", "a b", "../x", "x" * 65, "a.b"])
def test_ids_are_short_and_url_safe(client_id: str) -> None:
    refused({"client_id": client_id}, DocumentInput)


def test_phone_numbers_allow_only_phone_characters() -> None:
    assert decode({"name": "Ann", "phone": "+44 (0)20 7946-0000"}, ClientInput).phone == "+44 (0)20 7946-0000"
    refused({"name": "Ann", "phone": "call me"}, ClientInput)
    refused({"name": "Ann", "phone": "1" * 41}, ClientInput)


def test_payment_terms_days_are_limited() -> None:
    assert decode({"payment_terms_days": 365}, BusinessUpdate).payment_terms_days == 365
    refused({"payment_terms_days": 366}, BusinessUpdate)
    refused({"payment_terms_days": -1}, BusinessUpdate)


def test_dates_must_be_iso_dates() -> None:
    doc = decode({"client_id": "c1", "issue_date": "2024-06-15"}, DocumentInput)
    assert doc.issue_date == date(2024, 6, 15)
    refused({"client_id": "c1", "issue_date": "15/06/2024"}, DocumentInput)
    refused({"client_id": "c1", "issue_date": "2024-02-30"}, DocumentInput)


def test_line_quantities_decode_as_exact_decimals() -> None:
    assert decode({"quantity": "6.5"}, LineInput).quantity == Decimal("6.5")
    assert decode({}, LineInput).quantity == Decimal(1)


def test_contacts_are_limited_to_20() -> None:
    contact = {"name": "Ann", "email": "ann@example.com"}
    assert len(decode({"name": "Co", "contacts": [contact] * 20}, ClientInput).contacts) == 20
    refused({"name": "Co", "contacts": [contact] * 21}, ClientInput)


def test_lines_are_limited_to_200() -> None:
    one = {"quantity": "1", "unit_price": 100}
    assert len(decode({"client_id": "c1", "lines": [one] * 200}, DocumentInput).lines) == 200
    refused({"client_id": "c1", "lines": [one] * 201}, DocumentInput)
    assert len(decode({"lines": [one] * 200}, DocumentUpdate).lines) == 200
    refused({"lines": [one] * 201}, DocumentUpdate)


def test_required_fields_are_required() -> None:
    refused({}, DocumentInput)
    refused({"unit_price": 1}, ProductInput)
    refused({"email": "a@b.co"}, LoginInput)


@pytest.mark.parametrize(
    ("type_", "body"),
    [
        (LoginInput, {"email": "a@b.co\n", "password": "pw"}),
        (BusinessUpdate, {"currency": "EUR\n"}),
        (BusinessUpdate, {"brand_color": "#123456\n"}),
        (DocumentInput, {"client_id": "abc\n"}),
        (PaymentInput, {"method": "cash\n"}),
    ],
)
def test_a_trailing_newline_does_not_satisfy_a_pattern(type_: type, body: dict[str, Any]) -> None:
    refused(body, type_)


# --- given() --------------------------------------------------------------------------


def test_given_returns_only_the_fields_sent() -> None:
    update = decode({"notes": "Thanks", "due_date": "2024-07-01"}, DocumentUpdate)
    assert update.given() == {"notes": "Thanks", "due_date": date(2024, 7, 1)}


def test_given_keeps_an_explicit_null() -> None:
    update = decode({"notes": None, "po_number": "PO-1"}, DocumentUpdate)
    assert update.given() == {"notes": None, "po_number": "PO-1"}


def test_given_of_an_empty_body_is_empty() -> None:
    assert decode({}, DocumentUpdate).given() == {}
    assert decode({}, BusinessUpdate).given() == {}
    assert decode({}, ClientUpdate).given() == {}


def test_given_keeps_falsy_values() -> None:
    assert decode({"tax_rate_bp": 0, "unit_price": 0}, ProductUpdate).given() == {"tax_rate_bp": 0, "unit_price": 0}
    assert decode({"is_primary": False}, ContactUpdate).given() == {"is_primary": False}
    assert decode({"lines": []}, DocumentUpdate).given() == {"lines": []}


_update_values = {
    "notes": st.one_of(st.none(), st.text(max_size=50)),
    "terms": st.one_of(st.none(), st.text(max_size=50)),
    # One-line text (inputs.ShortText): no control characters, separators or bidi overrides.
    "po_number": st.one_of(st.none(), st.text(st.characters(
        blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                                                               "\u2066\u2067\u2068\u2069"), max_size=50)),
    "due_date": st.one_of(st.none(), st.dates()),
    "currency": st.sampled_from(["EUR", "USD", "JPY"]),
}


@SETTINGS
@given(st.fixed_dictionaries({}, optional=_update_values))
def test_given_is_exactly_what_was_sent(body: dict[str, Any]) -> None:
    wire = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in body.items()}
    assert decode(wire, DocumentUpdate).given() == body
