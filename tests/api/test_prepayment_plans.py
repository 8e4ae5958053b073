"""Repeating pre-payments the client and staff can stop, that pause (and tell the client) when
they cannot be charged, and that the client resumes from the next date, never catching up."""
from __future__ import annotations

import threading
import time as clock_time
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from tests.conftest import Api, Outbox, QueueWorker, Tenant
from tests.support.cards import FakeStripeCards, stripe_cards  # noqa: F401 (fixture)
from tests.support.client_flows import FORM, JSON
from tests.support.payments import post_event, stripe_event, stripe_object
from tests.support.portal import client_with_contact, portal_link

pytestmark = pytest.mark.usefixtures("one_test_per_ip")
START = date(2026, 3, 2)
EMAIL = "pat@plans.test"


@pytest.fixture
def on_start() -> Iterator[None]:
    from chalicelib import clock

    at(START)
    yield
    clock.use(None)


def at(day: date) -> None:
    from chalicelib import clock

    moment = datetime.combine(day, time(9), tzinfo=UTC)
    clock.use(lambda: moment)


def _repeating(tenant: Tenant, anonymous: Api, cards: FakeStripeCards, worker: QueueWorker,
               repeat: str = "weekly", times: int = 4) -> dict[str, Any]:
    """A client whose first payment of a repeating pre-payment landed: the plan is active."""
    from chalicelib.store import cards as store

    settings = {"stripe_enabled": True, "prepayment_enabled": True, "prepayment_minimum": 2000}
    assert tenant.api.patch("/api/v1/business", settings).status == 200
    client_id, contact_id = client_with_contact(tenant, email=EMAIL)
    path = portal_link(tenant, client_id, contact_id)
    body = f"amount_text=25&repeat={repeat}&times={times}"
    assert anonymous.call("POST", f"{path}/pre-payment", body, headers=FORM).status == 303
    [first] = cards.made("post", "/v1/checkout/sessions")[-1:]
    cards.save_card(first["params"]["customer"])
    [prepayment] = [i for i in store.client_collection(tenant.business_id, client_id) if isinstance(i, store.Prepayment)]
    ids = {"business_id": tenant.business_id, "client_id": client_id, "prepay_id": prepayment.prepay_id,
           "purpose": "prepayment", "plan_id": str(prepayment.plan_id)}
    session = stripe_object("checkout.session.completed", id=first["params"].get("id", "cs_test_1"),
                            amount_total=2500, currency="eur", payment_intent="pi_first", metadata=ids)
    session["id"] = prepayment.session_id
    assert post_event(anonymous, stripe_event("checkout.session.completed", session)).status == 200
    worker.drain()
    plan = store.get_plan(tenant.business_id, client_id, str(prepayment.plan_id))
    assert plan is not None and plan.status == "active"
    return {"client_id": client_id, "contact_id": contact_id, "path": path, "plan_id": plan.plan_id}


def _plan(tenant: Tenant, setup: dict[str, Any]) -> Any:
    from chalicelib.store import cards as store

    return store.get_plan(tenant.business_id, setup["client_id"], setup["plan_id"])


def _charges(cards: FakeStripeCards, setup: dict[str, Any]) -> list[dict[str, Any]]:
    """The off-session charges of this plan (other tests' plans share the scheduler's agenda)."""
    return [c for c in cards.made("post", "/v1/payment_intents") if c["params"].get("metadata[plan_id]") == setup["plan_id"]]


def _tab(anonymous: Api, setup: dict[str, Any]) -> Any:
    return anonymous.get(f"{setup['path']}?tab=pre-payment", headers=JSON).json


def _post(anonymous: Api, setup: dict[str, Any], action: str, plan_id: str | None = None, **headers: str) -> Any:
    url = f"{setup['path']}/pre-payment-plans/{plan_id or setup['plan_id']}/{action}"
    return anonymous.call("POST", url, "", headers={**FORM, **headers})


def _tick(day: date) -> None:
    """The scheduler's hourly run on `day` (its card charges job)."""
    from chalicelib.workers import schedule

    at(day)
    schedule.JOBS["card_charges"](datetime.combine(day, time(9), tzinfo=UTC))


def test_the_tab_shows_each_plan_and_the_client_stops_one_for_good(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        outbox: Outbox, on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    [shown] = _tab(anonymous, setup)["plans"]
    assert (shown["amount"]["display"], shown["frequency"], shown["charges_made"], shown["remaining"],
            shown["next_on"], shown["status"]) == ("€25.00", "weekly", 1, 3, "2026-03-09", "active")
    html = anonymous.get(f"{setup['path']}?tab=pre-payment").text
    assert "€25.00 every week: 1 made, 3 to go, next on 9 Mar 2026" in html and "Stop repeating" in html
    # Another site cannot make the browser stop it; a made-up plan is not there.
    assert _post(anonymous, setup, "stop", Origin="https://evil.example").status == 403
    assert _post(anonymous, setup, "stop", plan_id="0" * 26).status == 404
    assert _plan(tenant, setup).status == "active"
    reply = _post(anonymous, setup, "stop")
    assert reply.status == 303 and reply.headers["Location"].endswith("?tab=pre-payment")
    assert _post(anonymous, setup, "stop").status == 303  # pressed twice: still stopped, nothing else
    _tick(START + timedelta(days=7))
    assert _charges(stripe_cards, setup) == []
    _tick(START + timedelta(days=14))
    assert _charges(stripe_cards, setup) == []
    [shown] = _tab(anonymous, setup)["plans"]
    assert (shown["status"], shown["next_on"], shown["remaining"]) == ("stopped", None, 0)
    html = anonymous.get(f"{setup['path']}?tab=pre-payment").text
    assert "Stopped" in html and "Stop repeating" not in html and "Resume" not in html
    assert _post(anonymous, setup, "resume").status == 409  # final
    assert outbox.to(EMAIL) == []  # the client did it: no email about it


def test_a_removed_contact_cannot_stop_it(tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards,  # noqa: F811
                                          stripe_worker: QueueWorker, on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    removed = tenant.api.delete(f"/api/v1/clients/{setup['client_id']}/contacts/{setup['contact_id']}")
    assert removed.status in (200, 204)
    assert _post(anonymous, setup, "stop").status == 404
    assert _plan(tenant, setup).status == "active"


def test_staff_list_and_stop_a_clients_plan_and_the_client_is_emailed(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        outbox: Outbox, make_tenant: Any, on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    base = f"/api/v1/clients/{setup['client_id']}/prepayment-plans"
    [listed] = tenant.api.get(base).json["items"]
    assert (listed["id"], listed["status"], listed["remaining"], listed["next_on"]) == (
        setup["plan_id"], "active", 3, "2026-03-09")
    other = make_tenant("Other Business")
    assert other.api.get(base).status == 404
    assert other.api.post(f"{base}/{setup['plan_id']}/stop", {}).status == 404
    assert tenant.api.post(f"{base}/{'0' * 26}/stop", {}).status == 404
    assert _plan(tenant, setup).status == "active"
    reply = tenant.api.post(f"{base}/{setup['plan_id']}/stop", {})
    assert reply.status == 200 and (reply.json["status"], reply.json["stopped_by"]) == ("stopped", "staff")
    assert tenant.api.post(f"{base}/{setup['plan_id']}/stop", {}).status == 200  # again: no second email
    [mail] = outbox.to(EMAIL)
    assert mail.subject == "Your repeating pre-payment is stopped"
    assert "Test Business has stopped your repeating pre-payment of €25.00 every week" in mail.text
    assert "?tab=pre-payment" in mail.text
    _tick(START + timedelta(days=7))
    assert _charges(stripe_cards, setup) == []
    assert _tab(anonymous, setup)["plans"][0]["status"] == "stopped"


@pytest.mark.parametrize("turn_off, reason", [
    ({"prepayment_enabled": False}, "Test Business no longer takes pre-payments."),
    ({"stripe_enabled": False}, "Test Business no longer takes card payments online."),
])
def test_turned_off_the_plan_pauses_says_why_and_resumes_from_the_next_date_without_catching_up(
        turn_off: dict[str, bool], reason: str, tenant: Tenant, anonymous: Api,
        stripe_cards: FakeStripeCards, stripe_worker: QueueWorker, outbox: Outbox,  # noqa: F811
        on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    assert tenant.api.patch("/api/v1/business", turn_off).status == 200
    _tick(START + timedelta(days=7))
    _tick(START + timedelta(days=7))
    assert _charges(stripe_cards, setup) == []
    plan = _plan(tenant, setup)
    assert (plan.status, plan.failure_reason, int(plan.charged)) == ("paused", reason, 1)
    [mail] = outbox.to(EMAIL)
    assert mail.subject == "Your repeating pre-payment is paused" and reason in mail.text
    assert "/portal/" in mail.text and "?tab=pre-payment" in mail.text
    # Turned back on three weeks later: the tab says why it is paused and offers Resume.
    assert tenant.api.patch("/api/v1/business", {k: True for k in turn_off}).status == 200
    at(START + timedelta(days=24))
    [shown] = _tab(anonymous, setup)["plans"]
    assert (shown["status"], shown["reason"], shown["next_on"]) == ("paused", reason, None)
    html = anonymous.get(f"{setup['path']}?tab=pre-payment").text
    assert reason in html and "Resume" in html
    assert _post(anonymous, setup, "resume").status == 303
    [shown] = _tab(anonymous, setup)["plans"]
    assert (shown["status"], shown["reason"], shown["next_on"], shown["remaining"]) == (
        "active", None, "2026-03-30", 3)  # the plan's next weekly date; the three missed ones are not charged
    _tick(START + timedelta(days=24))
    assert _charges(stripe_cards, setup) == []
    _tick(START + timedelta(days=28))
    _tick(START + timedelta(days=28))
    [charge] = _charges(stripe_cards, setup)
    assert charge["headers"]["Idempotency-Key"] == f"prepay-{setup['plan_id']}-2"
    assert _plan(tenant, setup).next_on == "2026-04-06"
    assert _post(anonymous, setup, "resume").status == 409  # not paused


def test_without_a_saved_card_the_plan_pauses_and_resumes_only_once_there_is_one(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        outbox: Outbox, on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    customer, pm = _saved_card(tenant, setup)
    assert anonymous.call("POST", f"{setup['path']}/payment-methods/{pm}/remove", "", headers=FORM).status == 303
    _tick(START + timedelta(days=7))
    assert _charges(stripe_cards, setup) == []
    plan = _plan(tenant, setup)
    assert plan.status == "paused" and "no saved card" in plan.failure_reason
    refused = anonymous.call("POST", f"{setup['path']}/pre-payment-plans/{setup['plan_id']}/resume", "",
                             headers={**FORM, **JSON})
    assert refused.status == 409 and "no saved card" in refused.error["message"]
    assert _plan(tenant, setup).status == "paused"
    assert outbox.to(EMAIL)[0].subject == "Your repeating pre-payment is paused"
    # A new card: the plan resumes and the new card is charged on the next date.
    new_card = stripe_cards.save_card(customer, last4="4444")
    assert _post(anonymous, setup, "resume").status == 303
    _tick(START + timedelta(days=14))
    [charge] = _charges(stripe_cards, setup)
    assert charge["params"]["payment_method"] == new_card


def _saved_card(tenant: Tenant, setup: dict[str, Any]) -> tuple[str, str]:
    from chalicelib.services.payments import cards_gateway, customers

    customer = customers.existing_customer(tenant.business_id, setup["client_id"])
    assert customer is not None
    _, default = cards_gateway.cards_of(customer)
    assert default is not None
    return customer, default


def test_a_plan_paused_by_a_declined_card_is_resumed_by_the_client(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        on_start: None) -> None:
    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    stripe_cards.decline_with = "card_declined"
    _tick(START + timedelta(days=7))
    assert _plan(tenant, setup).status == "paused"
    stripe_cards.decline_with = None
    at(START + timedelta(days=8))
    assert _post(anonymous, setup, "resume").status == 303
    assert _tab(anonymous, setup)["plans"][0]["next_on"] == "2026-03-16"
    _tick(START + timedelta(days=14))
    assert [c["headers"]["Idempotency-Key"] for c in _charges(stripe_cards, setup)] == [
        f"prepay-{setup['plan_id']}-2", f"prepay-{setup['plan_id']}-3"]


def _race(load: Any, delay: float) -> dict[str, str]:
    """The scheduler charges the plan while, `delay` seconds in, the client stops it."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.services.payments import plan_controls, prepayment_plans

    go, results = threading.Barrier(2), {}

    def run_charge() -> None:
        go.wait()
        results["charge"] = prepayment_plans.charge_plan(load())

    def run_stop() -> None:
        go.wait()
        clock_time.sleep(delay)
        try:
            plan_controls.stop(load(), "client")
            results["stop"] = "stopped"
        except Conflict:
            results["stop"] = "refused"

    threads = [threading.Thread(target=run_charge), threading.Thread(target=run_stop)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_stop_and_a_charge_at_once_have_one_outcome(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        on_start: None) -> None:
    """Either the charge was sent before "stopped" was stored (the stop then waits: 409), or it is
    never sent; whatever the timing, Stripe is never called for a plan stored as stopped."""
    from chalicelib.store import cards as store

    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker, times=24)
    seen_at_charge: list[str] = []
    original = stripe_cards._intent

    def charge(*args: Any) -> Any:  # a slow Stripe; what is stored while it charges
        seen_at_charge.append(str(_plan(tenant, setup).status))
        clock_time.sleep(0.05)
        seen_at_charge.append(str(_plan(tenant, setup).status))
        return original(*args)

    stripe_cards._intent = charge  # type: ignore[method-assign]
    load = lambda: store.get_plan(tenant.business_id, setup["client_id"], setup["plan_id"])  # noqa: E731
    outcomes = set()
    for delay in (0, 0.005, 0.01, 0.02, 0.04, 0.06, 0.1, 0.2):
        plan = _plan(tenant, setup)
        next_on, before = plan.next_on, len(_charges(stripe_cards, setup))
        results = _race(load, delay)
        charged, final = len(_charges(stripe_cards, setup)) - before, _plan(tenant, setup).status
        outcomes.add((results["charge"], results["stop"], charged, final))
        assert "stopped" not in seen_at_charge
        again = load()
        assert again is not None
        again.update(actions=[store.PrepaymentPlan.status.set("active"), store.PrepaymentPlan.next_on.set(next_on),
                              store.PrepaymentPlan.gsi3pk.set(store.plan_due_pk(str(next_on)))])
    # Only these outcomes, and the timings produced more than one of them.
    assert outcomes <= {("already", "stopped", 0, "stopped"), ("submitted", "refused", 1, "active"),
                        ("submitted", "stopped", 1, "stopped")}, outcomes
    assert len(outcomes) > 1, outcomes


def test_a_plan_whose_charge_is_with_stripe_is_stopped_once_stripe_answers_or_the_run_is_long_dead(
        tenant: Tenant, anonymous: Api, stripe_cards: FakeStripeCards, stripe_worker: QueueWorker,  # noqa: F811
        on_start: None) -> None:
    from chalicelib import clock
    from chalicelib.store import cards as store
    from chalicelib.store.table import iso

    setup = _repeating(tenant, anonymous, stripe_cards, stripe_worker)
    plan = _plan(tenant, setup)
    claimed = iso(datetime.combine(START, time(8, 58), tzinfo=UTC))  # two minutes ago: Stripe is being asked
    plan.update(actions=[store.PrepaymentPlan.status.set("charging"), store.PrepaymentPlan.claimed_at.set(claimed)])
    assert _tab(anonymous, setup)["plans"][0]["status"] == "active"
    refused = _post(anonymous, setup, "stop", **JSON)
    assert refused.status == 409 and "being made right now" in refused.error["message"]
    assert _plan(tenant, setup).status == "charging"
    later = datetime.combine(START, time(9, 20), tzinfo=UTC)
    clock.use(lambda: later)  # the run died: no answer after 20 minutes
    assert _post(anonymous, setup, "stop").status == 303
    assert _plan(tenant, setup).status == "stopped"
