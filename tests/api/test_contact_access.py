"""Ending a contact's access: removing a contact or changing its address ends its portal link,
its sessions and its pending sign-in links at the next request, on every route family; sign-out
ends every session of the contact ("sign out everywhere"), and a replayed cookie is signed out."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Api, local_path
from tests.support.client_flows import FORM, JSON, claim, claim_link, post_form, session_cookie, sign_in_link, signed_in

ADDRESS = "pat@portal.test"


@pytest.fixture(autouse=True)
def _offline_payments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pay works locally through the offline checkout; many pay clicks from one test IP are fine."""
    from chalicelib.config import reset_settings
    from chalicelib.services.payments import checkout, stripe_gateway

    monkeypatch.setattr(checkout, "PER_IP", 10_000)
    monkeypatch.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    reset_settings()
    stripe_gateway.reset_client()


@pytest.fixture
def portal_client(tenant: Any) -> dict[str, Any]:
    """A client with one contact, a sent invoice, a visible file, and the contact's portal link."""
    tenant.api.patch("/api/v1/business", {"stripe_enabled": True})
    made = tenant.api.post("/api/v1/clients", {"name": "Portal Co", "contacts": [{"name": "Pat", "email": ADDRESS}]}).json
    client_id, contact_id = made["client_id"], made["contacts"][0]["contact_id"]
    invoice = tenant.api.post("/api/v1/invoices", {"client_id": client_id,
                                                   "lines": [{"description": "Work", "unit_price": 10000}]}).json
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/send").status == 200
    link = tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").json["url"]
    return {"tenant": tenant, "client_id": client_id, "contact_id": contact_id, "invoice_id": invoice["id"],
            "portal": local_path(link), "contact_path": f"/api/v1/clients/{client_id}/contacts/{contact_id}"}


def _remove(made: dict[str, Any]) -> None:
    assert made["tenant"].api.delete(made["contact_path"]).status == 200


def _readdress(made: dict[str, Any]) -> None:
    reply = made["tenant"].api.patch(made["contact_path"], {"email": "pat.new@portal.test"})
    assert reply.status == 200 and reply.json["email"] == "pat.new@portal.test"


ENDINGS: dict[str, Callable[[dict[str, Any]], None]] = {"removed": _remove, "new address": _readdress}


def _portal_routes(anonymous: Api, base: str, invoice_id: str, cookie: str | None = None) -> dict[str, int]:
    """What each portal route family answers: page, invoice page, PDF, Pay."""
    headers = {"Cookie": cookie} if cookie else {}
    return {
        "portal": anonymous.get(f"{base}?tab=invoices", headers=headers).status,
        "invoice page": anonymous.get(f"{base}/invoices/{invoice_id}", headers=headers).status,
        "pdf": anonymous.get(f"{base}/invoices/{invoice_id}/pdf", headers=headers).status,
        "pay": anonymous.call("POST", f"{base}/invoices/{invoice_id}/pay", "", headers={**FORM, **headers}).status,
    }


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_portal_link_stops_working_on_every_route_at_once(
        portal_client: dict[str, Any], anonymous: Api, ending: str) -> None:
    from chalicelib.store import tokens

    base = portal_client["portal"]
    before = _portal_routes(anonymous, base, portal_client["invoice_id"])
    assert before == {"portal": 200, "invoice page": 200, "pdf": 302, "pay": 303}
    ENDINGS[ending](portal_client)
    after = _portal_routes(anonymous, base, portal_client["invoice_id"])
    assert after == {"portal": 404, "invoice page": 404, "pdf": 404, "pay": 404}
    assert "This portal link is not valid" in anonymous.get(base).text
    assert tokens.find_token(base.rsplit("/", 1)[1], tokens.PORTAL) is None  # the token item is gone too


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_signed_in_session_ends_on_every_route_at_once(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any, ending: str) -> None:
    cookie = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)
    invoice_id = portal_client["invoice_id"]
    assert _portal_routes(anonymous, "/portal/me", invoice_id, cookie) == {
        "portal": 200, "invoice page": 200, "pdf": 302, "pay": 303}
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 200
    ENDINGS[ending](portal_client)
    assert _portal_routes(anonymous, "/portal/me", invoice_id, cookie) == {
        "portal": 404, "invoice page": 404, "pdf": 404, "pay": 404}
    files = anonymous.get("/files", headers={"Cookie": cookie})
    assert files.status == 401 and "Sign in" in files.text
    assert "signed out" in anonymous.get("/portal/me", headers={"Cookie": cookie}).text


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_pending_sign_in_link_dies_with_the_contact(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any, ending: str) -> None:
    tenant = portal_client["tenant"]
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": ADDRESS}).status == 202
    link = sign_in_link(outbox, ADDRESS)
    assert anonymous.get(link).status == 200
    ENDINGS[ending](portal_client)
    assert anonymous.get(link).status == 404
    used = anonymous.call("POST", link, "")
    assert used.status == 404 and "Set-Cookie" not in used.headers


def test_a_removed_claimers_file_link_and_files_page_stop_and_the_claim_stays_closed(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    from chalicelib.store.access_log import entries_for_resource

    tenant = portal_client["tenant"]
    offered = claim_link(tenant, portal_client["client_id"], content=b"claimed bytes")
    claim_path, download = local_path(offered["claim_url"]), local_path(offered["grant"]["download_url"])
    cookie = session_cookie(claim(anonymous, outbox, claim_path, ADDRESS))  # Pat is the claimer
    assert "License" in anonymous.get("/files", headers={"Cookie": cookie}).text
    assert anonymous.get(download, headers={"Cookie": cookie}).status == 302
    assert anonymous.get(download, headers={"User-Agent": "someone Pat forwarded it to"}).status == 302
    _remove(portal_client)
    assert anonymous.get(download, headers={"Cookie": cookie}).status == 404
    assert anonymous.get(download, headers={"User-Agent": "someone Pat forwarded it to"}).status == 404
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 401
    # The claim is not reopened for someone else by the removal.
    assert anonymous.get(claim_path, headers=JSON).json == {"claimed": True}
    entries, _ = entries_for_resource(tenant.business_id, offered["resource_id"], 10, None)
    assert [e.result for e in entries if e.action == "download"][:2] == ["claimer_removed", "claimer_removed"]


def test_a_removed_contacts_session_no_longer_names_them_on_shared_downloads(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    """A client's file link is the grant's (every contact and the invoice page hold it); an
    ended session downloading with it is logged as the link, never as the removed contact."""
    from chalicelib.store.access_log import entries_for_resource

    tenant = portal_client["tenant"]
    rid = tenant.file(title="Brief")
    grant = tenant.api.post(f"/api/v1/resources/{rid}/attachments", {
        "target_type": "client", "target_id": portal_client["client_id"], "policy": "visible"}).json["grants"][0]
    cookie = signed_in(tenant, anonymous, outbox, ADDRESS)
    anonymous.get(local_path(grant["download_url"]), headers={"Cookie": cookie})
    _remove(portal_client)
    anonymous.get(local_path(grant["download_url"]), headers={"Cookie": cookie, "User-Agent": "later"})
    entries, _ = entries_for_resource(tenant.business_id, rid, 10, None)
    assert [e.actor for e in entries] == ["link", f"contact:{portal_client['contact_id']}"]  # newest first


def test_a_request_in_flight_when_the_contact_is_removed_is_the_last_one(
        portal_client: dict[str, Any], anonymous: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services.identity import contact_access

    real_read = contact_access.read
    removed: list[bool] = []

    def read_then_remove(*args: Any, **kwargs: Any) -> Any:
        found = real_read(*args, **kwargs)
        if not removed:  # staff remove the contact just after this request checked it
            removed.append(True)
            _remove(portal_client)
        return found

    monkeypatch.setattr(contact_access, "read", read_then_remove)
    base, invoice_id = portal_client["portal"], portal_client["invoice_id"]
    assert anonymous.get(f"{base}/invoices/{invoice_id}").status == 200  # the in-flight one
    assert removed
    assert anonymous.get(f"{base}/invoices/{invoice_id}").status == 404
    assert anonymous.get(base).status == 404


def test_a_new_link_minted_after_an_address_change_works_and_the_old_one_does_not(
        portal_client: dict[str, Any], anonymous: Api) -> None:
    _readdress(portal_client)
    fresh = local_path(portal_client["tenant"].api.post(f"{portal_client['contact_path']}/portal").json["url"])
    assert fresh != portal_client["portal"]
    assert anonymous.get(fresh).status == 200 and anonymous.get(portal_client["portal"]).status == 404


def test_editing_a_contact_without_changing_the_address_keeps_their_access(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    cookie = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)
    tenant = portal_client["tenant"]
    assert tenant.api.patch(portal_client["contact_path"], {"name": "Patricia", "email": "PAT@portal.test"}).status == 200
    assert anonymous.get(portal_client["portal"]).status == 200
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 200


# --- sign-out ends every session ----------------------------------------------------------


def test_after_sign_out_the_old_cookie_replayed_is_signed_out(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    cookie = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)
    out = anonymous.call("POST", "/signout", "", headers={**FORM, "Cookie": cookie})
    assert out.status == 303 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 401
    assert anonymous.get("/portal/me", headers={"Cookie": cookie}).status == 404
    again = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)  # signing in again works
    assert anonymous.get("/files", headers={"Cookie": again}).status == 200


def test_sign_out_everywhere_from_the_portal_ends_the_other_devices_too(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    tenant = portal_client["tenant"]
    phone = signed_in(tenant, anonymous, outbox, ADDRESS)
    laptop = signed_in(tenant, anonymous, outbox, ADDRESS)
    page = anonymous.get("/portal/me", headers={"Cookie": laptop}).text
    # A plain form (no script) posting to the sign-out route.
    assert '<form method="post" action="https://pay.example.test/signout">' in page and "Sign out everywhere" in page
    assert "Sign out everywhere" not in anonymous.get(portal_client["portal"]).text  # a link is not a session
    assert anonymous.call("POST", "/signout", "", headers={**FORM, "Cookie": laptop}).status == 303
    for cookie in (phone, laptop):
        assert anonymous.get("/files", headers={"Cookie": cookie}).status == 401
        assert anonymous.get("/portal/me?tab=invoices", headers={**JSON, "Cookie": cookie}).status == 404
    assert anonymous.get(portal_client["portal"]).status == 200  # the portal link is not a session


def test_a_cross_site_sign_out_is_refused_and_ends_nothing(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    cookie = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)
    forced = anonymous.call("POST", "/signout", "", headers={**FORM, "Cookie": cookie, "Sec-Fetch-Site": "cross-site"})
    assert forced.status == 403 and "only be sent from this site" in forced.text
    assert anonymous.get("/files", headers={"Cookie": cookie}).status == 200


def test_signing_out_without_a_session_or_with_garbage_just_clears_the_cookie(anonymous: Api) -> None:
    for cookie in ("", "paydrop_session=not-a-jwt"):
        out = anonymous.call("POST", "/signout", "", headers={**FORM, "Cookie": cookie})
        assert out.status == 303 and "Max-Age=0" in out.headers["Set-Cookie"]


# --- the read budget is kept ----------------------------------------------------------------


def test_checking_the_contact_costs_no_extra_call(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any, dynamodb_calls: list[str]) -> None:
    cookie = signed_in(portal_client["tenant"], anonymous, outbox, ADDRESS)
    base, invoice_id = portal_client["portal"], portal_client["invoice_id"]
    seen: dict[str, list[str]] = {}
    for name, path, headers in [
        ("link tab", f"{base}?tab=invoices", {}),
        ("link invoice", f"{base}/invoices/{invoice_id}", {}),
        ("session tab", "/portal/me?tab=payments", {"Cookie": cookie}),
        ("session invoice", f"/portal/me/invoices/{invoice_id}", {"Cookie": cookie}),
        ("files page", "/files", {"Cookie": cookie}),
    ]:
        dynamodb_calls.clear()
        assert anonymous.get(path, headers=headers).status == 200, name
        seen[name] = list(dynamodb_calls)
    # token; business + contact + client (its locale); the list; the client's grants (files listed with invoices)
    assert seen["link tab"] == ["GetItem", "BatchGetItem", "Query", "Query"]
    assert seen["link invoice"] == ["GetItem", "BatchGetItem", "Query"]
    assert seen["session tab"] == ["BatchGetItem", "Query"]
    assert seen["session invoice"] == ["BatchGetItem", "Query"]
    assert seen["files page"] == ["Query", "BatchGetItem"]


def test_sign_out_everywhere_also_ends_a_sign_in_link_sent_before_it(
        portal_client: dict[str, Any], anonymous: Api, outbox: Any) -> None:
    tenant = portal_client["tenant"]
    cookie = signed_in(tenant, anonymous, outbox, ADDRESS)
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": ADDRESS}).status == 202
    pending = sign_in_link(outbox, ADDRESS)
    assert anonymous.call("POST", "/signout", "", headers={**FORM, "Cookie": cookie}).status == 303
    assert anonymous.call("POST", pending, "").status == 404
