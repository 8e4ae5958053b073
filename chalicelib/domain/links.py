"""External links offered as resources: https only, to public hosts."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError

MAX_URL_LENGTH = 2048
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp")


def _is_public_ip(host: str) -> bool | None:
    """True/False for an IP literal (public or not), None for a name."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return address.is_global and not address.is_multicast


def check_external_url(url: str) -> str:
    """The URL, if it is an https link to a public host. Raises ValidationError(field="url")."""
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationError("The link is too long or contains spaces.", field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ValidationError("Links must start with https://.", field="url")
    if parts.username or parts.password:
        raise ValidationError("Links cannot contain a user name or password.", field="url")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValidationError("The link has no host.", field="url")
    public_ip = _is_public_ip(host)
    if public_ip is False or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        raise ValidationError("Links must point to a public website.", field="url")
    if public_ip is None and ("." not in host or _NUMERIC_HOST.fullmatch(host)):
        # Dotless names, and numeric hosts browsers read as IPs (0x7f.1, 2130706433).
        raise ValidationError("Links must point to a public website.", field="url")
    return url
