"""Project rules: progress, the next milestone, what a reorder must name, old statuses."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import projects as rules
from chalicelib.domain.errors import Conflict, ValidationError


def test_progress_is_the_share_of_milestones_done_rounded_down() -> None:
    assert rules.progress([], None) == 0
    assert rules.progress(["done", "active", "planned"], None) == 33
    assert rules.progress(["done", "done", "planned"], None) == 66
    assert rules.progress(["done", "done", "done", "planned"], None) == 75
    assert rules.progress(["done"], None) == 100


def test_progress_staff_set_wins_over_the_milestones() -> None:
    assert rules.progress(["planned"], 80) == 80
    assert rules.progress(["done", "done"], 0) == 0


@given(st.lists(st.sampled_from(rules.MILESTONE_STATUSES), max_size=100))
def test_progress_reaches_100_only_when_every_milestone_is_done(statuses: list[str]) -> None:
    value = rules.progress(statuses, None)
    assert 0 <= value <= 100
    assert (value == 100) == (bool(statuses) and all(s == rules.DONE for s in statuses))


def test_the_next_milestone_is_the_first_not_done_in_order() -> None:
    statuses = {"a": "done", "b": "planned", "c": "active"}
    assert rules.next_open(["a", "b", "c"], statuses) == "b"
    assert rules.next_open(["a", "c", "b"], statuses) == "c"
    assert rules.next_open(["a"], statuses) is None


@pytest.mark.parametrize("given_order", [["a"], ["a", "b", "b"], ["a", "b", "x"], [], ["b", "c", "a", "a"]])
def test_a_reorder_names_every_milestone_exactly_once(given_order: list[str]) -> None:
    with pytest.raises(ValidationError) as refused:
        rules.check_order(["a", "b", "c"], given_order)
    assert refused.value.field == "order"


def test_any_permutation_is_a_valid_order() -> None:
    rules.check_order(["a", "b", "c"], ["c", "a", "b"])
    rules.check_order([], [])


def test_old_statuses_read_as_done_and_unknown_as_active() -> None:
    assert rules.project_status("completed") == rules.DONE
    assert rules.project_status("archived") == rules.DONE
    assert rules.project_status("on_hold") == rules.ON_HOLD
    assert rules.project_status(None) == rules.ACTIVE


def test_a_done_milestone_cannot_be_completed_again() -> None:
    rules.check_can_complete(rules.ACTIVE)
    with pytest.raises(Conflict):
        rules.check_can_complete(rules.DONE)
