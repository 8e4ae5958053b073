"""Used-up and expired files say so on the invoice page, the portal and the Files page (no
dead Download link), and a refused `/files/{token}` answers with a branded page."""
from __future__ import annotations

import re
from typing import Any

from tests.conftest import Api, local_path
from tests.support.client_flows import signed_in


def _limited(tenant: Any, **attachment: Any) -> dict[str, Any]:
    """A shared invoice with a visible file, its grant, and the client's portal link."""
    invoice = tenant.invoice()
    grant = tenant.api.post(f"/api/v1/invoices/{invoice['id']}/resources", {
        "resource_id": tenant.file(b"%PDF-1.4 handbook", "handbook.pdf"), "policy": "visible", **attachment}).json
    client_id = invoice["client_id"]
    contact_id = tenant.api.get(f"/api/v1/clients/{client_id}").json["contacts"][0]["contact_id"]
    portal = tenant.api.post(f"/api/v1/clients/{client_id}/contacts/{contact_id}/portal").json["url"]
    return {"invoice": invoice, "grant": grant, "link": local_path(grant["download_url"]),
            "page": local_path(tenant.share(invoice["id"])), "portal": local_path(portal) + "?tab=files"}


def _item(html: str, title: str = "handbook.pdf") -> str:
    """The list item of the file on a client page."""
    start = html.index(title)
    return html[start:html.index("</li>", start)]


def _surfaces(anonymous: Api, made: dict[str, Any], cookie: str) -> dict[str, str]:
    return {"invoice page": _item(anonymous.get(made["page"]).text),
            "portal": _item(anonymous.get(made["portal"]).text),
            "files page": _item(anonymous.get("/files", headers={"Cookie": cookie}).text)}


def test_a_file_at_its_download_limit_says_limit_reached_everywhere(
        tenant: Any, anonymous: Api, outbox: Any) -> None:
    made = _limited(tenant, download_limit=2)
    cookie = signed_in(tenant, anonymous, outbox, "ada@acme.test")
    for surface, item in _surfaces(anonymous, made, cookie).items():
        assert "2 downloads left" in item and made["link"] in item, surface
    # Two clients (one browser restarting within 10 minutes would count once).
    assert anonymous.get(made["link"], headers={"User-Agent": "phone"}).status == 302
    for surface, item in _surfaces(anonymous, made, cookie).items():
        assert "1 download left" in item and made["link"] in item, surface
    assert anonymous.get(made["link"], headers={"User-Agent": "laptop"}).status == 302
    for surface, item in _surfaces(anonymous, made, cookie).items():
        assert "limit reached" in item.lower(), surface  # a sentence-case badge: "Limit reached"
        assert "/files/" not in item and "Download" not in item, surface  # no dead link
    [resource] = anonymous.get(made["page"], headers={"Accept": "application/json"}).json["invoice"]["resources"]
    assert (resource["status"], resource["download_url"]) == ("limit reached", None)


def test_an_expired_file_says_expired_everywhere(tenant: Any, anonymous: Api, outbox: Any) -> None:
    from chalicelib.store.grants import Grant

    made = _limited(tenant, access_days=7)
    cookie = signed_in(tenant, anonymous, outbox, "ada@acme.test")
    stored = Grant.get(f"DOC#{tenant.business_id}#{made['invoice']['id']}", f"GRANT#{made['grant']['grant_id']}")
    stored.update(actions=[Grant.access_expires_at.set("2020-01-01T00:00:00.000Z")])
    for surface, item in _surfaces(anonymous, made, cookie).items():
        assert "expired" in item.lower() and "/files/" not in item, surface


def test_a_refused_download_is_a_branded_page_with_the_reason_and_a_next_step(tenant: Any, anonymous: Api) -> None:
    assert tenant.api.patch("/api/v1/business", {"name": "Lumen Studio", "brand_color": "#aa3300",
                                                 "email": "hello@lumen.test"}).status == 200
    made = _limited(tenant, download_limit=1)
    assert anonymous.get(made["link"], headers={"User-Agent": "phone"}).status == 302
    refused = anonymous.get(made["link"], headers={"User-Agent": "laptop"})  # another client: over the limit
    assert refused.status == 403 and refused.headers["Content-Type"].startswith("text/html")
    page = refused.text
    assert "Lumen Studio" in page and "#aa3300" in page  # the business's name and colour, not a bare message
    assert "Download limit reached" in page and "Handbook" in page
    assert "Ask Lumen Studio for more downloads." in page
    assert 'href="mailto:hello@lumen.test' in page
    assert re.search(rf'href="[^"]*/signin/{tenant.business_id}"', page)
    assert "X-Amz-Signature" not in page and "Location" not in refused.headers


def test_an_unknown_download_link_is_still_404(anonymous: Api) -> None:
    assert anonymous.get("/files/" + "A" * 43).status == 404
