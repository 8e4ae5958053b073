"""One contact per address: a known address is that contact, a new one is created once even when
several requests race for it."""
from __future__ import annotations

import threading
from typing import Any


def test_a_known_address_is_the_existing_contact(tenant: Any) -> None:
    from chalicelib.services.accounts.buyers import Person, contact_for

    client_id = tenant.client_id()  # its contact is ada@acme.test
    contact, created = contact_for(tenant.business_id, Person("ADA@acme.test ", "Ada again"))
    assert (contact.client_id, created) == (client_id, False)


def test_eight_requests_for_one_new_address_make_one_client(tenant: Any) -> None:
    from chalicelib.services.accounts.buyers import Person, contact_for
    from chalicelib.store.clients import contacts_with_email

    results: list[Any] = []
    barrier = threading.Barrier(8)

    def buy() -> None:
        barrier.wait()
        results.append(contact_for(tenant.business_id, Person("new.buyer@shop.test", "New Buyer", note="Bought")))

    threads = [threading.Thread(target=buy) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len({c.contact_id for c, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert len(contacts_with_email(tenant.business_id, "new.buyer@shop.test")) == 1
