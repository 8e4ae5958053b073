"""Access log: every view, download, claim and staff action on a grant, with who, when, from
where and the result — listed per resource, client or invoice (newest first, paged), exported
as a spreadsheet-safe CSV (in the background: `access_log_export.py`), and kept for the business's retention period (TTL)."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tokens import new_id
from chalicelib.services.accounts.clients import get_client
from chalicelib.services.billing.documents import get_document
from chalicelib.services.delivery.resources import get_resource
from chalicelib.services.identity.staff_auth import Principal
from chalicelib.store import access_log
from chalicelib.store.access_log import AccessLog
from chalicelib.store.grants import Grant


def log_entry(grant: Grant, now: datetime, retention_days: int | None, actor: str, action: str, result: str,
              ip: str | None = None, user_agent: str | None = None) -> AccessLog:
    return access_log.new_entry(
        grant.business_id, new_id(), now, retention_days, resource_id=grant.resource_id, grant_id=grant.grant_id,
        client_id=grant.client_id, doc_id=grant.doc_id, actor=actor, action=action, result=result,
        ip=ip, user_agent=user_agent,
    )


LOG_SCOPES = ("resource", "client", "invoice")


def access_log_of(principal: Principal, scope: str, scope_id: str, limit: int,
                  cursor: str | None) -> tuple[list[AccessLog], str | None]:
    """The access log of one resource, client or invoice, newest first."""
    if scope == "resource":
        get_resource(principal, scope_id)
        return access_log.entries_for_resource(principal.business_id, scope_id, limit, cursor)
    if scope == "client":
        get_client(principal, scope_id)
        return access_log.entries_for_client(principal.business_id, scope_id, limit, cursor)
    if scope == "invoice":
        get_document(principal, rules.INVOICE, scope_id)
        return access_log.entries_for_document(principal.business_id, scope_id, limit, cursor)
    raise Conflict(f"Unknown log scope {scope!r}.")


LOG_COLUMNS = ("at", "action", "result", "actor", "client_id", "doc_id", "grant_id", "resource_id", "ip", "user_agent")
# The CSV puts each name beside its id (log_names.py reads them): a person reads "Acme Ltd",
# a script still joins on the id.
CSV_COLUMNS = ("at", "action", "result", "actor", "actor_name", "client_id", "client_name", "doc_id", "doc_number",
               "grant_id", "resource_id", "resource_title", "ip", "user_agent")


def csv_cells(entry: AccessLog, names: dict[str, str | None] | None = None) -> list[str]:
    """One entry as a CSV row (`CSV_COLUMNS`), cells that a spreadsheet would run as formulas defused."""
    known = names or {}
    return [_cell(known.get(name) if name in known else getattr(entry, name, None)) for name in CSV_COLUMNS]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
