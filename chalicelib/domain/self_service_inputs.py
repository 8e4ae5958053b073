"""Shapes of what a client's contact (and staff, for statements and self-registration) send for
self-service: their own name and phone, a new address, a statement by email, registering as a
new client. The limits are in the shapes, as in `domain/inputs.py`; the phone's plausibility
(digit count) is a rule here, worded for people."""
from __future__ import annotations

import re
from typing import Annotated

from msgspec import Meta

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.inputs import Email, Name, ShortText, Strict
from chalicelib.domain.inputs import SelfRegistrationSetting as SelfRegistrationSetting  # staff shapes: in inputs.py
from chalicelib.domain.inputs import StatementRange as StatementRange

# The characters people type in a phone number; `phone_number` then asks for 7–15 digits (E.164's
# maximum), an optional leading +, and nothing but separators between the digits.
PhoneText = Annotated[str, Meta(max_length=40, pattern=r"^[0-9+()./ -]*\Z",
                                extra={"means": "a phone number like +44 20 7946 0958"})]
_PHONE_SHAPE = re.compile(r"^\+?[0-9(][0-9 ()./-]*[0-9]\Z")


class ProfileInput(Strict, kw_only=True):
    """A contact's own name and phone (an empty phone removes it)."""

    name: Name
    phone: PhoneText | None = None


class EmailChangeInput(Strict, kw_only=True):
    email: Email


class RegistrationInput(Strict, kw_only=True):
    """Someone registering as a new client on a business's registration page."""

    name: Name
    company: ShortText | None = None
    email: Email


def phone_number(text: str | None) -> str | None:
    """The phone as typed (trimmed), None when empty; a ValidationError unless it is plausible."""
    value = (text or "").strip()
    if not value:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_SHAPE.match(value) or not 7 <= digits <= 15:
        raise ValidationError("Phone must be a phone number with 7 to 15 digits, like +44 20 7946 0958.", field="phone")
    return value


def clean_name(text: str) -> str:
    value = text.strip()
    if not value:
        raise ValidationError("Name must not be empty.", field="name")
    return value
