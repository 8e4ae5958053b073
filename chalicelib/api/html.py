"""Server-rendered client pages: Jinja2 (autoescaped), security headers, HTML error pages."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from chalice import Response

from chalicelib import clock
from chalicelib.api import templating
from chalicelib.api.http import client_ip, error_body, json_response, new_nonce, status_of
from chalicelib.api.urls import absolute_url
from chalicelib.config import settings
from chalicelib.domain import formatting
from chalicelib.domain.colours import palette
from chalicelib.domain.errors import DomainError, Forbidden, TooManyRequests
from chalicelib.services.accounts.businesses import logo_url
from chalicelib.services.delivery.bucket_origins import download_origin
from chalicelib.services.portal import view_tracking as views

log = logging.getLogger("paydrop.pages")


@lru_cache(maxsize=1)
def _environment() -> Any:
    # Precompiled templates in the deployment zip (infra/postpackage.py), the sources elsewhere.
    environment = templating.environment(templating.page_loader())
    # base.html draws every text colour from the business's palette: the one contrast rule.
    environment.globals["palette"] = palette
    _add_formatting(environment)
    return environment


def _page_locale(context: Any) -> str:
    """The page's locale: `locale` if the route passed one (the client's), else the business's."""
    return str(context.get("locale") or formatting.locale_of(context.get("business")))


def _add_formatting(environment: Any) -> None:
    """Every amount, date and size a page shows is written by domain/formatting.py in the page's
    locale (globals, not filters: the package precompiles the templates before they exist)."""
    import jinja2

    def bound(function: Callable[..., str]) -> Any:
        return jinja2.pass_context(lambda ctx, *args: function(*args, locale=_page_locale(ctx)))

    for name, function in (("money", formatting.money), ("day", formatting.day), ("moment", formatting.moment),
                           ("file_size", formatting.file_size), ("number", formatting.number),
                           ("period", formatting.period), ("percent", formatting.percent),
                           ("amount_text", formatting.amount_text)):
        environment.globals[name] = bound(function)
    environment.globals["due_words"] = jinja2.pass_context(
        lambda ctx, due: formatting.due_words(due, clock.today(), _page_locale(ctx)))
    environment.globals["badge"] = formatting.badge


STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def form_origins() -> str:
    """Where a form on a client page may land, redirects included (CSP `form-action` is
    checked on every hop: Chromium silently drops a form whose redirect leaves the list).

    Pay lands on Stripe's checkout (or, locally, the offline one on its own origin); the
    statement form and PDF downloads are answered by a redirect to a presigned GET of the
    files bucket.
    """
    origins = ["'self'", STRIPE_CHECKOUT_ORIGIN, download_origin()]
    if settings().is_local and settings().offline_checkout_url:
        origins.append(origin_of(settings().offline_checkout_url))
    return " ".join(dict.fromkeys(origins))


def client_headers(nonce: str, content_type: str = "text/html; charset=utf-8", form_action: str | None = None
                   ) -> dict[str, Any]:
    """Headers every client-facing response carries: private, unindexed, locked down."""
    csp = (
        "default-src 'none'; "
        f"style-src 'nonce-{nonce}'; "
        f"img-src 'self' data: {download_origin()}; "
        f"form-action {form_action or form_origins()}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Type": content_type,
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def render(template: str, status: int = 200, form_action: str | None = None, **context: Any) -> Response:
    nonce = new_nonce()
    html = _environment().get_template(template).render(nonce=nonce, **context)
    return Response(body=html, status_code=status, headers=client_headers(nonce, form_action=form_action))


def client_json(body: Any, status: int = 200) -> Response:
    return json_response(body, status, client_headers(new_nonce(), "application/json"))


def _quality(accept: str, media: str) -> float:
    """The q-value `accept` gives `media` (exact type beats `type/*` beats `*/*`)."""
    best: tuple[int, float] = (-1, 0.0)
    kind = media.split("/")[0]
    for item in accept.lower().split(","):
        name, *params = (part.strip() for part in item.split(";"))
        rank = 2 if name == media else 1 if name == f"{kind}/*" else 0 if name == "*/*" else -1
        if rank > best[0]:
            q = next((p[2:] for p in params if p.startswith("q=")), "1")
            try:
                best = (rank, float(q))
            except ValueError:
                best = (rank, 0.0)
    return best[1]


def wants_json(headers: Any) -> bool:
    """True when the caller prefers JSON to HTML (browsers, with no preference, get HTML)."""
    accept = (headers or {}).get("accept", "")
    return _quality(accept, "application/json") > _quality(accept, "text/html")


def _error_page(error: DomainError, as_json: bool, back_url: str | None = None) -> Response:
    status = status_of(error)
    if as_json:
        response = client_json(error_body(error.code, error.message, error.field), status)
    else:
        response = render("error.html", status=status, message=error.message, status_code=status, back_url=back_url)
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def form_page(request: Any) -> str | None:
    """The page a refused form post came from: the action's URL less its last segment
    (`/invoice/{token}/pay` → `/invoice/{token}`); None for a GET (the page itself failed)."""
    if request.method != "POST":
        return None
    path = str(request.path).format(**(request.uri_params or {}))  # Chalice's path is the route's template
    return absolute_url(request, path.rsplit("/", 1)[0])


def page_errors(get_headers: Callable[[], Any], back: Callable[[], str | None] | None = None
                ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Map domain errors of a client page to an HTML error page (or JSON if asked for). `back`:
    the page a refused form came from, the error page's next step (a form post is no dead end)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except DomainError as e:
                return _error_page(e, wants_json(get_headers()), back() if back else None)
            except Exception:
                log.exception("unhandled error on a client page")
                return render("error.html", status=500, status_code=500,
                              message="Something went wrong on our side. Please try again.")

        return wrapper

    return decorate


def check_same_origin(request: Any, own_origin: str | None = None) -> None:
    """Refuse a form post another site made the browser send (login CSRF, forced sign-out).

    SameSite=Lax does not stop a cross-site top-level POST; `Sec-Fetch-Site` (modern
    browsers) and `Origin` (all browsers, on POST) say where it came from.
    """
    headers: Any = request.headers or {}
    refused = Forbidden("This form can only be sent from this site.")
    site = headers.get("sec-fetch-site")
    if site is not None:
        # Browsers that send it are decided by it: our pages' `Referrer-Policy: no-referrer`
        # makes Chromium send `Origin: null` even for our own forms.
        if site.lower() not in ("same-origin", "none"):
            raise refused
        return
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/") != (own_origin or origin_of(absolute_url(request, ""))):
        raise refused


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL: what CSP and `Origin` compare."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def track_open(request: Any, business_id: str, doc_id: str | None, client_id: str | None,
               default_source: str = "link") -> None:
    """Queue the view of a client page: its source, the client's IP, the user agent."""
    headers: Any = request.headers or {}
    views.track(business_id, doc_id, client_id, views.source_of(request.query_params, wants_json(headers), default_source),
                client_ip(request), headers.get("user-agent"))


def payment_notice(params: Any) -> str | None:
    """`?payment=success|cancelled` after Checkout: the page says so, and shows the real state."""
    value = (params or {}).get("payment")
    return value if value in ("success", "cancelled") else None


def brand(business: Any) -> dict[str, Any]:
    """What a client page shows of the business: name, logo and colours."""
    return {"name": business.name, "logo_url": logo_url(business), "brand_color": business.brand_color,
            "accent_color": business.accent_color, "locale": business.locale}
