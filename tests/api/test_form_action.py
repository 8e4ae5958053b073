"""CSP `form-action` is checked on every hop of a form's navigation, redirects included:
Chromium silently drops a form whose redirect leaves the allowed origins. Each client form
whose answer is a redirect to another origin must find that origin allowed by the page it
was sent from (the portal's statement button used to do nothing on a phone)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PUBLIC_BASE_URL, Api, local_path
from tests.support.client_flows import FORM
from tests.support.payments import (
    FakeStripeHttp,
    payable_invoice,
    press_pay,
)

pytestmark = pytest.mark.usefixtures("one_test_per_ip")

CHECKOUT_ORIGIN = "http://localhost:8765"  # the offline checkout on its own origin, as `make dev` runs it


def form_action(reply: Any) -> list[str]:
    """The sources of the reply's CSP `form-action` directive."""
    directives = dict(d.strip().split(" ", 1) for d in reply.headers["Content-Security-Policy"].split(";"))
    return directives["form-action"].split()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_pay_may_land_on_stripes_checkout(tenant: Any, anonymous: Api, stripe_api: FakeStripeHttp) -> None:
    payable = payable_invoice(tenant)
    allowed = form_action(anonymous.get(payable["page"]))
    landed = press_pay(anonymous, payable["page"]).headers["Location"]
    assert origin(landed) == "https://checkout.stripe.com" and origin(landed) in allowed
    assert "'self'" in allowed and "*" not in " ".join(allowed)  # exactly the origins, no wildcard


def test_the_portal_statement_may_land_on_the_files_bucket(tenant: Any, anonymous: Api) -> None:
    invoice = tenant.invoice()
    client_id = invoice["client_id"]
    contact_id = tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"][0]["contact_id"]
    portal = local_path(tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").json["url"])
    payments_tab = anonymous.get(f"{portal}?tab=payments")
    assert 'data-testid="statement"' in payments_tab.text
    today = date.today()
    answer = anonymous.get(f"{portal}/statement?from={today - timedelta(days=30)}&to={today}")
    assert answer.status == 302
    assert origin(answer.headers["Location"]) in form_action(payments_tab)
    # The invoice's own PDF link (a plain link, not a form) goes to the same bucket.
    assert origin(answer.headers["Location"]) != origin(PUBLIC_BASE_URL)


@pytest.fixture
def checkout_elsewhere(stripe_secrets: Any) -> str:
    """The offline checkout served on its own origin (no Stripe key: Pay opens it)."""
    from chalicelib.config import reset_settings

    stripe_secrets.setenv("OFFLINE_CHECKOUT_URL", CHECKOUT_ORIGIN + "/")
    reset_settings()
    return CHECKOUT_ORIGIN


def test_the_offline_checkout_runs_on_its_own_origin_and_each_page_allows_the_next(
        tenant: Any, anonymous: Api, checkout_elsewhere: str) -> None:
    payable = payable_invoice(tenant)
    invoice_page = anonymous.get(payable["page"])
    landed = press_pay(anonymous, payable["page"]).headers["Location"]
    assert origin(landed) == checkout_elsewhere and origin(landed) in form_action(invoice_page)
    checkout_page = anonymous.get(local_path_of(landed))
    assert checkout_page.status == 200 and "Test mode" in checkout_page.text
    # Its form posts to itself, and the answer sends the client back to the app, as Stripe's does.
    assert f'action="{landed}"' in checkout_page.text
    assert form_action(checkout_page) == ["'self'", origin(PUBLIC_BASE_URL)]


def test_the_offline_checkout_accepts_its_own_origin_and_refuses_others(
        tenant: Any, anonymous: Api, checkout_elsewhere: str, offline_webhook: list[int]) -> None:
    payable = payable_invoice(tenant)
    landed = local_path_of(press_pay(anonymous, payable["page"]).headers["Location"])
    # Browsers without Sec-Fetch-Site are judged by Origin: the checkout's own, not the app's.
    refused = anonymous.call("POST", landed, "outcome=decline", headers={**FORM, "Origin": "https://evil.test"})
    assert refused.status == 403
    done = anonymous.call("POST", landed, "outcome=decline", headers={**FORM, "Origin": checkout_elsewhere})
    assert done.status == 303 and done.headers["Location"].startswith(PUBLIC_BASE_URL + payable["page"])
    assert offline_webhook == [200]  # the event still goes to the app's webhook


def test_in_the_cloud_no_local_origin_is_allowed(tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.api import html
    from chalicelib.config import reset_settings

    monkeypatch.setenv("OFFLINE_CHECKOUT_URL", CHECKOUT_ORIGIN)
    monkeypatch.delenv("PAYDROP_AWS_ENDPOINT_URL")  # not local: the offline checkout does not exist
    reset_settings()
    try:
        assert CHECKOUT_ORIGIN not in html.form_origins()
    finally:
        monkeypatch.undo()
        reset_settings()


def local_path_of(url: str) -> str:
    """A URL on any origin, as a path for the test client (one app serves both origins)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
