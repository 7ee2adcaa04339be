"""Queries of the Priorities page on hand-built returns with known answers,
on SQLite and PostgreSQL: the state as at every quarter (also quarters
with no stored update), the computed status and slipping flags, counts by
country and theme, the narrative thread and the milestone timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import priorities as pq
from data_access.importer import import_workbook
from data_access.rules import priorities as rules
from tests.workbooks import ADMIN, MILESTONES_HEADER, PRIORITIES_HEADER, return_workbook

D = dt.date


def p(pid, status, progress, narrative=None, next_steps=None, title=None, theme=None, target=None):
    return [pid, title, theme, status, progress, target, narrative, next_steps]


RETURNS = {
    # P1: progress stays at 10 (Q2 repeats Q1 exactly, so nothing is stored for Q2; Q3 only changes the
    # narrative; Q4 worsens with blank texts, which carry Q3's forward).
    # P2: starts in Q2, absent from Q3's return (not updated), completed in Q4.
    # P3: reported once, no target date.
    "2024-Q1": (
        [
            p("TJK-P1", "on track", 10, "A1", "N1", "Intelligence units", "Training", D(2025, 3, 31)),
            p("TJK-P2", "not started", 0, None, None, "Trainer pool", "training ", D(2024, 12, 31)),
            p("TJK-P3", "on track", 20, "C1", None, "Capacity map", None, None),
        ],
        [["TJK-P1", "M-a", D(2024, 6, 30), "planned", None], ["TJK-P1", "M-b", D(2024, 5, 31), "planned", None]],
    ),
    "2024-Q2": (
        [p("TJK-P1", "on track", 10, "A1", "N1"), p("TJK-P2", "on track", 20, "B2")],
        [["TJK-P1", "M-a", None, "done", D(2024, 6, 20)], ["TJK-P1", "M-b", None, "late", None]],
    ),
    "2024-Q3": ([p("TJK-P1", "on track", 10, "A3")], None),
    "2024-Q4": ([p("TJK-P1", "at risk", None), p("TJK-P2", "completed", 100, "B4")], None),
}


@pytest.fixture
def known(engine):
    for quarter, (priorities, milestones) in RETURNS.items():
        sheets = {"Priorities": [PRIORITIES_HEADER, *priorities]}
        if milestones:
            sheets["Milestones"] = [MILESTONES_HEADER, *milestones]
        r = import_workbook(engine, ADMIN, return_workbook("TJK", quarter, **sheets), f"TJK_{quarter}.xlsx")
        assert r.status == "applied", r.report()
    return engine


def test_state_as_at_every_quarter_including_quarters_without_a_stored_update(known):
    s = pq.priority_states(known, "2023-Q4", "2024-Q4", ["TJK"])
    got = {(r.priority_id, r.quarter): (r.status, r.progress_pct, r.reported) for r in s.itertuples()}
    assert got == {
        ("TJK-P1", "2024-Q1"): ("on track", 10, True),
        ("TJK-P1", "2024-Q2"): ("on track", 10, False),  # identical return: nothing stored, state carried
        ("TJK-P1", "2024-Q3"): ("on track", 10, True),  # only the narrative changed
        ("TJK-P1", "2024-Q4"): ("at risk", 10, True),  # blank progress carried
        ("TJK-P2", "2024-Q1"): ("not started", 0, True),
        ("TJK-P2", "2024-Q2"): ("on track", 20, True),
        ("TJK-P2", "2024-Q3"): ("on track", 20, False),  # absent from the return
        ("TJK-P2", "2024-Q4"): ("completed", 100, True),
        ("TJK-P3", "2024-Q1"): ("on track", 20, True),
        ("TJK-P3", "2024-Q2"): ("on track", 20, False),
        ("TJK-P3", "2024-Q3"): ("on track", 20, False),
        ("TJK-P3", "2024-Q4"): ("on track", 20, False),
    }
    assert pq.priority_states(known, "2024-Q1", "2024-Q4", ["KAZ"]).empty
    only = pq.priority_states(known, "2024-Q2", "2024-Q3", priority_ids=["TJK-P2"])
    assert list(zip(only["quarter"], only["progress_pct"], strict=False)) == [("2024-Q2", 20), ("2024-Q3", 20)]


def test_assessed_as_at_q3_computes_status_and_slipping_over_quarters(known):
    a = pq.priorities_assessed(known, "2024-Q3", ["TJK"]).set_index("priority_id")
    assert list(a.index) == ["TJK-P1", "TJK-P2", "TJK-P3"]
    p1, p2, p3 = a.loc["TJK-P1"], a.loc["TJK-P2"], a.loc["TJK-P3"]
    # P1: the line runs from 31 Mar 2024 (end of its first quarter) to 31 Mar 2025; 183 of 365 days by 30 Sep.
    assert p1["first_quarter"] == "2024-Q1" and p1["start_date"] == D(2024, 3, 31)
    assert p1["expected_progress"] == pytest.approx(100 * 183 / 365)
    assert (p1["status"], p1["computed_status"], p1["reason"]) == ("on track", "at risk", rules.R_BEHIND)
    assert p1["disagreement"] == rules.RULE_WORSE
    # progress 10 as at Q1, Q2 and Q3 from just two stored updates: stalled, though not worse
    assert bool(p1["stalled"]) and not bool(p1["worsened"]) and bool(p1["slipping"])
    assert p1["narrative"] == "A3" and p1["last_update"] == "2024-Q3"
    # P2: carried from Q2 (absent from Q3's return): 0 -> 20 -> 20 is not stalled
    assert (p2["status"], p2["progress_pct"], p2["last_update"]) == ("on track", 20, "2024-Q2")
    assert not bool(p2["slipping"]) and p2["computed_status"] == "at risk"
    # P3: no target date, no computed status, so no disagreement; 20 for three quarters
    assert p3["computed_status"] is None and p3["reason"] == rules.R_NO_TARGET and p3["disagreement"] is None
    assert bool(p3["stalled"])
    counts = pq.flag_counts(a.reset_index())
    assert counts == {
        "on track": 3,
        "at risk": 0,
        "off track": 0,
        "completed": 0,
        "not started": 0,
        "disagree": 2,
        "slipping": 2,
    }


def test_assessed_as_at_q4_and_q2(known):
    a = pq.priorities_assessed(known, "2024-Q4").set_index("priority_id")
    assert bool(a.loc["TJK-P1", "worsened"]) and bool(a.loc["TJK-P1", "stalled"])
    assert a.loc["TJK-P1", "previous_status"] == "on track" and a.loc["TJK-P1", "movement"] == "worsened"
    assert a.loc["TJK-P1", "narrative"] == "A3"  # blank narrative carried forward
    assert (a.loc["TJK-P2", "status"], a.loc["TJK-P2", "computed_status"]) == ("completed", "completed")
    assert a.loc["TJK-P2", "movement"] == "improved" and not bool(a.loc["TJK-P2", "slipping"])
    early = pq.priorities_assessed(known, "2024-Q2").set_index("priority_id")
    assert not early["stalled"].any()  # two quarters of state are not enough to be stalled for two quarters
    assert early.loc["TJK-P2", "movement"] == "started"
    first = pq.priorities_assessed(known, "2024-Q1").set_index("priority_id")
    assert first["previous_status"].isna().all() and (first["movement"] == "new").all()
    assert pq.priorities_assessed(known, "2023-Q4").empty


def test_status_counts_by_country_and_by_theme(known):
    c = pq.status_counts(known, "2024-Q4", by="country")
    assert sorted(zip(c["country"], c["country_name"], c["status"], c["priorities"], strict=False)) == [
        ("TJK", "Tajikistan", "at risk", 1),
        ("TJK", "Tajikistan", "completed", 1),
        ("TJK", "Tajikistan", "on track", 1),
    ]
    th = pq.status_counts(known, "2024-Q4", by="theme")
    # "Training" and "training " are one theme; no theme is ""
    assert sorted(zip(th["theme"], th["status"], th["priorities"], strict=False)) == [
        ("", "on track", 1),
        ("training", "at risk", 1),
        ("training", "completed", 1),
    ]
    assert pq.status_counts(known, "2024-Q4", ["KAZ"]).empty
    with pytest.raises(ValueError):
        pq.status_counts(known, "2024-Q4", by="severity")


def test_narrative_thread_newest_first_each_text_once(known):
    thread = pq.narrative_thread(known, "TJK-P1", "2024-Q4")
    assert list(thread["quarter"]) == ["2024-Q4", "2024-Q3", "2024-Q1"]
    assert list(thread["narrative"]) == [None, "A3", "A1"]  # Q4's carried "A3" is not repeated
    assert list(thread["next_steps"]) == [None, None, "N1"]  # "N1" carried through Q3 and Q4
    assert list(thread["movement"]) == ["worsened", "unchanged", "new"]
    assert list(pq.narrative_thread(known, "TJK-P1", "2024-Q2")["quarter"]) == ["2024-Q1"]  # as at Q2


def test_milestone_timeline_as_at(known):
    m = pq.milestone_timeline(known, "2024-Q2", "TJK-P1")
    assert list(m["milestone"]) == ["M-b", "M-a"]  # in the order they are due
    assert list(m["status"]) == ["late", "done"]
    assert list(m["timing"]) == [rules.PAST_DUE, rules.ON_TIME]
    assert list(m["date"]) == [D(2024, 5, 31), D(2024, 6, 20)]
    assert list(m["last_update"]) == ["2024-Q2", "2024-Q2"]
    before = pq.milestone_timeline(known, "2024-Q1", "TJK-P1")
    assert list(before["status"]) == ["planned", "planned"] and list(before["timing"]) == [rules.DUE, rules.DUE]
    assert pq.milestone_timeline(known, "2024-Q4", "TJK-P2").empty


def test_progress_path_against_the_line(known):
    path = pq.progress_path(known, "TJK-P1", "2024-Q4")
    assert list(path["quarter"]) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert list(path["progress_pct"]) == [10, 10, 10, 10]
    assert list(path["reported"]) == [True, False, True, True]
    assert path["expected_progress"].tolist() == pytest.approx([0, 100 * 91 / 365, 100 * 183 / 365, 100 * 275 / 365])
    assert pq.progress_path(known, "TJK-P3", "2024-Q2")["expected_progress"].tolist() == [None, None]
    assert pq.progress_path(known, "TJK-P1", "2023-Q4").empty
    assert pq.progress_path(known, "NO-SUCH", "2024-Q4").empty
