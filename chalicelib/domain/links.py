"""External links offered as resources: https only, to public hosts."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from chalicelib.domain.errors import ValidationError

MAX_URL_LENGTH = 2048
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp")


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def is_global_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable and not multicast. An IPv6 address that carries an IPv4 one (mapped,
    6to4, NAT64, IPv4-compatible) is judged by that IPv4 address: a NAT64 gateway or a 6to4 relay
    would deliver to it, and Python calls `64:ff9b::a9fe:a9fe` (169.254.169.254) global."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and (address in _NAT64 or int(address) >> 32 == 0):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            address = inner
    return address.is_global and not address.is_multicast


def _is_public_ip(host: str) -> bool | None:
    """True/False for an IP literal (public or not), None for a name."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return is_global_ip(address)


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
    try:  # urlsplit accepts any text after the colon; reading the port is what checks it
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValidationError("The link's port must be a number from 1 to 65535.", field="url")
    public_ip = _is_public_ip(host)
    if public_ip is False or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        raise ValidationError("Links must point to a public website.", field="url")
    if public_ip is None and ("." not in host or _NUMERIC_HOST.fullmatch(host)):
        # Dotless names, and numeric hosts browsers read as IPs (0x7f.1, 2130706433).
        raise ValidationError("Links must point to a public website.", field="url")
    return url
