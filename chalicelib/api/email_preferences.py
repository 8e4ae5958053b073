"""`/email-preferences/{token}`: which emails a contact gets. The page's form posts to its own
URL, which also takes JSON such as `{"reminders": false}`; `/unsubscribe` is the RFC 8058
one-click target of the `List-Unsubscribe` header."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice import Blueprint

from chalicelib.api.html import brand, check_same_origin, client_json, page_errors, render, wants_json
from chalicelib.api.http import ANY_CONTENT_TYPE, FORM, body, client_ip, parse_body
from chalicelib.api.urls import absolute_url
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.inputs import EmailPreferences
from chalicelib.services.notifications import email_preferences

bp = Blueprint(__name__)
CHOICES = {"true": True, "false": False}


def _errors() -> Any:
    return page_errors(lambda: bp.current_request.headers)


def _page(token: str, saved: bool = False) -> Any:
    business, contact = email_preferences.open_preferences(token)
    prefs = email_preferences.current(contact)
    if wants_json(bp.current_request.headers):
        return client_json(prefs)
    return render("email_preferences.html", business=brand(business), prefs=prefs, email=contact.email, saved=saved,
                  action=absolute_url(bp.current_request, f"/email-preferences/{token}"))


def _changes() -> EmailPreferences:
    """The form's radio buttons ("true"/"false" per kind of email), or the JSON body."""
    request = bp.current_request
    headers: Any = request.headers or {}
    media = str(headers.get("content-type", "")).split(";")[0].strip().lower()
    if media != FORM:
        return body(bp, EmailPreferences)
    raw: Any = request.raw_body or b""
    try:
        pairs = urllib.parse.parse_qs(raw.decode("utf-8") if isinstance(raw, bytes) else raw, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValidationError("The form could not be read.") from e
    if any(len(v) != 1 or v[0] not in CHOICES for v in pairs.values()):
        raise ValidationError("Each choice is true or false, sent once.")
    return parse_body(json.dumps({k: CHOICES[v[0]] for k, v in pairs.items()}), EmailPreferences)


@bp.route("/email-preferences/{token}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@_errors()
def preferences_page(token: str) -> Any:
    return _page(token)


@bp.route("/email-preferences/{token}", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def save_preferences(token: str) -> Any:
    check_same_origin(bp.current_request)
    email_preferences.update_preferences(token, _changes(), client_ip(bp.current_request))
    return _page(token, saved=True)


@bp.route("/email-preferences/{token}/unsubscribe", methods=["POST"], content_types=ANY_CONTENT_TYPE)
@_errors()
def one_click_unsubscribe(token: str) -> Any:
    # Mail clients POST `List-Unsubscribe=One-Click` from their own servers: no Origin to check.
    # A digest's URL carries `?categories=…`: only the kinds of activity that email carried.
    params: Any = bp.current_request.query_params or {}
    categories = email_preferences.categories_of(params.get("categories"))
    return client_json(email_preferences.unsubscribe(token, categories, client_ip(bp.current_request)))
