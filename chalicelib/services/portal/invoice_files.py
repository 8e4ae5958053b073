"""The files each invoice unlocks, for the portal's invoices tab: one Query of the client's
grants (the tab's fourth read), grouped by invoice, in words a client reads."""
from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import access
from chalicelib.services.delivery.file_labels import label_of
from chalicelib.services.portal.portal import PortalAccess
from chalicelib.store.grants import grants_of_client


def files_by_invoice(portal_access: PortalAccess, doc_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """doc_id → [{title, filename, size, status}] of the files shown to the client on that invoice."""
    if not doc_ids:
        return {}
    wanted, now = set(doc_ids), clock.now()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for g in sorted(grants_of_client(portal_access.business_id, portal_access.client_id), key=lambda g: g.created_at):
        if g.doc_id not in wanted or not access.shown_to_client(g.policy, g.state, g.reason, g.claimed_by):
            continue
        label = label_of(g, now, claimed_elsewhere=g.claimed_by is not None)
        grouped.setdefault(str(g.doc_id), []).append({
            "title": g.title, "filename": g.filename, "size": int(g.size) if g.size is not None else None,
            "status": label.text})
    return grouped
