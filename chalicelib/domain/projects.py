"""Projects and their milestones: statuses, the order of milestones, progress. Pure rules."""
from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import Conflict, ValidationError

PLANNED, ACTIVE, ON_HOLD, DONE = "planned", "active", "on_hold", "done"
PROJECT_STATUSES = (PLANNED, ACTIVE, ON_HOLD, DONE)
MILESTONE_STATUSES = (PLANNED, ACTIVE, DONE)
# Projects written before these statuses existed said "completed" or "archived": both are
# finished work, so both read as done (and leave the client's Projects tab, as they would have).
LEGACY_STATUSES = {"completed": DONE, "archived": DONE}
# What the client's Projects tab lists; a planned project is not shown to the client yet.
LISTED_FOR_CLIENT = (ACTIVE, ON_HOLD)
SHOWN_TO_CLIENT = (ACTIVE, ON_HOLD, DONE)
# What completing a milestone does with the invoice it bills through (a business setting).
INVOICE_DRAFT, INVOICE_SEND = "draft", "send"
MILESTONE_INVOICE_ACTIONS = (INVOICE_DRAFT, INVOICE_SEND)


def project_status(stored: str | None) -> str:
    """The status of a stored project, legacy values read as today's."""
    if stored in PROJECT_STATUSES:
        return str(stored)
    return LEGACY_STATUSES.get(str(stored), ACTIVE)


def progress(milestone_statuses: Sequence[str], set_by_staff: int | None) -> int:
    """Percent done: what staff set (0–100) if they did, else the share of milestones done,
    rounded down (three of four done is 75, two of three is 66: never "100" before the end)."""
    if set_by_staff is not None:
        return max(0, min(100, int(set_by_staff)))
    if not milestone_statuses:
        return 0
    done = sum(1 for s in milestone_statuses if s == DONE)
    return done * 100 // len(milestone_statuses)


def next_open(milestone_ids: Sequence[str], statuses: dict[str, str]) -> str | None:
    """The first milestone, in the project's order, that is not done."""
    return next((m for m in milestone_ids if statuses.get(m) != DONE), None)


def check_order(current: Sequence[str], given: Sequence[str]) -> None:
    """A new order names every current milestone exactly once, and nothing else."""
    if len(set(given)) != len(given):
        raise ValidationError("The order names a milestone twice.", field="order")
    if set(given) != set(current):
        missing, unknown = set(current) - set(given), set(given) - set(current)
        words = []
        if missing:
            words.append(f"{len(missing)} milestone(s) missing")
        if unknown:
            words.append(f"{len(unknown)} unknown milestone id(s)")
        raise ValidationError(f"The order must list the project's milestones exactly: {', '.join(words)}. "
                              "Reload and try again.", field="order")


def check_can_complete(status: str) -> None:
    if status == DONE:
        raise Conflict("This milestone is already done.", field="milestone_id")

