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
    receipts = [part.rsplit('href="', 1)[1].split('"', 1)[0] for part in tab.text.split('data-testid="receipt-link"')[:-1]]
    pages: list[Any] = [anonymous.get(r.removeprefix("https://pay.example.test")) for r in receipts]
    assert all(p.status == 200 for p in pages)  # the part-paid invoice's, and the paid recurring one's
    assert any("DEMO-TRX-1042" in p.text and "€200.00" in p.text for p in pages)
    assert demo.registration_path.startswith("/register/")
    assert anonymous.get(demo.registration_path).status == 200
