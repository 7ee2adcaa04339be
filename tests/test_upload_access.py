"""Who may check, upload, restore and download returns, enforced in the data
layer (``data_access.importer`` and ``data_access.uploads``), on SQLite and
PostgreSQL: a refusal writes nothing but its audit event, and every call
leaves exactly one audit event saying what happened."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select, update

from data_access import access, audit, uploads
from data_access.importer import import_workbook, restore_upload
from data_access.models import Base, Upload
from data_access.rules.access import AccessError, Actor
from data_access.sample import BASELINE_LOADER, SAMPLE_LOADER
from tests.workbooks import ADMIN, INDICATORS_HEADER, return_workbook

TAHMINA = Actor("tahmina@example.org", "Tahmina", "coordinator", frozenset({"TJK"}))
TIMUR = Actor("timur@example.org", "Timur", "coordinator", frozenset({"TJK"}))  # the same country
KAIRAT = Actor("kairat@example.org", "Kairat", "coordinator", frozenset({"KAZ"}))
MARA = Actor("mara@example.org", "Mara", "manager")
VIC = Actor("vic@example.org", "Vic", "viewer")
NOBODY = Actor("stranger@example.org", "Stranger", None)


def figures(country: str, prisoners: int = 12500, quarter: str = "2024-Q1") -> bytes:
    return return_workbook(country, quarter, Indicators=[INDICATORS_HEADER, ["prisoners_total", prisoners, "no", None]])


def rows(engine) -> dict[str, int]:
    """How many rows each table holds (the audit trail aside)."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if t.name != "audit_events"
        }


def new_events(engine, before: int) -> list[tuple[dict, dict]]:
    """The audit events written since there were ``before``, oldest first, each with its detail as a dict."""
    events = audit.events(engine, access.BOOTSTRAP)
    fresh = events.iloc[: len(events) - before].iloc[::-1]
    return [(e, json.loads(e["detail"])) for e in fresh.to_dict("records")]


def one_event(engine, before: int) -> tuple[dict, dict]:
    events = new_events(engine, before)
    assert len(events) == 1, [e["action"] for e, _ in events]
    return events[0]


def n_events(engine) -> int:
    return len(audit.events(engine, access.BOOTSTRAP))


# --------------------------------------------------------------------------- checks and uploads


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_coordinator_importing_another_countrys_return_is_refused_and_nothing_is_written(engine, dry_run):
    assert import_workbook(engine, ADMIN, figures("KAZ"), "kaz-first.xlsx").status == "applied"
    before, n = rows(engine), n_events(engine)
    r = import_workbook(engine, TAHMINA, figures("KAZ", 33000), "kaz.xlsx", dry_run=dry_run)
    assert (r.status, r.exit_code, r.refused) == ("rejected", 1, True)
    assert r.message.key == "access.refused.country" and r.message.params["country"] == "KAZ"
    assert [str(e) for e in r.errors] == [f"workbook: {r.message}"] and not r.changes
    assert str(r.message) == "KAZ is outside your access (your countries: TJK)."
    assert rows(engine) == before
    event, detail = one_event(engine, n)
    assert (event["action"], event["actor_email"], event["actor_name"], event["via"]) == (
        "refused", "tahmina@example.org", "Tahmina", "app",
    )  # fmt: skip
    assert (event["country"], event["quarter"]) == ("KAZ", "2024-Q1")
    assert detail["action"] == ("check" if dry_run else "upload")
    assert detail["reason"] == "access.refused.country" and detail["file_name"] == "kaz.xlsx"


def test_an_identical_file_of_another_country_is_refused_too(engine):
    data = figures("KAZ")
    assert import_workbook(engine, ADMIN, data, "kaz.xlsx").status == "applied"
    r = import_workbook(engine, TAHMINA, data, "kaz.xlsx")
    assert r.refused and r.upload_id is None


def test_a_coordinators_upload_for_their_country_is_applied_and_signed_by_them(engine):
    n = n_events(engine)
    r = import_workbook(engine, TAHMINA, figures("TJK"), "tjk.xlsx", address="203.0.113.7")
    assert r.status == "applied", r.report()
    with engine.connect() as conn:
        up = conn.execute(select(Upload.uploaded_by, Upload.uploader_email).where(Upload.id == r.upload_id)).one()
    assert tuple(up) == ("Tahmina <tahmina@example.org>", "tahmina@example.org")
    event, detail = one_event(engine, n)
    assert (event["action"], event["actor_email"], event["country"], event["quarter"], event["address"]) == (
        "return.upload", "tahmina@example.org", "TJK", "2024-Q1", "203.0.113.7",
    )  # fmt: skip
    assert detail == {
        "status": "applied",
        "errors": 0,
        "warnings": 0,
        "upload_id": r.upload_id,
        "file_name": "tjk.xlsx",
        "sha256": r.sha256,
    }


def test_a_coordinators_check_writes_nothing_but_its_event(engine):
    before, n = rows(engine), n_events(engine)
    r = import_workbook(engine, TAHMINA, figures("TJK"), "tjk.xlsx", dry_run=True)
    assert r.status == "dry-run" and r.changed_rows == 1
    assert rows(engine) == before
    event, detail = one_event(engine, n)
    assert (event["action"], event["country"], detail["status"], detail["errors"], detail["upload_id"]) == (
        "return.check", "TJK", "dry-run", 0, None,
    )  # fmt: skip


def test_rejected_identical_and_unreadable_uploads_each_leave_one_event(engine):
    good = figures("TJK")
    assert import_workbook(engine, TAHMINA, good, "tjk.xlsx").status == "applied"
    bad = return_workbook("TJK", "2024-Q2", Indicators=[INDICATORS_HEADER, ["prisoners_total", "many", None, None]])
    for data, name, status, errors in (
        (bad, "bad.xlsx", "rejected", 1),
        (good, "again.xlsx", "identical", 0),
        (b"country,quarter\nTJK,2024-Q1\n", "table.xlsx", "unreadable", 1),
    ):
        n = n_events(engine)
        r = import_workbook(engine, TAHMINA, data, name)
        assert (r.status, len(r.errors), r.refused) == (status, errors, False)
        event, detail = one_event(engine, n)
        assert (event["action"], detail["status"], detail["errors"], detail["file_name"]) == (
            "return.upload", status, errors, name,
        )  # fmt: skip
        if status == "identical":
            assert detail["upload_id"] == r.upload_id is not None


@pytest.mark.parametrize(
    ("person", "reason"),
    [(VIC, "access.refused.check"), (NOBODY, "access.refused.no_account")],
)
def test_a_viewer_or_someone_without_an_account_cannot_even_check(engine, person, reason):
    n = n_events(engine)
    # Not even read: garbage bytes are refused, not found unreadable.
    r = import_workbook(engine, person, b"not a workbook", "x.xlsx", dry_run=True)
    assert (r.status, r.refused, r.message.key) == ("rejected", True, reason)
    event, detail = one_event(engine, n)
    assert (event["action"], event["country"], detail["action"], detail["reason"]) == ("refused", None, "check", reason)


# --------------------------------------------------------------------------- restore


@pytest.fixture
def first(engine):
    """TJK 2024-Q1 uploaded by Tahmina, then replaced: the first upload's result."""
    first = import_workbook(engine, TAHMINA, figures("TJK", 12500), "first.xlsx")
    assert import_workbook(engine, TAHMINA, figures("TJK", 11111), "second.xlsx").status == "applied"
    return first


@pytest.fixture
def superseded(first) -> int:
    """The id of the first upload of :func:`first`."""
    return first.upload_id


def test_a_coordinator_cannot_restore(engine, superseded):
    before, n = rows(engine), n_events(engine)
    r = restore_upload(engine, TAHMINA, superseded)
    assert (r.status, r.refused, r.message.key) == ("rejected", True, "access.refused.restore")
    assert rows(engine) == before
    event, detail = one_event(engine, n)
    assert (event["action"], detail["action"], detail["reason"], detail["upload_id"]) == (
        "refused", "restore", "access.refused.restore", superseded,
    )  # fmt: skip


def test_a_manager_restores_as_a_new_upload_signed_by_them(engine, superseded):
    n = n_events(engine)
    r = restore_upload(engine, MARA, superseded)
    assert r.status == "applied", r.report()
    with engine.connect() as conn:
        up = conn.execute(
            select(Upload.restored_from_id, Upload.uploaded_by, Upload.uploader_email).where(Upload.id == r.upload_id)
        ).one()
    assert tuple(up) == (superseded, "Mara <mara@example.org>", "mara@example.org")
    event, detail = one_event(engine, n)
    assert (event["action"], event["actor_email"], event["country"], event["quarter"]) == (
        "upload.restore", "mara@example.org", "TJK", "2024-Q1",
    )  # fmt: skip
    assert (detail["restored"], detail["upload_id"], detail["status"]) == (superseded, r.upload_id, "applied")


def test_restoring_an_upload_that_does_not_exist_leaves_one_event(engine):
    n = n_events(engine)
    r = restore_upload(engine, MARA, 999)
    assert (r.status, r.refused, r.message.key) == ("rejected", False, "import.result.no_stored_file")
    event, detail = one_event(engine, n)
    assert (event["action"], detail["restored"], detail["status"]) == ("upload.restore", 999, "rejected")


# --------------------------------------------------------------------------- downloads and history


@pytest.mark.parametrize(
    ("person", "reason"),
    [
        (TIMUR, "access.refused.not_uploader"),  # a coordinator of the same country: not theirs
        (KAIRAT, "access.refused.country"),
        (VIC, "access.refused.download_upload"),
    ],
)
def test_a_download_by_anyone_but_the_uploader_or_a_manager_is_refused(engine, superseded, person, reason):
    n = n_events(engine)
    with pytest.raises(AccessError) as refused:
        uploads.upload_file(engine, person, superseded)
    assert refused.value.message.key == reason
    event, detail = one_event(engine, n)
    assert (event["action"], event["actor_email"], detail["action"], detail["reason"], detail["upload_id"]) == (
        "refused", person.email, "download_upload", reason, superseded,
    )  # fmt: skip


@pytest.mark.parametrize("person", [TAHMINA, MARA, ADMIN])
def test_the_uploader_and_a_manager_download_the_file_as_it_was_sent(engine, first, superseded, person):
    n = n_events(engine)
    name, content = uploads.upload_file(engine, person, superseded)
    assert (name, hashlib.sha256(content).hexdigest()) == ("first.xlsx", first.sha256)
    event, detail = one_event(engine, n)
    assert (event["action"], event["actor_email"], event["country"], event["quarter"]) == (
        "upload.download", person.email, "TJK", "2024-Q1",
    )  # fmt: skip
    assert detail == {"upload_id": superseded, "file_name": "first.xlsx"}


def test_an_upload_from_before_sign_in_is_downloaded_by_managers_only(engine, superseded):
    with engine.begin() as conn:  # as 0005 leaves the uploads made before it
        conn.execute(update(Upload).values(uploader_email=None, uploaded_by="Coordinator TJK"))
    with pytest.raises(AccessError) as refused:
        uploads.upload_file(engine, TAHMINA, superseded)
    assert str(refused.value) == (
        "This file was uploaded by Coordinator TJK: coordinators may download only the files they uploaded."
    )
    assert uploads.upload_file(engine, MARA, superseded) is not None


def test_the_history_covers_the_persons_countries_only(engine):
    for person, country in ((TAHMINA, "TJK"), (KAIRAT, "KAZ"), (ADMIN, "IRQ")):
        assert import_workbook(engine, person, figures(country), f"{country}.xlsx").status == "applied"
    n = n_events(engine)
    assert uploads.history(engine, TAHMINA)["country"].tolist() == ["TJK"]
    assert uploads.history(engine, TAHMINA, ["KAZ", "TJK"])["country"].tolist() == ["TJK"]
    assert uploads.history(engine, TAHMINA, ["KAZ"]).empty
    mine = uploads.history(engine, TAHMINA).iloc[0]
    assert (mine["uploaded_by"], mine["uploader_email"]) == ("Tahmina <tahmina@example.org>", "tahmina@example.org")
    assert uploads.history(engine, MARA)["country"].tolist() == ["IRQ", "KAZ", "TJK"]
    assert uploads.history(engine, MARA, ["KAZ"])["country"].tolist() == ["KAZ"]
    with pytest.raises(AccessError) as refused:
        uploads.history(engine, VIC)
    assert refused.value.message.key == "access.refused.check"
    assert n_events(engine) == n  # reading the history is not an event


# --------------------------------------------------------------------------- the sample


def test_the_sample_is_loaded_by_its_loaders_each_file_one_ordinary_event(sample_engine):
    history = uploads.history(sample_engine, ADMIN)
    events = audit.events(sample_engine, access.BOOTSTRAP)
    assert len(events) == len(history) and set(events["action"]) == {"return.upload"}
    by_loader = {SAMPLE_LOADER.email: "return", BASELINE_LOADER.email: "baseline"}
    assert dict(zip(history["uploader_email"], history["kind"], strict=True)) == by_loader
    assert set(history["uploaded_by"]) == {SAMPLE_LOADER.label, BASELINE_LOADER.label}
    assert set(events["via"]) == {"local"}
    assert sorted(json.loads(d)["upload_id"] for d in events["detail"]) == sorted(history["id"])
