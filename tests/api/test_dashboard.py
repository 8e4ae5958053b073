"""The staff dashboard's static files (`/app/`): only the known files, the right types, a CSP
that lets the page reach the API and the files bucket and nothing else, and the stable
`data-testid` hooks the browser tests rely on. (The browser tests themselves are in tests/e2e.)"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Api

STATIC = Path(__file__).resolve().parents[2] / "chalicelib" / "static" / "app"
INDEX, STYLES = ((STATIC / name).read_text() for name in ("index.html", "app.css"))
# Every module of the page (main.js, lib/, screens/, rules.js, checks.js), by its path under /app/.
MODULES = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*.js"))
SCRIPT = "\n".join((STATIC / name).read_text() for name in MODULES)
TEST_IDS = (
    "login-email", "login-password", "login-submit", "nav-clients", "nav-invoices", "nav-resources", "nav-payments",
    "nav-settings", "client-name", "contact-name", "contact-email", "client-save", "invoice-new", "invoice-client",
    "line-description", "line-price", "invoice-total", "invoice-save", "invoice-send", "invoice-share", "share-url",
    "invoice-row", "view-count", "upload-input", "upload-progress", "upload-done", "attach-target-type",
    "attach-target-id", "attach-policy", "attach-save", "resource-row", "access-log-row", "payment-row", "toast",
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _csp(headers: dict[str, str]) -> dict[str, list[str]]:
    directives = {}
    for part in headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(("path", "file", "content_type"), [
    ("/app/", "index.html", "text/html; charset=utf-8"),
    ("/app/index.html", "index.html", "text/html; charset=utf-8"),
    ("/app/app.css", "app.css", "text/css; charset=utf-8"),
    *((f"/app/{name}", name, "text/javascript; charset=utf-8") for name in MODULES),
])
def test_the_known_files_are_served_with_their_type_and_locked_down(
        anonymous: Api, path: str, file: str, content_type: str) -> None:
    reply = anonymous.get(path)
    assert reply.status == 200
    assert reply.body == (STATIC / file).read_bytes()
    headers = reply.headers
    assert headers["Content-Type"] == content_type
    assert headers["Cache-Control"] == "no-cache"  # no hash in the names: always revalidate
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = _csp(headers)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]  # no inline, no eval
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]


def test_app_without_a_slash_redirects_to_the_page(anonymous: Api) -> None:
    reply = anonymous.get("/app")
    assert reply.status == 301
    assert reply.headers["Location"] == "app/"  # relative: also right under an execute-api stage prefix


@pytest.mark.parametrize("path", [
    "/app/..%2Fapp.py", "/app/secret.txt", "/app/%2e%2e%2fapp.py", "/app/..%2F..%2Fapp.py", "/app/MAIN.JS",
    "/app/main.js%00", "/app/.env", "/app/main.js.map", "/app/%2Fetc%2Fpasswd", "/app/app.js",
    # Inside the module folders: unknown names, other folders and every way back up.
    "/app/lib/nope.js", "/app/LIB/api.js", "/app/lib/api.js.map", "/app/nope/api.js", "/app/..%2Fapi/dashboard.py",
    "/app/lib/..%2F..%2Fapi%2Fdashboard.py", "/app/lib/%2e%2e%2f%2e%2e%2fapi%2fdashboard.py",
    "/app/lib/..%2F..%2F..%2Fapp.py", "/app/lib/%2Fetc%2Fpasswd", "/app/..%2Flib/api.js", "/app/lib/..%2Fmain.js",
])
def test_unknown_assets_and_traversal_attempts_are_404(anonymous: Api, path: str) -> None:
    reply = anonymous.get(path)
    assert reply.status == 404
    assert b"import " not in reply.body and b"root:" not in reply.body


@pytest.mark.parametrize("path", [
    "/app/screens/../main.js", "/app/../api/dashboard.py", "/app/lib/../../app.py", "/app/lib/api.js/x",
    "/app/a/b/c.js", "/app/lib/./api.js",
])
def test_paths_no_route_matches_are_refused_by_the_gateway(anonymous: Api, path: str) -> None:
    """Raw `..` segments (browsers resolve them before asking) and deeper paths match no route:
    API Gateway (and Chalice's local server) answer 403 without calling the app."""
    reply = anonymous.get(path)
    assert reply.status in (403, 404)
    assert b"import " not in reply.body and b"root:" not in reply.body and b"def " not in reply.body


def test_the_allow_list_is_exactly_the_files_on_disk() -> None:
    """ASSETS is listed from the folder (deploy.sh syncs the same folder to S3); the routes reach
    one level of folders, so a module deeper down would be listed but never served."""
    from chalicelib.api.dashboard import ASSETS

    assert set(ASSETS) == {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    assert {"main.js", "rules.js", "checks.js", "lib/api.js", "screens/settings.js"} <= set(ASSETS)
    assert all(name.count("/") <= 1 for name in ASSETS), ASSETS


def test_every_import_names_a_served_module() -> None:
    """A relative import the server does not serve breaks the whole page in the browser."""
    from chalicelib.api.dashboard import ASSETS

    for name in MODULES:
        folder = Path(name).parent
        for target in re.findall(r"^import .* from '([^']+)';$", (STATIC / name).read_text(), re.MULTILINE):
            assert target.startswith("./") or target.startswith("../"), (name, target)
            resolved = (folder / target).as_posix()
            parts: list[str] = []
            for part in resolved.split("/"):
                if part == "..":
                    parts.pop()
                elif part not in (".", ""):
                    parts.append(part)
            assert "/".join(parts) in ASSETS, (name, target)


def test_csp_allows_the_bucket_origins_uploads_and_thumbnails_use(tenant: Any, anonymous: Api) -> None:
    """Uploads POST (and PUT parts) to S3 with XHR, thumbnails and logos load from S3: the page's
    CSP must name exactly the origin the API presigns for, or the browser blocks them."""
    made = tenant.api.post("/api/v1/resources", {"kind": "file", "title": "Doc", "file": {
        "filename": "doc.pdf", "size": 10, "content_type": "application/pdf"}}).json
    logo = tenant.api.post("/api/v1/business/logo-upload", {"content_type": "image/png", "size": 10}).json
    csp = _csp(anonymous.get("/app/").headers)
    for url in (made["upload"]["url"], logo["url"]):
        assert _origin(url) in csp["connect-src"]
    from chalicelib.aws import s3
    from chalicelib.config import settings

    thumbnail = s3().generate_presigned_url("get_object", Params={"Bucket": settings().files_bucket, "Key": "p"})
    assert _origin(thumbnail) in csp["img-src"] and _origin(thumbnail) in csp["connect-src"]  # PDFs are fetched to share
    assert "'self'" in csp["connect-src"] and "data:" in csp["img-src"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_script = ""
        self.in_script = False
        self.handlers: list[str] = []
        self.styled: list[str] = []
        self.style_elements = 0
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if "style" in values:
            self.styled.append(tag)
        if tag == "script":
            self.scripts.append(values)
            self.in_script = True
        if tag == "style":
            self.style_elements += 1
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.inline_script += data.strip()


def test_the_page_has_no_inline_script_or_style() -> None:
    page = _Page()
    page.feed(INDEX)
    assert page.scripts == [{"type": "module", "src": "main.js"}]
    assert page.inline_script == "" and page.handlers == [] and page.styled == [] and page.style_elements == 0
    # Relative URLs only: the page works at /app/ and under an execute-api stage prefix.
    assert all(not re.match(r"^(https?:)?//", url) for url in page.urls), page.urls


def test_the_script_never_parses_strings_as_html_or_code() -> None:
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                  "setAttribute('style'", "localStorage"):
        assert risky not in SCRIPT, risky
    assert "sessionStorage" in SCRIPT  # tokens live for the tab only


@pytest.mark.parametrize("test_id", TEST_IDS)
def test_every_stable_test_hook_is_there(test_id: str) -> None:
    assert f'data-testid="{test_id}"' in INDEX or f"'{test_id}'" in SCRIPT, test_id


def test_the_dashboard_routes_need_no_token_but_the_api_still_does(anonymous: Api) -> None:
    assert anonymous.get("/app/").status == 200
    assert anonymous.get("/api/v1/me").status == 401
