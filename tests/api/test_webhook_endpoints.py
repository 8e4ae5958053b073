"""Webhook endpoints through the staff API: register (https, public hosts), the secret shown once,
events delivered signed, deliveries listed with their responses, resend, rotation, isolation."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.webhooks import verify
from chalicelib.services.developer import events
from tests.conftest import Tenant
from tests.support.webhooks import Receiver

BASE = "/api/v1/webhook-endpoints"


def register(tenant: Tenant, url: str, events_: list[str] | None = None) -> dict[str, Any]:
    reply = tenant.api.post(BASE, {"url": url, "events": events_ or ["invoice.sent", "invoice.paid"]})
    assert reply.status == 201, reply.body
    return reply.json  # type: ignore[no-any-return]


def test_an_endpoint_shows_its_secret_once(tenant: Tenant) -> None:
    made = register(tenant, "https://hooks.example.com/paydrop")
    assert made["secret"].startswith("whsec_") and made["events"] == ["invoice.paid", "invoice.sent"]
    listed = tenant.api.get(BASE).json
    assert [e["endpoint_id"] for e in listed["items"]] == [made["endpoint_id"]]
    assert "secret" not in listed["items"][0] and "invoice.paid" in listed["event_types"]
    assert "secret" not in tenant.api.get(f"{BASE}/{made['endpoint_id']}").json


def test_private_hosts_plain_http_and_unknown_events_are_refused(tenant: Tenant) -> None:
    for url in ("http://hooks.example.com/x", "https://127.0.0.1/x", "https://169.254.169.254/x",
                "https://db.internal/x"):
        reply = tenant.api.post(BASE, {"url": url, "events": ["invoice.paid"]})
        assert reply.status == 400 and reply.error["field"] == "url", url
    reply = tenant.api.post(BASE, {"url": "https://hooks.example.com/x", "events": ["invoice.deleted"]})
    assert reply.status == 400 and "events" in (reply.error["field"] or "")
    assert tenant.api.get(BASE).json["items"] == []


def test_sending_an_invoice_delivers_invoice_sent_signed(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    secret = register(tenant, receiver.url)["secret"]
    invoice = tenant.invoice()
    webhooks_worker.drain()
    [got] = receiver.received
    event = json.loads(got.body)
    assert event["type"] == "invoice.sent" and event["data"]["id"] == invoice["id"]
    assert event["id"].startswith("evt_") and got.headers["Idempotency-Key"] == event["id"]
    from chalicelib import clock
    assert verify(got.headers["Paydrop-Signature"], got.body, secret, clock.now())


def test_deliveries_are_listed_with_responses_and_can_be_resent(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    endpoint_id = register(tenant, receiver.url)["endpoint_id"]
    receiver.status, receiver.reply = 500, b"receiver is down"
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    webhooks_worker.drain()
    [delivery] = tenant.api.get(f"{BASE}/{endpoint_id}/deliveries").json["items"]
    assert delivery["status"] == "pending" and delivery["next_attempt_at"]
    assert [(a["status_code"], a["response"]) for a in delivery["attempts"]] == [(500, "receiver is down")]
    receiver.status = 200
    reply = tenant.api.post(f"{BASE}/{endpoint_id}/deliveries/{delivery['delivery_id']}/resend")
    assert reply.status == 202, reply.body
    webhooks_worker.drain()
    [delivery] = tenant.api.get(f"{BASE}/{endpoint_id}/deliveries").json["items"]
    assert delivery["status"] == "succeeded" and [a["status_code"] for a in delivery["attempts"]] == [500, 200]


def test_rotating_the_secret_signs_with_both_for_a_day(
        tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    made = register(tenant, receiver.url)
    rotated = tenant.api.post(f"{BASE}/{made['endpoint_id']}/rotate-secret")
    assert rotated.status == 200 and rotated.json["secret"] != made["secret"]
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    webhooks_worker.drain()
    [got] = receiver.received
    from chalicelib import clock
    for secret in (made["secret"], rotated.json["secret"]):
        assert verify(got.headers["Paydrop-Signature"], got.body, secret, clock.now())


def test_a_paused_or_removed_endpoint_gets_nothing(tenant: Tenant, receiver: Receiver, webhooks_worker: Any) -> None:
    endpoint_id = register(tenant, receiver.url)["endpoint_id"]
    assert tenant.api.patch(f"{BASE}/{endpoint_id}", {"enabled": False}).json["enabled"] is False
    events.emit(tenant.business_id, "invoice.paid", {"invoice_id": "inv1"})
    assert tenant.api.delete(f"{BASE}/{endpoint_id}").status == 200
    webhooks_worker.drain()
    assert receiver.received == []
    assert tenant.api.get(f"{BASE}/{endpoint_id}").status == 404


def test_another_business_sees_none_of_it(tenant: Tenant, make_tenant: Any, receiver: Receiver) -> None:
    endpoint_id = register(tenant, receiver.url)["endpoint_id"]
    other = make_tenant("Other")
    assert other.api.get(f"{BASE}/{endpoint_id}").status == 404
    assert other.api.get(f"{BASE}/{endpoint_id}/deliveries").status == 404
    assert other.api.post(f"{BASE}/{endpoint_id}/rotate-secret").status == 404
    assert other.api.delete(f"{BASE}/{endpoint_id}").status == 404
    assert other.api.get(BASE).json["items"] == []


def test_a_staff_member_without_business_rights_cannot_manage_endpoints(tenant: Tenant, member_of: Any) -> None:
    staff = member_of(tenant, "staff")
    assert staff.post(BASE, {"url": "https://hooks.example.com/x", "events": ["invoice.paid"]}).status == 403


def test_an_endpoint_with_an_impossible_port_is_refused_when_registered_or_changed(tenant: Tenant) -> None:
    """Such a URL can never be called: it used to be accepted, and each delivery then crashed the
    worker after claiming its attempt, leaving it "pending" for ever with no attempt listed."""
    for url in ("https://hooks.example.com:99999/in", "https://hooks.example.com:http/in",
                "https://hooks.example.com:0/in"):
        reply = tenant.api.post(BASE, {"url": url, "events": ["invoice.paid"]})
        assert reply.status == 400 and reply.error["field"] == "url", (url, reply.body)
    assert tenant.api.get(BASE).json["items"] == []
    made = register(tenant, "https://hooks.example.com:8443/in")
    reply = tenant.api.patch(f"{BASE}/{made['endpoint_id']}", {"url": "https://hooks.example.com:70000/in"})
    assert reply.status == 400 and reply.error["field"] == "url"
    assert tenant.api.get(f"{BASE}/{made['endpoint_id']}").json["url"] == "https://hooks.example.com:8443/in"
