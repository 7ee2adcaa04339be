"""Uploading a return in a real browser: a coordinator opens the Upload page,
chooses a workbook written by openpyxl, sees the preview, confirms, and the
new figure is on the Overview. Offline, with no exception on the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.test_upload_page import new_quarter_return

TIMEOUT = 60_000


def test_upload_preview_confirm_and_see_it_on_the_overview(base_url, open_page, tmp_path):
    page = open_page(f"{base_url}/?countries=TJK")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Upload a quarterly return")).to_be_visible(timeout=TIMEOUT)

    workbook = tmp_path / "TJK_2026-Q4.xlsx"
    workbook.write_bytes(new_quarter_return())
    # no name to type: in local mode the upload is signed by the person at this computer
    expect(page.get_by_text(re.compile(r"The upload is recorded as yours"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("textbox", name="Your name")).to_have_count(0)
    page.locator("input[type=file]").set_input_files(str(workbook))

    expect(page.get_by_text("The workbook is valid: Tajikistan 2026-Q4")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Indicators: 1 new · 0 changed · 0 unchanged · 0 removed")).to_be_visible()
    page.get_by_role("button", name="Apply this return").click()
    expect(
        page.get_by_text(re.compile(r"Return applied as upload #\d+: 2 row\(s\) changed for TJK 2026-Q4"))
    ).to_be_visible(timeout=TIMEOUT)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", name="Overview · 2026-Q3")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("stSidebarUserContent").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="2026-Q4", exact=True).click()
    expect(page.get_by_role("heading", name="Overview · 2026-Q4")).to_be_visible(timeout=TIMEOUT)
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("Prisoners", exact=True)
    )
    expect(tile.get_by_test_id("stMetricValue")).to_have_text("12,600", timeout=TIMEOUT)
