"""Keyboard-only journeys: move focus with Tab / Shift+Tab only, and require that every stop on
the way shows where the focus is (a real outline, not the browser's faint default or none)."""
from __future__ import annotations

from typing import Any

FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {visible: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          what: e.outerHTML.slice(0, 120)};
}"""


def tab_to(page: Any, target: Any, backwards: bool = False, limit: int = 80) -> list[str]:
    """Press Tab (Shift+Tab when `backwards`) until the locator `target` has the focus; fails when it is
    never reached within `limit` presses or a stop on the way has no visible focus. Returns the stops."""
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None:
            continue  # past the last control, back to the document: Tab goes on from the top
        assert focused["visible"], f"focus is not visible on {focused['what']} (after {stops[-3:]})"
        stops.append(focused["what"])
        if target.evaluate("e => e === document.activeElement"):
            return stops
    raise AssertionError(f"{target} was never focused by {'Shift+Tab' if backwards else 'Tab'}; stops: {stops}")
