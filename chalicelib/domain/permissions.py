"""Roles (Cognito groups) and the permissions each grants."""
from __future__ import annotations

from collections.abc import Iterable

MANAGE_INVOICES = "manage_invoices"
MANAGE_CLIENTS = "manage_clients"
MANAGE_PRODUCTS = "manage_products"
MANAGE_BUSINESS = "manage_business"
MANAGE_RESOURCES = "manage_resources"
VIEW_REPORTS = "view_reports"
VIEW = "view"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(
        {MANAGE_BUSINESS, MANAGE_INVOICES, MANAGE_CLIENTS, MANAGE_PRODUCTS, MANAGE_RESOURCES, VIEW_REPORTS, VIEW}
    ),
    "admin": frozenset(
        {MANAGE_BUSINESS, MANAGE_INVOICES, MANAGE_CLIENTS, MANAGE_PRODUCTS, MANAGE_RESOURCES, VIEW_REPORTS, VIEW}
    ),
    "staff": frozenset({MANAGE_INVOICES, MANAGE_CLIENTS, MANAGE_PRODUCTS, MANAGE_RESOURCES, VIEW}),
    "viewer": frozenset({VIEW}),
}
ROLES = tuple(ROLE_PERMISSIONS)


def permissions_for(groups: Iterable[str]) -> frozenset[str]:
    """Union of the permissions of every known role in `groups`; unknown groups grant nothing."""
    granted: set[str] = set()
    for group in groups:
        granted |= ROLE_PERMISSIONS.get(group, frozenset())
    return frozenset(granted)
