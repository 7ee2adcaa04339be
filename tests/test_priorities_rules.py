"""Rules of the Priorities page as plain functions: the computed status at
the edges of each rule, disagreement, slipping, the narrative thread, the
milestone timing and the line drawn on the chart."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.rules import priorities as r
from data_access.rules import status as rag
from data_access.rules.quarters import Quarter
from data_access.rules.reference import PRIORITY_STATUSES

D = dt.date
START = D(2024, 3, 31)  # end of 2024-Q1
TARGET = D(2025, 4, 1)  # 366 days later
HALF = D(2024, 9, 30)  # 183 days after the start: the line is at exactly 50 %


# --------------------------------------------------------------------------- the line


def test_the_line_starts_at_the_end_of_the_first_quarter():
    assert r.start_date(Quarter(2023, 4)) == D(2023, 12, 31)
    assert r.start_date(Quarter(2024, 1)) == START


@pytest.mark.parametrize(
    "on, expected",
    [
        (D(2024, 1, 1), 0.0),  # before the start
        (START, 0.0),
        (HALF, 50.0),
        (TARGET - dt.timedelta(days=1), 100 * 365 / 366),
        (TARGET, 100.0),
        (D(2027, 1, 1), 100.0),  # after the target
    ],
)
def test_expected_progress(on, expected):
    assert r.expected_progress(START, TARGET, on) == pytest.approx(expected)


def test_expected_progress_when_the_target_is_not_after_the_start():
    assert r.expected_progress(START, START, START) == 100.0
    assert r.expected_progress(START, D(2024, 1, 1), HALF) == 100.0


# --------------------------------------------------------------------------- computed status, at the boundaries


@pytest.mark.parametrize(
    "progress, target, as_at, status, reason",
    [
        # ③ "more than 20 points below the line": exactly 20 is not at risk, anything more is
        (30, TARGET, HALF, "on track", r.R_ON_PACE),
        (29.99, TARGET, HALF, "at risk", r.R_BEHIND),
        (29, TARGET, HALF, "at risk", r.R_BEHIND),
        (80, TARGET, HALF, "on track", r.R_ON_PACE),  # ahead of the line
        # ② "target date passed": on the target date itself it has not passed yet
        (80, HALF, HALF, "on track", r.R_ON_PACE),  # line at 100, 20 points below: not more than 20
        (79, HALF, HALF, "at risk", r.R_BEHIND),
        (99, HALF - dt.timedelta(days=1), HALF, "off track", r.R_TARGET_PASSED),
        # ① completed wins, even after the target date
        (100, HALF - dt.timedelta(days=90), HALF, "completed", r.R_COMPLETED),
        (100, TARGET, HALF, "completed", r.R_COMPLETED),
        # ④ no progress: not started while the line is not more than 20 points ahead ...
        (0, D(2027, 3, 31), HALF, "not started", r.R_NOT_STARTED),
        (0, TARGET, START, "not started", r.R_NOT_STARTED),
        # ... at risk once it is (③ comes before ④), off track after the target (② before ④)
        (0, TARGET, HALF, "at risk", r.R_BEHIND),
        (0, START, HALF, "off track", r.R_TARGET_PASSED),
    ],
)
def test_computed_status_at_the_edges_of_each_rule(progress, target, as_at, status, reason):
    a = r.computed_status(progress, target, START, as_at)
    assert (a.status, a.reason) == (status, reason)
    if target is not None:
        assert a.gap == pytest.approx(r.expected_progress(START, target, as_at) - progress)


def test_computed_status_reports_the_line_and_the_gap():
    a = r.computed_status(29, TARGET, START, HALF)
    assert (a.expected, a.gap, a.start, a.as_at) == (50.0, 21.0, START, HALF)
    exact = r.computed_status(30, "2025-04-01", "2024-03-31", "2024-09-30")  # ISO strings work too
    assert exact.gap == 20.0 and exact.status == "on track"


def test_without_a_target_date_or_progress_no_status_is_computed():
    assert r.computed_status(50, None, START, HALF).status is None
    assert r.computed_status(50, None, START, HALF).reason == r.R_NO_TARGET
    assert r.computed_status(100, None, START, HALF).status == "completed"  # ① needs no date
    assert r.computed_status(None, TARGET, START, HALF).reason == r.R_NO_PROGRESS
    assert r.computed_status(float("nan"), TARGET, START, HALF).status is None


def test_every_computed_status_is_a_reported_status():
    for progress in (0, 10, 50, 99, 100):
        for target in (START, HALF, TARGET):
            assert r.computed_status(progress, target, START, HALF).status in PRIORITY_STATUSES


@pytest.mark.parametrize(
    "reported, computed, expected",
    [
        ("on track", "on track", None),
        ("on track", None, None),
        (None, "at risk", None),
        ("on track", "at risk", r.RULE_WORSE),
        ("at risk", "off track", r.RULE_WORSE),
        ("completed", "on track", r.RULE_WORSE),
        ("not started", "at risk", r.RULE_WORSE),
        ("not started", "off track", r.RULE_WORSE),
        ("at risk", "on track", r.RULE_BETTER),
        ("off track", "completed", r.RULE_BETTER),
        ("at risk", "not started", r.RULE_BETTER),
        ("on track", "not started", r.DIFFERS),
        ("not started", "on track", r.DIFFERS),
    ],
)
def test_disagreement(reported, computed, expected):
    assert r.disagreement(reported, computed) == expected


# --------------------------------------------------------------------------- slipping

S = r.State


@pytest.mark.parametrize(
    "states, expected",
    [
        ([S("on track", 10), S("on track", 20), S("at risk", 25)], (r.WORSENED,)),
        ([S("on track", 10), S("at risk", 20), S("off track", 20)], (r.WORSENED,)),
        ([S("on track", 20), S("on track", 20), S("on track", 20)], (r.STALLED,)),
        ([S("on track", 20), S("on track", 20), S("at risk", 20)], (r.WORSENED, r.STALLED)),
        ([S("not started", 0), S("not started", 0), S("not started", 0)], (r.STALLED,)),
        ([S("on track", 10), S("on track", 20), S("on track", 20)], ()),  # one quarter unchanged is not two
        ([S("at risk", 20), S("on track", 30), S("on track", 40)], ()),  # improved
        # "started" is not worse, but the progress is still 0 after two quarters
        ([S("not started", 0), S("not started", 0), S("on track", 0)], (r.STALLED,)),
        ([S("completed", 100), S("completed", 100), S("completed", 100)], ()),  # done is not slipping
        ([S("on track", 100), S("on track", 100), S("on track", 100)], ()),
        ([None, S("on track", 20), S("on track", 20)], ()),  # not reported two quarters ago
        ([None, None, S("on track", 20)], ()),
        ([S("on track", 20), S("on track", None), S("on track", 20)], ()),
        ([S("on track", 20), S("completed", 100), S("on track", 90)], (r.WORSENED,)),
        ([S("on track", 20), S("on track", 20), S("not started", 20)], (r.WORSENED, r.STALLED)),
        ([], ()),
        ([S("on track", 20), S("on track", 20), None], ()),
    ],
)
def test_slipping(states, expected):
    assert r.slipping(states) == expected


def test_slipping_uses_the_shared_rag_rules():
    # "worse than last quarter" is exactly the Overview's "worsened"
    for a in PRIORITY_STATUSES:
        for b in PRIORITY_STATUSES:
            worse = r.WORSENED in r.slipping([S(a, 1), S(b, 2)])
            assert worse == (rag.priority_movement(a, b) == rag.WORSENED)


def test_unchanged_since():
    qs = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert r.unchanged_since(qs, [0, 10, 10, 10]) == "2024-Q2"
    assert r.unchanged_since(qs, [10, 10, 10, 10]) == "2024-Q1"
    assert r.unchanged_since(qs, [10, 10, 10, 20]) == "2024-Q4"
    assert r.unchanged_since(qs, [10, None, 10, 10]) == "2024-Q3"
    assert r.unchanged_since(qs, [10, 10, 10, None]) is None
    assert r.unchanged_since([], []) is None


# --------------------------------------------------------------------------- narrative thread


def u(quarter, status, progress, narrative=None, next_steps=None):
    return dict(quarter=quarter, status=status, progress_pct=progress, narrative=narrative, next_steps=next_steps)


def test_thread_is_newest_first_and_shows_each_text_once():
    updates = [
        u("2023-Q4", "not started", 0),
        u("2024-Q1", "on track", 10, "Working group met.", "Draft terms of reference."),
        u("2024-Q3", "on track", 10, "Terms drafted.", "Draft terms of reference."),  # new text, same steps
        u("2024-Q4", "at risk", 10, "Terms drafted.", "Draft terms of reference."),  # carried texts, worse status
        u("2025-Q1", "at risk", 10, "Terms drafted.", "Seek approval."),  # only the next steps are new
        u("2025-Q2", "on track", 20, "Working group met.", "Seek approval."),  # an older text said again
    ]
    thread = r.narrative_thread(updates)
    assert [e["quarter"] for e in thread] == ["2025-Q2", "2025-Q1", "2024-Q4", "2024-Q3", "2024-Q1", "2023-Q4"]
    assert [e["narrative"] for e in thread] == [
        "Working group met.",
        None,
        None,
        "Terms drafted.",
        "Working group met.",
        None,
    ]
    assert [e["next_steps"] for e in thread] == [None, "Seek approval.", None, None, "Draft terms of reference.", None]
    assert [e["movement"] for e in thread] == ["improved", "unchanged", "worsened", "unchanged", "started", "new"]
    assert thread[0]["previous_progress"] == 10 and thread[0]["progress"] == 20


def test_thread_leaves_out_updates_that_bring_nothing_new():
    updates = [
        u("2024-Q1", "on track", 10, "A"),
        u("2024-Q2", "on track", 10, "A", " "),
        u("2024-Q3", "on track", 10, " A ", None),
    ]
    assert [e["quarter"] for e in r.narrative_thread(updates)] == ["2024-Q1"]
    assert r.narrative_thread([]) == []


def test_thread_ignores_missing_values_from_pandas():
    nan = float("nan")
    thread = r.narrative_thread([u("2023-Q4", "not started", nan, nan, nan), u("2024-Q1", "on track", 5.0, "Go")])
    assert thread[-1]["progress"] is None and thread[-1]["narrative"] is None
    assert thread[0]["previous_progress"] is None and thread[0]["narrative"] == "Go"


# --------------------------------------------------------------------------- milestones


@pytest.mark.parametrize(
    "status, due, done, timing",
    [
        ("done", D(2024, 6, 30), D(2024, 6, 30), r.ON_TIME),
        ("done", D(2024, 6, 30), D(2024, 7, 1), r.DONE_LATE),
        ("planned", D(2024, 9, 29), None, r.PAST_DUE),
        ("planned", HALF, None, r.DUE),  # due on the as-at day: not yet past
        ("late", D(2024, 8, 31), None, r.PAST_DUE),
        ("late", D(2024, 12, 31), None, r.DUE),
        ("dropped", D(2024, 1, 31), None, None),
        ("planned", None, None, None),
        ("done", D(2024, 6, 30), None, None),
    ],
)
def test_milestone_timing(status, due, done, timing):
    assert r.milestone_timing(status, due, done, HALF) == timing


def test_timeline_date():
    assert r.timeline_date("done", D(2024, 6, 30), D(2024, 7, 3)) == D(2024, 7, 3)
    assert r.timeline_date("late", D(2024, 6, 30), None) == D(2024, 6, 30)
    assert r.timeline_date("dropped", None, None) is None


def test_rule_lines():
    points = r.rule_lines(START, TARGET, D(2026, 3, 31))
    line = [(p["date"], p["value"]) for p in points if p["series"] == r.LINE]
    threshold = [(p["date"], p["value"]) for p in points if p["series"] == r.THRESHOLD]
    assert line == [(START, 0.0), (TARGET, 100.0), (D(2026, 3, 31), 100.0)]
    # the threshold stays at 0 until the line reaches 20 %, then runs 20 points under it to the target
    reach = START + dt.timedelta(days=366 * 0.2)
    assert threshold == [(START, 0.0), (reach, 0.0), (TARGET, 80.0)]
    assert r.expected_progress(START, TARGET, reach) == pytest.approx(20, abs=0.3)
    assert [p["series"] for p in r.rule_lines(START, TARGET, HALF)].count(r.LINE) == 2  # nothing after the target
    assert r.rule_lines(START, None, HALF) == []
