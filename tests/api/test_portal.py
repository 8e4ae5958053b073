"""The client portal: a per-contact link (or a signed-in session) showing one client's
invoices, quotes, payments and files, with pay actions; staff create and revoke links."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Api
from tests.support.client_flows import FORM, JSON, assert_client_headers, attach, signed_in
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def _tab(anonymous: Api, path: str, tab: str = "invoices", **headers: str) -> Any:
    return anonymous.get(f"{path}?tab={tab}", headers={**JSON, **headers}).json


def test_the_portal_shows_the_clients_invoices_open_first_with_the_balance_due(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    paid = make_document(tenant, client_id, amount=5000)
    tenant.api.post(f"/api/v1/invoices/{paid['id']}/payments", {})
    overdue = make_document(tenant, client_id, amount=3000, issue_date="2026-01-01", due_date="2026-01-15")
    open_one = make_document(tenant, client_id, amount=10000)
    make_document(tenant, client_id, send=False)  # a draft: never shown
    other_client, _ = client_with_contact(tenant, "Someone Else", "else@portal.test")
    make_document(tenant, other_client, amount=99900)  # another client of the same business: never shown
    path = portal_link(tenant, client_id, contact_id)
    view = _tab(anonymous, path)
    assert [i["number"] for i in view["items"]] == [overdue["number"], open_one["number"], paid["number"]]
    assert view["outstanding"] == [{"amount": 13000, "currency": "EUR", "display": "€130.00"}]
    assert view["overdue"] is True
    assert [i["status"] for i in view["items"]] == ["overdue", "sent", "paid"]
    html = anonymous.get(path).text
    assert "€130.00" in html and "999.00" not in html and 'data-testid="overdue"' in html
    # Each invoice opens inside the portal, and someone else's does not.
    assert anonymous.get(f"{path}/invoices/{open_one['id']}").status == 200
    theirs = make_document(tenant, other_client)
    assert anonymous.get(f"{path}/invoices/{theirs['id']}").status == 404


def test_a_page_of_the_portal_costs_at_most_three_dynamodb_calls(
        tenant: Any, anonymous: Api, dynamodb_calls: list[str]) -> None:
    client_id, contact_id = client_with_contact(tenant)
    for _ in range(3):
        make_document(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    # The invoices tab reads one more: the client's grants, to list the files each invoice unlocks.
    for tab, budget in (("invoices", 4), ("quotes", 3), ("payments", 3)):
        dynamodb_calls.clear()
        assert anonymous.get(f"{path}?tab={tab}").status == 200
        assert len(dynamodb_calls) <= budget and "Scan" not in dynamodb_calls, (tab, dynamodb_calls)


def test_quotes_payments_and_files_tabs(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    quote = make_document(tenant, client_id, kind="quote")
    invoice = make_document(tenant, client_id)
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": 4000})
    attach(tenant, tenant.file(title="Brief"), "client", client_id, "visible")
    path = portal_link(tenant, client_id, contact_id)
    assert [q["number"] for q in _tab(anonymous, path, "quotes")["items"]] == [quote["number"]]
    [payment] = _tab(anonymous, path, "payments")["items"]
    assert payment["amount"]["amount"] == 4000 and payment["invoice_number"] == invoice["number"]
    [entry] = _tab(anonymous, path, "files")["entries"]
    assert entry["title"] == "Brief"
    assert anonymous.get(f"{path}/quotes/{quote['id']}").status == 200


def test_tabs_the_business_turned_off_disappear(tenant: Any, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    path = portal_link(tenant, client_id, contact_id)
    assert tenant.api.patch("/api/v1/business", {"portal_tabs_off": ["quotes", "files"]}).status == 200
    tabs = _tab(anonymous, path)["tabs"]
    assert tabs[:2] == ["invoices", "payments"] and not {"quotes", "files"} & set(tabs)  # later tabs follow
    assert anonymous.get(f"{path}?tab=quotes").status == 404
    assert anonymous.get(f"{path}?tab=files").status == 404
    assert "tab=quotes" not in anonymous.get(path).text
    assert tenant.api.patch("/api/v1/business", {"portal_tabs_off": ["invoices"]}).status == 400


def test_portal_links_are_per_contact_stable_and_revocable(tenant: Any, anonymous: Api, make_tenant: Any) -> None:
    client_id, contact_id = client_with_contact(tenant)
    path = portal_link(tenant, client_id, contact_id)
    assert portal_link(tenant, client_id, contact_id) == path
    assert tenant.api.delete(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").status == 200
    assert anonymous.get(path).status == 404
    assert portal_link(tenant, client_id, contact_id) != path
    other = make_tenant("Other")
    assert other.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").status == 404
    for bad in ("/portal/" + "A" * 43, "/portal/short", "/portal/" + "x" * 200):
        assert anonymous.get(bad).status == 404


def test_a_signed_in_contact_reaches_the_same_portal_without_a_link(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    client_id, _ = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    cookie = signed_in(tenant, anonymous, outbox, "pat@portal.test")
    assert anonymous.get("/portal").headers["Location"].endswith("/portal/me")
    view = anonymous.get("/portal/me?tab=invoices", headers={**JSON, "Cookie": cookie}).json
    assert [i["number"] for i in view["items"]] == [invoice["number"]]
    assert anonymous.get("/portal/me").status == 404  # no session, no portal


def test_paying_from_the_portal(tenant: Any, anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import stripe_gateway

    monkeypatch.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    reset_settings()
    stripe_gateway.reset_client()
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    client_id, contact_id = client_with_contact(tenant)
    invoice = make_document(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    assert f'action="https://pay.example.test{path}/invoices/{invoice["id"]}/pay"' in anonymous.get(path).text
    reply = anonymous.call("POST", f"{path}/invoices/{invoice['id']}/pay", "", headers=FORM)
    assert reply.status == 303 and "/checkout/offline/" in reply.headers["Location"]
    other_client, _ = client_with_contact(tenant, "Else", "else@portal.test")
    theirs = make_document(tenant, other_client)
    assert anonymous.call("POST", f"{path}/invoices/{theirs['id']}/pay", "", headers=FORM).status == 404




def test_search_and_tag_are_escaped_on_the_files_page(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    cookie = signed_in(tenant, anonymous, outbox)
    evil = '"><script>alert(1)</script>'
    page = anonymous.get("/files?" + urlencode({"q": evil, "tag": evil}), headers={"Cookie": cookie})
    assert page.status == 200 and "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert_client_headers(page)


def test_every_tab_of_the_portal_opens_as_a_page_and_as_json(tenant: Any, anonymous: Api) -> None:
    """Every tab the portal can show (portal.TABS, ones added later included) has its view."""
    from chalicelib.services.portal.portal import TABS

    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True, "prepayment_enabled": True}).status == 200
    client_id, contact_id = client_with_contact(tenant)
    make_document(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    tabs = _tab(anonymous, path)["tabs"]
    assert tabs == list(TABS)
    for tab in tabs:
        page = anonymous.get(f"{path}?tab={tab}")
        assert page.status == 200, (tab, page.text[:300])
        assert _tab(anonymous, path, tab)["tab"] == tab
