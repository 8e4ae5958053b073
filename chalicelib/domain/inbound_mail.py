"""Email replies to conversation notifications: what a raw MIME message says, and the part of
its text that is new (quoted history and signatures stripped). Pure: bytes in, facts out.

A reply reaches us at `reply+{token}@{inbound domain}`; the token (lower-case base32, so a mail
system that lower-cases the address keeps it intact) names one contact of one client and one
conversation. Which sender may use it is decided by the service, not here.

A From header is only words the sending server chose: anyone holding a leaked reply address can
write the contact's address there. So a reply counts as the contact's only when SES's own
verdict on the message (the topmost `Authentication-Results`, which SES prepends; any the
sender wrote sit below it) authenticates the From domain: DMARC pass for it, or a DKIM or SPF
pass for that domain, a parent or a subdomain of it (DMARC's relaxed alignment). A From header naming
several addresses, or several From headers, names no single sender.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email import errors, message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import cast

REPLY_PREFIX = "reply+"
_TOKEN = re.compile(r"[a-z2-7]{40,64}")
# "On Tue, 1 Dec 2026 at 12:00, Ada <ada@x.test> wrote:" — Gmail, Apple Mail, Thunderbird; it may
# wrap onto a second line, so a line starting with "On " is joined with the next before matching.
_ON_WROTE = re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
_HISTORY_STARTS = (
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),  # Outlook (older)
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook: a rule line, then the From:/Sent: block
    re.compile(r"^\s*From:\s.+$"),  # Outlook's header block of the quoted message
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
)
_SIGNATURE = re.compile(r"^(-- ?|--|Sent from my \w+.*)$")


@dataclass(frozen=True)
class Reply:
    """What the worker needs of one received email."""

    sender: str  # the From address, lower-cased ("" when there is none)
    recipients: list[str]  # every address it was delivered to (To, Cc, Delivered-To…), lower-cased
    message_id: str  # the Message-ID header ("" when there is none)
    text: str  # the new text, quoted history stripped
    spam: bool  # SES's spam or virus verdict says FAIL
    authenticated: bool = False  # SES authenticated the From domain (DMARC, or aligned DKIM/SPF pass)


class _Text(HTMLParser):
    """Visible text of an HTML part (replies without a plain-text part), one line per block."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "blockquote"):
            self._skip += 1  # a blockquote is the quoted history in HTML mail
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "blockquote") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return "".join(parser.parts)


def new_text(body: str) -> str:
    """The reply's own words: everything before the quoted history or the signature, without
    lines quoted with ">"."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        joined = line + " " + lines[i + 1] if line.lstrip().startswith("On ") and i + 1 < len(lines) else line
        if _ON_WROTE.match(line) or (line.lstrip().startswith("On ") and _ON_WROTE.match(joined)):
            break
        if any(p.match(line) for p in _HISTORY_STARTS) or _SIGNATURE.match(line.rstrip("\n")):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = str(cast(EmailMessage, part).get_content())
    except (LookupError, ValueError):  # an unknown charset: read it as UTF-8, replacing what fails
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return html_text(content) if part.get_content_type() == "text/html" else content


_COMMENT = re.compile(r"\([^()]*\)")
SES_AUTHSERV = "amazonses.com"


def _aligned(domain: str, sender_domain: str) -> bool:
    domain = domain.strip().strip(".").lower().lstrip("@")
    # Relaxed alignment without a public-suffix list: one domain is the other or a subdomain of it.
    return bool(domain) and "." in domain and (
        sender_domain == domain or sender_domain.endswith("." + domain) or domain.endswith("." + sender_domain))


def _domain_of(value: str) -> str:
    return value.rpartition("@")[2].strip().lower()


def authenticated(header: str, sender: str) -> bool:
    """Whether an `Authentication-Results` value written by SES authenticates `sender`'s domain."""
    sender_domain = _domain_of(sender)
    parts = [p.strip() for p in _COMMENT.sub(" ", " ".join(header.split())).split(";")]
    if not sender_domain or not parts or parts[0].lower() != SES_AUTHSERV:
        return False
    for part in parts[1:]:
        words = part.split()
        if not words or "=" not in words[0]:
            continue
        method, _, result = words[0].lower().partition("=")
        props = {k.lower(): v for k, _, v in (w.partition("=") for w in words[1:])}
        if result != "pass":
            continue
        if method == "dmarc" and props.get("header.from", "").strip(".").lower() == sender_domain:
            return True
        if method == "dkim" and any(_aligned(_domain_of(props.get(k, "")), sender_domain)
                                    for k in ("header.d", "header.i")):
            return True
        if method == "spf" and any(_aligned(_domain_of(props.get(k, "")), sender_domain)
                                   for k in ("envelope-from", "smtp.mailfrom")):
            return True
    return False


def _sender(message: EmailMessage) -> str:
    """The one From address, lower-cased; "" when there are several headers or addresses, or the
    header does not parse cleanly (`pat@portal.test <mallory@evil.test>` reads as either)."""
    values = message.get_all("From", [])
    if len(values) != 1:
        return ""
    header = values[0]
    defects = getattr(header, "defects", ())
    if any(not isinstance(d, errors.ObsoleteHeaderDefect) for d in defects):
        return ""
    found = [a for _, a in getaddresses([str(header)]) if a]
    if len(found) != 1 or found[0].count("@") != 1:
        return ""
    return found[0].lower()


def parse(raw: bytes) -> Reply:
    """The facts of a raw RFC 5322 message (as SES stored it in S3)."""
    message = cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
    headers = [str(v) for name in ("To", "Cc", "Delivered-To", "X-Original-To") for v in message.get_all(name, [])]
    recipients = [address.lower() for _, address in getaddresses(headers) if address]
    verdicts = [str(message.get(name, "")).strip().upper() for name in ("X-SES-Spam-Verdict", "X-SES-Virus-Verdict")]
    sender = _sender(message)
    return Reply(
        sender=sender,
        recipients=recipients,
        message_id=str(message.get("Message-ID", "")).strip(),
        text=new_text(_body(message)),
        spam="FAIL" in verdicts,
        authenticated=bool(sender) and authenticated(str(message.get("Authentication-Results", "")), sender),
    )


def token_in(recipients: list[str], domain: str) -> str | None:
    """The reply token of the first `reply+{token}@{domain}` address among `recipients`."""
    for address in recipients:
        local, _, host = address.lower().rpartition("@")
        if host == domain.lower() and local.startswith(REPLY_PREFIX) and _TOKEN.fullmatch(local[len(REPLY_PREFIX):]):
            return local[len(REPLY_PREFIX):]
    return None
