"""The Country profiles page in a real browser: each country opens with its
figures (equal to the data layer's), the tiles fit a 1280x720 projector,
the comparison shows every country, and a facility's link opens the findings
page filtered on it; offline, with no exception on the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benchmarks.chromium import VIEWPORT
from components import formatting as fmt
from components import nav
from data_access import countries as country_queries
from data_access import db
from tests.browser.support import TIMEOUT, rendered, screenshot_dir, tile_value

COUNTRIES = {"IRQ": "Iraq", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "TJK": "Tajikistan"}


def _figure(url: str, country: str, indicator: str) -> str:
    k = country_queries.key_figures(db.connect(url), "2026-Q3", [country]).set_index("indicator")
    return fmt.number(k.loc[indicator, "value"])


def test_open_each_country(base_url, server_db, open_page, tmp_path):
    page = open_page(f"{base_url}/countries")
    expect(page.get_by_role("heading", name="Country profiles · 2026-Q3")).to_be_visible(timeout=TIMEOUT)
    shots = screenshot_dir(tmp_path)
    for code, name in COUNTRIES.items():
        page.get_by_role("radio", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(rf"country={code}"), timeout=TIMEOUT)
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=TIMEOUT)
        expect(tile_value(page, "Prisoners")).to_have_text(_figure(server_db, code, "prisoners_total"), timeout=TIMEOUT)
        tiles = page.get_by_test_id("stMetric")
        expect(tiles.first).to_be_visible()
        rendered(page)  # the run has finished, its charts are drawn
        page.screenshot(path=str(shots / f"profile-{code}-1280x720.png"))
        for i in range(5):  # the country's five tiles fit the projector screen
            box = tiles.nth(i).bounding_box()
            assert box and box["y"] + box["height"] <= VIEWPORT["height"], f"{name}: tile {i} off screen: {box}"
            assert box["x"] + box["width"] <= VIEWPORT["width"]
            value = tiles.nth(i).get_by_test_id("stMetricValue")
            assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), tiles.nth(i).inner_text()
    # the report's figure stays visible next to the latest one
    page.get_by_role("radio", name="Tajikistan", exact=True).click()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT)
    print(f"\nscreenshots: {shots}")


def test_compare_all_countries(base_url, open_page, tmp_path):
    page = open_page(f"{base_url}/countries")
    page.get_by_role("radio", name=re.compile(r"Compare \(4\)")).click()
    expect(page.get_by_role("heading", name="Comparison of 4 countries")).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"country=compare"), timeout=TIMEOUT)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(4, timeout=TIMEOUT)
    rendered(page)
    page.screenshot(path=str(screenshot_dir(tmp_path) / "profiles-compare-1280x720.png"))
    table = page.get_by_test_id("stDataFrame").first
    for name in COUNTRIES.values():
        expect(table).to_contain_text(name)


def test_a_facility_links_to_its_findings(base_url, open_page):
    if not nav.PAGES[[p.key for p in nav.PAGES].index("findings")].path.is_file():
        pytest.skip("the findings page is not built yet")
    page = open_page(f"{base_url}/countries?country=TJK&quarter=2025-Q3")
    page.get_by_role("tab", name="Facilities").click()
    link = page.get_by_test_id("stPageLink").filter(has_text="finding").first
    expect(link).to_be_visible(timeout=TIMEOUT)
    link.click()
    expect(page).to_have_url(re.compile(r"/findings\?.*facility=TJK-DUS-01"), timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"quarter=2025-Q3"), timeout=TIMEOUT)  # the filters travel along
