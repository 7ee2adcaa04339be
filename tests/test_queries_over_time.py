"""Queries over time: the burn-down's status per quarter, the per-facility
summary the map uses, and remediation times. Hand-built histories with
known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access import queries
from tests import reference_queries
from tests.workbooks import import_findings

D = dt.date


def f(fid, status, facility="TJK-T-01", severity="high", due=D(2024, 12, 31)):
    return [fid, facility, D(2024, 2, 1), "physical", severity, f"Finding {fid}", None, status, due, None, None]


@pytest.fixture
def history(engine):
    """F1: open (Q1) -> remediated (Q2) -> verified (Q4). F2: open (Q1), still open.
    F3 (Khujand, low): raised in Q2 as in progress. Quarters not listed carry."""
    returns = [
        ("2024-Q1", [f("F1", "open"), f("F2", "open", due=D(2024, 6, 30))], True),
        ("2024-Q2", [f("F1", "remediated"), f("F3", "in progress", "TJK-T-02", "low")], False),
        ("2024-Q4", [f("F1", "verified")], False),
    ]
    return import_findings(engine, returns)


def test_status_per_quarter_rebuilds_each_quarter_from_history(history):
    df = queries.finding_status_by_quarter(history, "2024-Q1", "2025-Q1", ["TJK"], by=())
    table = {(r.quarter, r.status): r.findings for r in df.itertuples()}
    assert table == {
        ("2024-Q1", "open"): 2,
        ("2024-Q2", "open"): 1,
        ("2024-Q2", "remediated"): 1,
        ("2024-Q2", "in progress"): 1,
        ("2024-Q3", "open"): 1,
        ("2024-Q3", "remediated"): 1,
        ("2024-Q3", "in progress"): 1,
        ("2024-Q4", "open"): 1,
        ("2024-Q4", "verified"): 1,
        ("2024-Q4", "in progress"): 1,
        ("2025-Q1", "open"): 1,
        ("2025-Q1", "verified"): 1,
        ("2025-Q1", "in progress"): 1,
    }


def test_status_per_quarter_agrees_with_the_as_at_counts(history):
    df = queries.finding_status_by_quarter(history, "2024-Q1", "2024-Q4", by=("severity",))
    for quarter in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"):
        expected = reference_queries.finding_counts(history, quarter, by=("severity", "status"))
        got = df[df["quarter"] == quarter]
        assert sorted(zip(got["severity"], got["status"], got["findings"], strict=False)) == sorted(
            zip(expected["severity"], expected["status"], expected["findings"], strict=False)
        )


def test_facility_summary_as_at_a_quarter(history):
    s = queries.facility_findings_summary(history, "2024-Q3").set_index("facility_id")
    dus, khu = s.loc["TJK-T-01"], s.loc["TJK-T-02"]
    assert (dus["findings"], dus["open"], dus["overdue"], dus["remediated"]) == (2, 1, 1, 1)
    assert dus["worst_open_severity"] == "high" and dus["remediated_share"] == 0.5
    assert (khu["open"], khu["worst_open_severity"]) == (1, "low")
    early = queries.facility_findings_summary(history, "2024-Q1").set_index("facility_id")
    assert early.loc["TJK-T-02", "findings"] == 0 and pd.isna(early.loc["TJK-T-02", "worst_open_severity"])


def test_remediation_times_count_to_the_end_of_the_reporting_quarter(history):
    t = reference_queries.remediation_times(history, "2024-Q4").set_index("finding_id")
    assert t.loc["F1", "remediated_by"] == D(2024, 6, 30)
    assert t.loc["F1", "days_to_remediated"] == (D(2024, 6, 30) - D(2024, 2, 1)).days
    assert t.loc["F1", "days_to_verified"] == (D(2024, 12, 31) - D(2024, 2, 1)).days
    assert pd.isna(t.loc["F2", "remediated_by"])
    before = reference_queries.remediation_times(history, "2024-Q3").set_index("finding_id")
    assert pd.isna(before.loc["F1", "verified_by"])  # as at Q3 it was not yet verified
