"""Every surface takes its text colours from `domain/colours.palette`: the client pages (base.html's
CSS variables) and the PDFs (the kit's heading and table colours). The dashboard's preview runs
the same rule (tests/domain/test_shared_cases.py). Emails are plain text: no colours."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.api.html import _environment
from chalicelib.domain.colours import DARK, MINIMUM, WHITE, contrast
from chalicelib.services.billing.pdf_kit import Kit

colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")
FIXED = ["#ffd54f", "#ffffff", "#000000", "#777777", "#808080", "#767676", "#595959", "#1f4b99"]


def _page_colours(brand: str, accent: str) -> dict[str, str]:
    html = _environment().get_template("error.html").render(nonce="n", brand_color=brand, accent_color=accent,
                                                            title="Not found", message="Not found.")
    return dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", html))


def _check(brand: str, accent: str) -> None:
    page = _page_colours(brand, accent)
    assert page["brand"] == brand
    assert contrast(page["brand-fill"], page["on-brand"]) >= MINIMUM
    assert contrast(page["brand-ink"], WHITE) >= MINIMUM
    assert contrast(page["accent"], page["on-accent"]) >= MINIMUM
    kit = Kit({"name": "N", "brand_color": brand, "accent_color": accent}, "A4", None, "t", "t")
    ink, tint = (f"#{c.hexval()[2:]}" for c in (kit.ink, kit.accent))
    assert contrast(ink, WHITE) >= MINIMUM  # headings, table headers, the balance due on white paper
    assert contrast(tint, DARK) >= MINIMUM  # alternate rows behind the table's text


def test_the_fixed_set_reads_everywhere() -> None:
    for brand in FIXED:
        for accent in FIXED:
            _check(brand, accent)


@settings(max_examples=100, deadline=None)
@given(colours, colours)
def test_any_brand_and_accent_read_everywhere(brand: str, accent: str) -> None:
    _check(brand, accent)
