"""Online payment rules: what a client may pay, and the ledger's arithmetic."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import payments
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.money import parse_major
from chalicelib.domain.payments import DISPUTE, PAYMENT, REFUND, Entry, PayTerms

FULL_ONLY, PARTIAL = PayTerms(False, 0), PayTerms(True, 2000)


@pytest.mark.parametrize("status, balance, requested, terms, expected", [
    ("sent", 10000, None, FULL_ONLY, 10000),
    ("partial", 6000, None, FULL_ONLY, 6000),
    ("sent", 10000, 4000, PARTIAL, 4000),
    ("sent", 10000, 10000, PARTIAL, 10000),
    ("sent", 1500, None, PARTIAL, 1500),  # the whole balance may be below the part-payment minimum
])
def test_allowed_amounts(status: str, balance: int, requested: int | None, terms: PayTerms, expected: int) -> None:
    assert payments.amount_to_pay("invoice", status, balance, "EUR", requested, terms) == expected


@pytest.mark.parametrize("kind, status, balance, requested, terms, error", [
    ("quote", "sent", 10000, None, FULL_ONLY, Conflict),
    ("invoice", "draft", 10000, None, FULL_ONLY, Conflict),
    ("invoice", "paid", 0, None, FULL_ONLY, Conflict),
    ("invoice", "cancelled", 10000, None, FULL_ONLY, Conflict),
    ("invoice", "sent", 10000, 4000, FULL_ONLY, ValidationError),
    ("invoice", "sent", 10000, 10001, PARTIAL, ValidationError),
    ("invoice", "sent", 10000, 1999, PARTIAL, ValidationError),
    ("invoice", "sent", 10000, 0, PARTIAL, ValidationError),
    ("invoice", "sent", 40, None, FULL_ONLY, ValidationError),  # below Stripe's €0.50
])
def test_refused_amounts(kind: str, status: str, balance: int, requested: int | None, terms: PayTerms,
                         error: type[Exception]) -> None:
    with pytest.raises(error):
        payments.amount_to_pay(kind, status, balance, "EUR", requested, terms)


def test_stripe_minimums_are_per_currency() -> None:
    assert payments.stripe_minimum("GBP") == 30 and payments.stripe_minimum("JPY") == 50
    with pytest.raises(ValidationError):
        payments.amount_to_pay("invoice", "sent", 399, "HKD", None, FULL_ONLY)  # below HK$4.00
    assert payments.amount_to_pay("invoice", "sent", 400, "HKD", None, FULL_ONLY) == 400


def test_idempotency_keys_follow_invoice_amount_and_attempt() -> None:
    key = payments.idempotency_key("doc1", 100, 0)
    assert key == payments.idempotency_key("doc1", 100, 0)
    assert len({key, payments.idempotency_key("doc1", 101, 0), payments.idempotency_key("doc1", 100, 1),
                payments.idempotency_key("doc2", 100, 0)}) == 4


entries = st.lists(st.builds(
    Entry, kind=st.sampled_from([PAYMENT, REFUND, DISPUTE]), amount=st.integers(1, 10**6),
    dispute_status=st.sampled_from([None, "open", "won", "lost"])), max_size=8)


@given(entries, st.integers(0, 10**6), st.randoms())
def test_the_ledger_does_not_depend_on_order_and_stays_within_the_total(found: list[Entry], total: int, rnd: object) -> None:
    shuffled = list(found)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    settled = payments.settle(found, total)
    assert settled == payments.settle(shuffled, total)
    assert 0 <= settled.refunded <= settled.amount_paid <= total
    assert settled.overpaid >= 0


def test_open_won_and_inquiry_disputes_leave_the_sale_standing_a_lost_one_takes_it_back() -> None:
    pay = Entry(PAYMENT, 5000)
    assert payments.settle([pay, Entry(DISPUTE, 5000, "open")], 5000).amount_paid == 5000
    assert payments.settle([pay, Entry(DISPUTE, 5000, "won")], 5000).amount_paid == 5000
    lost = payments.settle([pay, Entry(DISPUTE, 5000, "lost")], 5000)
    assert (lost.amount_paid, lost.charged_back) == (0, 5000)


def test_a_refund_never_reopens_the_balance_and_goes_to_an_overpayment_first() -> None:
    assert payments.settle([Entry(PAYMENT, 10_000), Entry(REFUND, 100)], 10_000) == payments.Settlement(10_000, 100, 0, 0)
    # 110.00 paid on 100.00: a 10.00 refund returns the overpayment, not the sale.
    assert payments.settle([Entry(PAYMENT, 11_000), Entry(REFUND, 1_000)], 10_000) == payments.Settlement(10_000, 0, 0, 0)
    assert payments.settle([Entry(PAYMENT, 11_000), Entry(REFUND, 3_000)], 10_000) == payments.Settlement(10_000, 2_000, 0, 0)
    # A refund that overtook its payment counts once the payment lands.
    assert payments.settle([Entry(REFUND, 10_000)], 10_000) == payments.Settlement(0, 0, 0, 0)


@pytest.mark.parametrize("text, currency, minor", [("40", "EUR", 4000), ("40.5", "EUR", 4050), ("1,040.50", "EUR", 104050),
                                                   ("1,00,000.00", "INR", 10000000),
                                                   ("50,00", "EUR", 5000), ("12,5", "EUR", 1250),
                                                   ("500", "JPY", 500), ("1.234", "KWD", 1234)])
def test_typed_amounts(text: str, currency: str, minor: int) -> None:
    assert parse_major(text, currency) == minor


@pytest.mark.parametrize("text", ["40.001", "-5", "abc", "NaN", "Infinity", "1e3", "", "1,0400", "1,0400.00", "50,0,0"])
def test_typed_amounts_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_major(text, "EUR")


@pytest.mark.parametrize("amount, currency, units", [(5000, "EUR", 5000), (500, "JPY", 500), (5000, "ISK", 500000),
                                                     (10000, "MGA", 100), (1230, "KWD", 1230)])
def test_amounts_in_stripes_units_and_back(amount: int, currency: str, units: int) -> None:
    assert payments.to_stripe_units(amount, currency) == units
    assert payments.from_stripe_units(units, currency) == amount


@pytest.mark.parametrize("amount, currency", [(10050, "MGA"), (1235, "KWD"), (100_000_000, "EUR")])
def test_amounts_stripe_cannot_charge(amount: int, currency: str) -> None:
    with pytest.raises(ValidationError):
        payments.to_stripe_units(amount, currency)


def test_held_money_and_inquiries_do_not_count() -> None:
    pay = Entry(PAYMENT, 5000)
    assert payments.settle([pay, Entry("unapplied", 5000)], 5000).amount_paid == 5000
    assert payments.settle([pay, Entry(DISPUTE, 5000, "inquiry")], 5000).amount_paid == 5000
