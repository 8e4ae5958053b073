"""The demo data of `make dev` for self-service: a payment with its receipt in the portal's
Payments tab, and self-registration on (the page `.dev/demo.json` calls `register_url`)."""
from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Api


def test_the_demo_has_a_receipt_and_a_registration_page(anonymous: Api) -> None:
    from devstack.seed import seed

    demo = seed(date(2026, 3, 10))
    tab = anonymous.get(f"/portal/{demo.portal_token}?tab=payments")
    assert tab.status == 200 and 'data-testid="receipt-link"' in tab.text
    receipt = tab.text.split('data-testid="receipt-link"')[0].rsplit('href="', 1)[1].split('"', 1)[0]
    page: Any = anonymous.get(receipt.removeprefix("https://pay.example.test"))
    assert page.status == 200 and "DEMO-TRX-1042" in page.text and "200.00 EUR" in page.text
    assert demo.registration_path.startswith("/register/")
    assert anonymous.get(demo.registration_path).status == 200
