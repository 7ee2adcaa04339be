"""Exports through AppTest on the sample data, signed in as a viewer limited
to Kyrgyzstan: every download (a chart as PNG, SVG, CSV or XLSX; the
findings list as CSV) records exactly one "export" event when clicked, with
what was exported, the format and the filters in force; the file is made
for the person who saw the button (also outside the page's run, where
Streamlit makes it), so it holds Kyrgyzstan only."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from components.i18n import t
from data_access import access, audit, db
from tests.apptest_support import new_app, run

EMAIL = "viewer.kgz@example.org"
QUARTER = "2025-Q2"


@pytest.fixture
def downloads(monkeypatch):
    """The deferred downloads the runs register: file name -> the function
    Streamlit calls when the button is clicked."""
    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return found


@pytest.fixture
def findings_page(sign_in, downloads):
    at = run(sign_in(new_app({"quarter": QUARTER}), EMAIL, "viewer", ["KGZ"]))
    downloads.clear()  # those of the first page (the Overview)
    return run(at.switch_page("pages/findings.py"))


def _exports(eng) -> list[dict]:
    events = audit.events(eng, access.BOOTSTRAP, person=EMAIL, action="export")
    return [json.loads(d) for d in events["detail"]]


def _chart_titles(at) -> set[str]:
    titles = set()
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title")
        titles.add(title["text"] if isinstance(title, dict) else title)
    return titles


def test_each_chart_download_records_one_export_with_what_format_and_filters(findings_page, downloads, sample_url):
    eng = db.connect(sample_url)
    at = findings_page
    titles = _chart_titles(at)
    charts = {name: make for name, make in downloads.items() if not name.startswith("findings_")}
    assert titles and len(charts) == 4 * len(titles)  # png, svg, csv, xlsx of each chart
    assert _exports(eng) == []  # drawing the buttons records nothing
    for n, (name, make) in enumerate(sorted(charts.items()), start=1):
        payload = make()  # what Streamlit runs when the button is clicked
        assert payload
        recorded = _exports(eng)
        assert len(recorded) == n  # exactly one event per click
        event = recorded[0]  # the newest
        assert event["file_name"] == name and event["format"] == name.rsplit(".", 1)[1]
        assert event["what"] in titles
        assert event["filters"] == {"countries": ["KGZ"], "quarter": QUARTER}


def test_the_findings_list_download_records_one_export_and_holds_their_countries_only(
    findings_page, downloads, sample_url
):
    eng = db.connect(sample_url)
    at = findings_page
    at.session_state["findings_tab"] = t("findings.tab.list")
    at.session_state["findings_severity"] = ["high"]
    downloads.clear()
    run(at)
    name = f"findings_{QUARTER}.csv"
    payload = downloads[name]()
    table = pd.read_csv(io.BytesIO(payload), encoding="utf-8-sig")
    assert len(table) > 0 and set(table[t("findings.list.col.country")]) == {"Kyrgyzstan"}
    assert set(table[t("findings.list.col.severity")]) == {"High"}
    (event,) = _exports(eng)
    assert event["what"] == "findings" and event["format"] == "csv" and event["file_name"] == name
    assert event["filters"] == {
        "countries": ["KGZ"],
        "quarter": QUARTER,
        "severities": ["high"],
        "sort": "severity",
        "descending": False,
    }


def test_a_chart_export_records_the_page_filters_too(findings_page, downloads, sample_url):
    eng = db.connect(sample_url)
    at = findings_page
    at.session_state["findings_severity"] = ["high", "critical"]
    at.session_state["findings_overdue"] = True
    downloads.clear()
    run(at)
    downloads[f"open-findings-by-quarter_{QUARTER.lower()}.svg"]()
    (event,) = _exports(eng)
    assert event["format"] == "svg" and event["filters"] == {
        "countries": ["KGZ"],
        "quarter": QUARTER,
        "severities": ["high", "critical"],
        "overdue_only": True,
    }
