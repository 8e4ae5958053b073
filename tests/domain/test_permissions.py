"""Roles (Cognito groups) and what each may do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.permissions import (
    MANAGE_BUSINESS,
    MANAGE_CLIENTS,
    MANAGE_INVOICES,
    MANAGE_PRODUCTS,
    MANAGE_RESOURCES,
    ROLE_PERMISSIONS,
    ROLES,
    VIEW,
    VIEW_REPORTS,
    permissions_for,
)

SETTINGS = settings(max_examples=200, deadline=None)
EVERYTHING = {MANAGE_BUSINESS, MANAGE_INVOICES, MANAGE_CLIENTS, MANAGE_PRODUCTS, MANAGE_RESOURCES, VIEW_REPORTS, VIEW}


def test_viewer_can_only_view() -> None:
    assert permissions_for(["viewer"]) == frozenset({"view"})


def test_staff_manage_day_to_day_work_but_not_the_business() -> None:
    granted = permissions_for(["staff"])
    assert MANAGE_BUSINESS not in granted
    assert VIEW_REPORTS not in granted
    assert {MANAGE_INVOICES, MANAGE_CLIENTS, MANAGE_PRODUCTS, VIEW} <= granted


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_can_do_everything(role: str) -> None:
    assert permissions_for([role]) == EVERYTHING


@pytest.mark.parametrize("groups", [[], ["superuser"], ["Owner"], ["ADMIN"], [""], ["owner "], ["root", "everyone"]])
def test_unknown_groups_grant_nothing(groups: list[str]) -> None:
    assert permissions_for(groups) == frozenset()


def test_several_groups_grant_the_union() -> None:
    assert permissions_for(["viewer", "staff"]) == permissions_for(["staff"])
    assert permissions_for(["staff", "admin"]) == EVERYTHING
    assert permissions_for(["viewer", "unknown"]) == frozenset({VIEW})
    assert permissions_for(iter(["viewer", "viewer"])) == frozenset({VIEW})


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(ROLES), st.text(max_size=10))))
def test_permissions_are_the_union_of_known_roles(groups: list[str]) -> None:
    expected: set[str] = set()
    for group in groups:
        if group in ROLE_PERMISSIONS:
            expected |= ROLE_PERMISSIONS[group]
    granted = permissions_for(groups)
    assert granted == expected
    assert granted <= EVERYTHING
    # adding a group never takes a permission away
    assert granted <= permissions_for([*groups, "viewer"])
