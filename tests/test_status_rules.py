"""The Overview's rules as plain functions: no Streamlit, no database."""

from __future__ import annotations

import math

import pytest

from data_access.rules import status as r
from data_access.rules.quarters import Quarter
from data_access.rules.reference import FINDING_STATUSES, MILESTONE_STATUSES, PRIORITY_STATUSES

# --------------------------------------------------------------------------- priorities


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ("at risk", "on track", r.IMPROVED),
        ("off track", "at risk", r.IMPROVED),
        ("off track", "completed", r.IMPROVED),
        ("on track", "completed", r.IMPROVED),
        ("on track", "at risk", r.WORSENED),
        ("at risk", "off track", r.WORSENED),
        ("completed", "on track", r.WORSENED),
        ("on track", "not started", r.WORSENED),
        ("not started", "on track", r.STARTED),
        ("not started", "off track", r.STARTED),
        ("on track", "on track", r.UNCHANGED),
        (None, "on track", r.NEW),
        (None, "not started", r.NEW),
    ],
)
def test_priority_movement(before, after, expected):
    assert r.priority_movement(before, after) == expected


def test_every_pair_of_priority_statuses_has_a_movement():
    for a in PRIORITY_STATUSES:
        for b in PRIORITY_STATUSES:
            m = r.priority_movement(a, b)
            assert m in (r.IMPROVED, r.WORSENED, r.STARTED, r.UNCHANGED)
            # symmetric: improving one way is worsening the other (except leaving "not started")
            if m == r.IMPROVED:
                assert r.priority_movement(b, a) == r.WORSENED


def test_rag_display_order_covers_every_status_once():
    assert sorted(r.PRIORITY_DISPLAY_ORDER) == sorted(PRIORITY_STATUSES)
    assert r.PRIORITY_DISPLAY_ORDER[:3] == ("on track", "at risk", "off track")
    assert sorted(PRIORITY_STATUSES, key=r.priority_sort_key) == list(r.PRIORITY_DISPLAY_ORDER)
    assert r.priority_sort_key("unknown") == len(PRIORITY_STATUSES)
    assert set(r.PRIORITY_RAG) == set(PRIORITY_STATUSES)


# --------------------------------------------------------------------------- findings


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (None, "open", r.RAISED),
        (None, "verified", r.RAISED),
        ("open", "in progress", r.PROGRESSED),
        ("in progress", "remediated", r.REMEDIATED),
        ("open", "remediated", r.REMEDIATED),
        ("remediated", "verified", r.VERIFIED),
        ("open", "risk accepted", r.RISK_ACCEPTED),
        ("verified", "open", r.REOPENED),
        ("remediated", "in progress", r.REOPENED),
        ("in progress", "open", None),
        ("open", "open", None),
        ("verified", "verified", None),
    ],
)
def test_finding_change(before, after, expected):
    assert r.finding_change(before, after) == expected


def test_finding_change_is_defined_for_every_status_pair():
    for a in (None, *FINDING_STATUSES):
        for b in FINDING_STATUSES:
            assert r.finding_change(a, b) in (
                None,
                r.RAISED,
                r.REMEDIATED,
                r.VERIFIED,
                r.RISK_ACCEPTED,
                r.REOPENED,
                r.PROGRESSED,
            )


def test_severity_rank_orders_critical_first():
    assert sorted(["low", "critical", "medium", "high"], key=r.severity_rank) == ["critical", "high", "medium", "low"]
    assert r.severity_rank("other") == 4
    assert r.ALERT_SEVERITIES == ("critical", "high")
    assert r.is_open("open") and r.is_open("in progress") and not r.is_open("remediated")


# --------------------------------------------------------------------------- milestones


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ("planned", "done", r.REACHED),
        ("late", "done", r.REACHED),
        (None, "done", r.REACHED),
        ("planned", "late", r.LATE),
        ("planned", "dropped", r.DROPPED),
        ("late", "planned", r.REPLANNED),
        (None, "planned", None),
        ("done", "done", None),
        ("late", "late", None),
    ],
)
def test_milestone_change(before, after, expected):
    assert r.milestone_change(before, after) == expected


def test_milestone_change_defined_for_all_statuses():
    # Every pair of statuses (and a first report) has a defined change: one of
    # the four, or None. Each change is named after the status reached, none is
    # reported without a change of status, and "replanned" only comes from late.
    becomes = {"done": r.REACHED, "late": r.LATE, "dropped": r.DROPPED}
    seen = set()
    for a in (None, *MILESTONE_STATUSES):
        for b in MILESTONE_STATUSES:
            change = r.milestone_change(a, b)
            assert change in (None, r.REACHED, r.LATE, r.DROPPED, r.REPLANNED), (a, b, change)
            if a == b:
                assert change is None, (a, b, change)
            elif b in becomes:
                assert change == becomes[b], (a, b, change)
            else:
                assert b == "planned" and change == (r.REPLANNED if a == "late" else None), (a, b, change)
            seen.add(change)
    assert seen == {None, r.REACHED, r.LATE, r.DROPPED, r.REPLANNED}  # every change can happen


# --------------------------------------------------------------------------- change against the previous quarter


def test_change_delta_and_direction():
    c = r.change(139_611, 138_048)
    assert c.delta == 1_563 and c.direction == r.UP
    assert r.change(5, 7).direction == r.DOWN
    assert r.change(3, 3).direction == r.FLAT and r.change(3, 3).delta == 0
    assert math.isclose(r.change(110, 100).relative, 0.1)
    assert r.change(5, 0).relative is None


@pytest.mark.parametrize("value, previous", [(None, 3), (3, None), (float("nan"), 3), (3, float("nan"))])
def test_change_without_a_comparison(value, previous):
    c = r.change(value, previous)
    assert c.delta is None and c.direction is None and c.relative is None


@pytest.mark.parametrize(
    "direction, polarity, expected",
    [
        (r.UP, r.GOOD_UP, "good"),
        (r.DOWN, r.GOOD_UP, "bad"),
        (r.UP, r.GOOD_DOWN, "bad"),
        (r.DOWN, r.GOOD_DOWN, "good"),
        (r.UP, r.NEUTRAL, "neutral"),
        (r.FLAT, r.GOOD_UP, "neutral"),
        (None, r.GOOD_UP, None),
    ],
)
def test_assessment(direction, polarity, expected):
    assert r.assessment(direction, polarity) == expected


# --------------------------------------------------------------------------- returns, training


def test_missing_returns_keeps_the_expected_order():
    assert r.missing_returns(["IRQ", "KAZ", "KGZ", "TJK"], ["KGZ", "IRQ"]) == ["KAZ", "TJK"]
    assert r.missing_returns(["IRQ"], ["IRQ", "KAZ"]) == []
    assert r.missing_returns([], []) == []


def test_year_to_date_and_share():
    assert r.year_to_date(Quarter(2026, 3)) == (Quarter(2026, 1), Quarter(2026, 3))
    assert r.year_to_date(Quarter(2026, 1)) == (Quarter(2026, 1), Quarter(2026, 1))
    assert r.share(30, 120) == 0.25
    assert r.share(3, 0) is None and r.share(None, 5) is None
    assert set(r.TRAINING_ACTIVITY_TYPES) == {"training", "e-learning", "workshop"}
