"""A part payment is typed as the page's locale writes amounts: a de_DE client who types
"500,00" pays 500.00, never 50,000.00; the field offers the balance written the same way."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.payments import FakeStripeHttp, payable_invoice, press_pay

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


@pytest.mark.parametrize(("typed", "minor"), [("500,00", 50000), ("1.500,50", 150050), ("2 000", 200000),
                                              ("750.25", 75025)])
def test_a_part_payment_typed_the_german_way_charges_what_was_typed(
        tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp, typed: str, minor: int) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    payable = payable_invoice(tenant, total=10_000_000, allow_partial=True)
    assert 'value="100.000,00"' in anonymous.get(payable["page"]).text  # the balance, as the page writes it
    reply = press_pay(anonymous, payable["page"], f"amount_text={typed}")
    assert reply.status == 303, reply.body
    assert stripe_api.calls[0]["params"]["line_items[0][price_data][unit_amount]"] == [str(minor)]
