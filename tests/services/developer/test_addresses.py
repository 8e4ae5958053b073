"""Endpoints reach public hosts only: checked when registered (https, no private names or IPs)
and again at every delivery, where the name is resolved and a private answer refused (DNS
rebinding). Only the local stack's own receiver, named by an explicit dev setting, is exempt."""
from __future__ import annotations

import socket
from typing import Any

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.webhooks import check_endpoint_url, is_public_address
from chalicelib.services.developer import transport
from chalicelib.services.developer.transport import RefusedAddress, resolve_public


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/in", "https://localhost/in", "https://127.0.0.1/in", "https://10.0.0.8/in",
    "https://169.254.169.254/latest/meta-data", "https://[::1]/in", "https://192.168.1.2/in",
    "https://build.internal/in", "https://0x7f.1/in", "https://2130706433/in", "https://intranet/in",
    "https://user:pw@hooks.example.com/in", "https://[64:ff9b::a9fe:a9fe]/in", "https://[2002:a00:1::]/in",
    "https://[::127.0.0.1]/in",
])
def test_private_or_plain_http_endpoints_are_refused_when_registered(url: str) -> None:
    with pytest.raises(ValidationError):
        check_endpoint_url(url)


def test_a_public_https_endpoint_is_accepted() -> None:
    assert check_endpoint_url("https://hooks.example.com/paydrop?x=1") == "https://hooks.example.com/paydrop?x=1"


def test_the_dev_receiver_is_allowed_only_when_named_exactly() -> None:
    local = "http://127.0.0.1:8025/webhooks"
    assert check_endpoint_url(local, dev_receiver=local) == local
    with pytest.raises(ValidationError):
        check_endpoint_url("http://127.0.0.1:8025/other", dev_receiver=local)
    with pytest.raises(ValidationError):
        check_endpoint_url(local)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254",
                                     "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1",
                                     # IPv4 carried inside IPv6 (NAT64, 6to4, IPv4-compatible): the IPv4 decides
                                     "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "2002:7f00:1::", "::127.0.0.1"])
def test_private_loopback_and_link_local_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


def test_public_addresses_are(monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_public_address("93.184.216.34") and is_public_address("2606:2800:220:1:248:1893:25c8:1946")


def _resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """DNS answers `addresses` for every name (what an attacker's name server would do)."""
    def answer(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", answer)


def test_a_name_that_rebinds_to_a_private_address_is_refused_at_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    check_endpoint_url("https://hooks.attacker.example/in")  # passed when registered
    _resolving_to(monkeypatch, "93.184.216.34", "127.0.0.1")  # one private answer is enough
    with pytest.raises(RefusedAddress):
        resolve_public("hooks.attacker.example", 443)
    outcome = transport.post("https://hooks.attacker.example/in", b"{}", {})
    assert outcome.status_code is None and outcome.error and "private address" in outcome.error


def test_metadata_addresses_are_refused_at_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to(monkeypatch, "169.254.169.254")
    outcome = transport.post("https://hooks.example.com/in", b"{}", {})
    assert outcome.error and outcome.error.startswith("refused")


def test_a_public_answer_is_the_address_connected_to(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolving_to(monkeypatch, "93.184.216.34")
    assert resolve_public("hooks.example.com", 443) == "93.184.216.34"


@pytest.mark.parametrize("url", ["https://hooks.example.com:99999/in", "https://hooks.example.com:https/in"])
def test_a_url_with_an_impossible_port_is_an_outcome_not_a_crash(url: str) -> None:
    """An endpoint stored before its port was checked: the attempt is recorded as refused (and
    retried on schedule) instead of raising out of the worker with the attempt already claimed."""
    outcome = transport.post(url, b"{}", {})
    assert outcome.status_code is None and outcome.error and outcome.error.startswith("refused")
