"""The Audit trail page (pages/audit_trail.py), driven with AppTest on a copy
of the sample database, signed in as an administrator: the last 30 days by
default, filters that narrow the table, the empty state, the retention
setting, and the CSV/XLSX exports (formula-safe, each recorded as one audit
entry when the file is made). Who may open the page at all is tested with
the Access page (tests/test_access_page.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager

from components import auth, data_admin
from data_access import audit, db
from data_access.rules.access import Actor
from tests.apptest_support import markdown_text, new_app, run
from tests.people import ADMIN, COORDINATOR, VIEWER, fresh_trail, signed_in, staff, trail

PAGE = "pages/audit_trail.py"
ADDRESS = "10.1.2.3"
FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'
TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture(autouse=True)
def browser_address(monkeypatch):
    monkeypatch.setattr(auth, "client_address", lambda: ADDRESS)


@pytest.fixture
def eng(sample_url, monkeypatch):
    """The staff of tests/people.py, an upload 60 days ago, and today a check and an export by someone
    whose name looks like a formula."""
    monkeypatch.delenv(audit.AUDIT_DAYS_ENV, raising=False)
    engine = db.connect(sample_url)
    fresh_trail(engine)
    staff(engine)
    coordinator = Actor(COORDINATOR, "Coordinator", "coordinator", frozenset({"TJK"}))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    with monkeypatch.context() as m:
        m.setattr(audit, "now", lambda: long_ago)
        audit.log(engine, coordinator, "return.upload", "TJK", "2026-Q2", status="applied", file_name="tjk.xlsx")
    audit.log(engine, coordinator, "return.check", "TJK", "2026-Q3", status="valid", errors=0, file_name="q3.xlsx")
    audit.log(engine, Actor(VIEWER, FORMULA_NAME, "viewer"), "export", "KGZ", address="@10.0.0.9", what="findings")
    return engine


@pytest.fixture
def downloads(monkeypatch):
    """file id -> the callable a download button runs when clicked (served outside the run, as a server does)."""
    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def open_trail():
    at = run(signed_in(new_app(), ADMIN, "Boss"))
    return run(at.switch_page(PAGE))


def table(at):
    [frame] = [d.value for d in at.dataframe if "When (UTC)" in d.value.columns]
    return frame


def click(at, downloads, label: str) -> bytes:
    """What the download button ``label`` gives when clicked."""
    [button] = [b for b in at.get("download_button") if b.proto.label == label]
    return downloads[button.proto.deferred_file_id]()  # type: ignore[operator]


# --------------------------------------------------------------------------- the table and its filters


def test_the_last_30_days_newest_first_with_details_in_words(eng):
    at = open_trail()
    assert at.date_input(key="audit_dates").value == (TODAY - dt.timedelta(days=29), TODAY)
    shown = table(at)
    # today: the fixture's four accounts, the check, the export, this sign-in; not the upload 60 days ago
    assert list(shown["Action"]) == ["Signed in", "Exported", "Return checked"] + ["Account added"] * 4
    assert "**7** entries from" in markdown_text(at)
    check = shown[shown["Action"] == "Return checked"].iloc[0]
    assert (check["Person"], check["Country"], check["Quarter"], check["Via"]) == (COORDINATOR, "TJK", "2026-Q3", "app")
    assert check["Details"] == "status: valid; file: q3.xlsx; errors: 0"
    added = shown[shown["Action"] == "Account added"].iloc[-1]
    assert (added["Person"], added["Via"]) == ("DASHBOARD_ADMINS", "local mode")
    assert added["Details"] == f"e-mail: {ADMIN}; role: admin; name: Boss"  # the empty list of countries left out
    assert shown.iloc[0]["Address"] == ADDRESS
    assert "every entry is kept" in "\n".join(c.value for c in at.caption)


def test_filters_narrow_the_table(eng):
    at = open_trail()
    run(at.toggle(key="audit_all_dates").set_value(True))
    assert at.date_input(key="audit_dates").disabled
    assert "Return uploaded" in list(table(at)["Action"]) and "since the trail began" in markdown_text(at)
    assert at.selectbox(key="audit_person").options[:3] == ["Everyone", "DASHBOARD_ADMINS", ADMIN]

    run(at.selectbox(key="audit_person").set_value(COORDINATOR))
    assert list(table(at)["Action"]) == ["Return checked", "Return uploaded"]
    run(at.selectbox(key="audit_action").set_value("return.upload"))
    assert list(table(at)["Quarter"]) == ["2026-Q2"]
    at.selectbox(key="audit_person").set_value(None)
    run(at.selectbox(key="audit_action").set_value(None))
    run(at.selectbox(key="audit_country").set_value("KGZ"))
    assert list(table(at)["Person"]) == [VIEWER] and list(table(at)["Action"]) == ["Exported"]
    at.selectbox(key="audit_country").set_value(None)
    run(at.toggle(key="audit_all_dates").set_value(False))
    long_ago = TODAY - dt.timedelta(days=60)
    run(at.date_input(key="audit_dates").set_value((long_ago, long_ago)))
    assert list(table(at)["Action"]) == ["Return uploaded"]
    assert "**1** entry from" in markdown_text(at)


def test_nothing_matching_explains_why_and_offers_no_export(eng):
    at = open_trail()
    run(at.selectbox(key="audit_action").set_value("upload.restore"))
    shown = markdown_text(at)
    assert "#### No entries from" in shown and "Nothing recorded matches these filters" in shown
    assert "Choose Everyone, Every action and Every country" in shown and "switch on Every date" in shown
    assert not at.dataframe and not at.get("download_button")


def test_the_retention_setting_is_shown(eng, monkeypatch):
    monkeypatch.setenv(audit.AUDIT_DAYS_ENV, "400")
    captions = "\n".join(c.value for c in open_trail().caption)
    assert "entries older than 400 days are deleted" in captions
    monkeypatch.setenv(audit.AUDIT_DAYS_ENV, "0")
    at = open_trail()
    assert [w.value for w in at.warning] == [
        "The retention setting is not valid, so every entry is kept: DASHBOARD_AUDIT_DAYS must be a whole number "
        "of days, at least 1 (got '0')"
    ]


# --------------------------------------------------------------------------- exports


def test_csv_and_xlsx_exports_are_formula_safe_and_each_is_one_audit_entry(eng, downloads):
    at = open_trail()
    run(at.selectbox(key="audit_country").set_value("KGZ"))
    assert [b.proto.label for b in at.get("download_button")] == ["CSV", "XLSX"]
    before = len(trail(eng))

    rows = list(csv.DictReader(io.StringIO(click(at, downloads, "CSV").decode("utf-8-sig"))))
    assert [(r["Person"], r["Action code"], r["Country"]) for r in rows] == [(VIEWER, "export", "KGZ")]
    assert rows[0]["Name"] == "'" + FORMULA_NAME  # neutralised: a spreadsheet shows it as text
    assert rows[0]["Address"] == "'@10.0.0.9" and rows[0]["Details"] == "what: findings"
    assert dt.datetime.strptime(rows[0]["When (UTC)"], "%Y-%m-%d %H:%M:%S").date() == TODAY

    exported = trail(eng)
    assert len(exported) == before + 1
    event = exported.iloc[0].to_dict()
    assert (event["action"], event["actor_email"], event["actor_name"], event["via"], event["address"]) == (
        "export", ADMIN, "Boss", "app", ADDRESS,
    )  # fmt: skip
    since = str(TODAY - dt.timedelta(days=29))
    assert json.loads(event["detail"]) == {
        "what": "audit trail", "format": "csv", "rows": 1,
        "filters": {"country": "KGZ", "since": since, "until": str(TODAY)},
    }  # fmt: skip

    book = load_workbook(io.BytesIO(click(at, downloads, "XLSX")))
    sheet = book["Audit trail"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, (c for c in sheet[2]), strict=True))
    assert sheet.max_row == 2 and values["Person"].value == VIEWER
    assert values["Name"].value == "'" + FORMULA_NAME and values["Name"].data_type == "s"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # not one formula
    about = [c.value for c in book["About"]["A"]]
    assert f"Filters: country: KGZ; since: {since}; until: {TODAY}" in about
    event = trail(eng).iloc[0]
    assert len(trail(eng)) == before + 2 and json.loads(event["detail"])["format"] == "xlsx"


def test_an_export_reads_the_trail_when_clicked(eng, downloads):
    """The file holds what matches when it is made (newer entries too), never more than the filters allow."""
    at = open_trail()
    run(at.selectbox(key="audit_action").set_value("return.check"))
    audit.log(eng, Actor(COORDINATOR, "", "coordinator"), "return.check", "TJK", "2026-Q4", status="invalid")
    rows = list(csv.DictReader(io.StringIO(click(at, downloads, "CSV").decode("utf-8-sig"))))
    assert [r["Quarter"] for r in rows] == ["2026-Q4", "2026-Q3"]


# --------------------------------------------------------------------------- retention


def test_purge_due_applies_the_retention_at_most_once_a_day(eng, monkeypatch):
    url = str(eng.url)
    monkeypatch.setattr(data_admin, "_purged", {})
    assert data_admin.purge_due(url, clock=lambda: 1000.0) == 0  # unset: everything is kept
    monkeypatch.setenv(audit.AUDIT_DAYS_ENV, "30")
    assert data_admin.purge_due(url, clock=lambda: 2000.0) == 0  # purged less than a day ago
    assert data_admin.purge_due(url, clock=lambda: 1000.0 + data_admin.PURGE_EVERY) == 1  # the upload, 60 days old
    actions = list(trail(eng)["action"])
    assert "return.upload" not in actions and actions[0] == "audit.purge"
    monkeypatch.setenv(audit.AUDIT_DAYS_ENV, "zero")
    assert data_admin.purge_due(url, clock=lambda: 1000.0 + 3 * data_admin.PURGE_EVERY) == 0  # invalid: kept


def test_the_documentation_lists_every_audit_action():
    from tests.test_docs import ROOT, section, tables

    text = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    [actions] = tables(section(text, "### What the trail records"))
    assert [row[0].strip("`") for row in actions] == list(audit.EVENT_ACTIONS)


def test_details_in_words_and_times_in_utc():
    from components import view_access, view_audit

    raw = json.dumps({"ok": True, "filters": {"country": "KGZ"}, "countries": ["KGZ", "TJK"], "what": "audit trail",
                      "name": None, "errors": 0})  # fmt: skip
    assert view_audit.detail_text(raw) == (
        "what: audit trail; countries: KGZ, TJK; errors: 0; filters: country KGZ; ok: yes"
    )
    assert view_audit.detail_text("not JSON") == "not JSON" and view_audit.detail_text("{}") == ""
    dushanbe = dt.timezone(dt.timedelta(hours=5))
    assert view_access.utc_time(dt.datetime(2026, 3, 1, 2, 30, tzinfo=dushanbe)) == "28 Feb 2026 21:30"
    assert view_access.utc_time(dt.datetime(2026, 3, 1, 2, 30)) == "1 Mar 2026 02:30"  # SQLite: stored as UTC
