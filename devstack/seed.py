"""Demo data for `make dev`: a branded business, its owner, a client, products, invoices,
a file delivered after payment (through a product) and a claim link."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.approvals_inputs import DeliverableInput
from chalicelib.domain.inputs import (
    AttachmentInput,
    ClientInput,
    ContactInput,
    DocumentInput,
    FileSpec,
    LineInput,
    PaymentInput,
    ProductInput,
    ProjectInput,
    ResourceInput,
)
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.domain.project_inputs import MilestoneInput
from chalicelib.services.accounts import clients, onboarding, products
from chalicelib.services.approvals import deliverables
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.delivery import attachments, resources
from chalicelib.services.notifications import notifications
from chalicelib.services.notifications.activity import CLIENT, STAFF, Activity, record
from chalicelib.services.portal import portal, registration
from chalicelib.services.projects import milestones, projects

DEMO_EMAIL = "owner@demo.paydrop.test"
DEMO_PASSWORD = "Demo-Owner-Pass-2026"


@dataclass(frozen=True)
class Demo:
    business_id: str
    staff_email: str
    staff_password: str
    sent_invoice_id: str
    draft_invoice_id: str
    share_token: str
    claim_token: str
    portal_token: str
    preferences_token: str
    approval_project_id: str = ""  # the project of the deliverable awaiting approval (_seed_approvals)
    deliverable_id: str = ""
    registration_path: str = ""  # issue 15: the self-registration page (`/register/{token}`)
    recurring_id: str = ""  # Acme's monthly retainer (`_seed_recurring`)
    conversation_id: str = ""  # the demo client's conversation (messaging): the dashboard's inbox opens it
    project_id: str = ""  # "Website relaunch" for Acme: deliverables and conversation can hang on it
    subscription_id: str = ""  # Acme's monthly membership (Grace bought it) (`_seed_subscriptions`), offline runs only
    buy_path: str = ""  # issue 16: the buy link of the design package (`/buy/{token}`, `_seed_buy_links`)


def _uploaded_file(owner: Principal, title: str, filename: str, content: bytes, tags: list[str]) -> str:
    """A file resource whose bytes are put in S3 the way a browser's presigned POST would."""
    resource, _ = resources.create_resource(owner, ResourceInput(kind="file", title=title, tags=tags, file=FileSpec(
        filename=filename, size=len(content), content_type="text/plain")))
    s3().put_object(Bucket=settings().files_bucket, Key=resource.pending_key, Body=content, ContentType="text/plain")
    return resources.confirm_upload(owner, resource.resource_id).resource_id


def _owner(business_id: str) -> Principal:
    return Principal("seed", DEMO_EMAIL, business_id, ("owner",), ROLE_PERMISSIONS["owner"])


def seed(today: date | None = None, webhook_url: str = "") -> Demo:
    today = today or date.today()
    business = onboarding.open_business(
        "Northwind Studio", DEMO_EMAIL, DEMO_PASSWORD, currency="EUR",
        email="billing@northwind.example", phone="+49 30 1234567",
        address="Torstraße 1\n10119 Berlin\nGermany", tax_number="DE123456789",
        brand_color="#0f766e", accent_color="#f0fdfa",
        invoice_footer="Thank you for your business. Bank: DE89 3704 0044 0532 0130 00",
        default_terms="Payment due within 14 days.",
        stripe_enabled=True,  # without Stripe keys, Pay opens the offline test-mode checkout
        # Payment reminders, so `make tick AT=<a day near the due date>` shows them in the outbox.
        reminder_days_before=3, reminder_on_due=True, reminder_days_after=7,
        time_zone="Europe/Berlin",  # recurring invoices are dated in it
    )
    owner = _owner(business.business_id)
    _seed_webhooks(owner, webhook_url)  # first: the events the rest of the seed makes are delivered to it
    client, contacts = clients.create_client(owner, ClientInput(
        name="Acme Robotics GmbH", email="accounts@acme.example",
        address="Hafenstraße 9\n20457 Hamburg\nGermany", tax_number="DE987654321",
        contacts=[
            ContactInput(name="Ada Lovelace", email="ada@acme.example", is_primary=True),
            ContactInput(name="Grace Hopper", email="grace@acme.example"),
        ],
    ))
    design = products.create_product(owner, ProductInput(name="Brand design package", unit_price=120000, tax_rate_bp=1900))
    hours = products.create_product(owner, ProductInput(name="Consulting hour", unit_price=9500, tax_rate_bp=1900))
    sent = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client.client_id, issue_date=today - timedelta(days=3), po_number="PO-7781",
        notes="Files are delivered as soon as the invoice is paid.",
        lines=[
            LineInput(product_id=design.product_id),
            LineInput(product_id=hours.product_id, quantity=Decimal("6.5")),
            LineInput(description="Rush fee", unit_price=15000, tax_rate_bp=1900, discount_bp=1000),
        ],
    ), today)
    guidelines = _uploaded_file(owner, "Brand guidelines", "brand-guidelines.txt",
                                b"Northwind brand guidelines: teal #0f766e, generous whitespace.\n", ["brand", "guides"])
    # Sold with the design package: every invoice with that product offers it, unlocked by payment.
    attachments.attach(owner, guidelines, AttachmentInput(target_type="product", target_id=design.product_id,
                                                          policy="after_payment"))
    documents.mark_sent(owner, "invoice", sent.doc_id)
    font = _uploaded_file(owner, "Display font licence", "font-licence.txt", b"Licence key: NW-2026-DEMO\n", ["licences"])
    claim, _ = attachments.attach(owner, font, AttachmentInput(target_type="client", target_id=client.client_id,
                                                               policy="claim_link"))
    draft = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client.client_id, lines=[LineInput(product_id=hours.product_id, quantity=Decimal(2))],
    ), today)
    token = sharing.share_invoice(owner, sent.doc_id)
    ada = contacts[0]
    project_id = _seed_projects(owner, client.client_id, hours.product_id, today)
    approval_project_id, deliverable_id = _seed_approvals(owner, client.client_id, project_id)
    registration_path = _seed_selfserve(owner, client.client_id, hours.product_id, today)
    _seed_cards(owner, business.business_id, client.client_id, ada.contact_id)
    recurring_id = _seed_recurring(owner, client.client_id, today)
    _seed_notifications(business.business_id, client.client_id, sent.doc_id)
    conversation_id = _seed_messages(owner, client.client_id, ada.contact_id, approval_project_id)
    subscription_id = _seed_subscriptions(owner, business.business_id)
    buy_path = _seed_buy_links(owner, design.product_id)
    return Demo(business.business_id, DEMO_EMAIL, DEMO_PASSWORD, sent.doc_id, draft.doc_id, token,
                str(claim.claim_token), portal.portal_link(owner, client.client_id, ada.contact_id),
                notifications.preferences_token(business.business_id, ada), approval_project_id, deliverable_id,
                registration_path=registration_path, recurring_id=recurring_id,
                conversation_id=conversation_id, project_id=project_id,
                subscription_id=subscription_id, buy_path=buy_path)


def _seed_projects(owner: Principal, client_id: str, product_id: str, today: date) -> str:
    """"Website relaunch" for Acme: discovery done, design in progress billing through a draft
    invoice (completing it in the dashboard sends it), launch planned. Returns the project's id."""
    project = projects.create_project(owner, ProjectInput(
        client_id=client_id, name="Website relaunch",
        description="A new marketing site: discovery, design, then launch on the new domain."))
    pid = project.project_id
    discovery = milestones.create_milestone(owner, pid, MilestoneInput(
        title="Discovery", description="Workshops and a sitemap.", due_date=today - timedelta(days=10)))
    milestones.complete(owner, pid, discovery.milestone_id)
    invoice = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client_id, notes="Design phase of the website relaunch.",
        lines=[LineInput(product_id=product_id, quantity=Decimal(12))]), today)
    milestones.create_milestone(owner, pid, MilestoneInput(
        title="Design", description="Home page and templates, two rounds of changes.",
        due_date=today + timedelta(days=14), status="active", invoice_id=invoice.doc_id))
    milestones.create_milestone(owner, pid, MilestoneInput(
        title="Launch", description="Go live and hand over.", due_date=today + timedelta(days=30)))
    return pid



def _homepage_mockup() -> bytes:
    """A 1200 × 900 PNG that looks like a web page design (Pillow: a runtime dependency)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), "#f0fdfa")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 90), fill="#0f766e")
    draw.text((40, 35), "ACME ROBOTICS", fill="white")
    draw.rectangle((40, 140, 1160, 460), fill="#99f6e4")
    draw.text((80, 280), "Robots that work with you", fill="#134e4a")
    for i in range(3):
        draw.rectangle((40 + i * 380, 520, 380 + i * 380, 820), outline="#0f766e", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _seed_approvals(owner: Principal, client_id: str, project_id: str | None = None) -> tuple[str, str]:
    """One deliverable awaiting the client's approval: (project id, deliverable id).

    Give it the demo project's id once the projects seed makes one; without it, it creates
    the project "Website relaunch" itself."""
    if project_id is None:
        project_id = projects.create_project(owner, ProjectInput(
            client_id=client_id, name="Website relaunch", description="New site for the spring launch.")).project_id
    content = _homepage_mockup()
    resource, _ = resources.create_resource(owner, ResourceInput(kind="file", title="Homepage design", file=FileSpec(
        filename="homepage-v1.png", size=len(content), content_type="image/png")))
    s3().put_object(Bucket=settings().files_bucket, Key=resource.pending_key, Body=content, ContentType="image/png")
    resources.confirm_upload(owner, resource.resource_id)
    attachments.attach(owner, resource.resource_id, AttachmentInput(target_type="project", target_id=project_id,
                                                                    policy="visible"))
    marked = deliverables.mark(owner, DeliverableInput(resource_id=resource.resource_id, project_id=project_id,
                                                       title="Homepage design"))
    return project_id, marked.deliverable.deliverable_id


def _seed_selfserve(owner: Principal, client_id: str, product_id: str, today: date) -> str:
    """A part-paid invoice (its payment has a receipt in the portal's Payments tab) and
    self-registration turned on; returns the registration page's path."""
    invoice = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client_id, issue_date=today - timedelta(days=20), lines=[LineInput(product_id=product_id, quantity=Decimal(4))],
    ), today)
    documents.mark_sent(owner, "invoice", invoice.doc_id)
    documents.record_payment(owner, invoice.doc_id, PaymentInput(amount=20000, method="bank_transfer",
                                                                 reference="DEMO-TRX-1042",
                                                                 received_on=today - timedelta(days=5)), today)
    return str(registration.set_enabled(owner, True, "")["url"])


def _seed_cards(owner: Principal, business_id: str, client_id: str, contact_id: str) -> None:
    """Pre-payments on (minimum 20.00 EUR), and a Stripe Customer for Acme with a saved test card,
    made through the offline checkout's setup mode like a client would (the signed
    `checkout.session.completed` goes through the webhook's own `receive`; the event pump
    applies it once the stack runs). With Stripe keys configured nothing is saved: use the
    portal's Payment methods tab and Stripe's test card instead."""
    from chalicelib.domain.inputs import BusinessUpdate
    from chalicelib.services.accounts import businesses
    from chalicelib.services.payments import cards_gateway, offline_cards, saved_cards, stripe_events

    businesses.update_profile(owner, BusinessUpdate(prepayment_enabled=True, prepayment_minimum=2000))
    if not cards_gateway.offline():
        return
    base = settings().public_base_url
    access = portal.PortalAccess(business_id, client_id, contact_id, None)
    url = saved_cards.start_setup(access, f"{base}/portal/{portal.SESSION}", base)

    def receive(_url: str, payload: bytes, header: str) -> None:
        stripe_events.receive(payload, header)

    offline_cards.finish(url.rsplit("/", 1)[1], "4242", f"{base}/webhooks/stripe", deliver=receive)


def _seed_recurring(owner: Principal, client_id: str, today: date) -> str:
    """Acme's monthly retainer, made recurring from an invoice 40 days ago, with the monthly report
    attached after payment: the real scheduler, with the clock on each period's day, issued two
    invoices (each with its own report); the first is paid, so its report is unlocked."""
    from chalicelib import clock
    from chalicelib.domain.recurring_inputs import RecurringInput
    from chalicelib.services.recurring import scheduler, templates

    start = today - timedelta(days=40)
    retainer = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client_id, issue_date=start - timedelta(days=1), notes="Monthly support retainer.",
        lines=[LineInput(description="Support retainer (monthly)", unit_price=45000, tax_rate_bp=1900)]), today)
    report = _uploaded_file(owner, "Monthly report", "monthly-report.txt", b"Northwind monthly report.\n", ["reports"])
    attachments.attach(owner, report, AttachmentInput(target_type="invoice", target_id=retainer.doc_id,
                                                      policy="after_payment"))
    documents.mark_sent(owner, "invoice", retainer.doc_id)
    made = templates.create_from_invoice(owner, RecurringInput(
        invoice_id=retainer.doc_id, frequency="monthly", start_date=start, end="after", end_after=12))
    try:
        for _ in range(2):  # run the scheduler on the day of each of the two periods that have come
            due = templates.get_template(owner, made.template_id).due_at
            moment = datetime.fromisoformat(str(due).replace("Z", "+00:00")) + timedelta(hours=9)
            clock.use(functools.partial(_fixed, moment))
            scheduler.issue_due(moment)
    finally:
        clock.use(None)
    _, periods = templates.with_periods(owner, made.template_id)
    documents.record_payment(owner, str(periods[0].doc_id), PaymentInput(method="bank_transfer"), today)
    return made.template_id


def _fixed(moment: datetime) -> datetime:
    return moment
def _seed_notifications(business_id: str, client_id: str, invoice_id: str) -> None:
    """Something happened for both sides: the contacts' and the team's lists show it at once, and
    their digests (one email each for these events) reach the outbox about 5 minutes after start."""
    record(Activity(business_id, client_id, "invoices", CLIENT, "New invoice from Northwind Studio",
                    text="Your invoice for the brand design package is ready.", portal_path=f"invoices/{invoice_id}"))
    record(Activity(business_id, client_id, "files", CLIENT, "New file: Brand guidelines",
                    text="Available once the invoice is paid.", portal_path="?tab=files"))
    record(Activity(business_id, client_id, "invoices", STAFF, "Invoice sent to Acme Robotics GmbH",
                    text="Ada Lovelace and Grace Hopper can see it in their portal.",
                    staff_path=f"#/invoices/{invoice_id}"))


def _seed_messages(owner: Principal, client_id: str, contact_id: str, project_id: str | None = None) -> str:
    """A short conversation on the demo client, and another on its project when `project_id` is given;
    returns the client conversation's id."""
    conversation_id = _seed_conversation(owner, client_id, contact_id, None)
    if project_id:
        _seed_conversation(owner, client_id, contact_id, project_id)
    return conversation_id


def _seed_conversation(owner: Principal, client_id: str, contact_id: str, project_id: str | None) -> str:
    """Three messages, both sides: the contact asks, the team answers, the contact thanks them. The
    contact's two messages are unread in the Inbox (the seed's principal is nobody's real account:
    it should not appear in "seen by")."""
    from chalicelib.domain.messaging_inputs import StaffMessage
    from chalicelib.services.messaging import conversations, staff

    ada = conversations.Author("client", contact_id, "Ada Lovelace")
    where = "the project" if project_id else "the brand work"
    first = conversations.append(owner.business_id, client_id, project_id, ada,
                                 f"Hi! Quick question about {where}: could we see the logo on a dark background too?",
                                 "portal")
    staff.start(owner, client_id, project_id, StaffMessage(
        text="Of course — here is a first take: https://northwind.example/concepts/dark. More by Friday."))
    conversations.append(owner.business_id, client_id, project_id, ada, "Perfect, thank you!", "portal")
    return first.conversation_id


def _seed_subscriptions(owner: Principal, business_id: str) -> str:
    """A monthly membership sold by subscription (two plans, a members' file released while it
    runs), and Grace (Acme's second contact: it shows in Ada's portal too, and the sign-in link it
    emails goes to Grace, not among Ada's) subscribed through the offline checkout as a recurring
    buy link would: its three signed events go through the webhook's own `receive` (the event pump
    applies them once the stack runs). With Stripe keys configured, only the plans are made."""
    from chalicelib.services.payments import cards_gateway, stripe_events
    from chalicelib.services.subscriptions import offline, plans

    members = products.create_product(owner, ProductInput(name="Members' area", unit_price=1500))
    guide = _uploaded_file(owner, "Members' guide", "members-guide.txt", b"Northwind members' guide.\n", ["members"])
    attachments.attach(owner, guide, AttachmentInput(target_type="product", target_id=members.product_id,
                                                     policy="after_payment"))
    for price_id, name, amount in (("price_offline_members", "Members", 1500), ("price_offline_members_plus",
                                                                               "Members Plus", 2900)):
        plans.register_plan(business_id, price_id, name, amount, "EUR", "month", product_ids=[members.product_id])
    if not cards_gateway.offline():
        return ""

    def receive(_url: str, payload: bytes, header: str) -> None:
        stripe_events.receive(payload, header)

    return offline.complete_checkout("cs_offline_seed_members", business_id, "price_offline_members",
                                     "grace@acme.example", "Grace Hopper", f"{settings().public_base_url}/webhooks/stripe",
                                     deliver=receive)


def _seed_buy_links(owner: Principal, product_id: str) -> str:
    """A buy link for the design package (its brand guidelines open after payment): 25 in stock;
    returns the page's path."""
    from chalicelib.domain.buy_link_inputs import BuyLinkInput
    from chalicelib.services.selling import links

    link = links.create_link(owner, BuyLinkInput(
        title="Brand design package", product_ids=[product_id], stock=25, per_buyer_limit=5,
        description="Logo, palette and type, with the brand guidelines as a file in your portal after payment."))
    return f"/buy/{link.token}"


def _seed_webhooks(owner: Principal, url: str) -> None:
    """The outbox's receiver as a webhook endpoint for every event (`make dev` passes its URL)."""
    from chalicelib.domain.developer_inputs import EndpointInput
    from chalicelib.domain.webhooks import EVENT_TYPES
    from chalicelib.services.developer import endpoints

    if url:
        endpoints.create_endpoint(owner, EndpointInput(url=url, events=list(EVENT_TYPES),
                                                       description="The local outbox (make dev)"))
