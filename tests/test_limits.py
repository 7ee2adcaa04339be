"""One source for every limit: what a cell may hold is what the database can
store, on SQLite and PostgreSQL alike.

``data_access/rules/sheets.py`` holds the limits (TEXT_LIMITS, ID_MAX_CHARS,
WHOLE_MAX) and ``data_access/models.py`` reads its column lengths from them;
``tests/test_access.py`` checks that the migrations build what the models
describe. Here: every column of the contract against the database column it
is stored in; a workbook with every text one character over its limit (an
error naming the cell and the limit, from a dry run as from an import,
nothing written) and one with every text exactly at its limit (stored whole,
which PostgreSQL would refuse were a column shorter); and what happens
should the database refuse a workbook all the same (a rejected result with a
reference, never the SQL).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.exc import IntegrityError

from data_access import audit, importer, incident
from data_access import models as m
from data_access.access import add_user, list_users, request_access
from data_access.rules.access import EMAIL_MAX_CHARS, NAME_MAX_CHARS, Actor, person_name
from data_access.rules.returns import ReturnLimits
from data_access.rules.sheets import DATA_SHEETS, ID_MAX_CHARS, RETURN_FIELDS, TEXT_LIMITS, WHOLE_MAX
from data_access.workbook import Limits
from tests.workbooks import (
    ACTIVITIES_HEADER,
    ADMIN,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    MILESTONES_HEADER,
    PRIORITIES_HEADER,
    build,
    database_snapshot,
    return_sheet,
)

D = dt.date
GENERAL = Limits().max_cell_chars  # the general limit on a text cell

# Where each cell of the contract is stored: (sheet, column) -> the model's column(s).
STORED_IN = {
    ("Return", "country"): [m.Upload.country_code],
    ("Return", "quarter"): [m.Upload.quarter],
    ("Return", "prepared_by"): [m.Upload.prepared_by],
    ("Return", "submitted_on"): [m.Upload.submitted_on],
    ("Return", "notes"): [m.Upload.notes],
    ("Indicators", "indicator"): [m.IndicatorValue.indicator_code],
    ("Indicators", "value"): [m.IndicatorValue.value],
    ("Indicators", "approximate"): [m.IndicatorValue.approximate],
    ("Indicators", "note"): [m.IndicatorValue.note],
    **{("Facilities", c): [getattr(m.Facility, c)] for c in FACILITIES_HEADER},
    **{("Findings", c): [getattr(m.Finding, c)] for c in FINDINGS_HEADER[:7]},
    **{("Findings", c): [getattr(m.FindingUpdate, c)] for c in FINDINGS_HEADER[7:]},
    ("Priorities", "priority_id"): [m.Priority.priority_id],
    ("Priorities", "title"): [m.Priority.title],
    ("Priorities", "theme"): [m.Priority.theme],
    ("Priorities", "target_date"): [m.Priority.target_date],
    **{
        ("Priorities", c): [getattr(m.PriorityUpdate, c)] for c in ("status", "progress_pct", "narrative", "next_steps")
    },
    ("Milestones", "priority_id"): [m.Milestone.priority_id],
    ("Milestones", "milestone"): [m.Milestone.name, m.Milestone.name_key],
    **{("Milestones", c): [getattr(m.MilestoneUpdate, c)] for c in ("due_date", "status", "completed_on")},
    **{("Activities", c): [getattr(m.Activity, c)] for c in ACTIVITIES_HEADER},
}


def test_every_column_of_the_contract_fits_the_database_column_it_is_stored_in():
    columns = {(s.name, c.name): c for s in DATA_SHEETS for c in s.columns}
    assert set(STORED_IN) == set(columns) | {("Return", f) for f in RETURN_FIELDS}, "a column without a home"
    assert set(TEXT_LIMITS) <= set(STORED_IN), "a limit for a column the contract does not have"
    for (sheet, name), stored in STORED_IN.items():
        col = columns.get((sheet, name))
        for attr in stored:
            kind = attr.property.columns[0].type
            where = f"{sheet}.{name} -> {attr}"
            if col is None or col.kind == "text":  # the Return sheet's fields are read as text
                limit = TEXT_LIMITS.get((sheet, name))
                if col is None and name in ("country", "quarter", "submitted_on"):
                    continue  # parsed into a code, a quarter, a date
                if limit is None:
                    assert type(kind) is Text, f"{where}: no limit in TEXT_LIMITS, so it must be unlimited"
                else:
                    assert type(kind) is String and kind.length == limit, f"{where}: {kind} for a limit of {limit}"
                assert (col.max_chars if col else limit) == limit, where
            elif col.kind == "id":
                assert type(kind) is String and kind.length == ID_MAX_CHARS == col.max_chars, where
            elif col.kind == "enum":
                assert type(kind) is String and kind.length >= max(map(len, col.choices)), where
            elif col.kind == "count":
                assert col.maximum == WHOLE_MAX, where
                if isinstance(kind, Integer):
                    assert WHOLE_MAX == 2**31 - 1, where  # a 32-bit INTEGER on PostgreSQL


def test_the_limit_of_a_text_cell_is_the_smaller_of_the_general_one_and_its_columns():
    assert ReturnLimits().chars(None) == ReturnLimits().max_cell_chars == GENERAL
    assert ReturnLimits().chars(120) == 120
    assert ReturnLimits(max_cell_chars=50).chars(120) == 50
    assert ReturnLimits(max_cell_chars=5_000).chars(2_000) == 2_000  # raising the general limit cannot outgrow a column


# --------------------------------------------------------------------------- workbooks at and over the limits


def limit_of(sheet: str, column: str) -> int:
    if column.endswith("_id") or column == "activity_id":
        return ID_MAX_CHARS
    return min(GENERAL, TEXT_LIMITS.get((sheet, column), GENERAL))


def text(sheet: str, column: str, over: int, first: str = "") -> str:
    """A text exactly ``over`` characters longer than its cell may hold (0:
    exactly at the limit). A milestone's name, which a unique index holds,
    is of emoji (4 bytes each in UTF-8) in an order that does not compress:
    PostgreSQL refuses an index entry over 2,704 bytes."""
    n = limit_of(sheet, column) + over
    if (sheet, column) == ("Milestones", "milestone"):
        return "".join(chr(0x1F600 + (i * 37) % 80) for i in range(n))
    return (first + "x" * n)[:n]


# The text cells of each sheet and the rows of a workbook filling all of them.
TEXT_CELLS = {
    "Indicators": ["note"],
    "Facilities": ["facility_id", "name", "city", "notes"],
    "Findings": ["finding_id", "facility_id", "title", "recommendation", "owner", "status_note"],
    "Priorities": ["priority_id", "title", "theme", "narrative", "next_steps"],
    "Milestones": ["priority_id", "milestone"],
    "Activities": ["activity_id", "title", "facility_id", "notes"],
}


def test_the_workbook_below_fills_every_text_cell_of_the_contract():
    texts = {(s.name, c.name) for s in DATA_SHEETS for c in s.columns if c.kind in ("text", "id")}
    assert {(s, c) for s, cols in TEXT_CELLS.items() for c in cols} == texts


def workbook(over: int) -> bytes:
    """A return for TJK 2024-Q1 whose every text is ``over`` characters
    longer than it may be, and whose counts are ``over`` above the largest."""

    def t(sheet: str, column: str, first: str = "") -> str:
        return text(sheet, column, over, first)

    fac, find, pri = (
        t("Facilities", "facility_id", "F"),
        t("Findings", "finding_id", "G"),
        t("Priorities", "priority_id", "P"),
    )
    big = WHOLE_MAX + over
    return build(
        {
            "Return": return_sheet(prepared_by=t("Return", "prepared_by"), notes=t("Return", "notes")),
            "Indicators": [INDICATORS_HEADER, ["prisoners_total", big, None, t("Indicators", "note")]],
            "Facilities": [
                FACILITIES_HEADER,
                [
                    fac,
                    t("Facilities", "name"),
                    "prison",
                    t("Facilities", "city"),
                    None,
                    None,
                    "no",
                    t("Facilities", "notes"),
                ],
            ],
            "Findings": [
                FINDINGS_HEADER,
                [
                    find,
                    fac,
                    D(2024, 2, 1),
                    "physical",
                    "high",
                    t("Findings", "title"),
                    t("Findings", "recommendation"),
                    "open",
                    D(2024, 6, 30),
                    t("Findings", "owner"),
                    t("Findings", "status_note"),
                ],
            ],  # fmt: skip
            "Priorities": [
                PRIORITIES_HEADER,
                [
                    pri,
                    t("Priorities", "title"),
                    t("Priorities", "theme"),
                    "on track",
                    10,
                    D(2025, 12, 31),
                    t("Priorities", "narrative"),
                    t("Priorities", "next_steps"),
                ],
            ],  # fmt: skip
            "Milestones": [MILESTONES_HEADER, [pri, t("Milestones", "milestone"), D(2024, 9, 30), "planned", None]],
            "Activities": [
                ACTIVITIES_HEADER,
                [
                    t("Activities", "activity_id", "A"),
                    D(2024, 2, 15),
                    "training",
                    t("Activities", "title"),
                    big,
                    big,
                    fac,
                    t("Activities", "notes"),
                ],
            ],  # fmt: skip
        }
    )


def test_every_text_one_character_over_its_limit_is_an_error_naming_the_cell_and_the_limit(engine):
    before = database_snapshot(engine)
    data = workbook(over=1)
    for dry_run in (True, False):
        r = importer.import_workbook(engine, ADMIN, data, "over.xlsx", dry_run=dry_run)
        assert r.status == "rejected" and r.exit_code == 1, r.report()
        errors = {(e.sheet, e.cell): e.message for e in r.errors}
        expected = {
            ("Return", "B4"): ("prepared_by", "Return", "prepared_by"),
            ("Return", "B5"): ("notes", "Return", "notes"),
            **{
                (sheet, f"{chr(65 + header.index(c))}2"): (c, sheet, c)
                for sheet, header in [
                    ("Indicators", INDICATORS_HEADER),
                    ("Facilities", FACILITIES_HEADER),
                    ("Findings", FINDINGS_HEADER),
                    ("Priorities", PRIORITIES_HEADER),
                    ("Milestones", MILESTONES_HEADER),
                    ("Activities", ACTIVITIES_HEADER),
                ]
                for c in TEXT_CELLS[sheet]
            },
        }
        for place, (name, sheet, column) in expected.items():
            limit = limit_of(sheet, column)
            assert place in errors, f"{place} ({sheet}.{column}, {limit + 1} characters) was accepted"
            assert name in errors[place] and f"{limit + 1:,} characters long; at most {limit:,}" in errors[place]
        big = f"{WHOLE_MAX + 1:,} is above the maximum of {WHOLE_MAX:,}"
        for place in [("Indicators", "B2"), ("Activities", "E2"), ("Activities", "F2")]:
            assert errors.get(place) == big, place
        assert len(errors) == len(expected) + 3, sorted(set(errors) - set(expected))
        assert database_snapshot(engine) == before


def test_every_text_exactly_at_its_limit_is_stored_whole(engine):
    r = importer.import_workbook(engine, ADMIN, workbook(over=0), "at.xlsx")
    assert r.status == "applied", r.report()
    with engine.connect() as conn:
        upload = conn.execute(select(m.Upload.prepared_by, m.Upload.notes)).one()
        facility = conn.execute(select(m.Facility.facility_id, m.Facility.name, m.Facility.city)).one()
        milestone = conn.execute(select(m.Milestone.name)).scalar_one()
        activity = conn.execute(select(m.Activity.title, m.Activity.participants)).one()
    assert tuple(upload) == (text("Return", "prepared_by", 0), text("Return", "notes", 0))
    assert tuple(facility) == (text("Facilities", "facility_id", 0, "F"), "x" * 200, "x" * 120)
    assert milestone == text("Milestones", "milestone", 0)
    assert tuple(activity) == (text("Activities", "title", 0), WHOLE_MAX)


def test_a_nul_character_is_an_error_where_postgresql_could_not_store_it(engine):
    before = database_snapshot(engine)
    data = build(
        {
            "Return": return_sheet(prepared_by="Ana_x0000_"),
            "Facilities": [FACILITIES_HEADER, ["TJK-T-09", "Prison_x0000_ 9", "prison", None, None, None, "no", None]],
        }
    )
    r = importer.import_workbook(engine, ADMIN, data, "nul.xlsx")
    assert r.status == "rejected", r.report()
    errors = {e.place: e.message for e in r.errors}
    assert set(errors) == {"Return!B4", "Facilities!B2"}
    assert all("NUL character" in why for why in errors.values())
    assert database_snapshot(engine) == before


# --------------------------------------------------------------------------- should the database refuse all the same


def valid_workbook() -> bytes:
    return build(
        {
            "Return": return_sheet(),
            "Facilities": [
                FACILITIES_HEADER,
                ["TJK-T-09", "Prison " + "n" * 250, "prison", None, None, None, "no", None],
            ],
        }
    )


def assert_rejected_with_a_reference(r, caplog, before, engine) -> None:
    assert r.status == "rejected" and r.exit_code == 1 and r.upload_id is None
    assert r.message.key == "import.result.not_stored" and r.incident and len(r.incident) == 8
    said = r.report()
    assert r.incident in said and "nothing was written" in said.lower()
    for internal in ("INSERT", "SELECT", "[SQL", "parameters", "VARCHAR", "varying", "IntegrityError", "DataError"):
        assert internal not in said, f"{internal!r} shown to the person:\n{said}"
    [logged] = [rec for rec in caplog.records if rec.name == incident.log.name]
    assert r.incident in logged.getMessage() and logged.exc_info is not None  # the traceback, under the reference
    assert database_snapshot(engine) == before
    [event] = [e for e in audit.events(engine, ADMIN).to_dict("records") if e["action"] == "return.upload"]
    assert '"status": "rejected"' in event["detail"] and r.incident in event["detail"]


def test_a_database_error_on_applying_is_a_rejection_with_a_reference_never_the_sql(engine, monkeypatch, caplog):
    """Whatever the database refuses (here: the summary refresh, after every
    row is written) rolls the whole import back and says so plainly."""

    def refuse(conn, countries):
        raise IntegrityError("INSERT INTO finding_counts ...", {"secret": "parameters"}, Exception("duplicate key"))

    before = database_snapshot(engine)
    monkeypatch.setattr(importer.summary, "refresh", refuse)
    caplog.set_level(logging.ERROR, logger=incident.log.name)
    r = importer.import_workbook(engine, ADMIN, build({"Return": return_sheet()}), "r.xlsx")
    assert_rejected_with_a_reference(r, caplog, before, engine)


def test_a_value_too_long_for_postgresql_that_the_checks_let_through_is_a_rejection(engine, monkeypatch, caplog):
    """Were the validator's limit above the column's (as it was: 2,000 for a
    facility's name of 200), PostgreSQL's refusal is a rejection, not SQL."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores a text of any length")
    monkeypatch.setattr(ReturnLimits, "chars", lambda self, stored: self.max_cell_chars)
    before = database_snapshot(engine)
    caplog.set_level(logging.ERROR, logger=incident.log.name)
    r = importer.import_workbook(engine, ADMIN, valid_workbook(), "r.xlsx")
    assert_rejected_with_a_reference(r, caplog, before, engine)
    assert "StringDataRightTruncation" in caplog.text  # the log has the database's own words


# --------------------------------------------------------------------------- people: e-mail and name


def test_a_persons_name_is_stored_cut_to_its_column_and_an_e_mail_to_its_limit(engine):
    long_name = "N" * (NAME_MAX_CHARS + 50)
    someone = Actor("someone@example.org", long_name, None)
    audit.log(engine, someone, "sign_in")
    assert request_access(engine, someone)
    add_user(engine, ADMIN, "ana@example.org", "viewer", name=" " + long_name + " ")
    users = list_users(engine, ADMIN)
    assert users.loc[users["email"] == "ana@example.org", "name"].item() == "N" * NAME_MAX_CHARS
    names = {e["actor_name"] for e in audit.events(engine, ADMIN).to_dict("records")}
    assert "N" * NAME_MAX_CHARS in names
    assert person_name(" a\x00b\x1f ") == "ab" and person_name("  ") is None
    local = "a" * 64
    longest = f"{local}@{'b' * (EMAIL_MAX_CHARS - len(local) - 5)}.org"
    assert len(longest) == EMAIL_MAX_CHARS
    add_user(engine, ADMIN, longest, "viewer")  # the longest address there can be is stored
    assert longest in set(list_users(engine, ADMIN)["email"])
