"""The page queries, against a small programme whose answers are known by hand.

Two countries, four quarters, a superseded upload: every count, share and
"as at" state below was worked out on paper from the returns in ``known``.
On SQLite and PostgreSQL.

Quarter ends: 2024-Q1 = 31 March, 2024-Q2 = 30 June. A finding is overdue as
at a quarter when it is still open (open, in progress) and its due date is
before the quarter's last day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import pytest

from data_access import db, queries
from data_access.importer import import_workbook
from tests import reference_queries
from tests.conftest import fresh_database
from tests.workbooks import (
    ACTIVITIES_HEADER,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    MILESTONES_HEADER,
    PRIORITIES_HEADER,
    return_workbook,
    signed,
)

D = dt.date
Q1, Q2, Q3, Q4 = "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"
COUNT_COLUMNS = ["findings", "open", "overdue"]


def finding(fid, facility, domain, severity, status, due, audit=D(2024, 1, 10), note=None):
    return [fid, facility, audit, domain, severity, f"Finding {fid}", None, status, due, None, note]


FILES = {
    "tjk-q1.xlsx": (
        "coordinator TJK",
        return_workbook(
            "TJK",
            Q1,
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 12500, "no", None], ["ve_prisoners", 2140, "yes", None]],
            Facilities=[
                FACILITIES_HEADER,
                ["TJK-T-01", "Dushanbe prison", "prison", "Dushanbe", None, None, "yes", None],
                ["TJK-T-02", "Khujand prison", "prison", "Khujand", None, None, "no", None],
            ],
            Findings=[
                FINDINGS_HEADER,
                finding("TJK-F-1", "TJK-T-01", "physical", "high", "open", D(2024, 3, 31)),  # due on the last day
                finding("TJK-F-2", "TJK-T-01", "procedural", "critical", "open", D(2024, 3, 30)),  # the day before
                finding("TJK-F-3", "TJK-T-02", "physical", "medium", "remediated", D(2024, 1, 15)),
                finding("TJK-F-4", "TJK-T-02", "dynamic", "low", "in progress", None),
                finding("TJK-F-5", "TJK-T-02", "other", "high", "verified", D(2024, 2, 1)),
            ],
            Priorities=[
                PRIORITIES_HEADER,
                ["TJK-P-1", "Intelligence units", "intelligence", "on track", 10, None, "ToR drafted", None],
                ["TJK-P-2", "Classification", "classification", "not started", 0, None, None, None],
            ],
            Milestones=[
                MILESTONES_HEADER,
                ["TJK-P-1", "Pilot unit set up", D(2024, 9, 30), "planned", None],
                ["TJK-P-2", "Tool drafted", D(2024, 6, 30), "planned", None],
            ],
            Activities=[
                ACTIVITIES_HEADER,
                ["TJK-A-1", D(2024, 2, 1), "training", "Course 1", 20, 5, "TJK-T-01", None],
                ["TJK-A-2", D(2024, 2, 2), "training", "Course 2", 10, None, None, None],  # no female figure
                ["TJK-A-3", D(2024, 3, 3), "workshop", "Workshop", 8, 8, None, None],
            ],
        ),
    ),
    "kaz-q1.xlsx": (
        "coordinator KAZ",
        return_workbook(
            "KAZ",
            Q1,
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 33000, "no", None]],
            Facilities=[FACILITIES_HEADER, ["KAZ-K-01", "Taraz prison", "prison", "Taraz", None, None, "yes", None]],
            Findings=[
                FINDINGS_HEADER,
                finding("KAZ-F-1", "KAZ-K-01", "physical", "high", "risk accepted", D(2024, 2, 2)),
                finding("KAZ-F-2", "KAZ-K-01", "procedural", "medium", "in progress", D(2024, 4, 10)),
            ],
            Priorities=[PRIORITIES_HEADER, ["KAZ-P-1", "Training academy", None, "completed", 100, None, None, None]],
            Activities=[
                ACTIVITIES_HEADER,
                ["KAZ-A-1", D(2024, 3, 1), "training", "No figures", None, None, None, None],
            ],
        ),
    ),
    # superseded below: none of its figures may show anywhere
    "tjk-q2.xlsx": (
        "coordinator TJK",
        return_workbook(
            "TJK",
            Q2,
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 99999, "no", None]],
            Findings=[FINDINGS_HEADER, finding("TJK-F-1", "TJK-T-01", "physical", "high", "in progress", None)],
            Priorities=[PRIORITIES_HEADER, ["TJK-P-1", None, None, "on track", 50, None, None, None]],
            Activities=[ACTIVITIES_HEADER, ["TJK-A-9", D(2024, 5, 1), "training", "Wrong", 1000, 1000, None, None]],
        ),
    ),
    "tjk-q2-corrected.xlsx": (
        "coordinator TJK",
        return_workbook(
            "TJK",
            Q2,
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, "no", None]],
            Findings=[
                FINDINGS_HEADER,
                finding("TJK-F-1", "TJK-T-01", "physical", "high", "remediated", D(2024, 3, 31), note="Fixed"),
                finding("TJK-F-4", "TJK-T-02", "dynamic", "low", "in progress", D(2024, 6, 29)),
                finding("TJK-F-6", "TJK-T-01", "dynamic", "critical", "open", D(2024, 6, 30), D(2024, 5, 1)),
            ],
            Priorities=[PRIORITIES_HEADER, ["TJK-P-1", None, None, "at risk", 30, None, "Delayed", None]],
            Milestones=[
                MILESTONES_HEADER,
                ["TJK-P-1", "Pilot unit set up", None, "done", D(2024, 5, 20)],
                ["TJK-P-1", "Analysts recruited", D(2024, 12, 31), "planned", None],
            ],
            Activities=[ACTIVITIES_HEADER, ["TJK-A-5", D(2024, 5, 5), "training", "Course 5", 30, 15, None, None]],
        ),
    ),
    "kaz-q4.xlsx": (
        "coordinator KAZ",
        return_workbook("KAZ", Q4, Indicators=[INDICATORS_HEADER, ["prisoners_total", 34000, "no", None]]),
    ),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def known(request, tmp_path_factory):
    """The programme above, imported once per database for the whole module
    (the queries only read). Yields (engine, {file name: upload id})."""
    with fresh_database(request.param, tmp_path_factory.mktemp("queries")) as url:
        engine = db.connect(url)
        ids = {}
        for name, (user, data) in FILES.items():
            r = import_workbook(engine, signed(user), data, name)
            assert r.status == "applied", r.report()
            ids[name] = r.upload_id
        yield engine, ids


def none(value):
    """pandas' missing markers (NaN, NaT) -> None."""
    try:
        return None if value is None or value != value else value
    except (TypeError, ValueError):
        return value


def counts(frame, *keys) -> dict:
    """{group: (findings, open, overdue)}"""
    out = {}
    for row in frame.to_dict("records"):
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        out[key] = tuple(int(row[c]) for c in COUNT_COLUMNS)
    return out


# --------------------------------------------------------------------------- findings


def test_finding_counts_by_status_with_open_and_overdue(known):
    engine, _ = known
    q1 = reference_queries.finding_counts(engine, Q1, by=("status",))
    assert list(q1.columns) == ["status", *COUNT_COLUMNS]  # one row per status, counted in SQL
    assert counts(q1, "status") == {
        "open": (2, 2, 1),  # F-2 is due the day before the quarter's end
        "in progress": (2, 2, 0),
        "remediated": (1, 0, 0),
        "verified": (1, 0, 0),
        "risk accepted": (1, 0, 0),
    }
    assert counts(reference_queries.finding_counts(engine, Q2, by=("status",)), "status") == {
        "open": (2, 2, 1),  # F-2 carried, still overdue; F-6 due on the last day of Q2
        "in progress": (2, 2, 2),  # F-4 due 29 June; KAZ-F-2 due 10 April, carried
        "remediated": (2, 0, 0),
        "verified": (1, 0, 0),
        "risk accepted": (1, 0, 0),
    }


def test_finding_counts_by_severity_domain_facility_and_country(known):
    engine, _ = known
    assert counts(reference_queries.finding_counts(engine, Q1, by=("severity",)), "severity") == {
        "critical": (1, 1, 1),
        "high": (3, 1, 0),
        "medium": (2, 1, 0),
        "low": (1, 1, 0),
    }
    assert counts(reference_queries.finding_counts(engine, Q1, by=("domain",)), "domain") == {
        "physical": (3, 1, 0),
        "procedural": (2, 2, 1),
        "dynamic": (1, 1, 0),
        "other": (1, 0, 0),
    }
    assert counts(reference_queries.finding_counts(engine, Q1, by=("facility_id",)), "facility_id") == {
        "TJK-T-01": (2, 2, 1),
        "TJK-T-02": (3, 1, 0),
        "KAZ-K-01": (2, 1, 0),
    }
    assert counts(reference_queries.finding_counts(engine, Q1, by=("country",)), "country") == {
        "TJK": (5, 3, 1),
        "KAZ": (2, 1, 0),
    }
    assert counts(
        reference_queries.finding_counts(engine, Q2, ["TJK"], by=("country", "severity")), "country", "severity"
    ) == {
        ("TJK", "critical"): (2, 2, 1),
        ("TJK", "high"): (2, 0, 0),
        ("TJK", "medium"): (1, 0, 0),
        ("TJK", "low"): (1, 1, 1),
    }
    by_two = reference_queries.finding_counts(engine, Q1, by=("country", "domain"))
    assert list(by_two.columns) == ["country", "domain", *COUNT_COLUMNS]
    assert len(by_two) == 6 and by_two["findings"].sum() == 7  # groups, not findings


def test_overdue_at_the_quarter_boundary_and_never_once_remediated(known):
    engine, _ = known

    def overdue(q):
        return {f: bool(v) for f, v in queries.findings_as_at(engine, q).set_index("finding_id")["overdue"].items()}

    assert overdue(Q1) == {
        "TJK-F-1": False,  # open, due 31 March: the last day of the quarter is not late
        "TJK-F-2": True,  # open, due 30 March: the day before is
        "TJK-F-3": False,  # remediated, due in January
        "TJK-F-4": False,  # in progress, no due date
        "TJK-F-5": False,  # verified, due in February
        "KAZ-F-1": False,  # risk accepted, due in February
        "KAZ-F-2": False,  # in progress, due in April
    }
    assert overdue(Q2) == {
        "TJK-F-1": False,  # remediated in Q2, although its due date has passed
        "TJK-F-2": True,  # carried from Q1, still open
        "TJK-F-3": False,
        "TJK-F-4": True,  # due 29 June
        "TJK-F-5": False,
        "TJK-F-6": False,  # due 30 June, the last day of Q2
        "KAZ-F-1": False,
        "KAZ-F-2": True,  # carried from Q1, due in April
    }


def test_findings_as_at_a_past_quarter(known):
    engine, _ = known
    q1 = queries.findings_as_at(engine, Q1, ["TJK"])
    assert q1["finding_id"].tolist() == ["TJK-F-1", "TJK-F-2", "TJK-F-3", "TJK-F-4", "TJK-F-5"]  # F-6 is later
    assert q1.set_index("finding_id").loc["TJK-F-1", "status"] == "open"
    q2 = queries.findings_as_at(engine, Q2, ["TJK"]).set_index("finding_id")
    assert q2["status"].to_dict() == {
        "TJK-F-1": "remediated",
        "TJK-F-2": "open",
        "TJK-F-3": "remediated",
        "TJK-F-4": "in progress",
        "TJK-F-5": "verified",
        "TJK-F-6": "open",
    }
    assert q2["status_quarter"].to_dict() == {
        "TJK-F-1": Q2,
        "TJK-F-2": Q1,
        "TJK-F-3": Q1,
        "TJK-F-4": Q2,
        "TJK-F-5": Q1,
        "TJK-F-6": Q2,
    }
    assert q2.loc["TJK-F-1", "status_note"] == "Fixed"
    assert q2.loc["TJK-F-6", "facility"] == "Dushanbe prison"
    assert queries.findings_as_at(engine, "2023-Q4").empty
    assert queries.findings_as_at(engine, Q1, facility_id="TJK-T-01")["finding_id"].tolist() == ["TJK-F-1", "TJK-F-2"]


# --------------------------------------------------------------------------- priorities and milestones


def test_priorities_as_at_and_their_history(known):
    engine, _ = known
    q1 = queries.priorities_as_at(engine, Q1)
    assert [(p["priority_id"], p["status"], p["progress_pct"], p["last_update"]) for p in q1.to_dict("records")] == [
        ("KAZ-P-1", "completed", 100, Q1),
        ("TJK-P-1", "on track", 10, Q1),
        ("TJK-P-2", "not started", 0, Q1),
    ]
    q2 = queries.priorities_as_at(engine, Q2, ["TJK"])
    assert [
        (p["priority_id"], p["status"], p["progress_pct"], none(p["narrative"]), p["last_update"])
        for p in q2.to_dict("records")
    ] == [("TJK-P-1", "at risk", 30, "Delayed", Q2), ("TJK-P-2", "not started", 0, None, Q1)]
    h = queries.priority_history(engine, ["TJK-P-1"])
    assert [(r["quarter"], r["status"], r["progress_pct"]) for r in h.to_dict("records")] == [
        (Q1, "on track", 10),
        (Q2, "at risk", 30),
    ]  # the superseded 50 % is gone
    assert queries.priority_history(engine, ["TJK-P-1"], up_to=Q1)["quarter"].tolist() == [Q1]
    assert queries.priority_history(engine, countries=["KAZ"])["priority_id"].tolist() == ["KAZ-P-1"]


def test_milestones_as_at(known):
    engine, _ = known
    q1 = queries.milestones_as_at(engine, Q1, ["TJK"])
    assert [(m["priority_id"], m["milestone"], m["status"], m["due_date"]) for m in q1.to_dict("records")] == [
        ("TJK-P-1", "Pilot unit set up", "planned", D(2024, 9, 30)),
        ("TJK-P-2", "Tool drafted", "planned", D(2024, 6, 30)),
    ]
    q2 = queries.milestones_as_at(engine, Q2, ["TJK"])
    assert [
        (m["milestone"], m["status"], m["due_date"], none(m["completed_on"]), m["last_update"])
        for m in q2.to_dict("records")
    ] == [  # by priority, then due date
        ("Pilot unit set up", "done", D(2024, 9, 30), D(2024, 5, 20), Q2),  # due date carried
        ("Analysts recruited", "planned", D(2024, 12, 31), None, Q2),
        ("Tool drafted", "planned", D(2024, 6, 30), None, Q1),
    ]  # not in the Q2 return: as it was
    assert queries.milestones_as_at(engine, Q2, priority_id="TJK-P-1")["milestone"].tolist() == [
        "Pilot unit set up",
        "Analysts recruited",
    ]
    assert queries.milestones_as_at(engine, Q2, ["KAZ"]).empty


# --------------------------------------------------------------------------- activities


def totals(frame, *keys) -> dict:
    out = {}
    for r in frame.to_dict("records"):
        key = r[keys[0]] if len(keys) == 1 else tuple(r[k] for k in keys)
        share = None if r["female_share"] is None or math.isnan(r["female_share"]) else round(r["female_share"], 6)
        out[key] = (int(r["activities"]), int(r["participants"]), int(r["female_participants"]), share)
    return out


def test_activity_totals_and_the_female_share(known):
    engine, _ = known
    t = reference_queries.activity_totals(engine)  # by country and type
    assert list(t.columns) == ["country", "type", "activities", "participants", "female_participants", "female_share"]
    assert totals(t, "country", "type") == {
        ("KAZ", "training"): (1, 0, 0, None),  # no figures: no share rather than 0 %
        # 60 participants, but TJK-A-2 (10) reports no women: the share is 20 of 50
        ("TJK", "training"): (3, 60, 20, 0.4),
        ("TJK", "workshop"): (1, 8, 8, 1.0),
    }
    assert totals(reference_queries.activity_totals(engine, up_to=Q1), "country", "type")[("TJK", "training")] == (
        2,
        30,
        5,
        0.25,
    )
    assert totals(reference_queries.activity_totals(engine, by=("quarter",)), "quarter") == {
        Q1: (4, 38, 13, round(13 / 28, 6)),
        Q2: (1, 30, 15, 0.5),
    }
    assert totals(reference_queries.activity_totals(engine, ["TJK"], by=("country",)), "country") == {
        "TJK": (4, 68, 28, round(28 / 58, 6))
    }


# --------------------------------------------------------------------------- indicators


def test_latest_indicators_as_at_a_quarter_with_their_quarter_and_source(known):
    engine, _ = known
    q2 = queries.latest_indicators(engine, ["TJK"], Q2).set_index("indicator")
    assert q2.loc["prisoners_total", ["value", "quarter", "source_file", "source_by"]].tolist() == [
        12600,
        Q2,
        "tjk-q2-corrected.xlsx",
        "coordinator TJK",
    ]
    assert q2.loc["ve_prisoners", ["value", "quarter", "source_file", "approximate"]].tolist() == [
        2140,
        Q1,
        "tjk-q1.xlsx",
        True,
    ]
    assert q2.loc["prisoners_total", "label"] == "Number of prisoners"
    q1 = queries.latest_indicators(engine, ["TJK"], Q1).set_index("indicator")["value"].to_dict()
    assert q1 == {"prisoners_total": 12500, "ve_prisoners": 2140}
    kaz = lambda q: queries.latest_indicators(engine, ["KAZ"], q)[["value", "quarter"]].values.tolist()  # noqa
    assert kaz(Q3) == [[33000, Q1]]
    assert kaz(None) == [[34000, Q4]]
    assert len(queries.latest_indicators(engine)) == 3  # one row per country and indicator


def test_indicator_history(known):
    engine, _ = known
    h = queries.indicator_history(engine, ["TJK"])
    assert [(r["indicator"], r["quarter"], r["value"]) for r in h.to_dict("records")] == [
        ("prisoners_total", Q1, 12500),
        ("prisoners_total", Q2, 12600),
        ("ve_prisoners", Q1, 2140),
    ]
    assert len(queries.indicator_history(engine, ["TJK"], up_to=Q1)) == 2
    assert queries.indicator_history(engine, ["KAZ"])["value"].tolist() == [33000, 34000]


# --------------------------------------------------------------------------- uploads and quarters


def test_upload_history(known):
    engine, ids = known
    h = queries.upload_history(engine)
    assert h["id"].tolist() == sorted(ids.values(), reverse=True)  # newest first
    by_name = h.set_index("file_name")
    assert by_name["status"].to_dict() == {
        "tjk-q1.xlsx": "current",
        "kaz-q1.xlsx": "current",
        "tjk-q2.xlsx": "superseded",
        "tjk-q2-corrected.xlsx": "current",
        "kaz-q4.xlsx": "current",
    }
    assert by_name.loc["tjk-q2.xlsx", "superseded_by_id"] == ids["tjk-q2-corrected.xlsx"]
    for name, (user, data) in FILES.items():
        assert by_name.loc[name, "sha256"] == hashlib.sha256(data).hexdigest()
        assert by_name.loc[name, "uploaded_by"] == user
        assert by_name.loc[name, "size_bytes"] == len(data)
    assert (by_name.loc["tjk-q1.xlsx", ["country", "quarter"]].tolist()) == ["TJK", Q1]
    assert by_name.loc["tjk-q1.xlsx", "counts"]["Findings"]["added"] == 5
    assert queries.upload_history(engine, ["KAZ"])["file_name"].tolist() == ["kaz-q4.xlsx", "kaz-q1.xlsx"]


def test_quarters_with_data_run_from_the_first_to_the_last_without_gaps(known):
    assert queries.quarters_with_data(known[0]) == [Q1, Q2, Q3, Q4]  # Q3 has no upload, but lies between
    assert queries.latest_quarter(known[0]) == Q4


def test_a_new_database_has_no_quarters(engine):
    assert queries.quarters_with_data(engine) == []
    assert queries.latest_quarter(engine) is None
