"""Readable brand colours (domain/colours.py): every text colour a page, PDF or the dashboard's
preview draws on (or with) a business's colours reaches WCAG AA, 4.5:1.

Before, client pages put white text on the brand colour whatever it was: #ffd54f gave 1.6:1."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.colours import DARK, LIGHT, MINIMUM, WHITE, contrast, pair, palette, readable_on, text_on

SETTINGS = settings(max_examples=500, deadline=None)
colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the well-known AA grey
    assert contrast("#ffd54f", "#ffffff") < 1.6  # the issue's brand: white text on it was unreadable


@pytest.mark.parametrize(("background", "text"), [
    ("#ffd54f", DARK), ("#ffffff", DARK), ("#000000", LIGHT), ("#777777", LIGHT), ("#808080", DARK),
    ("#767676", LIGHT), ("#595959", LIGHT), ("#1f4b99", LIGHT), ("#f2f5fa", DARK),
])
def test_text_goes_dark_on_light_colours_and_light_on_dark_ones(background: str, text: str) -> None:
    assert text_on(background) == text
    fill, on_fill = pair(background)
    assert on_fill == text
    assert contrast(fill, on_fill) >= MINIMUM


def test_the_issues_yellow_keeps_its_colour_and_gets_dark_text() -> None:
    chosen = palette("#ffd54f", "#ffffff")
    assert (chosen.fill, chosen.on_fill) == ("#ffd54f", DARK)
    assert contrast(chosen.fill, chosen.on_fill) > 11
    # as text on white it is darkened just enough (headings, the balance due)
    assert chosen.ink != "#ffd54f" and MINIMUM <= contrast(chosen.ink, WHITE) < MINIMUM + 0.2


def test_a_mid_grey_no_text_colour_reads_on_is_moved_just_enough() -> None:
    # #808080: 3.9:1 with white, 4.2:1 with the dark text; neither is enough
    assert max(contrast("#808080", LIGHT), contrast("#808080", DARK)) < MINIMUM
    fill, text = pair("#808080")
    assert text == DARK and fill == "#868686"  # lightened, away from the dark text
    assert MINIMUM <= contrast(fill, text) < MINIMUM + 0.2


def test_malformed_or_missing_colours_fall_back_to_the_defaults() -> None:
    assert palette(None, "") == palette("#1f4b99", "#f2f5fa")
    assert palette("red", "#12345").brand == "#1f4b99"
    assert palette("#FFD54F", None) == palette("#ffd54f", None)


@SETTINGS
@given(colours)
def test_the_chosen_pair_always_reads(background: str) -> None:
    fill, text = pair(background)
    assert contrast(fill, text) >= MINIMUM
    if max(contrast(background, LIGHT), contrast(background, DARK)) >= MINIMUM:
        assert fill == background  # a colour is only changed when it has to be


@SETTINGS
@given(colours, colours)
def test_every_pair_of_a_palette_reads(brand: str, accent: str) -> None:
    chosen = palette(brand, accent)
    assert contrast(chosen.fill, chosen.on_fill) >= MINIMUM
    assert contrast(chosen.ink, WHITE) >= MINIMUM
    assert contrast(chosen.accent, chosen.on_accent) >= MINIMUM
    assert contrast(chosen.tint, DARK) >= MINIMUM
    assert chosen.brand == brand


@SETTINGS
@given(colours, colours)
def test_readable_on_moves_a_colour_only_as_far_as_it_must(colour: str, against: str) -> None:
    moved = readable_on(colour, against)
    if contrast(colour, against) >= MINIMUM:
        assert moved == colour
    elif max(contrast("#000000", against), contrast("#ffffff", against)) >= MINIMUM:
        assert contrast(moved, against) >= MINIMUM
