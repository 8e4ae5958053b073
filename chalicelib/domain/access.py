"""Access to resources: policies of attachments, states of grants, and the decision made
each time a client redeems a link. Pure: callers pass the facts and `now`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import Conflict, ValidationError

INTERNAL, VISIBLE, AFTER_PAYMENT, MANUAL, CLAIM_LINK = "internal", "visible", "after_payment", "manual", "claim_link"
POLICIES = (INTERNAL, VISIBLE, AFTER_PAYMENT, MANUAL, CLAIM_LINK)

LOCKED, AVAILABLE, REVOKED, EXPIRED = "locked", "available", "revoked", "expired"
GRANT_STATES = (LOCKED, AVAILABLE, REVOKED, EXPIRED)

TARGET_TYPES = ("client", "product", "invoice", "quote", "project")

# Why a grant changed state; kept with every transition and shown in the access log.
PAID_IN_FULL = "invoice_paid"
NO_LONGER_PAID = "invoice_no_longer_paid"
REFUNDED = "refunded"
DISPUTE_LOST = "dispute_lost"
HANDED_TO_PAYMENT = "follows_payment"
RELEASED_BY_STAFF = "released_by_staff"
LOCKED_BY_STAFF = "locked_by_staff"
REVOKED_BY_STAFF = "revoked_by_staff"
CLAIMED = "claimed"
ATTACHED = "attached"
DETACHED = "detached"
ACCESS_PERIOD_ENDED = "access_period_ended"  # the scheduler marks an available grant whose days ran out

# Which policies each kind of target can carry. `after_payment` needs an invoice to be paid
# (a product's resources reach the invoices that sell it); a claim link needs a client whose
# contacts can claim it, so not a product, which has none.
TARGET_POLICIES = {
    "invoice": POLICIES,
    "quote": (INTERNAL, VISIBLE, MANUAL, CLAIM_LINK),
    "product": (INTERNAL, VISIBLE, AFTER_PAYMENT, MANUAL),
    "client": (INTERNAL, VISIBLE, MANUAL, CLAIM_LINK),
    "project": (INTERNAL, VISIBLE, MANUAL, CLAIM_LINK),
}


# What a refund does to an `after_payment` grant that a payment opened, set per attachment.
KEEP, REVOKE_ON_FULL_REFUND, REVOKE_ON_ANY_REFUND = "keep", "revoke_on_full_refund", "revoke_on_any_refund"
REFUND_RULES = (KEEP, REVOKE_ON_FULL_REFUND, REVOKE_ON_ANY_REFUND)
DEFAULT_REFUND_RULE = REVOKE_ON_FULL_REFUND

# Who decided a grant's current state. Staff decisions outrank automation: payment changes
# move only grants whose state the payment rule decides.
BY_POLICY, BY_PAYMENT, BY_STAFF, BY_CLAIM = "policy", "payment", "staff", "claim"
STAFF_ACTIONS = ("release", "lock", "revoke", "follow_payment")


@dataclass(frozen=True)
class Attachment:
    """How one resource is offered through one target (client, product, invoice …)."""

    policy: str
    download_limit: int | None = None
    access_days: int | None = None
    refund_rule: str = DEFAULT_REFUND_RULE


def refund_rule_from(refund_rule: str | None, keep_after_refund: bool | None) -> str:
    """The refund rule an attachment request asks for; the older `keep_after_refund` flag still works."""
    if refund_rule is not None:
        if refund_rule not in REFUND_RULES:
            raise ValidationError(f"Refund rule must be one of {', '.join(REFUND_RULES)}.", field="refund_rule")
        if keep_after_refund is not None and keep_after_refund != (refund_rule == KEEP):
            raise ValidationError("`keep_after_refund` contradicts `refund_rule`; send only `refund_rule`.",
                                  field="keep_after_refund")
        return refund_rule
    return KEEP if keep_after_refund else DEFAULT_REFUND_RULE


def initial_controller(policy: str) -> str:
    """Who decides a new grant's state: the payment rule for `after_payment`, else its policy."""
    return BY_PAYMENT if policy == AFTER_PAYMENT else BY_POLICY


def check_attachment(target_type: str, attachment: Attachment) -> None:
    if target_type not in TARGET_TYPES:
        raise ValidationError(f"Attach to one of {', '.join(TARGET_TYPES)}.", field="target_type")
    if attachment.policy not in POLICIES:
        raise ValidationError(f"Policy must be one of {', '.join(POLICIES)}.", field="policy")
    allowed = TARGET_POLICIES[target_type]
    if attachment.policy not in allowed:
        if attachment.policy == AFTER_PAYMENT:
            raise ValidationError("Available after payment needs an invoice (or a product sold on invoices).", field="policy")
        raise ValidationError(f"On a {target_type}, policy must be one of {', '.join(allowed)}.", field="policy")
    if attachment.policy == INTERNAL and (attachment.download_limit or attachment.access_days):
        raise ValidationError("Internal resources are never offered to clients: no limit or access period.",
                              field="policy")


def initial_state(policy: str, payment: PaymentFacts | None, refund_rule: str = DEFAULT_REFUND_RULE) -> str | None:
    """The state of a new grant, or None when the policy gives clients nothing to hold."""
    if policy == INTERNAL:
        return None
    if policy == VISIBLE:
        return AVAILABLE
    if policy == AFTER_PAYMENT:
        return state_by_payment(refund_rule, LOCKED, payment or UNPAID)
    return LOCKED  # manual waits for staff; a claim link waits for its claimer


def state_after_claim(policy: str, state: str, claimed_by: str | None) -> str:
    """A claim opens an unclaimed claim-link grant; anything else is "already claimed"."""
    if policy != CLAIM_LINK:
        raise ValidationError("This resource is not offered through a claim link.")
    if claimed_by is not None or state != LOCKED:
        raise Conflict("This has already been claimed.")
    return AVAILABLE


def shown_to_client(policy: str, state: str, reason: str, claimed_by: str | None) -> bool:
    """Whether a client's lists include this grant at all."""
    if reason == DETACHED:
        return False  # staff took it off; it was never theirs to keep
    if policy == CLAIM_LINK and claimed_by is None:
        return False  # only the claim URL shows an unclaimed resource
    return not (state == REVOKED and policy != AFTER_PAYMENT)


@dataclass(frozen=True)
class PaymentFacts:
    """What the payment rule reads of an invoice (see `payments.settle`)."""

    paid_in_full: bool  # the invoice's status is paid
    amount_paid: int
    refunded: int  # of the amount paid, given back by the business
    charged_back: int  # taken back by lost disputes


UNPAID = PaymentFacts(False, 0, 0, 0)


def refund_closes(refund_rule: str, payment: PaymentFacts) -> bool:
    """Whether the refunds so far take back what the payment opened, by the attachment's rule."""
    if refund_rule == KEEP or payment.refunded <= 0:
        return False
    if refund_rule == REVOKE_ON_ANY_REFUND:
        return True
    return payment.refunded >= payment.amount_paid  # revoke_on_full_refund: nothing of the sale is left


def state_by_payment(refund_rule: str, state: str, payment: PaymentFacts) -> str:
    """The state the payment rule gives an `after_payment` grant it controls.

    Open while the invoice is paid in full and its refunds (by the rule) leave the sale
    standing. Otherwise a grant that never opened stays locked, and one that did is revoked:
    a lost dispute makes the invoice unpaid, so it revokes whatever the refund rule. An
    expired grant stays expired. It is a function of the facts, not of their order.
    """
    if state == EXPIRED:
        return state
    if payment.paid_in_full and not refund_closes(refund_rule, payment):
        return AVAILABLE
    return LOCKED if state == LOCKED else REVOKED


def payment_reason(state: str, payment: PaymentFacts) -> str:
    """Why the payment rule moved a grant to `state`, in the history's words."""
    if state == AVAILABLE:
        return PAID_IN_FULL
    if payment.paid_in_full:
        return REFUNDED
    return DISPUTE_LOST if payment.charged_back else NO_LONGER_PAID


def controlled_by_payment(policy: str, decided_by: str | None, reason: str) -> bool:
    """Whether payment changes may move this grant: `after_payment`, not decided by staff, not detached."""
    return policy == AFTER_PAYMENT and decided_by == BY_PAYMENT and reason != DETACHED


def state_after_staff_action(state: str, action: str) -> str:
    """`release`, `lock` or `revoke` by staff; a revoked or expired grant stays closed to `lock`.
    (`follow_payment` hands the grant back to the payment rule: see `state_by_payment`.)"""
    if action == "release":
        return AVAILABLE
    if action == "lock":
        if state in (REVOKED, EXPIRED):
            raise Conflict(f"A {state} grant cannot be locked; release it instead.")
        return LOCKED
    if action == "revoke":
        return REVOKED
    raise ValidationError("Action must be release, lock, revoke or follow_payment.", field="action")


def check_follow_payment(policy: str, doc_id: str | None) -> None:
    """`doc_id`: the invoice (or subscription) whose payment the grant would follow again."""
    if policy != AFTER_PAYMENT or doc_id is None:
        raise Conflict("Only a file offered after payment of an invoice can follow the payment again.")


def check_staff_may_act(policy: str, reason: str, claimed_by: str | None) -> None:
    """Detached grants are closed for good; an unclaimed claim link opens only by being claimed."""
    if reason == DETACHED:
        raise Conflict("This resource was detached; attach it again to offer it.")
    if policy == CLAIM_LINK and claimed_by is None:
        raise Conflict("A claim link opens when someone claims it.")


def bulk_action_applies(action: str, policy: str, state: str, reason: str, claimed_by: str | None) -> bool:
    """Whether "release/lock/revoke all" of a resource touches this grant."""
    if reason == DETACHED or (policy == CLAIM_LINK and claimed_by is None):
        return False
    if action == "release":
        return state == LOCKED
    if action == "lock":
        return state == AVAILABLE
    return state in (LOCKED, AVAILABLE)


def access_expires_at(available_since: datetime, access_days: int | None) -> datetime | None:
    return available_since + timedelta(days=access_days) if access_days else None


def access_period_over(state: str, expires_at: datetime | None, now: datetime) -> bool:
    """An available grant whose access period has ended: `decide_download` already refuses it;
    the scheduler stores the state so staff lists say `expired` too."""
    return state == AVAILABLE and expires_at is not None and now >= expires_at


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "ok", or why not: shown to the client in words, logged as the code


def decide_download(
    state: str, policy: str, downloads: int, download_limit: int | None, expires_at: datetime | None, now: datetime,
) -> Decision:
    """May this grant be redeemed right now? Evaluated at every redemption, never cached.
    `state` is the grant's state as its controller decides it now (see `effective_state`)."""
    if state == REVOKED:
        return Decision(False, "revoked")
    if state == EXPIRED or (expires_at is not None and now >= expires_at):
        return Decision(False, "expired")
    if state == LOCKED:
        return Decision(False, "awaiting_payment" if policy == AFTER_PAYMENT else "not_released")
    if download_limit is not None and downloads >= download_limit:
        return Decision(False, "limit_reached")
    return Decision(True, "ok")


def effective_state(policy: str, decided_by: str | None, reason: str, state: str, refund_rule: str,
                    payment: PaymentFacts | None) -> str:
    """The state to act on at redemption: for a grant the payment rule controls, what the
    invoice says now (a worker still catching up cannot leave a refunded file open); for any
    other grant (staff decided, claimed, detached), its stored state."""
    if payment is None or not controlled_by_payment(policy, decided_by, reason):
        return state
    return state_by_payment(refund_rule, state, payment)


CLIENT_LABELS = {
    AVAILABLE: "available",
    LOCKED: "available after payment",
    REVOKED: "no longer available",
    EXPIRED: "access expired",
}


def preview_allowed_before_payment(flag: bool | None, product_image: bool) -> bool:
    """Staff decide per resource; by default only images marked as product images show before payment."""
    return product_image if flag is None else flag


def may_show_preview(state: str, allowed_before_payment: bool) -> bool:
    """A client sees a thumbnail of what they can open, and of a locked one only if staff allowed it."""
    if state == AVAILABLE:
        return True
    return state == LOCKED and allowed_before_payment


def client_label(policy: str, state: str, claimed: bool) -> str:
    """The words a client sees next to a resource."""
    if claimed:
        return "claimed"
    if state == LOCKED and policy == MANUAL:
        return "waiting for release"
    if state == LOCKED and policy == CLAIM_LINK:
        return "available to claim"
    return CLIENT_LABELS[state]


DENIAL_MESSAGES = {
    "revoked": "Access to this file has been withdrawn. Contact the sender if you think this is a mistake.",
    "expired": "Access to this file has expired. Ask the sender to renew it.",
    "awaiting_payment": "This file becomes available once the invoice is paid in full.",
    "not_released": "This file has not been released yet.",
    "limit_reached": "This file has reached its download limit. Ask the sender for more downloads.",
}


@dataclass(frozen=True)
class FileLabel:
    """What a client list shows for one file: the words, and whether it offers a link.

    `reason` is `decide_download`'s (or "claimed"), so the list and the redemption agree.
    """

    text: str
    link: bool
    reason: str


def file_label(
    policy: str, state: str, *, downloads: int, download_limit: int | None, expires_at: datetime | None,
    now: datetime, claimed_elsewhere: bool = False,
) -> FileLabel:
    """The label and link of a file on the invoice page, the portal and the Files page.

    `state` is the effective state (see `effective_state`). It asks `decide_download` the same
    question the redemption will, so a list never offers
    a link that `/files/{token}` would refuse (a used-up or expired file used to say
    "Download" and lead to a refusal page). `claimed_elsewhere`: a claimed file seen outside
    its claimer's Files page (it is downloaded from there, not from an invoice).
    """
    if claimed_elsewhere:
        return FileLabel("claimed", False, CLAIMED)
    decision = decide_download(state, policy, downloads, download_limit, expires_at, now)
    if decision.allowed:
        if download_limit is None:
            return FileLabel("available", True, decision.reason)
        left = download_limit - downloads
        return FileLabel(f"{left} download{'' if left == 1 else 's'} left", True, decision.reason)
    words = {
        "revoked": "no longer available",
        "expired": "expired",
        "limit_reached": "limit reached",
        "awaiting_payment": "available after payment",
        "not_released": client_label(policy, state, claimed=False),
    }
    return FileLabel(words[decision.reason], False, decision.reason)
