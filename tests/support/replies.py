"""Checks on staff API replies shared by several modules: the error shape, share-link paths."""
from __future__ import annotations

from typing import Any

from tests.conftest import PUBLIC_BASE_URL


def invoice_path(url: str) -> str:
    assert url.startswith(PUBLIC_BASE_URL + "/invoice/"), url
    return url[len(PUBLIC_BASE_URL):]


def assert_error_shape(reply: Any, status: int = 400) -> None:
    assert reply.status == status, (reply.status, reply.body)
    assert reply.error["code"] and reply.error["message"], reply.body
