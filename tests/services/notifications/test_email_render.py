"""Every email Paydrop sends, rendered: valid markup, escaped data, the button's link in the
text part too, money and dates by locale, readable brand colours, and the real flows send
multipart/alternative (text, then HTML)."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest

from chalicelib.domain.colours import MINIMUM, contrast
from chalicelib.domain.errors import ValidationError
from chalicelib.services.notifications import email_render
from chalicelib.services.notifications.email_previews import KINDS, sample
from chalicelib.store.businesses import Business

pytestmark = pytest.mark.usefixtures("aws")  # settings(): the public base URL of the logo

HOSTILE = '<script>alert(1)</script> & "Co"'
TODAY = date(2026, 12, 1)
BUTTONS = {"invoice": "View invoice", "reminder": "Pay", "receipt": "Download", "statement": "Download",
           "auto_charge_failed": "Pay", "digest": "See all", "sign_in": "Sign in", "claim": "Confirm and download",
           "email_change": "Confirm this address", "quote_approved": "View quote", "quote_declined": "View quote",
           "email_changed": None, "message": None, "register": "Finish registering",
           "purchase": "Sign in and download", "prepayment_plan": "Open your portal"}
# What people type (names, reasons, titles, messages): every one of them is made hostile below.
PEOPLES_WORDS = ("client_name", "who", "reason", "title", "body", "masked_email", "name")


def business(**fields: Any) -> Business:
    values = {"business_id": "b1", "name": HOSTILE, "currency": "EUR", "brand_color": "#ffd54f",
              "accent_color": "#f2f5fa", "created_at": "2026-01-01", "updated_at": "2026-01-01", **fields}
    return Business("BIZ#b1", "PROFILE", **values)


def hostile_sample(kind: str, biz: Business) -> dict[str, Any]:
    data = sample(kind, biz, TODAY)
    data.update({key: HOSTILE for key in PEOPLES_WORDS if key in data})
    if "items" in data:
        data["items"] = [{**item, "title": HOSTILE, "text": HOSTILE} for item in data["items"]]
    return {**data, "contact_name": HOSTILE}


def parse_strictly(html: str) -> Element:
    """The document, or ParseError on any markup error (unclosed or stray tags, bad nesting…)."""
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(html)


def buttons(document: Element) -> list[Element]:
    """The bulletproof buttons: a link alone in a table cell painted with `bgcolor`."""
    return [a for td in document.iter("td") if td.get("bgcolor") for a in td.iter("a")]


@pytest.mark.parametrize("kind", [k.kind for k in KINDS])
def test_every_kind_renders_valid_html_with_people_s_words_escaped(kind: str) -> None:
    biz = business()
    rendered = email_render.render(kind, email_render.brand_of(biz), hostile_sample(kind, biz),
                                   preferences_url="https://pay.example.test/email-preferences/t")

    document = parse_strictly(rendered.html)  # raises on broken markup
    assert rendered.html.startswith("<!DOCTYPE html>") and document.get("lang") == "en-GB"
    assert "<script" not in rendered.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "\n" not in rendered.subject and rendered.subject.strip() == rendered.subject != ""
    # The text part is plain text: people's words as they typed them, not HTML-escaped.
    assert "&lt;" not in rendered.text and "&amp;" not in rendered.text
    assert "Choose which emails you get: https://pay.example.test/email-preferences/t" in rendered.text
    assert 'href="https://pay.example.test/email-preferences/t"' in rendered.html


@pytest.mark.parametrize("kind", [k.kind for k in KINDS])
def test_the_button_is_a_real_table_button_and_its_link_is_in_the_text_part(kind: str) -> None:
    biz = business()
    rendered = email_render.render(kind, email_render.brand_of(biz), sample(kind, biz, TODAY))
    found = buttons(parse_strictly(rendered.html))
    if BUTTONS[kind] is None:
        assert found == []
        return
    (button,) = found
    assert button.text == BUTTONS[kind]
    assert button.get("href") and button.get("href") in rendered.text.split()
    cell = next(td for td in parse_strictly(rendered.html).iter("td") if td.get("bgcolor"))
    text_colour = re.search(r"(?:^|;)color:(#[0-9a-f]{6})", button.get("style", ""))
    assert text_colour and contrast(cell.get("bgcolor", ""), text_colour.group(1)) >= MINIMUM  # a pale brand stays readable


def test_every_template_is_a_kind_staff_can_preview() -> None:
    folder = Path(email_render.TEMPLATES) / "email"
    templates = {p.stem for p in folder.glob("*.html")} - {"layout", "parts"}
    assert templates == {k.kind for k in KINDS} == set(BUTTONS)


def test_the_packages_precompiled_templates_render_the_very_same_emails(tmp_path: Path, monkeypatch: Any) -> None:
    """infra/postpackage.py compiles every template under chalicelib/templates with the pages' options
    (no filters: the emails' helpers are globals); in Lambda the emails load those modules."""
    import jinja2

    from chalicelib.api import templating

    templating.environment(jinja2.FileSystemLoader(templating.TEMPLATES)).compile_templates(
        str(tmp_path), zip=None, ignore_errors=False)
    biz = business(locale="de_DE")
    from_source = [email_render.render(k.kind, email_render.brand_of(biz), sample(k.kind, biz, TODAY)) for k in KINDS]
    monkeypatch.setattr(email_render, "COMPILED", str(tmp_path))
    email_render.environment.cache_clear()
    try:
        loader = email_render.environment().loader
        assert loader.loaders[0].load(email_render.environment(), "email/invoice.html").filename.startswith(str(tmp_path))
        compiled = [email_render.render(k.kind, email_render.brand_of(biz), sample(k.kind, biz, TODAY)) for k in KINDS]
    finally:
        email_render.environment.cache_clear()
    assert compiled == from_source


def invoice_data(currency: str = "EUR", total: int = 97785) -> dict[str, Any]:
    rows = [{"label": "Subtotal", "sign": "+", "amount": total}, {"label": "Total", "sign": "=", "amount": total}]
    return {"number": "INV-1", "total": total, "currency": currency, "due_date": "2026-12-15", "rows": rows,
            "label_width": 8, "url": "https://pay.example.test/invoice/t?src=email"}


def test_money_and_dates_follow_the_business_locale_and_a_client_may_override_it() -> None:
    british = email_render.render("invoice", email_render.brand_of(business()), invoice_data())
    german = email_render.render("invoice", email_render.brand_of(business(locale="de_DE")), invoice_data())
    client = email_render.render("invoice", email_render.brand_of(business(locale="de_DE"), "en_GB"), invoice_data())

    assert "€977.85" in british.text and "€977.85" in british.html and "15 Dec 2026" in british.text
    assert "977,85\xa0€" in german.text and "977,85\xa0€" in german.html and "15.12.2026" in german.text
    assert 'lang="de-DE"' in german.html
    assert "€977.85" in client.text  # the client's own locale wins
    assert "977.85 EUR" not in british.text + german.text  # no hand-written money left


def test_zero_and_three_decimal_currencies_print_their_own_minor_units() -> None:
    yen = email_render.render("invoice", email_render.brand_of(business()), invoice_data("JPY", 123456)).text
    dinar = email_render.render("invoice", email_render.brand_of(business()), invoice_data("KWD", 1234567)).text
    assert "¥123,456" in yen and "123,456.00" not in yen
    assert "1,234.567" in dinar


def test_the_invoice_text_part_lines_the_totals_up() -> None:
    text = email_render.render("invoice", email_render.brand_of(business()), invoice_data()).text
    assert "  Subtotal  €977.85\n  Total     €977.85\n" in text


def test_the_logo_is_a_lasting_address_and_without_one_the_name_is_shown() -> None:
    with_logo = email_render.render("sign_in", email_render.brand_of(business(logo_key="branding/b1/logo.png")),
                                    {"url": "https://pay.example.test/signin/confirm/t", "minutes": 15}).html
    without = email_render.render("sign_in", email_render.brand_of(business(name="Northwind")),
                                  {"url": "https://pay.example.test/signin/confirm/t", "minutes": 15}).html
    (img,) = parse_strictly(with_logo).iter("img")
    assert re.fullmatch(r"https://pay\.example\.test/brand/b1/logo\?v=[0-9a-f]{12}", img.get("src", ""))
    assert img.get("alt") == HOSTILE
    assert "<img" not in without and ">Northwind</p>" in without


@pytest.mark.parametrize("step, days_left, subject, words", [
    ("before", 3, "Reminder: invoice INV-1 from Northwind", "is due on 15 Dec 2026 (in 3 days)"),
    ("before", 1, "Reminder: invoice INV-1 from Northwind", "is due on 15 Dec 2026 (in 1 day)"),
    ("due", 0, "Due today: invoice INV-1 from Northwind", "is due today"),
    ("after", -2, "Overdue: invoice INV-1 from Northwind", "was due on 15 Dec 2026"),
])
def test_reminders_say_when_the_invoice_is_due(step: str, days_left: int, subject: str, words: str) -> None:
    data = {"number": "INV-1", "balance": 5000, "currency": "GBP", "due_date": "2026-12-15", "days_left": days_left,
            "step": step, "url": "https://pay.example.test/invoice/t?src=email"}
    rendered = email_render.render("reminder", email_render.brand_of(business(name="Northwind")), data)
    assert rendered.subject == subject
    assert f"has £50.00 still to pay; it {words}." in rendered.text and words in rendered.html


def test_a_locale_babel_does_not_know_is_refused_in_plain_words() -> None:
    email_render.check_locale("de_DE")
    email_render.check_locale(None)
    with pytest.raises(ValidationError, match="try en_GB or de_DE") as refused:
        email_render.check_locale("xx_ZZ")
    assert refused.value.field == "locale"


# --- the emails the real flows send ---------------------------------------------------------------


def assert_multipart(message: Any) -> Element:
    """Both parts, in one multipart/alternative; the HTML parses strictly; returns its tree."""
    assert message.headers["Content-Type"].startswith("multipart/alternative")
    assert message.text.strip() and message.html
    return parse_strictly(message.html)


def test_an_emailed_invoice_is_branded_html_and_text_with_the_same_link(tenant: Any, outbox: Any) -> None:
    assert tenant.api.patch("/api/v1/business", {"brand_color": "#0a7d4f"}).status == 200
    invoice = tenant.invoice(lines=[{"description": "Work", "unit_price": 97785}])
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email").status == 200

    (message,) = outbox.to("ada@acme.test")
    (button,) = buttons(assert_multipart(message))
    assert button.text == "View invoice" and "#0a7d4f" in message.html
    assert button.get("href") in message.links and button.get("href", "").endswith("?src=email")
    assert "€977.85" in message.text and "€977.85" in message.html and "Hello Ada," in message.text


def test_the_business_locale_and_the_client_s_own_change_how_money_is_written(tenant: Any, outbox: Any) -> None:
    assert tenant.api.patch("/api/v1/business", {"locale": "de_DE"}).json["locale"] == "de_DE"
    invoice = tenant.invoice(lines=[{"description": "Work", "unit_price": 97785}])
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/email").status == 200
    assert "977,85\xa0€" in outbox.to("ada@acme.test")[-1].text

    client = tenant.api.patch(f"/api/v1/clients/{invoice['client_id']}", {"locale": "en_GB"})
    assert client.status == 200 and client.json["locale"] == "en_GB"
    assert tenant.api.post(f"/api/v1/invoices/{invoice['id']}/remind").status == 200
    assert "€977.85" in outbox.to("ada@acme.test")[-1].text


def test_a_locale_nobody_writes_in_is_refused_and_nothing_changes(tenant: Any) -> None:
    for body in ({"locale": "xx_ZZ"}, {"locale": "German"}):
        reply = tenant.api.patch("/api/v1/business", body)
        assert reply.status == 400 and reply.error["field"] == "locale", reply.body
    assert tenant.api.get("/api/v1/business").json["locale"] == "en_GB"


def test_a_sign_in_email_has_a_sign_in_button(tenant: Any, anonymous: Any, outbox: Any) -> None:
    from tests.support.client_flows import post_form, sign_in_link

    tenant.client_id()
    assert post_form(anonymous, f"/signin/{tenant.business_id}", {"email": "ada@acme.test"}).status == 202
    (message,) = outbox.to("ada@acme.test")
    (button,) = buttons(assert_multipart(message))
    assert button.text == "Sign in" and button.get("href", "").endswith(sign_in_link(outbox, "ada@acme.test"))
    assert "List-Unsubscribe" not in message.headers  # not a list: it was asked for


def test_email_for_builds_the_message_a_sender_can_add_to_before_queueing() -> None:
    from chalicelib.services.notifications.mail import build

    email = email_render.email_for("ada@acme.test", "digest", business(name="Northwind"), sample("digest", business(), TODAY),
                                   preferences_url="https://pay.example.test/email-preferences/t",
                                   headers={"List-Unsubscribe": "<https://pay.example.test/email-preferences/t/unsubscribe>"})
    message = build(email)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert email.subject == "2 updates from Northwind" and message["List-Unsubscribe"]


def test_the_invoice_preview_labels_its_tax_row_as_a_sent_invoice_does_in_the_locale() -> None:
    biz = business(locale="de_DE")
    rendered = email_render.render("invoice", email_render.brand_of(biz), sample("invoice", biz, TODAY))
    assert "Tax 20 %" in rendered.text and "VAT 20%" not in rendered.text + rendered.html
