"""The portal's documents tab sorted by a column the client picks (`?sort=date|number|amount|status`,
`&dir=asc|desc`, `&page=N`): plain links, so sorting and paging work without JavaScript.

Unsorted, the tab reads one index page (open invoices first). Sorted, every document of the
client is read (bounded by MAX_PAGES index pages) and sorted here, then shown a page at a time:
a true order across pages, at the cost of a few more reads only when a client asks for it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.services.portal import portal
from chalicelib.services.portal.portal import PortalAccess

SORTS = ("date", "number", "amount", "status")
DIRECTIONS = ("asc", "desc")
PAGE = 25
MAX_PAGES = 20  # 500 documents: far beyond one client's list; past it the order is of those read
_STATUS_ORDER = {"overdue": 0, "partial": 1, "sent": 2, "accepted": 3, "paid": 4, "declined": 5, "cancelled": 6}


def sort_of(params: Any) -> tuple[str | None, str, int]:
    """The sort the query asks for, checked: (column or None, direction, page ≥ 1). Raises ValidationError."""
    params = params or {}
    sort, direction, page = params.get("sort"), params.get("dir") or "asc", params.get("page") or "1"
    if sort is not None and sort not in SORTS:
        raise ValidationError("Sort by date, number, amount or status.", field="sort")
    if direction not in DIRECTIONS:
        raise ValidationError("The direction is asc or desc.", field="dir")
    if not (str(page).isdigit() and 1 <= int(page) <= MAX_PAGES * portal.PAGE // PAGE):
        raise ValidationError("The page is a whole number from 1.", field="page")
    return sort, direction, int(page)


def _key(column: str) -> Any:
    if column == "date":
        return lambda d: (d["issue_date"] or "", d["number"] or "")
    if column == "number":
        return lambda d: (len(d["number"] or ""), d["number"] or "")  # INV-10 after INV-9
    if column == "amount":
        return lambda d: (d["total"]["amount"], d["number"] or "")
    return lambda d: (_STATUS_ORDER.get(d["status"], 9), d["number"] or "")


def sorted_documents_tab(access: PortalAccess, kind: str, sort: str, direction: str, page: int,
                         today: date) -> dict[str, Any]:
    """The tab's view (as `portal.documents_tab`) with its items in the asked order, one page of it."""
    view = portal.documents_tab(access, kind, None, today)
    items, cursor, reads = list(view["items"]), view["next_cursor"], 1
    while cursor and reads < MAX_PAGES:
        more = portal.documents_tab(access, kind, cursor, today)
        items += more["items"]
        cursor, reads = more["next_cursor"], reads + 1
    items.sort(key=_key(sort), reverse=direction == "desc")
    start = (page - 1) * PAGE
    return {**view, "items": items[start:start + PAGE], "next_cursor": None, "sort": sort, "dir": direction,
            "page": page, "pages": max(1, -(-len(items) // PAGE))}
