"""Share links: a no-login URL that opens one invoice, revocable at once."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain import invoices as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_token
from chalicelib.services.billing.documents import get_document
from chalicelib.store import documents as docs
from chalicelib.store import tokens
from chalicelib.store.table import iso, transaction


def share_path(token: str) -> str:
    return f"/invoice/{token}"


def share_invoice(principal: Principal, doc_id: str) -> str:
    """The invoice's share token, minting one if it has none yet (idempotent)."""
    return share_token_of(get_document(principal, rules.INVOICE, doc_id))


def share_token_of(document: docs.Document) -> str:
    """`document`'s share token, minting one if it has none yet (for staff, or the scheduler's
    reminders, which act for no one in particular)."""
    if document.share_token:
        return document.share_token
    rules.check_can_share(document.status)
    token = new_token()
    now = iso(clock.now())
    item = tokens.new_token_item(token, tokens.INVOICE_SHARE, document.business_id, document.doc_id, now)
    try:
        with transaction() as tx:
            tx.save(item, condition=tokens.Token.pk.does_not_exist())
            tx.update(
                document, actions=[docs.Document.share_token.set(token)],
                condition=docs.Document.share_token.does_not_exist(),
            )
    except Conflict:
        # Two staff clicked "share" at once: the other request's link is the link.
        winner = docs.get_document(document.business_id, document.doc_id)
        if winner is not None and winner.share_token:
            return winner.share_token
        raise
    return token


def revoke_share(principal: Principal, doc_id: str) -> None:
    """Delete the token item, so the old URL answers 404 from the next request on."""
    document = get_document(principal, rules.INVOICE, doc_id)
    token = document.share_token
    if not token:
        return
    with transaction() as tx:
        tx.delete(tokens.Token(tokens.token_pk(token), "TOKEN"))
        tx.update(
            document, actions=[docs.Document.share_token.remove()],
            condition=docs.Document.share_token == token,
        )


def regenerate_share(principal: Principal, doc_id: str) -> str:
    """A new share token in place of the old one, in one transaction: the old URL answers 404
    from the next request on, the new one works at once, and there is never a moment with
    both or neither. A document without a link simply gets its first one."""
    document = get_document(principal, rules.INVOICE, doc_id)
    old = document.share_token
    if not old:
        return share_token_of(document)
    rules.check_can_share(document.status)
    token = new_token()
    item = tokens.new_token_item(token, tokens.INVOICE_SHARE, document.business_id, document.doc_id, iso(clock.now()))
    with transaction() as tx:
        tx.delete(tokens.Token(tokens.token_pk(old), "TOKEN"), condition=tokens.Token.pk.exists())
        tx.save(item, condition=tokens.Token.pk.does_not_exist())
        # Two regenerations at once: one wins, the other gets a 409 (its old token is gone).
        tx.update(document, actions=[docs.Document.share_token.set(token)], condition=docs.Document.share_token == old)
    return token
