"""Queries behind the Map page's facility panel, on SQLite and PostgreSQL,
with hand-built returns whose answers are known."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import maps
from tests.workbooks import import_findings

D = dt.date


def f(fid, status, severity="high", due=D(2024, 12, 31), facility="TJK-T-01"):
    return [fid, facility, D(2024, 2, 1), "physical", severity, f"Finding {fid}", None, status, due, None, None]


@pytest.fixture
def history(engine):
    """Dushanbe: F1 critical open -> remediated (Q3); F2 high open, due mid-2024 (overdue from Q3);
    F3 high in progress, no deadline; F4 low verified in Q2. Khujand: F5 critical open (another facility)."""
    returns = [
        (
            "2024-Q1",
            [
                f("F1", "open", "critical"),
                f("F2", "open", due=D(2024, 6, 30)),
                f("F3", "in progress", due=None),
                f("F5", "open", "critical", facility="TJK-T-02"),
            ],
            True,
        ),
        ("2024-Q2", [f("F4", "verified", "low")], False),
        ("2024-Q3", [f("F1", "remediated", "critical")], False),
    ]
    return import_findings(engine, returns)


def _counts(engine, quarter, facility="TJK-T-01"):
    df = maps.facility_finding_counts(engine, quarter, facility)
    return [(r.severity, r.status, r.findings, r.overdue) for r in df.itertuples()]


def test_counts_by_severity_and_status_as_at_each_quarter(history):
    assert _counts(history, "2024-Q1") == [
        ("critical", "open", 1, 0),
        ("high", "in progress", 1, 0),
        ("high", "open", 1, 0),
    ]
    assert _counts(history, "2024-Q2") == [
        ("critical", "open", 1, 0),
        ("high", "in progress", 1, 0),
        ("high", "open", 1, 0),
        ("low", "verified", 1, 0),
    ]
    # Q3: F1 remediated; F2 is past its 30 June deadline; F3 has no deadline, so never overdue
    assert _counts(history, "2024-Q3") == [
        ("critical", "remediated", 1, 0),
        ("high", "in progress", 1, 0),
        ("high", "open", 1, 1),
        ("low", "verified", 1, 0),
    ]
    assert _counts(history, "2024-Q1", "TJK-T-02") == [("critical", "open", 1, 0)]
    assert _counts(history, "2024-Q1", "NO-SUCH") == []


def test_open_findings_worst_first_then_earliest_deadline(history):
    q1 = maps.facility_open_findings(history, "2024-Q1", "TJK-T-01")
    assert list(q1["finding_id"]) == ["F1", "F2", "F3"]  # critical; then high with a deadline before none
    assert not q1["overdue"].any()
    q3 = maps.facility_open_findings(history, "2024-Q3", "TJK-T-01")
    assert list(q3["finding_id"]) == ["F2", "F3"]
    assert list(q3["overdue"]) == [True, False]
    assert list(q3["status"]) == ["open", "in progress"]
    assert list(maps.facility_open_findings(history, "2024-Q3", "TJK-T-01", limit=1)["finding_id"]) == ["F2"]
    empty = maps.facility_open_findings(history, "2024-Q3", "NO-SUCH")
    assert empty.empty and list(empty.columns) == ["finding_id", "severity", "title", "status", "due_date", "overdue"]


def test_a_quarter_before_any_finding_has_nothing(history):
    assert _counts(history, "2023-Q4") == []
    assert maps.facility_open_findings(history, "2023-Q4", "TJK-T-01").empty
