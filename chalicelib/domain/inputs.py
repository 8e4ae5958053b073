"""Shapes of what staff may send, with their limits. Unknown fields are refused.

Decoding (types, lengths, patterns) happens in `api/http.py` via msgspec; rules that
involve several fields or stored state live in the domain and services. These shapes are
the one source of the limits: `domain/limits.py` reads them to word error messages and to
serve them to the dashboard (`GET /api/v1/limits`), which checks the same limits before
sending. `Meta(extra=...)` says what a person needs to read a limit: `money` (minor units,
shown in the currency's units), `unit`, and `means` (what a pattern asks for, in words).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from chalicelib.domain.reminders import MAX_DAYS as MAX_REMINDER_DAYS

# One-line text people read (names, titles): no C0/C1 control characters, line or paragraph
# separators, or bidi overrides/isolates (a name shown reversed can impersonate another).
_ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]*\Z"
_ONE_LINE_MEANS = "text on one line without control characters"
# A name or title also needs something to read: "   " would show as nothing in every list.
_NAME = r"^(?=.*\S)" + _ONE_LINE[1:]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=_NAME,
                           extra={"means": "text on one line, not blank, without control characters"})]
ShortText = Annotated[str, Meta(max_length=200, pattern=_ONE_LINE, extra={"means": _ONE_LINE_MEANS})]
LongText = Annotated[str, Meta(max_length=4000)]
# A bare address (the WHATWG form grammar): no display names, comments or control
# characters, so one address has one spelling for rate limits and one mailbox.
Email = Annotated[str, Meta(max_length=254, pattern=(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\Z"), extra={"means": "an email address like name@example.com"})]
Phone = Annotated[str, Meta(max_length=40, pattern=r"^[0-9+()./ -]*\Z",
                            extra={"means": "a phone number (digits, spaces and + ( ) . / - only)"})]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}\Z", extra={"means": "a three-letter currency code like EUR"})]
Color = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}\Z", extra={"means": "a colour like #1A2B3C"})]
MAX_MONEY = 10**12  # minor units: 10,000,000,000.00 EUR
Money = Annotated[int, Meta(ge=0, le=MAX_MONEY, extra={"money": True})]
PositiveMoney = Annotated[int, Meta(ge=1, le=MAX_MONEY, extra={"money": True})]
BasisPoints = Annotated[int, Meta(ge=0, le=10_000, extra={"unit": "basis points (100 = 1 %)"})]
Days = Annotated[int, Meta(ge=0, le=365, extra={"unit": "days"})]
# Payment reminders: how many days before or after the due date.
ReminderDays = Annotated[int, Meta(ge=1, le=MAX_REMINDER_DAYS, extra={"unit": "days"})]
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+\Z",
                         extra={"means": "an id (letters, digits, - and _)"})]
Password = Annotated[str, Meta(min_length=1, max_length=256)]


class Strict(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every input: unknown fields are an error, not silently dropped."""

    def given(self) -> dict[str, object]:
        """The fields the caller actually sent (UNSET ones left out)."""
        return {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not UNSET
        }


class LoginInput(Strict, kw_only=True):
    email: Email
    password: Password


class RefreshInput(Strict, kw_only=True):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=4096)]


# An IANA time-zone name (checked against the zone database by the business service).
TimeZone = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+/-]+\Z",
                               extra={"means": "a time zone like Europe/Paris"})]
PortalTab = Annotated[str, Meta(pattern=r"^(quotes|payments|files|projects)\Z")]  # the invoices tab is always on
PaperSize = Annotated[str, Meta(pattern=r"^(A4|Letter)\Z")]  # of the PDFs (invoices, quotes, statements)
# How emails write money and dates (Babel); the shape here, whether Babel knows it in the service.
Locale = Annotated[str, Meta(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?\Z", extra={"means": "a locale like en_GB or de_DE"})]


class BusinessUpdate(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    phone: Phone | UnsetType | None = UNSET
    address: LongText | UnsetType | None = UNSET
    tax_number: ShortText | UnsetType | None = UNSET
    currency: Currency | UnsetType = UNSET
    brand_color: Color | UnsetType = UNSET
    accent_color: Color | UnsetType = UNSET
    invoice_footer: LongText | UnsetType | None = UNSET
    default_terms: LongText | UnsetType | None = UNSET
    payment_terms_days: Days | UnsetType = UNSET
    log_retention_days: Annotated[int, Meta(ge=30, le=3650, extra={"unit": "days"})] | UnsetType = UNSET
    stripe_enabled: bool | UnsetType = UNSET
    portal_tabs_off: Annotated[list[PortalTab], Meta(max_length=4)] | UnsetType = UNSET
    quote_auto_convert: bool | UnsetType = UNSET
    quote_requires_terms: bool | UnsetType = UNSET
    allow_partial_default: bool | UnsetType = UNSET
    minimum_partial_default: Money | UnsetType = UNSET
    logo_key: Annotated[str, Meta(max_length=300)] | UnsetType | None = UNSET
    paper_size: PaperSize | UnsetType = UNSET
    reminder_days_before: ReminderDays | UnsetType | None = UNSET  # None: no reminder before the due date
    reminder_on_due: bool | UnsetType = UNSET
    reminder_days_after: ReminderDays | UnsetType | None = UNSET  # None: no reminder after it
    prepayment_enabled: bool | UnsetType = UNSET  # the portal's Pre-payment tab
    prepayment_minimum: Money | UnsetType = UNSET
    time_zone: TimeZone | UnsetType = UNSET
    locale: Locale | UnsetType | None = UNSET  # None: en_GB
    milestone_invoice_action: Annotated[str, Meta(pattern=r"^(draft|send)\Z", extra={
        "means": "draft or send"})] | UnsetType = UNSET  # a completed milestone's invoice: left a draft, or sent
    revoke_when_past_due: bool | UnsetType = UNSET  # subscriptions: close the files while a payment is overdue


class LogoUploadInput(Strict, kw_only=True):
    content_type: Annotated[str, Meta(max_length=100)]
    size: Annotated[int, Meta(ge=1, extra={"unit": "bytes"})]


class ContactInput(Strict, kw_only=True):
    name: Name
    email: Email
    phone: Phone | None = None
    is_primary: bool = False


class ContactUpdate(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    phone: Phone | UnsetType | None = UNSET
    is_primary: bool | UnsetType = UNSET


class ClientInput(Strict, kw_only=True):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    address: LongText | None = None
    tax_number: ShortText | None = None
    notes: LongText | None = None
    contacts: Annotated[list[ContactInput], Meta(max_length=20)] = msgspec.field(default_factory=list)
    locale: Locale | None = None  # None: the business's


class ClientUpdate(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    phone: Phone | UnsetType | None = UNSET
    address: LongText | UnsetType | None = UNSET
    tax_number: ShortText | UnsetType | None = UNSET
    notes: LongText | UnsetType | None = UNSET
    locale: Locale | UnsetType | None = UNSET  # None: the business's


class ProductInput(Strict, kw_only=True):
    name: Name
    description: LongText | None = None
    unit_price: Money
    tax_rate_bp: BasisPoints = 0


class ProductUpdate(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    unit_price: Money | UnsetType = UNSET
    tax_rate_bp: BasisPoints | UnsetType = UNSET


ProjectStatus = Annotated[str, Meta(pattern=r"^(planned|active|on_hold|done)\Z",
                                     extra={"means": "one of planned, active, on_hold, done"})]
Percent = Annotated[int, Meta(ge=0, le=100, extra={"unit": "%"})]


class ProjectInput(Strict, kw_only=True):
    client_id: Id
    name: Name
    description: LongText | None = None
    status: ProjectStatus = "active"


class ProjectUpdate(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    status: ProjectStatus | UnsetType = UNSET
    progress: Percent | UnsetType | None = UNSET  # None: the share of milestones done again


class LineInput(Strict, kw_only=True):
    """A line: a product (its name, price and tax fill what is left out) or free text."""

    product_id: Id | None = None
    description: Annotated[str, Meta(max_length=1000)] | None = None
    quantity: Decimal = Decimal(1)
    unit_price: Money | None = None
    tax_rate_bp: BasisPoints | None = None
    discount_bp: BasisPoints = 0


Lines = Annotated[list[LineInput], Meta(max_length=200)]


class DocumentInput(Strict, kw_only=True):
    client_id: Id
    currency: Currency | None = None
    issue_date: date | None = None
    due_date: date | None = None
    notes: LongText | None = None
    terms: LongText | None = None
    po_number: ShortText | None = None
    lines: Lines = msgspec.field(default_factory=list)
    allow_partial: bool | None = None  # None: the business's default
    minimum_partial: Money | None = None


class DocumentUpdate(Strict, kw_only=True):
    client_id: Id | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    issue_date: date | UnsetType = UNSET
    due_date: date | UnsetType | None = UNSET
    notes: LongText | UnsetType | None = UNSET
    terms: LongText | UnsetType | None = UNSET
    po_number: ShortText | UnsetType | None = UNSET
    lines: Lines | UnsetType = UNSET
    allow_partial: bool | UnsetType = UNSET
    minimum_partial: Money | UnsetType = UNSET


class PaymentInput(Strict, kw_only=True):
    """A payment staff record by hand; no amount means "the whole balance"."""

    amount: PositiveMoney | None = None
    method: Annotated[str, Meta(pattern=r"^(manual|bank_transfer|cash|cheque|card|other)\Z")] = "manual"
    reference: ShortText | None = None
    received_on: date | None = None


Tag = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f<>]+\Z",
                          extra={"means": "text without < > or control characters"})]
Tags = Annotated[list[Tag], Meta(max_length=20)]
Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}\Z", extra={"means": "64 lowercase hexadecimal characters"})]


class FileSpec(Strict, kw_only=True):
    """What the browser is about to upload."""

    filename: Annotated[str, Meta(min_length=1, max_length=255)]
    size: Annotated[int, Meta(ge=1, extra={"unit": "bytes"})]
    content_type: Annotated[str, Meta(min_length=3, max_length=100)]
    sha256: Sha256 | None = None


class ResourceInput(Strict, kw_only=True):
    """A new resource: a file (then `file` describes the upload) or an https link (`url`)."""

    kind: Annotated[str, Meta(pattern=r"^(file|link)\Z")]
    title: Name
    description: LongText | None = None
    tags: Tags = msgspec.field(default_factory=list)
    url: Annotated[str, Meta(max_length=2048)] | None = None
    file: FileSpec | None = None
    product_image: bool = False
    preview_before_payment: bool | None = None  # None: only product images show a preview before payment


class ResourceUpdate(Strict, kw_only=True):
    title: Name | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    tags: Tags | UnsetType = UNSET
    url: Annotated[str, Meta(max_length=2048)] | UnsetType = UNSET
    product_image: bool | UnsetType = UNSET
    preview_before_payment: bool | UnsetType | None = UNSET


class PartsRequest(Strict, kw_only=True):
    part_numbers: Annotated[list[Annotated[int, Meta(ge=1, le=10_000)]], Meta(min_length=1, max_length=100)]


class CompletedPart(Strict, kw_only=True):
    part_number: Annotated[int, Meta(ge=1, le=10_000)]
    etag: Annotated[str, Meta(min_length=1, max_length=200)]


class CompleteUpload(Strict, kw_only=True):
    parts: Annotated[list[CompletedPart], Meta(min_length=1, max_length=10_000)]


Policy = Annotated[str, Meta(pattern=r"^(internal|visible|after_payment|manual|claim_link)\Z")]
DownloadLimit = Annotated[int, Meta(ge=1, le=10_000)]
AccessDays = Annotated[int, Meta(ge=1, le=3650)]


class PayInput(Strict, kw_only=True):
    """What a client asks to pay: nothing (the balance), `amount` in minor units (API), or
    `amount_text` as typed in the page's form (e.g. "40.00")."""

    amount: PositiveMoney | None = None
    amount_text: Annotated[str, Meta(max_length=20, pattern=r"^\s*([0-9][0-9,. ]*)?\Z",
                                     extra={"means": "an amount like 40.00"})] | None = None
    save_card: Annotated[str, Meta(pattern=r"^(true|on|yes)\Z")] | None = None  # keep the card for next time


class EmailPreferences(Strict, kw_only=True):
    """The no-login preferences page: only these keys, only booleans."""

    documents: bool | UnsetType = UNSET
    reminders: bool | UnsetType = UNSET
    marketing: bool | UnsetType = UNSET
    # The kinds of activity emailed as digests (services/notifications/digests.py).
    messages: bool | UnsetType = UNSET
    approvals: bool | UnsetType = UNSET
    decisions: bool | UnsetType = UNSET
    milestones: bool | UnsetType = UNSET
    invoices: bool | UnsetType = UNSET
    files: bool | UnsetType = UNSET


class CreditInput(Strict, kw_only=True):
    """A credit note staff issue to a client."""

    amount: PositiveMoney
    currency: Currency | None = None
    reason: LongText | None = None


class CreditApply(Strict, kw_only=True):
    invoice_id: Id
    amount: PositiveMoney | None = None  # none: as much as covers the balance


class QuoteApproval(Strict, kw_only=True):
    """A client approving a quote in the portal (form fields arrive as text)."""

    name: ShortText | None = None
    po_number: ShortText | None = None
    accept_terms: Annotated[str, Meta(pattern=r"^(true|on|yes)\Z")] | None = None


class QuoteDecline(Strict, kw_only=True):
    reason: Annotated[str, Meta(min_length=1, max_length=1000)]


class OfflineOutcome(Strict, kw_only=True):
    """The local test-mode checkout's buttons."""

    outcome: Annotated[str, Meta(pattern=r"^(pay|decline)\Z")]


class EmailInput(Strict, kw_only=True):
    """A client's address, typed into a sign-in or claim form."""

    email: Email


RefundRule = Annotated[str, Meta(pattern=r"^(keep|revoke_on_full_refund|revoke_on_any_refund)\Z")]


class AttachInput(Strict, kw_only=True):
    """Offer a resource on an invoice under a policy (the invoice's shortcut)."""

    resource_id: Id
    policy: Policy
    download_limit: DownloadLimit | None = None
    access_days: AccessDays | None = None
    refund_rule: RefundRule | None = None
    keep_after_refund: bool | None = None  # older clients: true is refund_rule "keep"


class AttachmentInput(Strict, kw_only=True):
    """Offer a resource through a client, product, invoice, quote or project under a policy."""

    target_type: Annotated[str, Meta(pattern=r"^(client|product|invoice|quote|project)\Z")]
    target_id: Id
    policy: Policy
    download_limit: DownloadLimit | None = None
    access_days: AccessDays | None = None
    refund_rule: RefundRule | None = None
    keep_after_refund: bool | None = None  # older clients: true is refund_rule "keep"


# --- issue 15, self-service (the client-side shapes: domain/self_service_inputs.py) ----------

DateText = Annotated[str, Meta(max_length=10, extra={"means": "a date like 2026-01-31"})]


class StatementRange(Strict, kw_only=True):
    """`from`/`to` of a statement to email (both optional: this year so far)."""

    start: DateText | None = msgspec.field(default=None, name="from")
    end: DateText | None = msgspec.field(default=None, name="to")


class SelfRegistrationSetting(Strict, kw_only=True):
    enabled: bool
