"""Claim links, client sign-in by one-time email link, the session cookie and the Files page."""
from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tests.conftest import Api, local_path
from tests.support.client_flows import (
    FORM,
    JSON,
    attach,
    claim,
    claim_link,
    new_client,
    post_form,
    session_cookie,
    sign_in_link,
    signed_in,
)


def test_the_claim_url_shows_the_resource_until_claimed_then_only_already_claimed(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    page = anonymous.get(path)
    assert page.status == 200 and "License" in page.text and "license.txt" in page.text
    assert "Claim with my email" in page.text
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]

    done = claim(anonymous, outbox, path, "buyer@example.test")
    assert done.status == 303 and done.headers["Location"].endswith("/files?claimed=1")
    later = anonymous.get(path)
    assert "Already claimed" in later.text
    assert "License" not in later.text and "license.txt" not in later.text
    # The one form left is the dead end's next step, which names no business and no file.
    assert later.text.count("<form") == 1 and 'action="/fresh-link"' in later.text and 'name="business_id"' not in later.text
    assert anonymous.get(path, headers=JSON).json == {"claimed": True}


def test_the_claimer_is_signed_in_and_finds_the_file_in_their_files_for_good(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant, content=b"the claimed bytes")
    done = claim(anonymous, outbox, local_path(offered["claim_url"]), "buyer@example.test")
    cookie = session_cookie(done)
    attributes = done.headers["Set-Cookie"].lower()
    assert "httponly" in attributes and "samesite=lax" in attributes and "max-age=2592000" in attributes
    files = anonymous.get("/files?claimed=1", headers={"Cookie": cookie})
    assert files.status == 200 and "License" in files.text and "it is yours now" in files.text
    download = anonymous.get(local_path(offered["grant"]["download_url"]), headers={"Cookie": cookie})
    assert download.status == 302
    assert requests.get(download.headers["Location"], timeout=10).content == b"the claimed bytes"
    # Staff see who holds it now: a contact (created for the new address) of the claim's client.
    [grant] = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants").json["items"]
    assert grant["state"] == "available" and grant["reason"] == "claimed" and grant["claimed_by"]
    log = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/access-log").json["items"]
    assert [e["action"] for e in log][:2] == ["download", "claim"]
    assert log[0]["actor"] == f"contact:{grant['claimed_by']}"


def test_a_second_claimer_with_a_verified_address_is_told_it_is_already_claimed(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    assert post_form(anonymous, path, {"email": "first@example.test"}).status == 202
    assert post_form(anonymous, path, {"email": "second@example.test"}).status == 202
    first, second = sign_in_link(outbox, "first@example.test"), sign_in_link(outbox, "second@example.test")
    assert anonymous.call("POST", first, "").status == 303
    late = anonymous.call("POST", second, "")
    assert late.status == 409 and "Already claimed" in late.text and "Set-Cookie" not in late.headers
    assert post_form(anonymous, path, {"email": "third@example.test"}).status == 409
    assert outbox.to("third@example.test") == []


def test_two_concurrent_claims_exactly_one_wins(tenant: Any, anonymous: Api, outbox: Any) -> None:
    offered = claim_link(tenant)
    path = local_path(offered["claim_url"])
    addresses = [f"racer{i}@example.test" for i in range(4)]
    for address in addresses:
        assert post_form(anonymous, path, {"email": address}).status == 202
    links = [sign_in_link(outbox, a) for a in addresses]
    statuses: list[int] = []
    barrier = threading.Barrier(len(links))

    def claim(link: str) -> None:
        barrier.wait()
        statuses.append(anonymous.call("POST", link, "").status)

    threads = [threading.Thread(target=claim, args=(link,)) for link in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 409, 409, 409]
    grants = tenant.api.get(f"/api/v1/resources/{offered['resource_id']}/grants").json["items"]
    assert len(grants) == 1 and grants[0]["reason"] == "claimed"
    assert [h["reason"] for h in grants[0]["history"]] == ["attached", "claimed"]


def test_a_sign_in_link_works_once_and_expires_after_15_minutes(tenant: Any, anonymous: Api, outbox: Any) -> None:
    from chalicelib.store import tokens

    tenant.client_id()  # its contact is ada@acme.test
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ADA@acme.test"}).status == 202
    link = sign_in_link(outbox, "ada@acme.test")
    confirm = anonymous.get(link)
    assert confirm.status == 200 and "<form" in confirm.text  # a button: scanners that GET links use nothing up
    assert anonymous.get(link).status == 200
    used = anonymous.call("POST", link, "")
    assert used.status == 303 and used.headers["Location"].endswith("/files")
    again = anonymous.call("POST", link, "")
    assert again.status == 404 and "expired or was already used" in again.text
    # The token is stored only as its hash, with a 15-minute expiry the app checks itself.
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    token = sign_in_link(outbox, "ada@acme.test").rsplit("/", 1)[1]
    item = tokens.Token.get(tokens.token_pk(token), "TOKEN")
    assert token not in item.target_id and item.expires_at is not None
    item.update(actions=[tokens.Token.expires_at.set(item.expires_at.replace(year=2020))])
    assert anonymous.call("POST", f"/signin/confirm/{token}", "").status == 404


def test_signing_in_answers_the_same_for_unknown_addresses_and_sends_nothing(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    known = post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "nobody@example.test"})
    assert known.status == 202 and "If nobody@example.test is an address we know" in known.text
    assert outbox.messages() == []


@pytest.mark.usefixtures("frozen_clock")
def test_sign_in_requests_are_rate_limited_per_address(tenant: Any, anonymous: Api, outbox: Any) -> None:
    tenant.client_id()
    path = f"/signin/{tenant.business_id}"
    replies = [post_form(anonymous, path, {"email": "ada@acme.test"}, Accept="application/json") for _ in range(6)]
    assert [r.status for r in replies] == [202] * 5 + [429]
    assert int(replies[-1].headers["Retry-After"]) > 0
    assert len(outbox.to("ada@acme.test")) == 5


@pytest.mark.usefixtures("frozen_clock")
def test_sign_in_requests_are_rate_limited_per_ip(tenant: Any, anonymous: Api, outbox: Any, monkeypatch: Any) -> None:
    from chalicelib.services.identity import client_sign_in

    monkeypatch.setattr(client_sign_in, "PER_IP", 3)
    path = f"/signin/{tenant.business_id}"
    statuses = [post_form(anonymous, path, {"email": f"someone{i}@example.test"}).status for i in range(4)]
    assert statuses == [202, 202, 202, 429]


@pytest.mark.parametrize("body, headers", [
    ("email=not-an-address", FORM),
    ("email=a@b.test&email=c@d.test", FORM),
    ("email=a@b.test&admin=1", FORM),
    ("%ff%fe=1", FORM),
    ('{"email": 5}', {"Content-Type": "application/json"}),
    ("email=a@b.test", {"Content-Type": "text/plain"}),
])
def test_bad_sign_in_input_is_refused_and_sends_nothing(
        tenant: Any, anonymous: Api, outbox: Any, body: str, headers: dict[str, str]) -> None:
    reply = anonymous.call("POST", f"/signin/{tenant.business_id}", body, headers={**headers, **JSON})
    assert reply.status in (400, 415) and reply.json["error"]["message"]
    assert outbox.messages() == []


def test_the_files_page_needs_a_valid_session_cookie(tenant: Any, anonymous: Api) -> None:
    assert anonymous.get("/files").status == 401
    for forged in ("paydrop_session=abc", "paydrop_session=eyJhbGciOiJub25lIn0.eyJiaWQiOiJ4In0."):
        assert anonymous.get("/files", headers={"Cookie": forged}).status == 401
    assert anonymous.get(f"/signin/{'x' * 65}").status == 404


def test_files_page_lists_available_files_of_the_contacts_client_searchable_by_tag(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    client_id = tenant.client_id("Tagged Ltd")
    for title, tags, policy in [("Logo pack", ["brand"], "visible"), ("Invoice copy", ["finance"], "visible"),
                                ("Unreleased cut", ["brand"], "manual")]:
        rid = tenant.file(title.encode(), "f.pdf", title=title, tags=tags)
        assert tenant.api.post(f"/api/v1/resources/{rid}/attachments",
                               {"target_type": "client", "target_id": client_id, "policy": policy}).status == 201
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    cookie = session_cookie(anonymous.call("POST", sign_in_link(outbox, "ada@acme.test"), ""))
    page = anonymous.get("/files", headers={"Cookie": cookie}).text
    assert "Logo pack" in page and "Invoice copy" in page and "Unreleased cut" not in page
    brand = anonymous.get("/files?tag=brand", headers={"Cookie": cookie}).text
    assert "Logo pack" in brand and "Invoice copy" not in brand
    search = anonymous.get("/files?q=invoice", headers={"Cookie": cookie}).text
    assert "Invoice copy" in search and "Logo pack" not in search
    signed_out = anonymous.call("POST", "/signout", "", headers={"Cookie": cookie})
    assert signed_out.status == 303 and "Max-Age=0" in signed_out.headers["Set-Cookie"]


def test_an_invoice_page_leads_to_sign_in_without_showing_the_business_id(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    invoice = tenant.invoice()
    tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {"resource_id": tenant.file(), "policy": "visible"})
    page = local_path(tenant.share(invoice["id"]))
    html = anonymous.get(page).text
    assert tenant.business_id not in html
    link = page + "/signin"
    assert f'href="https://pay.example.test{link}"' in html
    form = anonymous.get(link)
    assert form.status == 200 and "Email me a sign-in link" in form.text
    assert post_form(anonymous, link, {"email": "ada@acme.test"}).status == 202
    assert len(outbox.to("ada@acme.test")) == 1
    assert anonymous.get("/invoice/" + "x" * 43 + "/signin").status == 404


def test_the_files_page_costs_two_dynamodb_reads(
        tenant: Any, anonymous: Api, outbox: Any, dynamodb_calls: list[str]) -> None:
    client_id = tenant.client_id("Counted Ltd")
    for i in range(5):
        rid = tenant.file(f"file {i}".encode(), f"f{i}.pdf", title=f"File {i}", tags=[f"t{i}"])
        tenant.api.post(f"/api/v1/resources/{rid}/attachments",
                        {"target_type": "client", "target_id": client_id, "policy": "visible"})
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    cookie = session_cookie(anonymous.call("POST", sign_in_link(outbox, "ada@acme.test"), ""))
    dynamodb_calls.clear()
    page = anonymous.get("/files", headers={"Cookie": cookie})
    assert page.text.count('class="button" href=') == 5
    assert dynamodb_calls == ["Query", "BatchGetItem"]




def test_claiming_a_link_does_not_open_the_rest_of_the_clients_files(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    """Holding ONE claim link must not make a stranger a contact who sees ALL of the client's files."""
    acme = new_client(tenant, "Acme Secret Co", "boss@acme-secret.test")
    secret = tenant.file(b"board minutes", "minutes.pdf", title="Board minutes")
    attach(tenant, secret, "client", acme["client_id"], "visible")
    offered = claim_link(tenant, acme["client_id"])
    done = claim(anonymous, outbox, local_path(offered["claim_url"]), "stranger@evil.test")
    assert done.status == 303
    page = anonymous.get("/files", headers={"Cookie": session_cookie(done)})
    assert page.status == 200 and "License" in page.text
    assert "Board minutes" not in page.text, "a claimer was handed every file of the claim's client"


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


def test_another_contact_of_the_same_client_does_not_see_a_claimed_file(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    client = new_client(tenant, "Two Heads", "first@twoheads.test")
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
