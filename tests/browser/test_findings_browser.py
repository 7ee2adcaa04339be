"""The Audit findings page in a real browser: it fits a 1280x720 projector,
filtering to one facility updates the figures and the address, and
selecting a row of the findings table opens that finding's timeline; a
facility link from another page preselects the filter. All offline, with no
exception on the page (see conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from benchmarks.chromium import VIEWPORT
from components import formatting as fmt
from data_access import db, queries
from data_access.findings import FindingFilter, findings_list
from tests.browser.support import TIMEOUT, grid_cell, rendered, screenshot_dir, select_row, tile_value

FACILITY, FACILITY_NAME = "TJK-DUS-01", "Dushanbe prison"


def _verified(url: str, quarter: str, facility: str | None) -> str:
    state = queries.findings_as_at(db.connect(url), quarter, facility_id=facility)
    return fmt.number(int((state["status"] == "verified").sum()))


def test_filter_to_one_facility_and_open_a_timeline(base_url, server_db, open_page, tmp_path):
    page = open_page(f"{base_url}/findings")
    expect(page.get_by_role("heading", name="Audit findings · 2026-Q3")).to_be_visible(timeout=TIMEOUT)
    tiles = page.get_by_test_id("stMetric")
    expect(tiles).to_have_count(7)
    rendered(page)
    shot = screenshot_dir(tmp_path) / "findings-1280x720.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    for i in range(7):  # the tiles fit the projector's width and show their figure whole
        box = tiles.nth(i).bounding_box()
        assert box and box["x"] + box["width"] <= VIEWPORT["width"] and box["y"] + box["height"] <= VIEWPORT["height"]
        value = tiles.nth(i).get_by_test_id("stMetricValue")
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), tiles.nth(i).inner_text()
    expect(tile_value(page, "Verified")).to_have_text(_verified(server_db, "2026-Q3", None))

    # filter: one facility
    facility = page.get_by_test_id("stMultiSelect").filter(has_text="Facility")
    facility.click()
    page.keyboard.type(FACILITY_NAME)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"facility={FACILITY}"), timeout=TIMEOUT)
    n = len(queries.findings_as_at(db.connect(server_db), "2026-Q3", facility_id=FACILITY))
    expect(page.get_by_text(f"{n} of 120 findings raised by the end of 2026-Q3")).to_be_visible(timeout=TIMEOUT)
    expect(tile_value(page, "Verified")).to_have_text(_verified(server_db, "2026-Q3", FACILITY), timeout=TIMEOUT)

    # the findings table, then its first row's timeline
    page.get_by_role("tab", name="Findings and timelines").click()
    expect(page.get_by_text(f"Findings 1-{n} of {n}")).to_be_visible(timeout=TIMEOUT)
    first = findings_list(db.connect(server_db), "2026-Q3", flt=FindingFilter(facilities=(FACILITY,)), limit=1)[0]
    fid = first["finding_id"].iloc[0]
    heading = page.get_by_role("heading", name=re.compile(rf"^{re.escape(fid)} · "))
    rendered(page)  # the rerun that opened the tab has drawn its final grid
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid_cell(grid, 0, 0)).to_have_text(fid)  # the first row shows that finding
    select_row(grid, 0)
    expect(heading).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("textbox", name="Finding ID")).to_have_value(fid)
    timeline = page.get_by_test_id("stDataFrame").last
    expect(timeline).to_be_visible()
    expect(page).to_have_url(re.compile(rf"finding={re.escape(fid)}"), timeout=TIMEOUT)
    rendered(page)
    page.screenshot(path=str(screenshot_dir(tmp_path) / "findings-timeline-1280x720.png"))


def test_a_facility_link_opens_the_page_filtered(base_url, server_db, open_page):
    page = open_page(f"{base_url}/findings?facility={FACILITY}&quarter=2025-Q2")
    expect(page.get_by_role("heading", name="Audit findings · 2025-Q2")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Facility")).to_contain_text(FACILITY_NAME)
    expect(tile_value(page, "Verified")).to_have_text(_verified(server_db, "2025-Q2", FACILITY), timeout=TIMEOUT)
    assert re.search(rf"[?&]facility={FACILITY}(&|$)", page.url)
