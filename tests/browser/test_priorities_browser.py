"""The Priorities page in a real browser: the tiles fit a 1280x720 screen,
clicking a priority's row in the table opens it (its tab, heading, charts,
narrative and the address bar), and that address opens the same priority
in a new session; all offline, with no exception on the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from benchmarks.chromium import VIEWPORT
from data_access import db, queries
from tests.browser.support import TIMEOUT, grid_cell, rendered, screenshot_dir, select_row


def test_open_one_priority_from_the_table(base_url, server_db, open_page, tmp_path):
    page = open_page(f"{base_url}/priorities?quarter=2026-Q3")
    expect(page.get_by_role("heading", name="Priorities · 2026-Q3")).to_be_visible()
    tiles = page.get_by_test_id("stMetric")
    expect(tiles).to_have_count(6)
    for i in range(6):
        box = tiles.nth(i).bounding_box()
        assert box and box["y"] + box["height"] <= VIEWPORT["height"] and box["x"] + box["width"] <= VIEWPORT["width"]
    shot_dir = screenshot_dir(tmp_path)
    rendered(page)
    page.screenshot(path=str(shot_dir / "priorities-1280x720.png"))

    # click the row of KGZ-P3 (its place in the table is the data layer's order)
    ids = list(queries.priorities_as_at(db.connect(server_db), "2026-Q3")["priority_id"])
    row = ids.index("KGZ-P3")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid_cell(grid, row, 0)).to_have_text("KGZ-P3")  # the grid shows it in that row
    select_row(grid, row)

    expect(page).to_have_url(re.compile(r"[?&]priority=KGZ-P3(&|$)"), timeout=TIMEOUT)
    expect(page.get_by_role("tab", name="One priority")).to_have_attribute("aria-selected", "true")
    heading = page.get_by_role(
        "heading", name="KGZ-P3 · Regular review of dynamic security protocols, with expert exchanges"
    )
    expect(heading).to_be_visible(timeout=TIMEOUT)
    panel = page.get_by_role("tabpanel", name="One priority")
    expect(panel.get_by_text("Reported", exact=False).first).to_be_visible()
    expect(panel.get_by_text("Off track; approval expected next quarter.")).to_be_visible()  # newest narrative
    expect(panel.get_by_test_id("stVegaLiteChart")).to_have_count(2)  # progress against the rule; milestones
    heading.scroll_into_view_if_needed()
    rendered(page)
    page.screenshot(path=str(shot_dir / "priority-KGZ-P3-1280x720.png"))
    print(f"\nscreenshots: {shot_dir}")

    # the address opens the same priority in a new browser session
    link = page.url
    other = open_page(link)
    expect(other.get_by_role("heading", name=re.compile(r"^KGZ-P3 · "))).to_be_visible(timeout=TIMEOUT)
    expect(other.get_by_role("tab", name="One priority")).to_have_attribute("aria-selected", "true")
    assert other.url == link
