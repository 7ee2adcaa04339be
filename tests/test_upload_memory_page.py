"""What the Upload page keeps of an upload between runs (AppTest on a copy
of the sample database): the check's summary and the first rows of its
preview, never the importer's row changes; nothing once the workbook is
removed or applied. The waiting message of a busy server, in the page's
progress."""

from __future__ import annotations

import threading

from data_access.memory import IMPORTS
from data_access.rules import preview as preview_rules
from tests.test_memory import BOUND, holding
from tests.test_upload_page import new_quarter_return, open_upload, run, texts, upload
from tests.workbooks import FINDINGS_HEADER, return_workbook


def many_findings(n: int) -> bytes:
    """TJK 2026-Q4 with ``n`` new findings at a sample facility."""
    rows = [
        [f"TJK-M-{i:04d}", "TJK-DUS-01", "2026-10-01", "physical", "low", f"Gap {i}", "Fix", "open"] for i in range(n)
    ]
    return return_workbook("TJK", "2026-Q4", Findings=[FINDINGS_HEADER[:8], *rows])


def test_the_page_keeps_the_summary_and_the_first_rows_of_the_preview(sample_url, monkeypatch):
    monkeypatch.setattr(preview_rules, "PREVIEW_ROWS", 5)
    monkeypatch.setattr("components.data_upload.PREVIEW_ROWS", 5)
    at = upload(open_upload(), "many.xlsx", many_findings(12))
    assert "The workbook is valid: Tajikistan 2026-Q4" in texts(at.success)
    sha, summary = at.session_state["upload_checked"]
    assert summary.result.changes == []  # the row changes are not kept
    findings = next(p for p in summary.previews if p.sheet == "Findings")
    assert findings.counts["added"] == 12 and len(findings.added) == 5
    assert "The first 5 of 12 rows are shown; applying the return applies them all." in texts(at.caption)
    # The workbook removed: nothing of it is kept.
    at.file_uploader[0].set_value(None)
    at = run(at)
    assert "upload_checked" not in at.session_state


def test_after_applying_nothing_of_the_check_is_kept(sample_url):
    at = upload(open_upload(), "TJK_2026-Q4.xlsx", new_quarter_return())
    assert "upload_checked" in at.session_state
    at.button(key="upload_confirm").click()
    at = run(at)
    assert "Return applied as upload #" in texts(at.success)
    assert "upload_checked" not in at.session_state


def test_a_busy_server_says_where_the_workbook_is_in_the_queue(sample_url):
    shown: list[str] = []
    waiting = threading.Event()
    at = open_upload()
    at.file_uploader[0].set_value(("TJK_2026-Q4.xlsx", new_quarter_return(), "application/octet-stream"))

    import streamlit.elements.progress as progress_element

    original = progress_element.ProgressMixin.progress

    def recording(self, value, text=None, **kw):
        if text:
            shown.append(text)
            if text.startswith("Waiting"):
                waiting.set()
        return original(self, value, text=text, **kw)

    progress_element.ProgressMixin.progress = recording  # type: ignore[method-assign]
    try:
        with holding(IMPORTS, IMPORTS.capacity) as let_go:
            runner = threading.Thread(target=lambda: run(at))
            runner.start()
            assert waiting.wait(BOUND)
            let_go.set()
            runner.join(BOUND * 2)
    finally:
        progress_element.ProgressMixin.progress = original  # type: ignore[method-assign]
    assert shown[0] == "Waiting for other workbooks to be read first: yours is number 1 in the queue"
    assert "Checking the file" in shown
    assert "The workbook is valid: Tajikistan 2026-Q4" in texts(at.success)


def test_an_uploaded_files_download_is_made_for_the_person_who_saw_the_button(sample_url, monkeypatch):
    # Streamlit makes the file when the button is clicked, in a worker thread
    # where no session says who is acting (a signed-in person would read as
    # nobody there): the person is taken when the button is drawn.
    from components import auth, data_upload
    from data_access import audit, db, queries
    from data_access.access import BOOTSTRAP
    from data_access.rules.access import Actor

    eng = db.connect(sample_url)
    upload = queries.upload_history(eng).iloc[0]
    manager = Actor("mgr@example.org", "Manager", "manager", via="oidc")
    monkeypatch.setattr(auth, "actor", lambda: manager)
    monkeypatch.setattr(auth, "client_address", lambda: "10.0.0.7")
    make = data_upload.upload_file(int(upload["id"]))  # drawn: nothing fetched yet
    before = len(audit.events(eng, BOOTSTRAP, action="upload.download"))
    monkeypatch.setattr(auth, "actor", lambda: Actor("", "", None))  # the click, outside the run
    made = make()
    with eng.connect() as conn:
        stored = conn.exec_driver_sql("SELECT content FROM uploads WHERE id = ?", (int(upload["id"]),)).scalar_one()
    assert made == stored
    events = audit.events(eng, BOOTSTRAP, action="upload.download")
    assert len(events) == before + 1
    assert events.iloc[0]["actor_email"] == "mgr@example.org" and events.iloc[0]["address"] == "10.0.0.7"
