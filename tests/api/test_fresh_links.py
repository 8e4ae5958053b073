"""Dead-end pages offer "Email me a fresh link": a sign-in link goes only to a known contact of the
business the dead link belonged to; the answer is the same for anyone; limits per address and IP."""
from __future__ import annotations

import secrets
from typing import Any

import pytest

from chalicelib.services.identity import fresh_links
from tests.conftest import Api, unique_email
from tests.support.client_flows import JSON, assert_client_headers, post_form


@pytest.fixture(autouse=True)
def own_ip_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh_links, "PER_IP", 10_000)  # every test request comes from one address


def test_a_dead_link_page_offers_a_fresh_link(anonymous: Api) -> None:
    page = anonymous.get(f"/portal/{secrets.token_urlsafe(32)}")
    assert page.status == 404 and 'data-testid="fresh-link"' in page.text and 'action="/fresh-link"' in page.text
    assert 'name="business_id"' not in page.text  # the page cannot tell whose link it was


def test_a_known_contact_gets_a_link_and_a_stranger_gets_the_same_answer(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    email, stranger_email = _contact(tenant), unique_email("stranger")
    known = post_form(anonymous, "/fresh-link", {"email": email, "business_id": tenant.business_id})
    stranger = post_form(anonymous, "/fresh-link", {"email": stranger_email, "business_id": tenant.business_id})
    assert known.status == stranger.status == 202
    assert _words(known.text, email) == _words(stranger.text, stranger_email)
    assert "a fresh link is on its way" in known.text
    assert_client_headers(known)
    assert len(outbox.to(email)) == 1 and outbox.to(stranger_email) == []


def _contact(tenant: Any) -> str:
    """A new contact of `tenant` with an address of its own (the per-address limit is global)."""
    email = unique_email("fresh")
    reply = tenant.api.post("/api/v1/clients", {"name": "Fresh Co", "contacts": [{"name": "Fay", "email": email}]})
    assert reply.status == 201, reply.body
    return email


def _words(html: str, email: str) -> str:
    start = html.index('data-testid="fresh-link-sent"')
    return html[start:html.index("</p>", start)].replace(email, "X")


def test_a_made_up_business_reads_like_a_stranger_and_no_business_says_so(tenant: Any, anonymous: Api,
                                                                          outbox: Any) -> None:
    email = _contact(tenant)
    made_up = post_form(anonymous, "/fresh-link", {"email": email, "business_id": "nosuchbusiness"}, **JSON)
    assert made_up.status == 202 and made_up.json == {"sent": "if_known", "business_known": True}
    unknown = post_form(anonymous, "/fresh-link", {"email": email})
    assert unknown.status == 202 and "Ask the sender for a fresh link" in unknown.text
    assert outbox.to(email) == []


@pytest.mark.parametrize("form", [{"email": "not-an-address"}, {"email": "a@b.test", "business_id": "../x"}, {}])
def test_bad_input_is_a_400_and_sends_nothing(anonymous: Api, outbox: Any, form: dict[str, str]) -> None:
    reply = post_form(anonymous, "/fresh-link", form, **JSON)
    assert reply.status == 400 and reply.json["error"]["message"]


def test_the_per_address_limit_answers_the_same_for_known_and_unknown(tenant: Any, anonymous: Api) -> None:
    body, email, ghost = {"business_id": tenant.business_id}, _contact(tenant), unique_email("ghost")
    known = [post_form(anonymous, "/fresh-link", {**body, "email": email}, **JSON).status for _ in range(4)]
    unknown = [post_form(anonymous, "/fresh-link", {**body, "email": ghost}, **JSON).status for _ in range(4)]
    assert known == unknown == [202, 202, 202, 429]


def test_the_per_ip_limit(anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh_links, "PER_IP", 2)
    monkeypatch.setattr(fresh_links, "WINDOW", 661)  # a window of its own, apart from the other tests' (900 s)
    statuses = [post_form(anonymous, "/fresh-link", {"email": unique_email("ip")}, **JSON).status for i in range(3)]
    assert statuses == [202, 202, 429]
