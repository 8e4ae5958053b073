"""Self-registration: off by default (the page is a 404), on: a public page under a token the staff
can rotate, rate-limited per IP and per business, answering the same for a known and a new address;
the client and its contact are created once, only when the emailed link is used; a known address
gets a sign-in link instead, never a second contact."""
from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import JSON, post_form, session_cookie, sign_in_link
from tests.support.portal import client_with_contact

SETTING = "/api/v1/business/self-registration"


def _turn_on(tenant: Any) -> str:
    reply = tenant.api.call("PUT", SETTING, {"enabled": True})
    assert reply.status == 200 and reply.json["enabled"] is True, reply.body
    return local_path(reply.json["url"])


def _clients(tenant: Any) -> list[dict[str, Any]]:
    return tenant.api.get("/api/v1/clients").json["items"]  # type: ignore[no-any-return]


def _welcome_link(outbox: Any, address: str) -> str:
    [link] = [u for u in outbox.to(address)[-1].links if "/welcome/" in u]
    return local_path(link)


def test_off_by_default_and_every_url_404s_once_off(tenant: Any, anonymous: Api) -> None:
    assert tenant.api.get(SETTING).json == {"enabled": False, "url": None}
    page = _turn_on(tenant)
    assert tenant.business_id not in page  # the URL does not name the business
    assert anonymous.get(page).status == 200 and 'data-testid="register"' in anonymous.get(page).text
    assert tenant.api.call("PUT", SETTING, {"enabled": False}).json == {"enabled": False, "url": None}
    assert anonymous.get(page).status == 404
    assert post_form(anonymous, page, {"name": "Kim", "email": "kim@new.test"}).status == 404
    assert tenant.api.post(f"{SETTING}/rotate").status == 409


def test_rotating_closes_the_old_url(tenant: Any, anonymous: Api) -> None:
    old = _turn_on(tenant)
    new = local_path(tenant.api.post(f"{SETTING}/rotate").json["url"])
    assert new != old and anonymous.get(old).status == 404 and anonymous.get(new).status == 200
    assert local_path(tenant.api.get(SETTING).json["url"]) == new
    assert local_path(tenant.api.call("PUT", SETTING, {"enabled": True}).json["url"]) == new  # idempotent


def test_the_client_is_created_once_and_only_when_the_link_is_used(tenant: Any, anonymous: Api, outbox: Any) -> None:
    page = _turn_on(tenant)
    before = len(_clients(tenant))
    reply = post_form(anonymous, page, {"name": "Kim Lee", "company": "Lee Design", "email": "kim@new.test"})
    assert reply.status == 202 and "Check your email" in reply.text
    assert len(_clients(tenant)) == before  # nothing yet
    link = _welcome_link(outbox, "kim@new.test")
    assert anonymous.get(link).status == 200 and len(_clients(tenant)) == before  # a mail scanner creates nothing
    done = anonymous.call("POST", link, "")
    assert done.status == 303 and done.headers["Location"].endswith("/portal/me")
    portal = anonymous.get("/portal/me?tab=account", headers={"Cookie": session_cookie(done)})
    assert portal.status == 200 and "kim@new.test" in portal.text and "Kim Lee" in portal.text
    created = [c for c in _clients(tenant) if c["name"] == "Lee Design"]
    assert len(created) == 1 and len(_clients(tenant)) == before + 1
    contacts = tenant.api.get(f"/api/v1/clients/{created[0]['client_id']}").json["contacts"]
    assert [(c["name"], c["email"], c["is_primary"]) for c in contacts] == [("Kim Lee", "kim@new.test", True)]
    assert anonymous.call("POST", link, "").status == 404  # once
    # Registering the same address again: a sign-in link, no second client.
    assert post_form(anonymous, page, {"name": "Kim", "email": "kim@new.test"}).status == 202
    assert sign_in_link(outbox, "kim@new.test") and len(_clients(tenant)) == before + 1


def test_a_known_address_gets_a_sign_in_link_and_the_page_says_the_same(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    client_with_contact(tenant, "Known Co", "known@portal.test")
    page = _turn_on(tenant)
    before = len(_clients(tenant))
    known = post_form(anonymous, page, {"name": "Known", "email": "known@portal.test"})
    new = post_form(anonymous, page, {"name": "New", "email": "fresh@portal.test"})
    assert known.status == new.status == 202
    def same(text: str, address: str) -> str:
        return re.sub(r'nonce-?=?"?[A-Za-z0-9_-]+', "nonce", text.replace(address, "X"))

    assert same(known.text, "known@portal.test") == same(new.text, "fresh@portal.test")
    [message] = outbox.to("known@portal.test")
    assert "/signin/confirm/" in message.text and "/welcome/" not in message.text
    assert anonymous.call("POST", sign_in_link(outbox, "known@portal.test"), "").status == 303
    assert len(_clients(tenant)) == before


def test_two_links_for_one_address_clicked_at_once_create_one_client(tenant: Any, anonymous: Api, outbox: Any) -> None:
    page = _turn_on(tenant)
    before = len(_clients(tenant))
    for _ in range(2):
        assert post_form(anonymous, page, {"name": "Twin", "email": "twin@new.test"}).status == 202
    links = [local_path(u) for m in outbox.to("twin@new.test") for u in m.links if "/welcome/" in u]
    assert len(links) == 2
    barrier, statuses = threading.Barrier(2), []

    def click(path: str) -> None:
        barrier.wait()
        statuses.append(anonymous.call("POST", path, "", headers=JSON).status)

    threads = [threading.Thread(target=click, args=(p,)) for p in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in statuses and set(statuses) <= {200, 409}
    assert len(_clients(tenant)) == before + 1


def test_bad_input_writes_nothing(tenant: Any, anonymous: Api, outbox: Any) -> None:
    page = _turn_on(tenant)
    for fields in ({"name": "", "email": "a@new.test"}, {"name": "A", "email": "nope"},
                   {"name": "A" * 201, "email": "a@new.test"}, {"name": "A", "email": "a@new.test", "admin": "1"}):
        assert post_form(anonymous, page, fields, Accept="application/json").status == 400
    assert post_form(anonymous, page, {"name": "A", "email": "a@new.test"}, **{"Sec-Fetch-Site": "cross-site"}).status == 403
    assert outbox.messages() == []


def test_registrations_are_rate_limited_per_ip_and_per_business(
        tenant: Any, anonymous: Api, outbox: Any, frozen_clock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.portal import registration

    page = _turn_on(tenant)
    statuses = [post_form(anonymous, page, {"name": "N", "email": f"n{i}@new.test"}).status for i in range(11)]
    assert statuses == [202] * 10 + [429]
    # Per business, whatever the address and IP: another visitor is limited too once the business's budget is spent.
    monkeypatch.setattr(registration, "PER_IP", 10_000)
    monkeypatch.setattr(registration, "PER_BUSINESS", 12)
    statuses = [post_form(anonymous, page, {"name": "N", "email": f"m{i}@new.test"}).status for i in range(3)]
    assert statuses == [202, 202, 429]
    assert len(outbox.messages()) == 12
