"""The Upload and Upload history pages, driven with AppTest on a copy of the
sample database: what a coordinator sees for a valid, an invalid, a hostile
and an identical workbook; the preview against what the commit then does;
restoring a superseded upload; who signs an upload, and what a signed-in
coordinator, manager and viewer may see and do."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.layout import escape
from data_access import access, audit, db, queries, uploads
from data_access.importer import import_workbook
from data_access.rules.access import local_actor
from tests.apptest_support import new_app, read, run
from tests.test_import_rules import finding
from tests.workbooks import ADMIN, FINDINGS_HEADER, INDICATORS_HEADER, return_workbook, signed

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "sample_data" / "returns"
LOCAL = local_actor()  # who acts in local mode (no sign-in configured)


def open_upload(query=None):
    at = run(new_app(query))
    at.switch_page("pages/upload.py")
    return run(at)


def upload(at, name: str, content: bytes):
    at.file_uploader[0].set_value((name, content, "application/octet-stream"))
    return run(at)


def texts(elements) -> str:
    return "\n".join(read(e.value) for e in elements)  # as a person reads it: escaped names unescaped


def new_quarter_return() -> bytes:
    """TJK 2026-Q4: one figure, one finding status change, against the sample data."""
    return return_workbook(
        "TJK",
        "2026-Q4",
        Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, "no", None]],
        Findings=[
            FINDINGS_HEADER[:2] + ["status", "status_note"],
            ["TJK-DUS-01-F06", "TJK-DUS-01", "verified", "Closed at the Q4 visit"],
        ],
    )


@pytest.fixture
def eng(sample_url):
    return db.connect(sample_url)


def test_the_page_offers_the_template_for_a_country_and_quarter(eng):
    at = open_upload({"countries": "TJK"})
    assert at.selectbox(key="upload_country").value == "TJK"
    assert at.selectbox(key="upload_quarter").value == "2026-Q4"  # the quarter after the latest with data
    buttons = [b.proto.label for b in at.get("download_button")]
    assert "Download the template for Tajikistan 2026-Q4" in buttons


def test_an_invalid_workbook_lists_every_error_with_its_cell_and_writes_nothing(eng):
    before = queries.upload_history(eng)
    bad = return_workbook(
        "TJK",
        "2026-Q4",
        Indicators=[INDICATORS_HEADER, ["prisoners_total", "many", None, None]],
        Findings=[FINDINGS_HEADER, finding(fid="TJK-X-1", facility="TJK-DUS-01", status="fixed")],
    )
    at = upload(open_upload(), "bad.xlsx", bad)
    assert "2 problem(s) to correct" in texts(at.error)
    table = at.dataframe[0].value
    assert table["Place"].tolist() == ["Indicators!B2", "Findings!H2"]
    assert "open, in progress" in table["What is wrong and what is accepted"].iloc[1]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download your workbook with the problems marked" in labels
    assert len(queries.upload_history(eng)) == len(before)
    assert not [b for b in at.button if b.label == "Apply this return"]  # nothing to confirm


@pytest.mark.parametrize(
    "name, content",
    [
        ("random.xlsx", bytes(range(256)) * 20),
        ("empty.xlsx", b""),
        ("table.xlsx", b"country,quarter\nTJK,2026-Q4\n"),
    ],
)
def test_a_hostile_or_broken_file_gets_a_plain_refusal(eng, name, content):
    at = upload(open_upload(), name, content)
    message = texts(at.error)
    assert "This file cannot be imported" in message
    assert "Traceback" not in message and "Error" not in message.split("\n", 1)[0]
    assert not at.exception


def test_the_same_file_again_says_so_and_changes_nothing(eng):
    n = len(queries.upload_history(eng))
    at = upload(open_upload(), "TJK_2026-Q3.xlsx", (RETURNS / "TJK_2026-Q3.xlsx").read_bytes())
    assert "identical to upload #" in texts(at.info)
    assert len(queries.upload_history(eng)) == n


def test_the_preview_shows_what_the_commit_then_does(eng):
    content = new_quarter_return()
    at = upload(open_upload({"countries": "TJK"}), "TJK_2026-Q4.xlsx", content)
    assert "The workbook is valid: Tajikistan 2026-Q4" in texts(at.success)
    headers = [e.label for e in at.expander]
    assert "Indicators: 1 new · 0 changed · 0 unchanged · 0 removed" in headers
    assert "Findings: 0 new · 1 changed · 0 unchanged · 0 removed" in headers
    changed = next(df.value for df in at.dataframe if "Before" in df.value.columns)
    assert ["TJK-DUS-01-F06", "status"] in changed[["Row", "Column"]].values.tolist()
    assert (
        queries.latest_indicators(eng, ["TJK"], "2026-Q4").set_index("indicator").loc["prisoners_total", "quarter"]
        == "2026-Q3"
    )  # nothing written yet

    at.button(key="upload_confirm").click()
    at = run(at)
    assert "Return applied as upload #" in texts(at.success)
    upload_id = int(texts(at.success).split("#")[1].split(":")[0])
    counts = queries.upload_history(eng).set_index("id").loc[upload_id, "counts"]
    assert counts["Indicators"] == {"added": 1, "updated": 0, "unchanged": 0, "removed": 0}
    assert counts["Findings"] == {"added": 0, "updated": 1, "unchanged": 0, "removed": 0}
    latest = queries.latest_indicators(eng, ["TJK"], "2026-Q4").set_index("indicator")
    assert (latest.loc["prisoners_total", "value"], latest.loc["prisoners_total", "quarter"]) == (12600, "2026-Q4")
    status = queries.findings_as_at(eng, "2026-Q4", ["TJK"]).set_index("finding_id").loc["TJK-DUS-01-F06", "status"]
    assert status == "verified"
    signed = queries.upload_history(eng).set_index("id").loc[upload_id]
    assert (signed["uploaded_by"], signed["uploader_email"]) == (LOCAL.label, LOCAL.email)  # the person at the machine
    assert at.file_uploader[0].value is None  # a fresh uploader for the next file


def test_a_return_replacing_another_names_the_one_it_supersedes(eng):
    content = (RETURNS / "KGZ_2026-Q3.xlsx").read_bytes()
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    wb["Return"]["B6"] = "Corrected return"  # any change makes it a new file
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(open_upload(), "KGZ_2026-Q3_v2.xlsx", buf.getvalue())
    warning = texts(at.warning)
    assert "It replaces upload #" in warning and "sample data loader" in warning


def test_no_name_to_type_the_upload_is_signed_by_the_person(eng):
    at = upload(open_upload(), "TJK_2026-Q4.xlsx", new_quarter_return())
    assert not at.text_input  # no free-text name
    assert not at.button(key="upload_confirm").disabled
    assert f"recorded as yours, {LOCAL.name} <{LOCAL.email}>" in texts(at.caption)


# --------------------------------------------------------------------------- history


def open_history(query=None):
    at = run(new_app(query))
    at.switch_page("pages/upload_history.py")
    return run(at)


def test_history_lists_every_upload_with_its_fingerprint(eng):
    at = open_history()
    table = at.dataframe[0].value
    history = queries.upload_history(eng)
    assert table["#"].tolist() == history["id"].tolist()
    assert table["SHA-256"].tolist() == history["sha256"].tolist()
    assert set(table["Kind"]) == {"Return", "Baseline"}


def test_a_superseded_upload_can_be_restored(eng):
    def prisoners():
        return queries.latest_indicators(eng, ["TJK"], "2026-Q3").set_index("indicator").loc["prisoners_total", "value"]

    first = (RETURNS / "TJK_2026-Q3.xlsx").read_bytes()
    original = queries.upload_history(eng, ["TJK"]).iloc[0]
    before = prisoners()
    replacement = return_workbook(
        "TJK", "2026-Q3", Indicators=[INDICATORS_HEADER, ["prisoners_total", 11111, None, None]]
    )
    r = import_workbook(eng, ADMIN, replacement, "oops.xlsx")
    assert r.status == "applied", r.report()
    assert prisoners() == 11111

    at = open_history({"countries": "TJK"})
    at.selectbox(key="history_upload").select(int(original["id"]))
    at = run(at)
    assert any("Restore this upload" in m.value for m in at.markdown)
    at.button(key=f"history_restore_{int(original['id'])}").click()
    at = run(at)
    assert f"Upload #{int(original['id'])} restored as upload #" in texts(at.success)
    assert prisoners() == before
    newest = queries.upload_history(eng).iloc[0]
    assert newest["restored_from_id"] == original["id"] and newest["uploaded_by"] == LOCAL.label
    assert uploads.upload_file(eng, ADMIN, int(newest["id"]))[1] == first
    q3 = queries.upload_history(eng, ["TJK"]).query("quarter == '2026-Q3'")
    assert q3["status"].tolist() == ["current", "superseded", "superseded"]  # history kept, newest first


# --------------------------------------------------------------------------- signed in

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x",
    "client_id": "x",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def signed_in(eng, email: str, role: str, countries=(), name: str = "Tahmina", page: str | None = None):
    """The app as ``email`` signed in (an account of ``role`` for ``countries``), on ``page``."""
    access.add_user(eng, ADMIN, email, role, countries, name=name)
    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": name}
    at = run(at)
    if page:
        at.switch_page(page)
        at = run(at)
    return at


def test_a_coordinator_is_offered_their_countries_and_refused_any_other(eng):
    at = signed_in(eng, "tahmina@example.org", "coordinator", ["TJK"], page="pages/upload.py")
    assert at.selectbox(key="upload_country").options == ["Tajikistan"]
    assert not at.text_input  # no name to type: the upload is signed by the person
    assert "recorded as yours, Tahmina <tahmina@example.org>" in texts(at.caption)

    n = len(queries.upload_history(eng))
    kaz = return_workbook("KAZ", "2026-Q4", Indicators=[INDICATORS_HEADER, ["prisoners_total", 33000, "no", None]])
    at = upload(at, "KAZ_2026-Q4.xlsx", kaz)
    assert "You may not import this workbook" in texts(at.error)
    assert "KAZ is outside your access (your countries: TJK)." in texts(at.error)
    assert not [b for b in at.button if b.label == "Apply this return"]
    assert len(queries.upload_history(eng)) == n
    assert audit.events(eng, access.BOOTSTRAP, action="refused")["actor_email"].tolist() == ["tahmina@example.org"]


def test_a_coordinators_upload_is_signed_with_their_e_mail_and_name(eng):
    at = signed_in(eng, "tahmina@example.org", "coordinator", ["TJK"], page="pages/upload.py")
    at = upload(at, "TJK_2026-Q4.xlsx", new_quarter_return())
    at.button(key="upload_confirm").click()
    at = run(at)
    assert "Return applied as upload #" in texts(at.success)
    newest = queries.upload_history(eng).iloc[0]
    assert (newest["uploaded_by"], newest["uploader_email"]) == ("Tahmina <tahmina@example.org>", "tahmina@example.org")
    checked, uploaded = (
        audit.events(eng, access.BOOTSTRAP, person="tahmina@example.org", action="return.check"),
        audit.events(eng, access.BOOTSTRAP, person="tahmina@example.org", action="return.upload"),
    )
    assert (len(checked), len(uploaded)) == (1, 1)


def test_a_coordinators_history_shows_their_countries_their_files_and_no_restore(eng):
    access.add_user(eng, ADMIN, "tahmina@example.org", "coordinator", ["TJK"], name="Tahmina")
    tahmina = access.actor_for(eng, "tahmina@example.org", "Tahmina")
    replacement = return_workbook(
        "TJK", "2026-Q3", Indicators=[INDICATORS_HEADER, ["prisoners_total", 11111, None, None]]
    )
    mine = import_workbook(eng, tahmina, replacement, "mine.xlsx")
    assert mine.status == "applied", mine.report()
    theirs = int(queries.upload_history(eng, ["TJK"]).query("status == 'superseded'")["id"].iloc[0])

    at = new_app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "tahmina@example.org", "name": "Tahmina"}
    at = run(at)
    at.switch_page("pages/upload_history.py")
    at = run(at)
    table = at.dataframe[0].value
    assert set(table["Country"]) == {"TJK"} and len(table) == len(queries.upload_history(eng, ["TJK"]))
    assert {"sample data loader", "Tahmina <tahmina@example.org>"} <= set(table["By"])

    at.selectbox(key="history_upload").select(mine.upload_id)
    at = run(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Download the original file"]
    assert "Uploaded by Tahmina <tahmina@example.org>" in texts(at.caption)

    at.selectbox(key="history_upload").select(theirs)
    at = run(at)
    assert not at.get("download_button")  # the sample's file is not theirs
    assert "Coordinators may download only the files they uploaded themselves." in texts(at.caption)
    assert "A superseded upload can be restored by a manager." in texts(at.caption)
    assert not [b for b in at.button if b.label.startswith("Restore upload")]


def test_a_viewer_has_no_upload_pages(eng):
    at = signed_in(eng, "vic@example.org", "viewer", name="Vic")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload_history.py")


def test_the_replaced_uploads_file_and_uploader_are_shown_escaped(eng):
    """The warning names the upload it replaces: its file's and uploader's
    names are untrusted, shown as typed, never as Markdown (a link, a fake
    alert, an image every viewer's browser would fetch)."""
    file_name = "[Verify here](http://evil.example/f).xlsx"
    uploader = ":red[**Security team**] ![x](http://evil.example/u.png) www.evil.example"
    first = new_quarter_return()
    assert import_workbook(eng, signed(uploader), first, file_name).status == "applied"
    second = return_workbook("TJK", "2026-Q4", Indicators=[INDICATORS_HEADER, ["prisoners_total", 12700, "no", None]])
    at = upload(open_upload({"countries": "TJK"}), "second.xlsx", second)
    warning = next(w.value for w in at.warning if "It replaces upload #" in read(w.value))
    assert escape(file_name) in warning and escape(uploader) in warning
    assert "](http" not in warning and ":red[" not in warning
    assert file_name in read(warning) and uploader in read(warning)
