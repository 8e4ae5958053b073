"""Staff preview each kind of email in their own branding; emails show the logo from a lasting address."""
from __future__ import annotations

from typing import Any

import html5lib

from chalicelib.services.notifications.email_previews import KINDS
from tests.conftest import Api


def test_staff_list_every_kind_and_preview_each_in_their_branding(tenant: Any, member_of: Any) -> None:
    assert tenant.api.patch("/api/v1/business", {"name": "Northwind <Studio>", "brand_color": "#7b2d8e",
                                                 "currency": "GBP"}).status == 200
    viewer = member_of(tenant, "viewer")  # seeing what clients get needs no more than viewing

    listed = viewer.get("/api/v1/email-previews")
    assert listed.status == 200
    assert [k["kind"] for k in listed.json["kinds"]] == [k.kind for k in KINDS]
    for kind in listed.json["kinds"]:
        preview = viewer.get(f"/api/v1/email-previews/{kind['kind']}")
        assert preview.status == 200, preview.body
        body = preview.json
        assert body["subject"] and body["text"].strip() and body["locale"] == "en_GB"
        html5lib.HTMLParser(strict=True).parse(body["html"])
        assert "Northwind &lt;Studio&gt;" in body["html"] and "#7b2d8e" in body["html"]
    invoice = viewer.get("/api/v1/email-previews/invoice").json
    assert invoice["subject"] == "Invoice INV-0042 from Northwind <Studio>"
    assert "£977.85" in invoice["text"] and "View invoice" in invoice["html"]


def test_a_preview_follows_the_business_locale(tenant: Any) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).status == 200
    preview = tenant.api.get("/api/v1/email-previews/reminder").json
    assert preview["locale"] == "de_DE" and "977,85\xa0€" in preview["text"] and 'lang="de-DE"' in preview["html"]


def test_an_unknown_kind_is_404_and_each_business_sees_its_own(tenant: Any, make_tenant: Any) -> None:
    assert tenant.api.get("/api/v1/email-previews/newsletter").status == 404
    other = make_tenant()
    assert other.api.patch("/api/v1/business", {"name": "Other Ltd"}).status == 200
    assert "Other Ltd" not in tenant.api.get("/api/v1/email-previews/sign_in").json["html"]
    assert "Other Ltd" in other.api.get("/api/v1/email-previews/sign_in").json["html"]


def test_the_logo_address_in_emails_redirects_to_a_fresh_download(tenant: Any, anonymous: Api) -> None:
    from chalicelib.store.businesses import Business, get_business

    assert anonymous.get(f"/brand/{tenant.business_id}/logo").status == 404  # no logo yet
    business = get_business(tenant.business_id)
    assert business is not None
    business.update(actions=[Business.logo_key.set(f"branding/{tenant.business_id}/logo.png")])
    preview = tenant.api.get("/api/v1/email-previews/invoice").json["html"]
    assert f'src="https://pay.example.test/brand/{tenant.business_id}/logo?v=' in preview

    reply = anonymous.get(f"/brand/{tenant.business_id}/logo?v=abc")
    assert reply.status == 302
    assert f"branding/{tenant.business_id}/logo.png" in reply.headers["Location"]
    assert "X-Amz-Signature=" in reply.headers["Location"] and "max-age=120" in reply.headers["Cache-Control"]
    assert anonymous.get("/brand/not*an*id/logo").status == 404
