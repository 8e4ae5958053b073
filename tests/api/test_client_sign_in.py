"""Client sign-in by one-time email link and the session cookie it sets: one answer and one timing for
known and unknown addresses, per-address limits, tokens used once and for one purpose, sessions that
end when the contact changes or goes, and the private headers of every client page.

Claim links are in test_claims.py (which also holds the first sign-in tests)."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import (
    JSON,
    assert_client_headers,
    attach,
    claim_link,
    new_client,
    post_form,
    session_cookie,
    sign_in_link,
    signed_in,
)


def test_a_session_cookie_of_business_a_is_not_logged_as_a_contact_in_business_b(
        make_tenant: Any, anonymous: Api, outbox: Any) -> None:
    a, b = make_tenant("Business A"), make_tenant("Business B")
    a.client_id()
    cookie_a = signed_in(a, anonymous, outbox)
    rid = b.file(b"b's file")
    made = attach(b, rid, "client", b.client_id(), "visible")
    assert anonymous.get(local_path(made["grants"][0]["download_url"]), headers={"Cookie": cookie_a}).status == 302
    [entry] = b.api.get(f"/api/v1/resources/{rid}/access-log").json["items"][:1]
    # B's log must not name an id of A's contact as if it were one of B's.
    assert entry["actor"] == "link", entry


def test_a_session_ends_when_staff_change_the_contacts_email(tenant: Any, anonymous: Api, outbox: Any) -> None:
    """The old mailbox's owner (someone who left the client) must lose access with the address."""
    client = new_client(tenant, "Moving Ltd", "leaver@moving.test")
    attach(tenant, tenant.file(title="Payroll"), "client", client["client_id"], "visible")
    cookie = signed_in(tenant, anonymous, outbox, "leaver@moving.test")
    assert "Payroll" in anonymous.get("/files", headers={"Cookie": cookie}).text
    contact = client["contacts"][0]
    assert tenant.api.patch(f"/api/v1/clients/{client['client_id']}/contacts/{contact['contact_id']}",
                            {"email": "successor@moving.test"}).status == 200
    after = anonymous.get("/files", headers={"Cookie": cookie})
    assert after.status == 401 and "Payroll" not in after.text


def test_the_per_address_limit_cannot_be_bypassed_with_rfc5322_comments(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """`(1)victim@x.test`, `(2)victim@x.test`, … pass the Email pattern, get separate rate-limit
    counters, yet are all delivered to victim@x.test: unlimited mail bombing through a claim link."""
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    replies = [post_form(anonymous, path, {"email": f"({i})victim@example.test"}, **JSON) for i in range(8)]
    delivered = outbox.to("victim@example.test")
    assert len(delivered) <= 5, f"{len(delivered)} emails to one mailbox; statuses {[r.status for r in replies]}"


def test_a_cross_site_post_cannot_sign_a_victims_browser_into_the_attackers_session(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """Login CSRF: SameSite=Lax does not stop a cross-site top-level POST from *setting* the cookie.
    The attacker gets their own sign-in link and auto-submits it from evil.test."""
    tenant.client_id()
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    link = sign_in_link(outbox, "ada@acme.test")
    forced = anonymous.call("POST", link, "", headers={"Origin": "https://evil.test", "Sec-Fetch-Site": "cross-site"})
    assert forced.status == 403 and "Set-Cookie" not in forced.headers, forced.headers
    # Our own form (same origin) still works, and the link was not used up by the refused attempt.
    ok = anonymous.call("POST", link, "", headers={"Origin": "https://pay.example.test", "Sec-Fetch-Site": "same-origin"})
    assert ok.status == 303


def test_sign_in_never_waits_for_email_whether_or_not_the_address_is_known(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """Known and unknown addresses must not differ by a call to SES (its latency would tell who is
    a client): mail goes through the queue. Counted, not timed (timing is flaky on shared machines)."""
    from chalicelib.aws import client

    tenant.client_id()
    path = f"/signin/{tenant.business_id}"
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    ses_events = client("ses").meta.events
    ses_events.register("before-call.ses", record)
    try:
        for address in ("ada@acme.test", "nobody-here@example.test"):
            assert post_form(anonymous, path, {"email": address}).status == 202
    finally:
        ses_events.unregister("before-call.ses", record)
    assert calls == []  # no SES call inside either request
    assert len(outbox.to("ada@acme.test")) == 1  # the mail worker sends it afterwards


def test_an_email_address_with_control_characters_is_refused_up_front(tenant: Any, anonymous: Api) -> None:
    """`Email` (domain/inputs.py) lets NUL and other C0 controls through: sign-in answers 202 and
    counts a rate-limit hit, and staff can store such a contact; refuse it as invalid input."""
    for bad in ("a\x00b@example.test", "a\x01b@example.test", "a\x7fb@example.test"):
        reply = anonymous.post(f"/signin/{tenant.business_id}", {"email": bad}, headers=JSON)
        assert reply.status == 400 and reply.error["field"] == "email", (bad, reply.status)


def test_a_sign_in_link_used_twice_at_once_signs_in_once(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    link = sign_in_link(outbox, "ada@acme.test")
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def use() -> None:
        barrier.wait()
        statuses.append(anonymous.call("POST", link, "").status)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 404, 404, 404]


def test_tokens_of_one_purpose_open_nothing_else(tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    claim_token = offered["claim_url"].rsplit("/", 1)[1]
    file_token = offered["grant"]["download_url"].rsplit("/", 1)[1]
    assert anonymous.get(f"/files/{claim_token}").status == 404
    assert anonymous.get(f"/claim/{file_token}").status == 404
    assert anonymous.call("POST", f"/signin/confirm/{claim_token}", "").status == 404
    assert anonymous.get(f"/invoice/{claim_token}").status == 404
    # A sign-in token is not a claim or a download link either.
    assert post_form(anonymous, local_path(offered["claim_url"]), {"email": "someone@example.test"}).status == 202
    sign_in_token = sign_in_link(outbox, "someone@example.test").rsplit("/", 1)[1]
    assert anonymous.get(f"/claim/{sign_in_token}").status == 404
    assert anonymous.get(f"/files/{sign_in_token}").status == 404
    # Before the claim, the file link itself stays shut.
    assert anonymous.get(local_path(offered["grant"]["download_url"])).status == 403


def test_a_forged_or_foreign_session_cookie_shows_nothing(tenant: Any, anonymous: Api, outbox: Any) -> None:
    import jwt

    tenant.client_id()
    client = tenant.api.get("/api/v1/clients").json["items"][0]
    details = tenant.api.get(f"/api/v1/clients/{client['client_id']}").json
    claims = {"bid": tenant.business_id, "cid": client["client_id"], "kid": details["contacts"][0]["contact_id"],
              "email": "ada@acme.test", "iat": int(time.time()), "exp": int(time.time()) + 3600,
              "iss": "paydrop", "aud": "paydrop-client"}
    forged = [jwt.encode(claims, "guessed-key", algorithm="HS256"),
              "x.y.z",
              jwt.encode(claims, None, algorithm="none")]
    for token in forged:
        for name in ("paydrop_session", "__Host-paydrop_session"):
            reply = anonymous.get("/files", headers={"Cookie": f"{name}={token}"})
            assert reply.status == 401, (name, token)
            assert client["name"] not in reply.text and "ada@acme.test" not in reply.text


def test_a_session_of_a_removed_contact_is_refused(tenant: Any, anonymous: Api, outbox: Any) -> None:
    client = new_client(tenant, "Gone Ltd", "gone@gone.test")
    cookie = signed_in(tenant, anonymous, outbox, "gone@gone.test")
    contact = client["contacts"][0]
    assert tenant.api.delete(f"/api/v1/clients/{client['client_id']}/contacts/{contact['contact_id']}").status == 200
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 401


@pytest.mark.usefixtures("frozen_clock")
def test_sign_in_answers_identically_for_known_and_unknown_addresses_including_the_limit(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    path = f"/signin/{tenant.business_id}"
    known = [post_form(anonymous, path, {"email": "ada@acme.test"}, **JSON) for _ in range(6)]
    unknown = [post_form(anonymous, path, {"email": "ghost@acme.test"}, **JSON) for _ in range(6)]
    assert [r.status for r in known] == [r.status for r in unknown] == [202] * 5 + [429]
    assert known[0].body == unknown[0].body and known[-1].json == unknown[-1].json


def test_the_confirm_step_has_no_redirect_parameter(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    link = sign_in_link(outbox, "ada@acme.test")
    done = anonymous.call("POST", link + "?next=https://evil.test/&redirect=//evil.test", "")
    assert done.status == 303 and done.headers["Location"] == "https://pay.example.test/files"


def test_every_new_client_page_carries_the_private_headers(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    offered = claim_link(tenant)
    claim = local_path(offered["claim_url"])
    pages = [
        anonymous.get(f"/signin/{tenant.business_id}"),
        post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}),
        anonymous.get(sign_in_link(outbox, "ada@acme.test")),
        anonymous.get(claim), anonymous.get(claim, headers=JSON),
        anonymous.get("/files"), anonymous.get(f"/signin/confirm/{'A' * 43}"),
        anonymous.call("POST", "/signout", ""),
        post_form(anonymous, claim, {"email": "bad"}),
    ]
    done = anonymous.call("POST", sign_in_link(outbox, "ada@acme.test"), "")
    pages += [done, anonymous.get("/files", headers={"Cookie": session_cookie(done)})]
    for reply in pages:
        assert_client_headers(reply)


