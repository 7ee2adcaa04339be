"""The Overview in a real browser: it fits a 1280x720 projector, switching
country and quarter updates the figures and the URL, a copied link opens the
same view in a new session, and a chart downloads as a valid PNG; all
offline, with no exception on the page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from benchmarks.chromium import VIEWPORT
from components import formatting as fmt
from data_access import db, overview
from tests.browser.support import TIMEOUT, choose_option, rendered, screenshot_dir, tile_value


def _prisoners(url: str, quarter: str, countries) -> str:
    value = overview.headline(db.connect(url), quarter, countries).set_index("metric").loc["prisoners_total", "value"]
    return fmt.number(value)


def test_overview_fits_a_projector_screen(base_url, open_page, tmp_path):
    page = open_page(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"\?quarter=2026-Q3$"))
    expect(page.get_by_role("heading", name="Overview · 2026-Q3")).to_be_visible()
    tiles = page.get_by_test_id("stMetric")
    expect(tiles).to_have_count(12)
    rendered(page)
    shot = screenshot_dir(tmp_path) / "overview-1280x720.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    for i in range(12):
        box = tiles.nth(i).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], f"tile {i} off screen: {box}"
        assert box["x"] + box["width"] <= VIEWPORT["width"]
        value = tiles.nth(i).get_by_test_id("stMetricValue")
        # nothing cut off: the value fits its tile
        assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), tiles.nth(i).inner_text()
    expect(page.get_by_test_id("stAlert").first).to_contain_text("Sample data: figures after the 2023-Q4 baseline")


def test_switch_country_and_quarter_then_follow_the_copied_link(base_url, server_db, open_page):
    page = open_page(f"{base_url}/")
    expect(tile_value(page, "Prisoners")).to_have_text(_prisoners(server_db, "2026-Q3", None))

    # country: Kazakhstan only
    page.get_by_test_id("stMultiSelect").click()
    page.keyboard.type("Kazakhstan")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"countries=KAZ"), timeout=TIMEOUT)
    expect(tile_value(page, "Prisoners")).to_have_text(_prisoners(server_db, "2026-Q3", ["KAZ"]), timeout=TIMEOUT)

    # quarter: 2025-Q2
    choose_option(page, page.get_by_test_id("stSelectbox"), "2025-Q2")
    expect(page).to_have_url(re.compile(r"quarter=2025-Q2"), timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Overview · 2025-Q2")).to_be_visible(timeout=TIMEOUT)
    expected = _prisoners(server_db, "2025-Q2", ["KAZ"])
    expect(tile_value(page, "Prisoners")).to_have_text(expected, timeout=TIMEOUT)
    figures = page.get_by_test_id("stMetricValue").all_inner_texts()

    # the copied link, opened in a new browser session, shows the same view
    link = page.url
    assert re.search(r"[?&]countries=KAZ(&|$)", link) and re.search(r"[?&]quarter=2025-Q2(&|$)", link)
    other = open_page(link)
    expect(other.get_by_role("heading", name="Overview · 2025-Q2")).to_be_visible(timeout=TIMEOUT)
    expect(other.get_by_test_id("stMultiSelect")).to_contain_text("Kazakhstan")
    expect(tile_value(other, "Prisoners")).to_have_text(expected, timeout=TIMEOUT)
    assert other.get_by_test_id("stMetricValue").all_inner_texts() == figures
    assert other.url == link


@pytest.mark.parametrize("kind, magic", [("PNG", b"\x89PNG\r\n\x1a\n"), ("SVG", b"<svg")])
def test_download_a_chart(base_url, open_page, kind, magic):
    page = open_page(f"{base_url}/?quarter=2026-Q2")
    chart_block = page.get_by_test_id("stVegaLiteChart").first
    chart_block.scroll_into_view_if_needed()
    popover = page.get_by_test_id("stPopover").first
    popover.get_by_role("button").click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_test_id("stDownloadButton").filter(has_text=kind).first.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    assert data.startswith(magic), data[:16]
    assert download.suggested_filename == f"open-findings-by-severity_2026-q2.{kind.lower()}"
    if kind == "PNG":
        img = Image.open(io.BytesIO(data))
        img.verify()
        assert img.width >= 2000  # high resolution, for slides
