"""Unlock after payment, proved against a model (run by tests/services/delivery/test_unlock_model_*.py).

A hypothesis state machine drives one invoice through random interleavings of what happens to
it in real life — Stripe payments (full and partial), refunds (full and partial, cumulative as
Stripe reports them, sometimes out of order), disputes (inquiry, open, won, lost), manual
payments, cancellation, staff release/lock/revoke/follow-payment and new file versions —
through the same service calls the API and the payments worker make. After every step it
compares the invoice's figures and every grant's state (and what a download answers) with
`Model`, a small reference written here from the rules in docs/ACCESS.md, not from the code.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.conftest import PUBLIC_BASE_URL, Tenant

TOTAL = 10_000  # 100.00 EUR
EXAMPLES = 500  # in all; each of the two test modules runs half, so both xdist workers share them
RULES = ("keep", "revoke_on_full_refund", "revoke_on_any_refund")
_ids = itertools.count(1)


# --- the reference model -----------------------------------------------------------------


@dataclass
class ModelGrant:
    rule: str
    state: str = "locked"
    by_staff: bool = False


@dataclass
class Model:
    """The rules, restated simply: money received counts toward the total (a lost dispute takes
    its payment back; open, won and inquiry disputes take nothing); refunds never make the client
    owe again, they return an overpayment first; a payment-controlled grant is open while the
    invoice is paid in full and its refund rule lets the sale stand, else it stays locked if it
    never opened and is revoked if it did; staff decisions stick until staff hand them back."""

    stripe: dict[str, int] = field(default_factory=dict)  # payment intent → amount
    refunds: dict[str, int] = field(default_factory=dict)  # payment intent → largest cumulative refund seen
    disputes: dict[str, str] = field(default_factory=dict)  # payment intent → open | inquiry | won | lost
    manual: int = 0
    cancelled: bool = False
    grants: list[ModelGrant] = field(default_factory=list)

    def received(self) -> int:
        lost = sum(self.stripe[pi] for pi, status in self.disputes.items() if status == "lost")
        return sum(self.stripe.values()) + self.manual - lost

    def paid(self) -> int:
        return max(0, min(TOTAL, self.received()))

    def refunded(self) -> int:
        excess = max(0, self.received() - TOTAL)
        return min(self.paid(), max(0, sum(self.refunds.values()) - excess))

    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        return "paid" if self.paid() >= TOTAL else "partial" if self.paid() > 0 else "sent"

    def balance(self) -> int:
        return TOTAL - self.paid()

    def payment_opens(self, rule: str) -> bool:
        if self.status() != "paid":
            return False
        if rule == "keep" or self.refunded() == 0:
            return True
        return rule == "revoke_on_full_refund" and self.refunded() < self.paid()

    def follow_payment(self, grant: ModelGrant) -> None:
        if grant.by_staff:
            return
        if self.payment_opens(grant.rule):
            grant.state = "available"
        elif grant.state != "locked":
            grant.state = "revoked"

    def settle(self) -> None:
        for grant in self.grants:
            self.follow_payment(grant)


# --- the machine ---------------------------------------------------------------------------


@dataclass
class World:
    """What every example shares: one business and one client."""

    tenant: Tenant
    anonymous: Any
    client_id: str


def _new_version(world: World, resource_id: str) -> None:
    api = world.tenant.api
    content = f"version {next(_ids)}".encode()
    plan = api.post(f"/api/v1/resources/{resource_id}/versions",
                    {"filename": "handbook.pdf", "size": len(content), "content_type": "application/pdf"}).json["upload"]
    requests.post(plan["url"], data=plan["fields"], files={"file": ("f", content, "application/pdf")}, timeout=10)
    assert api.post(f"/api/v1/resources/{resource_id}/upload/confirm").status == 200


class UnlockMachine(RuleBasedStateMachine):
    world: World  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.doc_id = ""
        self.resources: list[str] = []
        self.grants: list[dict[str, Any]] = []

    # -- setting up one invoice

    @initialize(rules=st.tuples(st.sampled_from(RULES), st.sampled_from(RULES)))
    def sent_invoice_with_two_gated_files(self, rules: tuple[str, str]) -> None:
        api = self.world.tenant.api
        made = api.post("/api/v1/invoices", {"client_id": self.world.client_id, "allow_partial": True,
                                             "lines": [{"description": "Course", "unit_price": TOTAL}]})
        assert made.status == 201, made.body
        self.doc_id = made.json["id"]
        assert api.post(f"/api/v1/invoices/{self.doc_id}/send").status == 200
        # Fresh files per example, so a new version refreshes this example's grants only.
        # (a link to the second: what unlocks is the same; it spares an upload per example)
        link = self.world.tenant.api.post("/api/v1/resources", {"kind": "link", "title": "Course videos",
                                                                "url": "https://example.com/videos"})
        assert link.status == 201, link.body
        self.resources = [self.world.tenant.file(b"the book"), link.json["resource"]["resource_id"]]
        for resource_id, refund_rule in zip(self.resources, rules, strict=True):
            reply = api.post(f"/api/v1/resources/{resource_id}/attachments", {
                "target_type": "invoice", "target_id": self.doc_id, "policy": "after_payment", "refund_rule": refund_rule})
            assert reply.status == 201, reply.body
            self.grants.append(reply.json["grants"][0])
            self.model.grants.append(ModelGrant(refund_rule))

    # -- Stripe

    def _stripe_event(self, kind: str, obj: dict[str, Any]) -> str:
        from chalicelib.services.payments import stripe_events

        return stripe_events.process({"id": f"evt_model_{next(_ids)}", "type": kind, "data": {"object": obj}})

    @precondition(lambda self: self.model.status() in ("sent", "partial"))
    @rule(part=st.sampled_from([None, 2_500, 5_000, 9_950]))
    def stripe_payment(self, part: int | None) -> None:
        from chalicelib.domain.inputs import PayInput
        from chalicelib.services.payments import checkout
        from chalicelib.store import documents as docs
        from chalicelib.store.businesses import get_business

        amount = self.model.balance() if part is None or part > self.model.balance() else part
        if amount < 50:  # below Stripe's minimum charge: the page would refuse it
            return
        business, document = get_business(self.world.tenant.business_id), docs.get_document(
            self.world.tenant.business_id, self.doc_id)
        assert business is not None and document is not None
        url = checkout.start_payment_for(business, document, PayInput(amount=amount), f"{PUBLIC_BASE_URL}/p",
                                         PUBLIC_BASE_URL)
        pi = f"pi_model_{next(_ids)}"
        outcome = self._stripe_event("checkout.session.completed", {
            "id": url.rsplit("/", 1)[1], "object": "checkout.session", "payment_status": "paid",
            "amount_total": amount, "currency": "eur", "payment_intent": pi,
            "metadata": {"business_id": self.world.tenant.business_id, "doc_id": self.doc_id}})
        assert outcome == "payment_recorded"
        self.model.stripe[pi] = amount
        self.model.settle()

    @precondition(lambda self: bool(self.model.stripe))
    @rule(data=st.data(), share=st.sampled_from([1, 25, 50, 100]))
    def stripe_refund(self, data: st.DataObject, share: int) -> None:
        """Stripe reports the charge's cumulative refund; an older (smaller) report may arrive late."""
        pi = data.draw(st.sampled_from(sorted(self.model.stripe)))
        refunded = max(1, self.model.stripe[pi] * share // 100)
        self._stripe_event("charge.refunded", {"id": f"ch_{pi}", "object": "charge", "payment_intent": pi,
                                               "amount_refunded": refunded, "currency": "eur"})
        self.model.refunds[pi] = max(self.model.refunds.get(pi, 0), refunded)
        self.model.settle()

    @precondition(lambda self: bool(self.model.stripe))
    @rule(data=st.data(), status=st.sampled_from(["warning_needs_response", "needs_response", "won", "lost"]))
    def stripe_dispute(self, data: st.DataObject, status: str) -> None:
        pi = data.draw(st.sampled_from(sorted(self.model.stripe)))
        closing = status in ("won", "lost")
        self._stripe_event("charge.dispute.closed" if closing else "charge.dispute.created", {
            "id": f"dp_{pi}", "object": "dispute", "payment_intent": pi, "amount": self.model.stripe[pi],
            "currency": "eur", "status": status})
        ours = {"warning_needs_response": "inquiry", "needs_response": "open"}.get(status, status)
        # The first report stands, except that a ruling replaces an open one (never the reverse).
        if pi not in self.model.disputes or (closing and self.model.disputes[pi] in ("open", "inquiry")):
            self.model.disputes[pi] = ours
        self.model.settle()

    # -- staff

    @rule(part=st.sampled_from([None, 3_000]))
    def manual_payment(self, part: int | None) -> None:
        reply = self.world.tenant.api.post(f"/api/v1/invoices/{self.doc_id}/payments",
                                           {"amount": part, "method": "bank_transfer"} if part else {})
        allowed = self.model.status() in ("sent", "partial") and (part or 0) <= self.model.balance()
        assert (reply.status == 201) if allowed else (400 <= reply.status < 500), reply.body
        if allowed:
            self.model.manual += part or self.model.balance()
            self.model.settle()

    @rule()
    def cancel(self) -> None:
        reply = self.world.tenant.api.post(f"/api/v1/invoices/{self.doc_id}/cancel")
        allowed = self.model.status() == "sent" and self.model.paid() == 0
        assert reply.status == (200 if allowed else 409), reply.body
        if allowed:
            self.model.cancelled = True
            self.model.settle()

    @rule(which=st.sampled_from([0, 1]), action=st.sampled_from(["release", "lock", "revoke", "follow_payment"]))
    def staff_action(self, which: int, action: str) -> None:
        grant, modelled = self.grants[which], self.model.grants[which]
        reply = self.world.tenant.api.post(f"/api/v1/invoices/{self.doc_id}/grants/{grant['grant_id']}/{action}")
        if action == "lock" and modelled.state in ("revoked", "expired"):
            assert reply.status == 409, reply.body
            return
        assert reply.status == 200, reply.body
        if action == "follow_payment":
            modelled.by_staff = False
            self.model.follow_payment(modelled)
        else:
            modelled.by_staff = True
            modelled.state = {"release": "available", "lock": "locked", "revoke": "revoked"}[action]

    @rule()
    def new_version(self) -> None:
        _new_version(self.world, self.resources[0])  # a new version of the file moves no grant

    # -- what must hold after every step

    @invariant()
    def figures_and_grants_match_the_model(self) -> None:
        if not self.doc_id:
            return
        from chalicelib.store.documents import load_collection
        from chalicelib.store.grants import Grant

        document, items = load_collection(self.world.tenant.business_id, self.doc_id)
        assert document is not None
        assert (document.status, int(document.amount_paid), document.balance, int(document.amount_refunded or 0)) == (
            self.model.status(), self.model.paid(), self.model.balance(), self.model.refunded())
        stored = {g.grant_id: g for g in items if isinstance(g, Grant)}
        for grant, modelled in zip(self.grants, self.model.grants, strict=True):
            actual = stored[grant["grant_id"]]
            assert (actual.state, actual.decided_by == "staff") == (modelled.state, modelled.by_staff), (
                modelled.rule, [(c.state, c.reason, c.by) for c in actual.history or []])

    def teardown(self) -> None:
        """At the end of each history, a download opens exactly the available files (one per step
        would double the test's time; the invariant above checks the stored state every step)."""
        for which in range(len(self.grants)):
            self._download(which)

    def _download(self, which: int) -> None:
        grant, modelled = self.grants[which], self.model.grants[which]
        status = self.world.anonymous.get(grant["download_url"][len(PUBLIC_BASE_URL):]).status
        assert status == (302 if modelled.state == "available" else 403), (modelled, status)


def make_world(tenant: Tenant, anonymous: Any) -> World:
    assert tenant.api.patch("/api/v1/business", {"stripe_enabled": True}).status == 200
    return World(tenant, anonymous, tenant.client_id())


def run_model(world: World, examples: int) -> None:
    """`examples` random histories of one invoice; every step checked against the model."""
    from hypothesis.stateful import run_state_machine_as_test

    UnlockMachine.world = world
    run_state_machine_as_test(UnlockMachine, settings=settings(
        max_examples=examples, stateful_step_count=8, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
