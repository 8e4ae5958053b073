"""A contact changes their own address from the portal: the new address is confirmed first.

`request_change` refuses an address another contact of the business already has (409), then
emails the NEW address a one-time link (a 256-bit token stored only as its SHA-256, valid for
24 hours). Nothing changes until that link is used. `confirm` consumes it (a conditional delete:
two clicks, one change) and in ONE transaction moves the address (the contact's email and its
email-index key, gsi1, are one item: the index moves with it), ends the contact's portal link,
sessions and pending links by the mechanism removing a contact uses (`contact_access.end_all`),
and puts a short hold on the new address so two contacts confirming it at once cannot both get
it. The old address is then told, so a hijacked session cannot move the account silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.tokens import new_token
from chalicelib.services.identity import contact_access
from chalicelib.services.notifications import email_render
from chalicelib.store import tokens
from chalicelib.store.address_holds import address_hold
from chalicelib.store.businesses import Business, get_business
from chalicelib.store.clients import Contact, contacts_with_email, email_pk, get_contact
from chalicelib.store.rate_limits import hit
from chalicelib.store.table import iso, transaction

LINK_HOURS = 24
PER_CONTACT, PER_IP, WINDOW = 5, 30, 3600  # confirmation emails per contact, and per IP and business, an hour
LINK_INVALID = "This confirmation link has expired or was already used. Change your address again from your portal."
TAKEN = "Another contact of {business} already uses this address. Use a different one."


@dataclass(frozen=True)
class Changed:
    business: Business
    contact: Contact  # as stored after the change: new address, new session generation
    old_email: str


def _taken(business_id: str, email: str, contact: Contact) -> bool:
    return any((c.client_id, c.contact_id) != (contact.client_id, contact.contact_id)
               for c in contacts_with_email(business_id, email))


def request_change(business: Business, contact: Contact, new_email: str, ip: str | None, link_base: str) -> None:
    """Email a confirmation link to `new_email`. Raises ValidationError (same address) or
    TooManyRequests; nothing is written on either.

    An address another contact of the business already has answers exactly as a free one does
    and is sent nothing: a 409 here would let any contact test which addresses are the
    business's contacts. Its owner loses nothing, and the click step refuses it anyway."""
    if new_email.strip().lower() == contact.email.lower():
        raise ValidationError("That is already your address.", field="email")
    now = clock.now()
    message = "Too many address changes were asked for. Wait a while and try again."
    hit(f"email-change#{business.business_id}#{contact.contact_id}", PER_CONTACT, WINDOW, now, message)
    if ip:
        hit(f"email-change-ip#{business.business_id}#{ip}", PER_IP, WINDOW, now, message)
    if _taken(business.business_id, new_email, contact):
        return
    token = new_token()
    # The generation in the target: a removal, sign-out or another change meanwhile kills the link.
    target = f"{contact.client_id}:{contact.contact_id}:{int(contact.session_generation or 0)}"
    tokens.new_token_item(token, tokens.EMAIL_CHANGE, business.business_id, target, iso(now), email=new_email.strip(),
                          expires_at=now + timedelta(hours=LINK_HOURS)).save(condition=tokens.Token.pk.does_not_exist())
    email_render.send(new_email.strip(), "email_change", business,
                      {"contact_name": contact.name, "url": f"{link_base}/email-change/{token}", "hours": LINK_HOURS})


def pending(token: str) -> tokens.Token:
    """The unexpired, unused confirmation link behind `token` whose contact is unchanged. Raises NotFound."""
    item = tokens.unexpired_link(token, tokens.EMAIL_CHANGE, clock.now())
    if item is None:
        raise NotFound(LINK_INVALID)
    _contact_for(item)
    return item


def _contact_for(item: tokens.Token) -> Contact:
    client_id, contact_id, generation = [*item.target_id.split(":"), "", "", ""][:3]
    contact = get_contact(item.business_id, client_id, contact_id)
    if contact is None or str(int(contact.session_generation or 0)) != generation:
        raise NotFound(LINK_INVALID)
    return contact


def confirm(token: str) -> Changed:
    """Use the link: switch the address, end every old session and link, tell the old address."""
    item = pending(token)
    tokens.use_once(item, LINK_INVALID)
    contact, new_email = _contact_for(item), str(item.email)
    business = get_business(item.business_id)
    if business is None:
        raise NotFound(LINK_INVALID)
    if _taken(business.business_id, new_email, contact):
        raise Conflict(TAKEN.format(business=business.name), field="email")
    _switch(business.business_id, contact, new_email)
    changed = get_contact(business.business_id, contact.client_id, contact.contact_id)
    if changed is None:
        raise NotFound(LINK_INVALID)
    _tell_old_address(business, contact.email, new_email)
    return Changed(business, changed, contact.email)


def _switch(business_id: str, contact: Contact, new_email: str) -> None:
    """One transaction: the address and its index key, the end of every session and link, the hold."""
    now = clock.now()
    hold, free = address_hold(business_id, new_email, now)
    actions: list[Action] = [Contact.email.set(new_email), Contact.gsi1pk.set(email_pk(business_id, new_email)),
               Contact.updated_at.set(iso(now))]
    # Conditional on what the link was minted against: a change or removal meanwhile wins.
    generation = int(contact.session_generation or 0)
    same_generation = Contact.session_generation == generation
    if generation == 0:
        same_generation |= Contact.session_generation.does_not_exist()  # contacts from before generations
    same = Contact.pk.exists() & (Contact.email == contact.email) & same_generation
    try:
        with transaction() as tx:
            actions += contact_access.end_all(tx, contact, removed=False)
            tx.update(contact, actions=actions, condition=same)
            tx.save(hold, condition=free)
    except Conflict as e:
        raise Conflict("Your address changed at the same time, or someone else just took this one. "
                       "Start again from your portal.", field="email") from e


def _tell_old_address(business: Business, old_email: str, new_email: str) -> None:
    """A security notice to the address that no longer gets anything: always sent (not a preference)."""
    email_render.send(old_email, "email_changed", business, {"masked_email": _masked(new_email)})


def _masked(email: str) -> str:
    """n•••@example.com: enough for the owner to recognise, not a full address for a mailbox thief."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"
