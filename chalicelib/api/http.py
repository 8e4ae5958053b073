"""The one place where requests are parsed and domain errors become HTTP responses."""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import secrets
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

import msgspec
from chalice import Blueprint, Response

from chalicelib.api.edge import viewer_address
from chalicelib.api.staff_authorizer import staff_authorizer
from chalicelib.api.validation import translate
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationError,
)
from chalicelib.domain.money import is_currency
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts.businesses import currency_for
from chalicelib.services.developer import api_keys
from chalicelib.services.identity.staff_auth import verify_id_token

log = logging.getLogger("paydrop.api")
S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")

STATUS = {
    ValidationError: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    UnsupportedMediaType: 415,
    TooManyRequests: 429,
    Unavailable: 503,
}
MAX_JSON_BYTES = 256 * 1024
# API Gateway checks staff credentials (Cognito ID token or live API key) before the API function
# runs: api/staff_authorizer.py. The app still verifies every request itself (`staff_principal`).
STAFF_AUTHORIZER = staff_authorizer
JSON_HEADERS = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, default=str), status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(error: DomainError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyRequests) else None
    return json_response(error_body(error.code, error.message, error.field), status_of(error), headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error: %s", type(exc).__name__)
    return json_response(error_body("internal", "Something went wrong on our side."), 500)


def json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Map domain errors raised by `view` to `{"error": {code, message, field}}` responses."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as e:
            return error_response(e)
        except Exception as e:  # noqa: BLE001 - the last line of defence: log, never leak
            return _unexpected(e)

    return wrapper


# How to find the currency of the amounts in this request, set by `staff_route` for its view.
_request_currency: ContextVar[Callable[[], str | None] | None] = ContextVar("request_currency", default=None)


@contextlib.contextmanager
def amounts_in(lookup: Callable[[], str | None]) -> Iterator[None]:
    """While decoding a body, word refused amounts in the currency `lookup` finds (called only
    on such a refusal). `staff_route` does this for staff views; client pages call it."""
    hint = _request_currency.set(lookup)
    try:
        yield
    finally:
        _request_currency.reset(hint)


def _currency_for(raw: bytes | str) -> Callable[[], str | None]:
    """The body's own `currency` when it names one, else the request's (document or business)."""
    def find() -> str | None:
        try:
            sent = msgspec.json.decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError):
            sent = None
        if isinstance(sent, dict) and isinstance(sent.get("currency"), str) and is_currency(sent["currency"]):
            return str(sent["currency"])
        lookup = _request_currency.get()
        return lookup() if lookup else None

    return find


def parse_body(raw: bytes | str | None, shape: type[S]) -> S:
    """Decode a JSON body into `shape`. Raises ValidationError naming the offending field in
    words a person reads (`api/validation.py`: the one place msgspec's messages are translated)."""
    if not raw:
        raise ValidationError("Send a JSON object in the request body.")
    if len(raw) > MAX_JSON_BYTES:
        raise ValidationError("The request body is too large.")
    try:
        return msgspec.json.decode(raw.encode() if isinstance(raw, str) else raw, type=shape)
    except msgspec.ValidationError as e:
        raise translate(e, shape, _currency_for(raw)) from e
    except (msgspec.DecodeError, UnicodeDecodeError) as e:
        raise ValidationError("The request body is not valid JSON (UTF-8).") from e


def query_int(params: Mapping[str, str] | None, name: str, default: int, low: int, high: int) -> int:
    raw = (params or {}).get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not low <= int(raw) <= high:
        raise ValidationError(f"{name.capitalize()} must be a whole number from {low} to {high}.", field=name)
    return int(raw)


def page_params(params: Mapping[str, str] | None) -> tuple[int, str | None]:
    """`limit` (1–100, default 25) and the opaque `cursor` of a list request."""
    cursor = (params or {}).get("cursor")
    if cursor is not None and len(cursor) > 1024:
        raise ValidationError("The cursor is not valid.", field="cursor")
    return query_int(params, "limit", 25, 1, 100), cursor


def listed(request: Any, list_page: Callable[[int, str | None], tuple[list[T], str | None]],
           shown: Callable[[T], Any], **extra: Any) -> Response:
    """A staff list's answer: the page `list_page(limit, cursor)` gives for the request's
    `?limit=&cursor=`, each item `shown`, and the `next_cursor` of the next page (None on the last)."""
    limit, cursor = page_params(request.query_params)
    items, next_cursor = list_page(limit, cursor)
    return json_response({"items": [shown(item) for item in items], "next_cursor": next_cursor, **extra})


def bearer_token(headers: Any) -> str:
    """The token of `Authorization: Bearer <token>` (a bare token is accepted too, as API Gateway does)."""
    value = (headers or {}).get("authorization", "").strip()
    if value.count(".") == 2 and " " not in value:
        return str(value)
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in first: send your ID token as Authorization: Bearer <token>.")
    return token.strip()


def staff_principal(headers: Any) -> Principal:
    """Who a staff request acts for: a personal API key (`Authorization: Bearer pd_live_…`,
    services/developer/api_keys.py), else the Cognito ID token. Only Authorization: the header API
    Gateway's authorizer checked (api/staff_authorizer.py), so both judge the same credential."""
    token = bearer_token(headers)
    return api_keys.authenticate(token) if token.startswith(api_keys.KEY_PREFIX) else verify_id_token(token)


# (method, path) → the permission its staff view requires, filled as `staff_route` registers
# views: the one record a test walks to check every staff route refuses who it should.
STAFF_PERMISSIONS: dict[tuple[str, str], str] = {}


def staff_route(bp: Blueprint, path: str, permission: str, methods: list[str] | None = None) -> Callable[..., Any]:
    """Register a staff JSON view: verified Cognito token, `permission` required, errors mapped.

    The view receives the `Principal` first, then the URL parameters.
    """

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        for method in methods or ["GET"]:
            STAFF_PERMISSIONS[(method, path)] = permission

        @functools.wraps(view)
        def guarded(**params: Any) -> Any:
            principal = staff_principal(bp.current_request.headers)
            principal.require(permission)
            check_path_ids(params)
            with amounts_in(lambda: currency_for(principal, params.get("doc_id"))):
                return view(principal, **params)

        bp.route(
            path, methods=methods or ["GET"], authorizer=STAFF_AUTHORIZER, content_types=ANY_CONTENT_TYPE
        )(json_errors(guarded))
        return view

    return register


ANY_CONTENT_TYPE = ["*/*"]  # let requests through to `body()`, which answers 415 in our error shape
_PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def body(bp: Blueprint, shape: type[S]) -> S:
    """The request's JSON body decoded into `shape` (415 unless it is sent as JSON)."""
    headers: Any = bp.current_request.headers or {}
    content_type = str(headers.get("content-type", "application/json"))
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType("Send the body as JSON (Content-Type: application/json).")
    return parse_body(bp.current_request.raw_body, shape)


FORM = "application/x-www-form-urlencoded"


def form_or_json(bp: Blueprint, shape: type[S]) -> S:
    """A client page's body: an HTML form (works without JavaScript) or the same fields as JSON.

    Form fields arrive as text, so the strict JSON types are checked after decoding; a field
    sent twice, or one `shape` does not know, is refused like in JSON.
    """
    headers: Any = bp.current_request.headers or {}
    media = str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()
    if media != FORM:
        return body(bp, shape)
    raw = bp.current_request.raw_body or b""
    if len(raw) > MAX_JSON_BYTES:
        raise ValidationError("The request body is too large.")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        pairs = urllib.parse.parse_qs(text, keep_blank_values=True, strict_parsing=bool(raw),
                                      max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as e:
        raise ValidationError("The form could not be read.") from e
    if any(len(values) != 1 for values in pairs.values()):
        raise ValidationError("Send each field once.")
    return parse_body(json.dumps({name: values[0] for name, values in pairs.items()}), shape)


def check_path_ids(params: dict[str, Any]) -> None:
    """Ids in the URL have our shape; anything else cannot exist (and never reaches DynamoDB)."""
    for name, value in params.items():
        if not _PATH_ID.fullmatch(str(value)):
            raise NotFound("Not found.", field=name)


def client_ip(request: Any) -> str | None:
    """The client's IP: the one place that decides it, for view counts, rate limits and logs.

    Behind CloudFront, the viewer address CloudFront reports, trusted only on a request that
    carries the origin secret (`api/edge.py`); otherwise the address API Gateway saw (never a
    spoofable X-Forwarded-For chain, nor a CloudFront header sent without the secret).
    """
    return viewer_address(request) or ((request.context or {}).get("identity") or {}).get("sourceIp")


def user_agent(request: Any) -> str | None:
    headers: Any = request.headers or {}
    return headers.get("user-agent")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)

