"""api/portal_access.py: a portal form checks where it was posted from before it looks the link
up. A post from another site is refused (403) whether or not the link exists, so a hostile page
learns nothing about which links are real; the same post from the portal's own origin gets the
link's own answer (404 for an unknown one)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.support.client_flows import FORM
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")

FORMS = ["account", "account/email", "invoices/d1/pay", "invoices/d1/use-credit", "message-uploads", "messages",
         "notifications/n1/read", "payment-methods", "payment-methods/pm_1/default", "payment-methods/pm_1/remove",
         "pre-payment", "pre-payment-plans/p1/resume", "pre-payment-plans/p1/stop", "projects/p1/messages",
         "quotes/q1/approve", "quotes/q1/decline", "statement/email", "subscriptions/s1/cancel",
         "subscriptions/s1/plan", "subscriptions/s1/resume"]
EVIL = {**FORM, "Origin": "https://evil.test", "Sec-Fetch-Site": "cross-site"}


@pytest.mark.parametrize("form", FORMS)
def test_a_cross_site_post_is_refused_before_the_link_is_looked_up(tenant: Any, anonymous: Api, form: str) -> None:
    client_id, contact_id = client_with_contact(tenant)
    real = portal_link(tenant, client_id, contact_id)
    for page in (real, "/portal/not-a-real-link"):
        reply = anonymous.call("POST", f"{page}/{form}", "x=1", headers=EVIL)
        assert reply.status == 403, (page, form, reply.body)


def test_an_unknown_link_posted_from_the_portal_itself_is_a_404(anonymous: Api) -> None:
    reply = anonymous.call("POST", "/portal/not-a-real-link/pre-payment", "amount_text=50", headers=FORM)
    assert reply.status == 404
