"""An export in a real browser against ``streamlit run app.py`` (local
mode): Streamlit makes a download's file in a worker thread, outside the
page's run, when the button is clicked; the file is made and the click is
recorded in the audit trail as exactly one export, by the person at the
machine."""

from __future__ import annotations

import json
from pathlib import Path

from data_access import access, audit, db


def test_a_chart_download_is_recorded_once(base_url, open_page, server_db):
    eng = db.connect(server_db)
    before = len(audit.events(eng, access.BOOTSTRAP, action="export"))
    page = open_page(f"{base_url}/?quarter=2026-Q2&countries=KGZ")
    page.get_by_test_id("stVegaLiteChart").first.scroll_into_view_if_needed()
    page.get_by_test_id("stPopover").first.get_by_role("button").click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").first.click()
    assert Path(info.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")  # the CSV, with its BOM
    events = audit.events(eng, access.BOOTSTRAP, action="export")
    assert len(events) == before + 1
    event = events.iloc[0]
    detail = json.loads(event["detail"])
    assert event["via"] == "local" and detail["format"] == "csv"
    assert detail["file_name"] == info.value.suggested_filename
    assert detail["filters"] == {"countries": ["KGZ"], "quarter": "2026-Q2"}
