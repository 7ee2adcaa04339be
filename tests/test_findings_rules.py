"""The Audit findings page's rules as plain functions: no Streamlit, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.rules import findings as r
from data_access.rules.quarters import Quarter
from data_access.rules.reference import FINDING_STATUSES, OPEN_FINDING_STATUSES

D = dt.date
Q3 = Quarter(2025, 3)  # ends 30 Sep 2025


# --------------------------------------------------------------------------- overdue at the quarter boundary


@pytest.mark.parametrize(
    "due, status, expected",
    [
        (D(2025, 9, 29), "open", True),  # the day before the quarter's last day
        (D(2025, 9, 30), "open", False),  # due on the last day: not yet overdue at that quarter
        (D(2025, 10, 1), "open", False),
        (D(2025, 7, 1), "in progress", True),
        (D(2024, 1, 1), "remediated", False),  # closed findings are never overdue
        (D(2024, 1, 1), "verified", False),
        (D(2024, 1, 1), "risk accepted", False),
        (None, "open", False),  # no deadline, nothing to be late for
    ],
)
def test_overdue_means_due_before_the_quarters_end_and_still_open(due, status, expected):
    assert r.is_overdue(status, due, Q3) is expected


def test_a_finding_due_on_the_last_day_is_overdue_the_next_quarter():
    due = Q3.end
    assert not r.is_overdue("open", due, Q3)
    assert r.is_overdue("open", due, Q3.next())
    assert r.days_overdue("open", due, Q3.next()) == (Q3.next().end - due).days == 92


def test_overdue_accepts_dates_as_text_and_timestamps():
    assert r.is_overdue("open", "2025-09-29", Q3)
    assert r.is_overdue("open", dt.datetime(2025, 9, 29, 12), Q3)
    assert not r.is_overdue("open", float("nan"), Q3)
    assert r.days_overdue("in progress", "2025-09-01", Q3) == 29
    assert r.days_overdue("verified", "2025-09-01", Q3) is None


def test_the_open_statuses_are_the_reference_ones():
    assert {s for s in FINDING_STATUSES if r.is_overdue(s, D(2000, 1, 1), Q3)} == set(OPEN_FINDING_STATUSES)


# --------------------------------------------------------------------------- ageing bands


@pytest.mark.parametrize(
    "days, bands, expected",
    [
        (0, r.AGE_BANDS, "age_0_90"),
        (90, r.AGE_BANDS, "age_0_90"),
        (91, r.AGE_BANDS, "age_91_180"),
        (365, r.AGE_BANDS, "age_181_365"),
        (366, r.AGE_BANDS, "age_366_730"),
        (731, r.AGE_BANDS, "age_731_plus"),
        (5000, r.AGE_BANDS, "age_731_plus"),
        (1, r.PAST_DUE_BANDS, "late_1_30"),
        (30, r.PAST_DUE_BANDS, "late_1_30"),
        (31, r.PAST_DUE_BANDS, "late_31_90"),
        (400, r.PAST_DUE_BANDS, "late_366_plus"),
        (None, r.AGE_BANDS, None),
    ],
)
def test_bands(days, bands, expected):
    assert r.band(days, bands) == expected


@pytest.mark.parametrize("bands", [r.AGE_BANDS, r.PAST_DUE_BANDS])
def test_bands_are_contiguous_and_cutoffs_agree_with_them(bands):
    for a, b in zip(bands, bands[1:], strict=False):
        assert b.low == a.high + 1
    assert bands[-1].high is None
    end = Q3.end
    cutoffs = r.band_cutoffs(bands, end)
    for days in range(0, 900, 7):
        day = end - dt.timedelta(days=days)
        # what the SQL CASE does: the first band whose cutoff the date reaches, else the last
        by_sql = next((key for key, cutoff in cutoffs if cutoff is not None and day >= cutoff), cutoffs[-1][0])
        assert by_sql == r.band(max(days, bands[0].low), bands), days


# --------------------------------------------------------------------------- remediation speed


@pytest.mark.parametrize(
    "values, weights, expected",
    [
        ([], [], None),
        ([10], [1], 10),
        ([10, 20], [1, 1], 15),
        ([10, 20, 30], [1, 1, 1], 20),
        ([30, 10, 20], [1, 2, 1], 15),  # 10, 10, 20, 30
        ([5, 7], [3, 1], 5),
        ([5, 7], [2, 2], 6),
        ([5, 7, 9], [0, 0, 1], 9),
    ],
)
def test_weighted_median(values, weights, expected):
    assert r.weighted_median(values, weights) == expected


def test_weighted_median_equals_the_median_of_the_expanded_values():
    import statistics

    values, weights = [120, 45, 300, 45, 210], [2, 3, 1, 1, 4]
    expanded = [v for v, w in zip(values, weights, strict=False) for _ in range(w)]
    assert r.weighted_median(values, weights) == statistics.median(expanded)


def test_days_are_counted_to_the_end_of_the_reporting_quarter():
    assert r.days_to_quarter_end(D(2025, 2, 1), Quarter(2025, 2).index) == (D(2025, 6, 30) - D(2025, 2, 1)).days
    assert r.days_to_quarter_end("2025-02-01", None) is None


@pytest.mark.parametrize(
    "remediated, due, expected",
    [
        (Quarter(2025, 2), D(2025, 4, 1), True),  # remediated in the quarter of the due date
        (Quarter(2025, 2), D(2025, 6, 30), True),
        (Quarter(2025, 3), D(2025, 6, 30), False),  # reported a quarter late
        (Quarter(2025, 1), D(2025, 6, 30), True),
        (None, D(2025, 6, 30), False),
        (Quarter(2025, 1), None, False),
    ],
)
def test_remediated_by_the_due_date_is_judged_by_quarter(remediated, due, expected):
    assert r.remediated_on_time(remediated, due) is expected


def test_weakest_spots_first():
    spots = [("B", "high", 3, 0), ("A", "critical", 1, 0), ("C", "high", 1, 1), ("D", None, 0, 0), ("E", "high", 5, 0)]
    ordered = sorted(spots, key=lambda s: r.weakness_key(s[1], s[2], s[3]))
    assert [s[0] for s in ordered] == ["A", "C", "E", "B", "D"]


# --------------------------------------------------------------------------- the findings table


def test_paging():
    assert r.page_count(0, 50) == 1 and r.page_count(50, 50) == 1 and r.page_count(51, 50) == 2
    assert r.page_count(100_000, 50) == 2000
    assert r.clamp_page(0, 120, 50) == 1 and r.clamp_page(9, 120, 50) == 3 and r.clamp_page(2, 120, 50) == 2


def test_search_text_becomes_a_literal_like_pattern():
    assert r.like_pattern("  ") is None
    assert r.like_pattern("Gate") == "%gate%"
    assert r.like_pattern("50%_x\\") == "%50\\%\\_x\\\\%"


def test_sort_keys_are_known():
    assert r.DEFAULT_SORT in r.SORT_KEYS and r.DEFAULT_PAGE_SIZE in r.PAGE_SIZES


# --------------------------------------------------------------------------- timeline


def _e(quarter, status, due="2024-06-30", owner="Head of regime", note=None, **source):
    return dict(quarter=quarter, status=status, due_date=due, owner=owner, status_note=note, **source)


HISTORY = [  # only changes are stored; given out of order on purpose
    _e("2024-Q4", "in progress", due="2024-12-31", note="Extension agreed", file_name="b.xlsx"),
    _e("2024-Q1", "open", note="Raised", file_name="a.xlsx"),
    _e("2025-Q2", "remediated", due="2024-12-31", owner="Chief engineer", note="Done"),
    _e("2024-Q2", "open", note="Waiting for funds"),
    _e("2025-Q3", "open", due="2024-12-31", owner="Chief engineer", note="Reopened after inspection"),
    _e("2025-Q4", "verified", due="2024-12-31", owner="Chief engineer", note="Checked"),
]


def test_timeline_shows_every_quarter_and_every_status_change():
    rows = r.timeline(HISTORY, Quarter(2025, 4))
    assert [x.quarter for x in rows] == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    assert r.status_changes(rows) == [
        (None, "open", "2024-Q1"),
        ("open", "in progress", "2024-Q4"),
        ("in progress", "remediated", "2025-Q2"),
        ("remediated", "open", "2025-Q3"),
        ("open", "verified", "2025-Q4"),
    ]
    by_q = {x.quarter: x for x in rows}
    assert by_q["2024-Q1"].changes == (r.RAISED,) and by_q["2024-Q1"].source == {"file_name": "a.xlsx"}
    assert by_q["2024-Q2"].changes == (r.NOTE,)
    # a quarter without an entry carries the state forward
    assert not by_q["2024-Q3"].reported and by_q["2024-Q3"].status == "open"
    assert by_q["2024-Q3"].changes == (r.UNCHANGED,) and by_q["2024-Q3"].note is None
    assert by_q["2024-Q4"].changes == (r.STATUS, r.DUE_DATE, r.NOTE)
    assert (by_q["2024-Q4"].previous_due_date, by_q["2024-Q4"].due_date) == (D(2024, 6, 30), D(2024, 12, 31))
    assert by_q["2025-Q2"].changes == (r.STATUS, r.OWNER, r.NOTE)
    assert (by_q["2025-Q2"].previous_owner, by_q["2025-Q2"].owner) == ("Head of regime", "Chief engineer")


def test_timeline_marks_the_quarters_in_which_the_finding_was_overdue():
    rows = {x.quarter: x for x in r.timeline(HISTORY, Quarter(2025, 4))}
    assert not rows["2024-Q1"].overdue  # due 30 Jun 2024
    assert not rows["2024-Q2"].overdue  # due on the quarter's last day
    assert rows["2024-Q3"].overdue and rows["2024-Q3"].days_overdue == 92
    assert not rows["2024-Q4"].overdue  # extended to 31 Dec 2024
    assert rows["2025-Q1"].overdue and rows["2025-Q1"].days_overdue == 90
    assert not rows["2025-Q2"].overdue  # remediated
    assert rows["2025-Q3"].overdue  # reopened, still past its due date
    assert not rows["2025-Q4"].overdue


def test_timeline_as_at_an_earlier_quarter_stops_there():
    rows = r.timeline(HISTORY, Quarter(2024, 4))
    assert rows[-1].quarter == "2024-Q4" and rows[-1].status == "in progress"
    assert r.timeline(HISTORY, Quarter(2023, 4)) == []
    only_reported = r.timeline(HISTORY, Quarter(2025, 4), every_quarter=False)
    assert [x.quarter for x in only_reported] == ["2024-Q1", "2024-Q2", "2024-Q4", "2025-Q2", "2025-Q3", "2025-Q4"]
