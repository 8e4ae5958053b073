"""What "release, lock or revoke all" of a resource would do, asked before staff confirm:
which grants it touches and, for "revoke", who loses access — each client with the contacts
who see that client's files (or, for a claimed link, only the person who claimed it).

Read-only: the same `bulk_action_applies` rule as the action itself, on the index's view of
the grants (the action re-reads each grant consistently; a preview a moment stale is fine).
Costs one Query for the grants, one BatchGet for the clients and one Query per client for its
contacts (a resource is offered to a handful of clients; the answer lists at most `MAX_CLIENTS`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain import access
from chalicelib.domain.principal import Principal
from chalicelib.services.delivery.grants import resource_grants
from chalicelib.store.businesses import business_pk
from chalicelib.store.clients import Client, client_sk, list_contacts
from chalicelib.store.grants import Grant

MAX_CLIENTS = 50


@dataclass
class Affected:
    client_id: str
    client_name: str
    contacts: list[tuple[str, str]] = field(default_factory=list)  # (name, email)
    only_claimer: bool = False


@dataclass
class BulkEffect:
    action: str
    grants: int
    clients: list[Affected]
    more_clients: int  # past MAX_CLIENTS, counted not listed


def bulk_effect(principal: Principal, resource_id: str, action: str) -> BulkEffect:
    chosen = [g for g in resource_grants(principal, resource_id)
              if access.bulk_action_applies(action, g.policy, g.state, g.reason, g.claimed_by)]
    by_client = _grants_by_client(chosen)
    listed = list(by_client)[:MAX_CLIENTS]
    clients = _clients(principal.business_id, listed)
    affected = []
    for client_id in listed:
        claimers = {g.claimed_by for g in by_client[client_id]}
        whole_client = None in claimers  # a grant to the client: every contact sees it
        contacts = list_contacts(principal.business_id, client_id)
        people = [c for c in contacts if whole_client or c.contact_id in claimers]
        name = clients[client_id].name if client_id in clients else "(client removed)"
        affected.append(Affected(client_id, str(name), [(str(c.name), str(c.email)) for c in people],
                                 only_claimer=not whole_client))
    return BulkEffect(action, len(chosen), affected, max(0, len(by_client) - MAX_CLIENTS))


def _grants_by_client(grants: list[Grant]) -> dict[str, list[Grant]]:
    found: dict[str, list[Grant]] = {}
    for g in grants:
        if g.client_id:
            found.setdefault(str(g.client_id), []).append(g)
    return found


def _clients(business_id: str, client_ids: list[str]) -> dict[str, Client]:
    keys = [(business_pk(business_id), client_sk(c)) for c in client_ids]
    return {c.client_id: c for c in Client.batch_get(keys) if isinstance(c, Client)} if keys else {}


