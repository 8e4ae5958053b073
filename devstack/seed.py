"""Demo data for `make dev`: a branded business, its owner, a client, products, invoices."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from chalicelib.domain.inputs import ClientInput, ContactInput, DocumentInput, LineInput, ProductInput
from chalicelib.domain.permissions import ROLE_PERMISSIONS
from chalicelib.services import clients, documents, onboarding, products, sharing
from chalicelib.services.auth import Principal

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
    )
    owner = _owner(business.business_id)
    client, _ = clients.create_client(owner, ClientInput(
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
    documents.mark_sent(owner, "invoice", sent.doc_id)
    draft = documents.create_document(owner, "invoice", DocumentInput(
        client_id=client.client_id, lines=[LineInput(product_id=hours.product_id, quantity=Decimal(2))],
    ), today)
    token = sharing.share_invoice(owner, sent.doc_id)
    return Demo(business.business_id, DEMO_EMAIL, DEMO_PASSWORD, sent.doc_id, draft.doc_id, token)
