"""Security review of claim links, client sign-in, sessions, the Files page and delivery.

Every test asserts the CORRECT behaviour: a failing test demonstrates a defect; a passing
one is a regression test for an attack that held.
"""
from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Api, Reply, local_path
from tests.support.client_flows import FORM, JSON, attach, claim, claim_link, post_form, session_cookie, sign_in_link, signed_in

# --- helpers ---------------------------------------------------------------------------


def _new_client(tenant: Any, name: str, email: str) -> dict[str, Any]:
    reply = tenant.api.post("/api/v1/clients", {"name": name, "contacts": [{"name": name, "email": email}]})
    assert reply.status == 201, reply.body
    return tenant.api.get(f"/api/v1/clients/{reply.json['client_id']}").json  # type: ignore[no-any-return]


def _assert_client_headers(reply: Reply) -> None:
    assert reply.headers.get("Cache-Control") == "no-store", reply.headers
    assert "noindex" in reply.headers.get("X-Robots-Tag", ""), reply.headers
    csp = reply.headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, reply.headers
    assert reply.headers.get("Referrer-Policy") == "no-referrer"


# --- DEFECTS (these fail today) -------------------------------------------------------


def test_claiming_a_link_does_not_open_the_rest_of_the_clients_files(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """Holding ONE claim link must not make a stranger a contact who sees ALL of the client's files."""
    acme = _new_client(tenant, "Acme Secret Co", "boss@acme-secret.test")
    secret = tenant.file(b"board minutes", "minutes.pdf", title="Board minutes")
    attach(tenant, secret, "client", acme["client_id"], "visible")
    offered = claim_link(tenant, acme["client_id"])
    done = claim(anonymous, outbox, local_path(offered["claim_url"]), "stranger@evil.test")
    assert done.status == 303
    page = anonymous.get("/files", headers={"Cookie": session_cookie(done)})
    assert page.status == 200 and "License" in page.text
    assert "Board minutes" not in page.text, "a claimer was handed every file of the claim's client"


def test_a_detached_grant_that_was_revoked_by_a_refund_stays_closed_when_the_invoice_is_paid_again(
        tenant: Any, anonymous: Api) -> None:
    from chalicelib.domain import invoices as rules
    from chalicelib.services.delivery.unlock import invoice_payment_changed
    from chalicelib.store import documents as docs

    invoice = tenant.invoice()
    rid = tenant.file()
    made = attach(tenant, rid, "invoice", invoice["id"], "after_payment")
    grant = made["grants"][0]
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/payments", {"amount": invoice["total"]}).status == 201
    # A refund (the Stripe worker will do this): the invoice is no longer paid in full.
    document, _ = docs.load_collection(tenant.business_id, invoice["id"])
    assert document is not None
    document.update(actions=[docs.Document.status.set(rules.PARTIAL)])
    invoice_payment_changed(tenant.business_id, invoice["id"])
    # Staff take the file off the invoice for good.
    assert tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{made['attachment']['attachment_id']}").status == 200
    # The payment is made again: the detached grant must NOT re-open.
    document, _ = docs.load_collection(tenant.business_id, invoice["id"])
    assert document is not None
    document.update(actions=[docs.Document.status.set(rules.PAID)])
    invoice_payment_changed(tenant.business_id, invoice["id"])
    [after] = tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"]
    assert after["state"] == "revoked" and after["reason"] == "detached", after
    assert anonymous.get(local_path(grant["download_url"])).status == 403


def test_a_detached_grant_that_staff_had_revoked_cannot_be_released_again(tenant: Any, anonymous: Api) -> None:
    client_id = tenant.client_id()
    rid = tenant.file()
    made = attach(tenant, rid, "client", client_id, "visible")
    gid = made["grants"][0]["grant_id"]
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{gid}/revoke").status == 200
    assert tenant.api.delete(f"/api/v1/resources/{rid}/attachments/{made['attachment']['attachment_id']}").status == 200
    released = tenant.api.post(f"/api/v1/resources/{rid}/grants/{gid}/release")
    assert released.status == 409, released.body
    assert anonymous.get(local_path(made["grants"][0]["download_url"])).status == 403


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
    client = _new_client(tenant, "Moving Ltd", "leaver@moving.test")
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


def test_a_late_claim_answers_json_to_a_json_caller(tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    assert post_form(anonymous, path, {"email": "first@example.test"}).status == 202
    assert post_form(anonymous, path, {"email": "second@example.test"}).status == 202
    assert anonymous.call("POST", sign_in_link(outbox, "first@example.test"), "").status == 303
    late = anonymous.call("POST", sign_in_link(outbox, "second@example.test"), "", headers=JSON)
    assert late.status == 409
    assert late.headers["Content-Type"].startswith("application/json"), late.headers
    assert late.json == {"claimed": True} or late.json["error"]["code"] == "conflict"


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


# --- ATTACKS THAT HELD (regression tests) ---------------------------------------------


def test_another_contact_of_the_same_client_does_not_see_a_claimed_file(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    client = _new_client(tenant, "Two Heads", "first@twoheads.test")
    assert tenant.api.post(f"/api/v1/clients/{client['client_id']}/contacts",
                           {"name": "Second", "email": "second@twoheads.test"}).status == 201
    offered = claim_link(tenant, client["client_id"], title="Personal licence")
    assert claim(anonymous, outbox, local_path(offered["claim_url"]), "first@twoheads.test").status == 303
    other = signed_in(tenant, anonymous, outbox, "second@twoheads.test")
    page = anonymous.get("/files", headers={"Cookie": other})
    assert page.status == 200 and "Personal licence" not in page.text


def test_claiming_with_an_existing_contacts_address_only_mails_that_contact(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """An attacker holding a claim link who types a victim's address gains nothing: the link goes to the victim."""
    tenant.client_id()  # ada@acme.test
    offered = claim_link(tenant)
    reply = post_form(anonymous, local_path(offered["claim_url"]), {"email": "ada@acme.test"})
    assert reply.status == 202 and "Set-Cookie" not in reply.headers
    assert len(outbox.to("ada@acme.test")) == 1 and len(outbox.messages()) == 1
    # Nothing claimed, nobody signed in until the mailbox owner presses the button.
    [grant] = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants").json["items"]
    assert grant["claimed_by"] is None and grant["state"] == "locked"


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


def test_an_unclaimed_claim_link_cannot_be_opened_by_staff_actions(tenant: Any) -> None:
    offered = claim_link(tenant)
    rid, gid = offered["resource_id"], offered["grant"]["grant_id"]
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/{gid}/release").status == 409
    assert tenant.api.post(f"/api/v1/resources/{rid}/grants/release").json["changed"] == 0
    [grant] = tenant.api.get(f"/api/v1/resources/{rid}/grants").json["items"]
    assert grant["state"] == "locked" and grant["claimed_by"] is None


def test_a_detached_claim_link_cannot_be_claimed_through_a_pending_email_link(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    assert post_form(anonymous, path, {"email": "late@example.test"}).status == 202
    assert tenant.api.delete(f"/api/v1/resources/{offered['resource_id']}/attachments/{offered['attachment_id']}").status == 200
    assert anonymous.get(path).status == 404
    done = anonymous.call("POST", sign_in_link(outbox, "late@example.test"), "")
    assert done.status in (404, 409) and "Set-Cookie" not in done.headers
    [grant] = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants").json["items"]
    assert grant["state"] == "revoked" and grant["claimed_by"] is None


def test_grant_ids_and_resources_of_another_business_are_not_found(make_tenant: Any) -> None:
    a, b = make_tenant("A"), make_tenant("B")
    rid_a = a.file()
    made = attach(a, rid_a, "client", a.client_id(), "manual")
    gid_a = made["grants"][0]["grant_id"]
    rid_b = b.file()
    attach(b, rid_b, "client", b.client_id(), "manual")
    for path in (f"/api/v1/resources/{rid_a}/grants/{gid_a}/release", f"/api/v1/resources/{rid_b}/grants/{gid_a}/release",
                 f"/api/v1/resources/{rid_a}/grants/release", f"/api/v1/resources/{rid_a}/grants/{gid_a}/explode"):
        reply = b.api.post(path)
        assert reply.status == 404 and reply.error["code"] == "not_found", (path, reply.body)
    assert b.api.get(f"/api/v1/resources/{rid_a}/access-log").status == 404
    assert b.api.get(f"/api/v1/resources/{rid_a}/access-log?format=csv").status == 404
    assert b.api.post(f"/api/v1/resources/{rid_b}/attachments",
                      {"target_type": "client", "target_id": a.client_id(), "policy": "visible"}).status == 404
    [grant] = a.api.get(f"/api/v1/resources/{rid_a}/grants").json["items"]
    assert grant["state"] == "locked"


def test_a_products_grant_is_not_duplicated_by_repeated_lines_or_reattachment_listing(tenant: Any) -> None:
    product = tenant.api.post("/api/v1/products", {"name": "Course", "unit_price": 5000}).json["product_id"]
    attach(tenant, tenant.file(), "product", product, "visible")
    invoice = tenant.invoice(lines=[{"product_id": product}, {"product_id": product}])
    assert len(tenant.api.get(f"/api/v1/invoices/{invoice['id']}/grants").json["items"]) == 1


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


def test_a_session_of_a_removed_contact_is_refused(tenant: Any, anonymous: Api, outbox: Any) -> None:
    client = _new_client(tenant, "Gone Ltd", "gone@gone.test")
    cookie = signed_in(tenant, anonymous, outbox, "gone@gone.test")
    contact = client["contacts"][0]
    assert tenant.api.delete(f"/api/v1/clients/{client['client_id']}/contacts/{contact['contact_id']}").status == 200
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 401


def test_search_and_tag_are_escaped_on_the_files_page(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    cookie = signed_in(tenant, anonymous, outbox)
    evil = '"><script>alert(1)</script>'
    page = anonymous.get("/files?" + urlencode({"q": evil, "tag": evil}), headers={"Cookie": cookie})
    assert page.status == 200 and "<script>" not in page.text and "&lt;script&gt;" in page.text
    _assert_client_headers(page)


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
        _assert_client_headers(reply)


GARBAGE = [
    ("POST", "/signin/{bid}", "email=a%40b.test&&", FORM),
    ("POST", "/signin/{bid}", "email", FORM),
    ("POST", "/signin/{bid}", "=", FORM),
    ("POST", "/signin/{bid}", "&".join(f"f{i}=1" for i in range(60)), FORM),
    ("POST", "/signin/{bid}", "email=" + "a" * 300 + "%40b.test", FORM),
    ("POST", "/signin/{bid}", b"email=\xe9%40b.test", {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}),
    ("POST", "/signin/{bid}", "null", {"Content-Type": "application/json"}),
    ("POST", "/signin/{bid}", "[]", {"Content-Type": "application/json"}),
    ("POST", "/signin/{bid}", '{"email": ["a@b.test"]}', {"Content-Type": "application/json"}),
    ("POST", "/signin/{bid}", "", {}),
    ("POST", "/signin/nonexistentbusiness", "email=a%40b.test", FORM),
    ("GET", "/signin/bad%20id", None, {}),
    ("POST", "/claim/{claim}", "email=a,b%40example.test", FORM),
    ("POST", "/claim/{claim}", "email=a%40b.test&email=c%40d.test", FORM),
    ("POST", "/claim/{claim}", "email=a%40b.test", {"Content-Type": "text/html"}),
    ("POST", "/claim/" + "A" * 43, "email=a%40b.test", FORM),
    ("POST", "/claim/%2e%2e", "email=a%40b.test", FORM),
    ("GET", "/claim/" + "x" * 500, None, {}),
    ("GET", "/signin/confirm/" + "A" * 43, None, {}),
    ("POST", "/signin/confirm/" + "A" * 43, "", {}),
    ("POST", "/signin/confirm/not-a-token", "", {}),
    ("GET", "/files/" + "A" * 43, None, {}),
    ("GET", "/files/%00", None, {}),
    ("GET", "/files", None, {"Cookie": "paydrop_session=\"\\\x7f"}),
    ("GET", "/files", None, {"Cookie": "paydrop_session=" + "a" * 5000}),
    ("GET", "/files", None, {"Cookie": ";;;===;;"}),
]


@pytest.mark.parametrize("method, path, body, headers", GARBAGE)
def test_garbage_input_is_a_4xx_never_a_500(tenant: Any, anonymous: Api, method: str, path: str,
                                             body: Any, headers: dict[str, str]) -> None:
    claim = ""
    if "{claim}" in path:
        claim = local_path(claim_link(tenant)["claim_url"]).rsplit("/", 1)[1]
    path = path.format(bid=tenant.business_id, claim=claim)
    reply = anonymous.call(method, path, body, headers=headers)
    assert 400 <= reply.status < 500 or (path == "/files" and reply.status == 401), (reply.status, reply.body[:300])
    again = anonymous.call(method, path, body, headers={**headers, **JSON})
    assert 400 <= again.status < 500, (again.status, again.body[:300])
    if again.headers.get("Content-Type", "").startswith("application/json"):
        assert again.json["error"]["message"]


@pytest.mark.parametrize("path", [
    "/api/v1/resources/{rid}/access-log?cursor=garbage",
    "/api/v1/resources/{rid}/access-log?format=csv&cursor=eyJwayI6IHsiUyI6ICJ4In19",
    "/api/v1/resources/{rid}/access-log?limit=0",
    "/api/v1/clients/{cid}/access-log?cursor=%00",
    "/api/v1/invoices/{iid}/access-log?limit=999999999",
    "/api/v1/resources/{rid}/grants/explode",
])
def test_staff_garbage_is_a_4xx(tenant: Any, path: str) -> None:
    rid = tenant.file()
    path = path.format(rid=rid, cid=tenant.client_id(), iid=tenant.invoice()["id"])
    reply = tenant.api.call("POST" if path.endswith("explode") else "GET", path)
    assert 400 <= reply.status < 500 and reply.error["message"], (reply.status, reply.body[:300])
