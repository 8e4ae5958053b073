"""Every client page is written in its reader's locale: the client's own, else the business's —
the project page, the recurring and subscription pages and the buy page too, not only the
invoice page and the portal's tabs."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_portal_projects import _website
from tests.conftest import Api, Tenant, local_path
from tests.support.buy_links import buy_link, digital_product
from tests.support.client_flows import JSON
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")


def test_the_project_page_writes_amounts_and_dates_in_the_clients_locale(tenant: Tenant, anonymous: Api) -> None:
    client_id, contact_id = client_with_contact(tenant)
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    website = _website(tenant, client_id)
    path = portal_link(tenant, client_id, contact_id)
    html = anonymous.get(f"{path}/projects/{website['id']}").text
    assert "1.200,00\xa0€" in html and "€1,200.00" not in html  # the invoice's total, balance and what waits
    assert f"Invoice {website['invoice']['number']} to pay: 1.200,00\xa0€" in html
    assert "01.02.2027" in html and "1 Feb 2027" not in html  # the milestone's due date
    # The JSON keeps data: minor units.
    [invoice] = anonymous.get(f"{path}/projects/{website['id']}", headers=JSON).json["invoices"]
    assert invoice["balance"]["amount"] == 120000 and invoice["total"]["amount"] == 120000


def test_the_buy_page_writes_prices_in_the_business_locale(tenant: Tenant, anonymous: Api) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    made = digital_product(tenant, price=490000)
    link = buy_link(tenant, made["product"]["product_id"])
    html = anonymous.get(local_path(link["url"])).text
    assert "4.900,00\xa0€" in html and "€4,900.00" not in html
    offer = anonymous.get(local_path(link["url"]), headers=JSON).json
    assert offer["price"]["amount"] == 490000 and offer["products"][0]["price"]["amount"] == 490000


def test_the_milestone_invoice_notice_writes_its_amount_in_the_clients_locale(tenant: Tenant) -> None:
    from tests.support.portal import make_document
    from tests.support.projects import add_milestone, inbox, make_project

    client_id, contact_id = client_with_contact(tenant)
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    project = make_project(tenant, client_id)
    invoice = make_document(tenant, client_id, amount=250000, send=False)
    milestone = add_milestone(tenant, project["id"], "Design", invoice_id=invoice["id"])
    assert tenant.api.post(f"/api/v1/projects/{project['id']}/milestones/{milestone['id']}/complete").status == 200
    [told] = [n for n in inbox(tenant.business_id, f"contact#{client_id}#{contact_id}") if n.category == "invoices"]
    assert told.text.startswith("2.500,00\xa0€ for “Design”"), told.text


def test_the_staff_notice_of_a_sale_writes_its_amount_in_the_business_locale(
        tenant: Tenant, anonymous: Api, offline_webhook: list[int], stripe_worker: Any) -> None:
    from tests.support.buy_links import buy

    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    made = digital_product(tenant, price=490000)
    link = buy_link(tenant, made["product"]["product_id"])
    assert buy(anonymous, link["url"], "buyer@example.test").status == 303
    assert stripe_worker.drain() == 1
    [note] = tenant.api.get("/api/v1/notifications").json["items"]
    assert note["text"] == "4.900,00\xa0€", note


def test_the_files_page_writes_sizes_in_the_clients_locale(tenant: Tenant, anonymous: Api, outbox: Any) -> None:
    from tests.support.client_flows import attach, signed_in

    client_id, _ = client_with_contact(tenant, email="ada@acme.test")
    assert tenant.api.patch(f"/api/v1/clients/{client_id}", {"locale": "de_DE"}).status == 200
    attach(tenant, tenant.file(content=b"x" * 1_234_567, name="big.pdf", title="Big"), "client", client_id, "visible")
    cookie = signed_in(tenant, anonymous, outbox)
    html = anonymous.get("/files", headers={"Cookie": cookie}).text
    assert "1,2 MB" in html and "1.2 MB" not in html, html
