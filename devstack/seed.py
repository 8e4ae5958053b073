"""Demo data for `make dev`: a branded business, its owner, a client, products, invoices,
a file delivered after payment (through a product) and a claim link."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.inputs import (
    AttachmentInput,
    ClientInput,
    ContactInput,
    DocumentInput,
    FileSpec,
    LineInput,
    ProductInput,
    ProjectInput,
    ResourceInput,
)
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.domain.principal import Principal
from chalicelib.domain.project_inputs import MilestoneInput
from chalicelib.services.accounts import clients, onboarding, products
from chalicelib.services.billing import documents
from chalicelib.services.billing import share_link as sharing
from chalicelib.services.delivery import attachments, resources
from chalicelib.services.notifications import notifications
from chalicelib.services.portal import portal
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
    project_id: str = ""  # "Website relaunch" for Acme: deliverables and conversation can hang on it


def _uploaded_file(owner: Principal, title: str, filename: str, content: bytes, tags: list[str]) -> str:
    """A file resource whose bytes are put in S3 the way a browser's presigned POST would."""
    resource, _ = resources.create_resource(owner, ResourceInput(kind="file", title=title, tags=tags, file=FileSpec(
        filename=filename, size=len(content), content_type="text/plain")))
    s3().put_object(Bucket=settings().files_bucket, Key=resource.pending_key, Body=content, ContentType="text/plain")
    return resources.confirm_upload(owner, resource.resource_id).resource_id


def _owner(business_id: str) -> Principal:
    return Principal("seed", DEMO_EMAIL, business_id, ("owner",), ROLE_PERMISSIONS["owner"])


def seed(today: date | None = None) -> Demo:
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
    )
    owner = _owner(business.business_id)
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
    return Demo(business.business_id, DEMO_EMAIL, DEMO_PASSWORD, sent.doc_id, draft.doc_id, token,
                str(claim.claim_token), portal.portal_link(owner, client.client_id, ada.contact_id),
                notifications.preferences_token(business.business_id, ada), project_id)


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
