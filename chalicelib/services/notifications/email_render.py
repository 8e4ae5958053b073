"""Every email Paydrop sends goes through `render`: one Jinja template per kind of email
(`chalicelib/templates/email/<kind>.html`) gives its subject, its plain-text part and its
branded HTML part, from the same data, in the business's (or the client's) locale.

A kind's template extends `email/layout.html` (logo or name, brand colours from
`domain/colours.palette`, the footer with the preferences link) and fills three blocks:
`subject`, `text` (written with autoescape off: it is plain text) and `content` (HTML,
autoescaped). Data is raw (minor units, ISO dates); the templates format it with the
`money` and `day` functions, which use Babel in the email's locale. So a new kind of email is
one template and one call.

Mail is rendered where it is sent (an API request, the payments worker, the scheduler), so
Jinja2 and Babel are imported here inside functions: `import app` loads neither.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.config import settings
from chalicelib.domain import formatting
from chalicelib.domain.colours import Palette, palette
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.figures import tax_label
from chalicelib.services.notifications import mail

if TYPE_CHECKING:
    from chalicelib.store.businesses import Business

CHALICELIB = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
TEMPLATES = os.path.join(CHALICELIB, "templates")
COMPILED = os.path.join(CHALICELIB, "templates_compiled")  # written by infra/postpackage.py into the zip only
DEFAULT_LOCALE = formatting.DEFAULT_LOCALE


@dataclass(frozen=True)
class Brand:
    """What every email shows of the business that sends it."""

    business_id: str
    name: str
    logo_url: str | None  # a lasting URL (`/brand/{id}/logo`): presigned ones expire before the email is read
    colours: Palette
    locale: str
    email: str | None
    address: str | None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def locale_of(business: Business, client_locale: str | None = None) -> str:
    """The email's locale: the client's own if set, else the business's, else en_GB."""
    return client_locale or getattr(business, "locale", None) or DEFAULT_LOCALE


def check_locale(locale: object) -> None:
    """Raises ValidationError unless Babel knows `locale` (None, "use the default", passes)."""
    from babel import Locale, UnknownLocaleError

    if locale is None:
        return
    try:
        Locale.parse(str(locale))
    except (UnknownLocaleError, ValueError) as e:
        raise ValidationError(f"{locale} is not a locale we can write emails in; try en_GB or de_DE.",
                              field="locale") from e


def logo_url(business: Business) -> str | None:
    """The business logo's lasting address; the key's hash makes a new logo a new URL (caches)."""
    if not business.logo_key:
        return None
    version = hashlib.sha256(business.logo_key.encode()).hexdigest()[:12]
    return f"{settings().public_base_url}/brand/{business.business_id}/logo?v={version}"


def brand_of(business: Business, client_locale: str | None = None) -> Brand:
    return Brand(business_id=business.business_id, name=business.name, logo_url=logo_url(business),
                 colours=palette(business.brand_color, business.accent_color),
                 locale=locale_of(business, client_locale), email=business.email, address=business.address)


def money(amount: int, currency: str, locale: str) -> str:
    """`97785, "EUR"` → "€977.85" (en_GB), "977,85 €" (de_DE): domain/formatting.py, shared with the pages."""
    return formatting.money(amount, currency, locale)


def day(value: str | date | None, locale: str) -> str:
    """An ISO date as people of `locale` write it: "15 Dec 2026", "15.12.2026"."""
    return formatting.day(value, locale)


@lru_cache(maxsize=1)
def environment() -> Any:
    """The emails' Jinja2 environment: the pages' options (so the precompiled modules of the
    package serve both), with the formatting functions bound to the email's `locale`."""
    import jinja2

    loader: Any = jinja2.FileSystemLoader(TEMPLATES)
    if os.path.isdir(COMPILED):
        loader = jinja2.ChoiceLoader([jinja2.ModuleLoader(COMPILED), loader])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    # Globals, not filters: a filter must exist when the package precompiles the templates.
    env.globals["money"] = jinja2.pass_context(lambda ctx, amount, currency: money(amount, currency, ctx["locale"]))
    env.globals["day"] = jinja2.pass_context(lambda ctx, value: day(value, ctx["locale"]))
    # `count`, not `number`: an email's data names its document `number`.
    env.globals["count"] = jinja2.pass_context(lambda ctx, value: formatting.number(value, ctx["locale"]))
    env.globals["tax_label"] = jinja2.pass_context(lambda ctx, rate_bp: tax_label(rate_bp, ctx["locale"]))
    env.globals["linked"] = linked
    return env


_URL = re.compile(r"https?://[^\s<>\"'`]+")


def linked(line: str, colour: str) -> Any:
    """`line` escaped, its URLs made links (in `colour`): plain words given to the `message` kind."""
    from markupsafe import Markup, escape

    out, start = [], 0
    for match in _URL.finditer(line):
        url = match.group().rstrip(".,;:!?)]")
        out += [escape(line[start:match.start()]),
                Markup('<a href="{0}" style="color:{1};">{0}</a>').format(url, colour)]
        start = match.start() + len(url)
    return Markup("").join([*out, escape(line[start:])])


def _block(template: Any, name: str, context: Mapping[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(dict(context))))


def render(kind: str, brand: Brand, data: Mapping[str, Any], preferences_url: str | None = None) -> Rendered:
    """The email of `kind` for `data`: subject, text and HTML. `preferences_url` (emails to a
    client's contact) adds the footer link to their email preferences."""
    template = environment().get_template(f"email/{kind}.html")
    context = {**data, "brand": brand, "c": brand.colours, "locale": brand.locale,
               "lang": brand.locale.replace("_", "-"), "preferences_url": preferences_url}
    subject = " ".join(_block(template, "subject", context).split())
    context["subject"] = subject
    text = _block(template, "text", context).strip("\n") + "\n"
    footer = environment().get_template("email/footer.txt").render(context).strip("\n")
    html = template.render(context)
    return Rendered(subject=subject, text=f"{text}\n{footer}\n", html=html)


def kind_exists(kind: str) -> bool:
    return os.path.isfile(os.path.join(TEMPLATES, "email", f"{kind}.html"))


def to_email(to: str, rendered: Rendered, headers: Mapping[str, str] | None = None) -> mail.Email:
    """The `mail.Email` (multipart/alternative: text, then HTML) of a rendered email."""
    return mail.Email(to=to, subject=rendered.subject, text=rendered.text, html=rendered.html, headers=dict(headers or {}))


def email_for(to: str, kind: str, business: Business, data: Mapping[str, Any], *, client_locale: str | None = None,
              preferences_url: str | None = None, headers: Mapping[str, str] | None = None) -> mail.Email:
    """The `mail.Email` of `kind` for `to`, rendered but not queued: for a sender that adds to it
    (e.g. a digest's Reply-To) before `mail.enqueue`."""
    rendered = render(kind, brand_of(business, client_locale), data, preferences_url=preferences_url)
    return to_email(to, rendered, headers)


def send(to: str, kind: str, business: Business, data: Mapping[str, Any], client_locale: str | None = None) -> Rendered:
    """Render the email of `kind` in `business`'s branding and queue it to `to` (one address).
    For mail to a client's contacts, which honours their preferences, use
    `notifications.email_client` / `email_contact` instead."""
    rendered = render(kind, brand_of(business, client_locale), data)
    mail.enqueue(to_email(to, rendered))
    return rendered
