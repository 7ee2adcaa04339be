"""The finding counts (``data_access.summary``) are a cache of the history:
whatever the pages read from them must equal what the history says.

Each test compares a query answered from the counts with the same query
answered by rebuilding every state from the history (``summary.covers``
patched to say "not covered"), on SQLite and PostgreSQL, over every
quarter and a spread of filters."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pandas as pd
import pytest
from sqlalchemy import func, select

from benchmarks.generate import generate
from data_access import findings as F
from data_access import overview, queries, summary
from data_access.findings import FindingFilter
from data_access.importer import import_workbook, restore_upload
from data_access.models import FindingCount, FindingCountByCountry, Upload
from data_access.rules.quarters import Quarter
from tests.workbooks import ADMIN, FACILITIES_HEADER, FINDINGS_HEADER, return_workbook


@contextmanager
def from_history():
    """Answer every query by rebuilding the states from the history."""
    with mock.patch.object(summary, "covers", return_value=False):
        yield


def same(read, *args, **kwargs) -> None:
    fast = read(*args, **kwargs)
    with from_history():
        slow = read(*args, **kwargs)
    for a, b in zip(fast, slow, strict=False) if isinstance(fast, tuple) else [(fast, slow)]:
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
        else:
            assert a == b


@pytest.fixture
def programme(engine):
    """A small synthetic programme (4 countries, 40 quarters of history)."""
    generate(engine, scale=0.02)
    return engine


FILTERS = [
    FindingFilter(),
    FindingFilter(severities=("critical", "high")),
    FindingFilter(domains=("physical",), statuses=("open", "in progress")),
    FindingFilter(overdue_only=True),
]


def test_every_count_agrees_with_the_history(programme):
    eng = programme
    with eng.connect() as conn:
        last = conn.execute(select(func.max(Upload.quarter_idx))).scalar_one()
    quarters = [Quarter.from_index(i) for i in range(last - 39, last + 1, 3)]
    facility = queries.facilities(eng)["facility_id"].iloc[0]
    for q in quarters:
        same(overview.finding_totals, eng, q)
        same(overview.finding_totals, eng, q, ["TJK", "KGZ"])
        same(queries.facility_findings_summary, eng, q, ["KAZ"])
        same(F.finding_count, eng, q, None, FindingFilter(facilities=(facility,)))
        same(F.median_days_to_remediate, eng, q, ["TJK"])
        for flt in FILTERS:
            same(F.status_counts, eng, q, None, flt, by=("country", "severity"))
            same(F.status_counts, eng, q, ["IRQ"], flt, by=("facility_id",))
            same(F.facility_domain, eng, q, ["KAZ", "KGZ"], flt)
            same(F.weakest_spots, eng, q, None, flt, limit=5)
            same(F.finding_count, eng, q, None, flt)
    for flt in FILTERS:
        same(F.burn_down, eng, quarters[0], quarters[-1], None, flt)
    same(queries.finding_status_by_quarter, eng, quarters[0], quarters[-1], None, ("country", "domain"))


def test_an_owner_filter_is_answered_from_the_history(programme):
    owner = F.owners(programme, "2026-Q3")[0]
    flt = FindingFilter(owners=(owner,))
    with mock.patch.object(summary, "covers", side_effect=AssertionError("the counts carry no owner")):
        assert F.finding_count(programme, "2026-Q3", None, flt) > 0


def test_the_counts_cover_every_quarter_up_to_the_latest_return(programme):
    with programme.connect() as conn:
        latest = conn.execute(select(func.max(Upload.quarter_idx))).scalar_one()
    assert summary.horizon(programme) == latest
    assert summary.covers(programme, latest) and not summary.covers(programme, latest + 1)
    # a quarter past the horizon is still answered, from the history
    after = Quarter.from_index(latest + 1)
    with programme.connect() as conn:
        before = conn.execute(select(func.count()).select_from(FindingCount)).scalar_one()
    totals = overview.finding_totals(programme, after)
    assert int(totals["findings"].iloc[0]) == int(
        overview.finding_totals(programme, Quarter.from_index(latest))["findings"].iloc[0]
    )
    with programme.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FindingCount)).scalar_one() == before


def _tjk_return(quarter: str, status: str) -> bytes:
    facilities = [FACILITIES_HEADER, ["TJK-C-01", "Counts test prison", "prison", "Dushanbe", 38.56, 68.79, "no", None]]
    findings = [
        FINDINGS_HEADER,
        [
            "TJK-C-F1",
            "TJK-C-01",
            dt.date(2024, 2, 1),
            "physical",
            "critical",
            "Gate",
            None,
            status,
            dt.date(2024, 6, 30),
            "Head of regime",
            None,
        ],
    ]
    return return_workbook("TJK", quarter, Facilities=facilities, Findings=findings)


def test_imports_and_restores_keep_the_counts_current(engine):
    def open_critical(q: str) -> int:
        return int(overview.finding_totals(engine, q, ["TJK"])["open_critical"].iloc[0])

    first = import_workbook(engine, ADMIN, _tjk_return("2024-Q1", "open"), "q1.xlsx")
    assert first.status == "applied", first.report()
    assert open_critical("2024-Q1") == 1
    # a return for a new quarter moves the horizon: the state carries forward
    assert import_workbook(engine, ADMIN, _tjk_return("2024-Q3", "remediated"), "q3.xlsx").status == "applied"
    assert [open_critical(q) for q in ("2024-Q1", "2024-Q2", "2024-Q3")] == [1, 1, 0]
    # a corrected return for Q1 supersedes the first; restoring the first brings its state back
    assert import_workbook(engine, ADMIN, _tjk_return("2024-Q1", "in progress"), "q1b.xlsx").status == "applied"
    assert open_critical("2024-Q1") == 1
    assert restore_upload(engine, ADMIN, first.upload_id).status == "applied"
    for q in ("2024-Q1", "2024-Q2", "2024-Q3"):
        same(overview.finding_totals, engine, q)
        same(F.status_counts, engine, q, None, None, by=("facility_id",))
    with engine.connect() as conn:
        per_country = conn.execute(select(func.sum(FindingCountByCountry.findings))).scalar_one()
        per_facility = conn.execute(select(func.sum(FindingCount.findings))).scalar_one()
    assert per_country == per_facility == 3  # one finding, as at three quarters


def test_a_return_for_a_new_quarter_extends_every_country(engine):
    """Tajikistan's finding is due on 30 June 2024; a return from Kazakhstan
    for 2024-Q3 moves the horizon, and Tajikistan's counts gain 2024-Q3,
    where the finding is overdue."""
    assert import_workbook(engine, ADMIN, _tjk_return("2024-Q1", "open"), "tjk.xlsx").status == "applied"
    assert summary.horizon(engine) == Quarter(2024, 1).index
    kaz = import_workbook(engine, ADMIN, return_workbook("KAZ", "2024-Q3"), "kaz.xlsx")
    assert kaz.status == "applied", kaz.report()
    assert summary.horizon(engine) == Quarter(2024, 3).index
    assert summary.covers(engine, Quarter(2024, 3).index)
    totals = overview.finding_totals(engine, "2024-Q3", ["TJK"])
    assert int(totals["overdue"].iloc[0]) == 1
    for q in ("2024-Q1", "2024-Q2", "2024-Q3"):
        same(overview.finding_totals, engine, q, ["TJK"])
