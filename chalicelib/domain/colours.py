"""Readable brand colours: which text colour goes on a business's colours, by WCAG contrast.

A business picks any brand and accent colour. Text on them (the Pay button, the current
portal tab, the page's footer) and the brand colour used as text (headings, the balance
due) must reach WCAG AA, 4.5:1. `palette` decides every pair once; the client pages, the
PDFs and the dashboard's preview (`static/app/rules.js`, checked against the same cases in
`tests/cases/colours.json`) all use it. When no text colour reaches 4.5:1 on a colour, the
colour itself is darkened or lightened just enough: the brand stays recognisable and the
text stays readable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MINIMUM = 4.5  # WCAG 2.x AA for body text
LIGHT = "#ffffff"
DARK = "#1b1f24"  # the pages' body text: near-black reads softer than pure black
BLACK, WHITE = "#000000", "#ffffff"
DEFAULT_BRAND, DEFAULT_ACCENT = "#1f4b99", "#f2f5fa"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}\Z")
_STEPS = 256  # how finely a colour is moved toward black or white


@dataclass(frozen=True)
class Palette:
    brand: str  # the colour as chosen: stripes and rules, never behind or as text
    fill: str  # the brand behind text (buttons, the current tab): the brand, adjusted if it must be
    on_fill: str  # text on `fill`
    ink: str  # the brand as text on white (headings, the balance due)
    accent: str  # the page's background around the card
    on_accent: str  # text on `accent` (the footer)
    tint: str  # the accent behind DARK text (a PDF's alternate table rows)


def normalise(colour: str | None, default: str) -> str:
    """`#RRGGBB` in lower case; anything else (missing, malformed) is the default."""
    return colour.lower() if colour and _HEX.match(colour) else default


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of `#rrggbb`: 0 (black) to 1 (white)."""
    r, g, b = _channels(colour)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def text_on(background: str) -> str:
    """LIGHT or DARK, whichever reads better on `background`."""
    return LIGHT if contrast(background, LIGHT) > contrast(background, DARK) else DARK


def _mix(colour: str, target: str, step: int) -> str:
    """`colour` moved `step`/256 of the way to `target`, per channel (integer steps: the
    dashboard's copy of this rule computes the very same colours)."""
    parts = (c + (t - c) * step // _STEPS for c, t in zip(_channels(colour), _channels(target), strict=True))
    return "#" + "".join(f"{p:02x}" for p in parts)


def readable_on(colour: str, against: str) -> str:
    """`colour`, or the nearest darker (or lighter) shade of it, that has 4.5:1 against `against`.

    It moves toward black when `against` is light and toward white when it is dark; the end of
    that road (black or white) always has ≥ 4.5:1 against our text colours and against white."""
    if contrast(colour, against) >= MINIMUM:
        return colour
    target = BLACK if contrast(BLACK, against) >= contrast(WHITE, against) else WHITE
    low, high = 0, _STEPS  # contrast grows with the step: find the smallest step that is enough
    while low < high:
        middle = (low + high) // 2
        if contrast(_mix(colour, target, middle), against) >= MINIMUM:
            high = middle
        else:
            low = middle + 1
    return _mix(colour, target, low)


def pair(background: str) -> tuple[str, str]:
    """(background, text) with ≥ 4.5:1: the better text colour, and the background moved away
    from it only if even that text colour is not enough (mid-tones against DARK)."""
    text = text_on(background)
    return readable_on(background, text), text


def palette(brand: str | None, accent: str | None) -> Palette:
    """Every colour a client page or PDF draws text with, from the business's two colours."""
    brand_colour = normalise(brand, DEFAULT_BRAND)
    accent_colour = normalise(accent, DEFAULT_ACCENT)
    fill, on_fill = pair(brand_colour)
    page, on_page = pair(accent_colour)
    return Palette(brand=brand_colour, fill=fill, on_fill=on_fill, ink=readable_on(brand_colour, WHITE),
                   accent=page, on_accent=on_page, tint=readable_on(accent_colour, DARK))
