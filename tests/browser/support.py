"""Helpers shared by the browser tests: waiting on what a person sees, the
figure of a tile, where screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from benchmarks.chromium import PENDING

TIMEOUT = 30_000  # ms, for what follows a click: a rerun of the page on two busy cores

# Fully rendered (as the browser benchmarks define it: no spinner, skeleton or
# running script, every visible chart drawn, every visible map with its
# canvas) and every web font loaded: what a person looking at the screen, or a
# screenshot, sees is final.
_RENDERED = f"() => ({PENDING})().pending.length === 0 && document.fonts.status === 'loaded'"


def rendered(page, timeout: float = TIMEOUT) -> None:
    """Wait until the page's run has finished and everything on it is drawn."""
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=timeout)
    page.wait_for_function(_RENDERED, timeout=timeout)


def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``DASHBOARD_SCREENSHOT_DIR`` if set (to look at
    them), else the test's temporary folder."""
    d = Path(os.environ.get("DASHBOARD_SCREENSHOT_DIR") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


def tile_value(page, label: str):
    """The figure of the tile (``st.metric``) labelled ``label``."""
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return tile.get_by_test_id("stMetricValue")


# st.dataframe draws its grid on a canvas (Glide Data Grid): rows have a fixed
# height, and the row markers (selection boxes) are the first column.
GRID_HEADER_HEIGHT = 35  # px
GRID_ROW_HEIGHT = 35  # px
GRID_ROW_MARKER_X = 16  # px from the grid's left edge: the middle of the selection box


def grid_cell(grid, row: int, column: int):
    """A cell of ``st.dataframe`` (0-based, without the row markers), in the
    accessible table the grid keeps in step with what it draws."""
    return grid.get_by_test_id(f"glide-cell-{column + 1}-{row}")


def select_row(grid, row: int) -> None:
    """Click the selection box of a visible row (0-based) of ``st.dataframe``.

    The grid is first brought to the middle of the screen, clear of the app's
    sticky header. The click then goes through the grid's locator, so
    Playwright waits until the grid is attached, visible, stable (not moving
    between animation frames) and the one to receive the click (the layer
    over its canvas). Call it once the page is ``rendered``, so that no rerun
    replaces the grid under it."""
    grid.evaluate("e => e.scrollIntoView({block: 'center'})")
    y = GRID_HEADER_HEIGHT + GRID_ROW_HEIGHT * row + GRID_ROW_HEIGHT / 2
    grid.click(position={"x": GRID_ROW_MARKER_X, "y": y})


def choose_option(page, opener, option: str, attempts: int = 3) -> None:
    """Open a select box (``opener``, its locator) and pick ``option``: on a
    busy machine a click that lands while the page reruns can close the list
    again, so the list is opened again (up to ``attempts`` times), waiting on
    the page each time."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        rendered(page)
        opener.click()
        try:
            expect(wanted).to_be_visible(timeout=TIMEOUT // 4)
        except AssertionError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        wanted.click()
        return
