"""A contact's own details from the portal: name and phone at once, a new address only after the
link emailed to it is used — then every old portal link, session and sign-in link ends, the old
address is told, and an address another contact has is refused at the click (the request answers as for any address)."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import FORM, JSON, post_form, session_cookie, sign_in_link, signed_in
from tests.support.portal import client_with_contact, make_document, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")
OLD, NEW = "pat@portal.test", "pat.new@elsewhere.test"


@pytest.fixture
def contact(tenant: Any) -> dict[str, Any]:
    client_id, contact_id = client_with_contact(tenant, "Portal Co", OLD)
    invoice = make_document(tenant, client_id)
    return {"client_id": client_id, "contact_id": contact_id, "invoice_id": invoice["id"],
            "portal": portal_link(tenant, client_id, contact_id)}


def _stored(tenant: Any, made: dict[str, Any]) -> dict[str, Any]:
    contacts = tenant.api.get(f"/api/v1/clients/{made['client_id']}").json["contacts"]
    return next(c for c in contacts if c["contact_id"] == made["contact_id"])


def _change_link(outbox: Any, address: str) -> str:
    [link] = [u for u in outbox.to(address)[-1].links if "/email-change/" in u]
    return local_path(link)


def test_the_contact_edits_their_name_and_phone(tenant: Any, anonymous: Api, contact: dict[str, Any]) -> None:
    base = contact["portal"]
    page = anonymous.get(f"{base}?tab=account")
    assert page.status == 200 and 'data-testid="profile"' in page.text and OLD in page.text
    saved = post_form(anonymous, f"{base}/account", {"name": "Pat Jones", "phone": "+44 20 7946 0958"})
    assert saved.status == 303 and saved.headers["Location"].endswith("?tab=account&notice=saved")
    assert 'data-testid="saved"' in anonymous.get(f"{base}?tab=account&notice=saved").text
    stored = _stored(tenant, contact)
    assert (stored["name"], stored["phone"]) == ("Pat Jones", "+44 20 7946 0958")
    # JSON too; an empty phone removes it.
    reply = anonymous.call("POST", f"{base}/account", {"name": "Pat", "phone": ""}, headers=JSON)
    assert reply.status == 200 and reply.json == {"name": "Pat", "email": OLD, "phone": ""}
    assert _stored(tenant, contact)["phone"] is None


@pytest.mark.parametrize("fields, field", [
    ({"name": "", "phone": "+1 555 0100 22"}, "name"),
    ({"name": "x" * 201, "phone": ""}, "name"),
    ({"name": "   ", "phone": ""}, "name"),
    ({"name": "Pat", "phone": "12"}, "phone"),
    ({"name": "Pat", "phone": "+1 555 0100 2222 3333 4"}, "phone"),
    ({"name": "Pat", "phone": "call me maybe"}, "phone"),
    ({"name": "Pat", "phone": "++44 20 7946 0958"}, "phone"),
])
def test_bad_input_is_refused_in_words_and_nothing_is_written(
        tenant: Any, anonymous: Api, contact: dict[str, Any], fields: dict[str, str], field: str) -> None:
    reply = post_form(anonymous, f"{contact['portal']}/account", fields, Accept="application/json")
    assert reply.status == 400, reply.body
    assert reply.error["field"] == field and reply.error["message"]
    stored = _stored(tenant, contact)
    assert (stored["name"], stored["phone"]) == ("Pat", None)


def test_a_cross_site_post_is_refused(tenant: Any, anonymous: Api, contact: dict[str, Any]) -> None:
    reply = post_form(anonymous, f"{contact['portal']}/account", {"name": "Mallory"}, **{"Sec-Fetch-Site": "cross-site"})
    assert reply.status == 403 and _stored(tenant, contact)["name"] == "Pat"


def test_profile_saves_are_rate_limited(anonymous: Api, contact: dict[str, Any], frozen_clock: None) -> None:
    statuses = [post_form(anonymous, f"{contact['portal']}/account", {"name": f"Pat {i}"}).status for i in range(21)]
    assert statuses == [303] * 20 + [429]


def test_a_new_address_changes_only_when_confirmed_and_old_access_ends(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    base, invoice = contact["portal"], contact["invoice_id"]
    old_cookie = signed_in(tenant, anonymous, outbox, OLD)
    # A sign-in link asked for before the change, used after it: must not work either.
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": OLD}).status == 202
    pending_sign_in = sign_in_link(outbox, OLD)

    asked = post_form(anonymous, f"{base}/account/email", {"email": NEW})
    assert asked.status == 202 and "Check your new inbox" in asked.text
    assert _stored(tenant, contact)["email"] == OLD  # nothing changes before the click
    assert anonymous.get(f"{base}?tab=invoices").status == 200
    link = _change_link(outbox, NEW)
    assert "24 hours" in outbox.to(NEW)[-1].text
    form = anonymous.get(link)
    assert form.status == 200 and NEW in form.text and "Confirm new address" in form.text
    assert _stored(tenant, contact)["email"] == OLD  # opening the page (a mail scanner) changes nothing

    done = anonymous.call("POST", link, "")
    assert done.status == 303 and done.headers["Location"].endswith("/portal/me?tab=account&notice=email")
    new_cookie = session_cookie(done)
    assert _stored(tenant, contact)["email"] == NEW
    # The old portal link, old session and old pending sign-in link all stop working.
    assert anonymous.get(f"{base}?tab=invoices").status == 404
    assert anonymous.get(f"{base}/invoices/{invoice}").status == 404
    assert anonymous.get("/portal/me", headers={"Cookie": old_cookie}).status == 404
    assert anonymous.get("/files", headers={"Cookie": old_cookie, **JSON}).status in (401, 404)
    assert anonymous.call("POST", pending_sign_in, "").status == 404
    # The click signed the contact in at the new address.
    mine = anonymous.get("/portal/me?tab=account&notice=email", headers={"Cookie": new_cookie})
    assert mine.status == 200 and NEW in mine.text and 'data-testid="email-changed"' in mine.text
    # The email index moved: sign-in finds the contact by the new address only.
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": NEW}).status == 202
    assert sign_in_link(outbox, NEW)
    outbox_before = len(outbox.to(OLD))
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": OLD}).status == 202
    assert len(outbox.to(OLD)) == outbox_before
    # The link works once.
    assert anonymous.call("POST", link, "").status == 404


def test_the_old_address_is_told(tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    tenant.api.patch("/api/v1/business", {"email": "help@biz.test"})
    post_form(anonymous, f"{contact['portal']}/account/email", {"email": NEW})
    anonymous.call("POST", _change_link(outbox, NEW), "")
    [notice] = [m for m in outbox.to(OLD) if "was changed" in m.subject]
    assert "p•••@elsewhere.test" in notice.text and NEW not in notice.text
    assert "help@biz.test" in notice.text and "did not do this" in notice.text


def test_an_address_another_contact_has_answers_like_a_free_one_and_gets_nothing(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    """No 409: it would tell any contact which addresses are the business's contacts."""
    client_with_contact(tenant, "Other Co", "taken@portal.test")
    taken = post_form(anonymous, f"{contact['portal']}/account/email", {"email": "Taken@Portal.test"},
                      Accept="application/json")
    free = post_form(anonymous, f"{contact['portal']}/account/email", {"email": "free@portal.test"},
                     Accept="application/json")
    assert (taken.status, taken.body) == (free.status, free.body)
    assert outbox.to("taken@portal.test") == [] and len(outbox.to("free@portal.test")) == 1
    assert _stored(tenant, contact)["email"] == OLD
    same = post_form(anonymous, f"{contact['portal']}/account/email", {"email": OLD}, Accept="application/json")
    assert same.status == 400 and same.error["field"] == "email"
    bad = post_form(anonymous, f"{contact['portal']}/account/email", {"email": "not an address"}, Accept="application/json")
    assert bad.status == 400


def test_an_address_taken_between_request_and_click_is_refused(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    post_form(anonymous, f"{contact['portal']}/account/email", {"email": NEW})
    link = _change_link(outbox, NEW)
    client_with_contact(tenant, "Quick Co", NEW)
    reply = anonymous.call("POST", link, "", headers=JSON)
    assert reply.status == 409
    assert _stored(tenant, contact)["email"] == OLD
    assert anonymous.get(contact["portal"]).status == 200  # nothing ended: nothing changed


def test_two_contacts_confirming_the_same_address_at_once_one_wins(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    other_client, other_contact = client_with_contact(tenant, "Second Co", "second@portal.test")
    second = portal_link(tenant, other_client, other_contact)
    post_form(anonymous, f"{contact['portal']}/account/email", {"email": NEW})
    post_form(anonymous, f"{second}/account/email", {"email": NEW})
    links = [local_path(u) for m in outbox.to(NEW) for u in m.links if "/email-change/" in u]
    assert len(links) == 2
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def click(path: str) -> None:
        barrier.wait()
        statuses.append(anonymous.call("POST", path, "", headers=JSON).status)

    threads = [threading.Thread(target=click, args=(p,)) for p in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    emails = [_stored(tenant, contact)["email"],
              next(c for c in tenant.api.get(f"/api/v1/clients/{other_client}").json["contacts"])["email"]]
    assert sorted(emails) == sorted([NEW, "second@portal.test"]) or sorted(emails) == sorted([NEW, OLD])


def test_a_removed_contact_cannot_confirm_a_pending_change(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    post_form(anonymous, f"{contact['portal']}/account/email", {"email": NEW})
    link = _change_link(outbox, NEW)
    assert tenant.api.delete(f"/api/v1/clients/{contact['client_id']}/contacts/{contact['contact_id']}").status == 200
    assert anonymous.get(link).status == 404
    assert anonymous.call("POST", link, "").status == 404


def test_the_signed_in_portal_has_the_account_tab_too(
        tenant: Any, anonymous: Api, outbox: Any, contact: dict[str, Any]) -> None:
    cookie = signed_in(tenant, anonymous, outbox, OLD)
    reply = anonymous.call("POST", "/portal/me/account", "name=Patricia", headers={**FORM, "Cookie": cookie})
    assert reply.status == 303 and _stored(tenant, contact)["name"] == "Patricia"
    assert anonymous.call("POST", "/portal/me/account", "name=Patricia", headers=FORM).status == 404
