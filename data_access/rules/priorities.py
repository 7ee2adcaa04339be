"""Rules of the Priorities page, as plain functions: no database, no Streamlit.

- **Computed status**: what a priority's status would be from its progress
  and dates alone, by an explicit rule (:func:`computed_status`), to set
  beside the status the country reported. Where the two disagree
  (:func:`disagreement`), that is the question for the committee.
- **Slipping** (:func:`slipping`): the reported status is worse than a
  quarter earlier, or the progress has not moved for two quarters.
- **Narrative thread** (:func:`narrative_thread`): the quarterly narrative
  and next steps, newest first, each text shown once.
- **Milestones** (:func:`milestone_timing`): when a milestone is (or was)
  due and whether it was met in time.

Ordering of statuses and "worse than" come from :mod:`.status` (shared with
the Overview).

The computed status, in full (the page shows this text)::

    start   = the last day of the priority's first recorded quarter
              (the 2023-Q4 baseline: 31 December 2023), progress 0 %
    line    = straight from 0 % at the start to 100 % on the target date
    as at   = the last day of the selected quarter
    1. progress 100 %                                  -> completed
    2. target date before the as-at day                -> off track
    3. progress more than 20 points below the line     -> at risk
    4. progress 0 %                                    -> not started
    5. otherwise                                       -> on track

The first rule that applies wins. Without a target date (or without a
reported progress) only rule 1 can be applied; otherwise no status is
computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import status as rag
from .normalise import as_date, has_value, is_missing, text_or_none
from .quarters import Quarter

# Points below the straight line from which a priority is at risk ("more than").
AT_RISK_GAP: float = 20.0
# Quarters over which unchanged progress counts as slipping.
STALLED_QUARTERS: int = 2
COMPLETE: float = 100.0

# Reasons for a computed status (the page words them).
R_COMPLETED = "completed"
R_TARGET_PASSED = "target_passed"
R_BEHIND = "behind"
R_NOT_STARTED = "not_started"
R_ON_PACE = "on_pace"
R_NO_TARGET = "no_target"
R_NO_PROGRESS = "no_progress"

# Kinds of disagreement between the reported and the computed status.
RULE_WORSE = "rule_worse"  # the rule sees more trouble than the country reports
RULE_BETTER = "rule_better"  # the country reports more trouble than the rule sees
DIFFERS = "differs"  # different, neither clearly better (e.g. around "not started")

# Reasons for slipping.
WORSENED = "worsened"
STALLED = "stalled"


# --------------------------------------------------------------------------- the straight line


def start_date(first_quarter: Quarter) -> dt.date:
    """Where the line starts: the last day of the priority's first recorded quarter."""
    return first_quarter.end


def expected_progress(start: dt.date, target: dt.date, on: dt.date) -> float:
    """Progress (0..100) on the straight line from 0 % at ``start`` to 100 %
    on ``target``, on day ``on``. 100 from the target date on (also when the
    target is not after the start), 0 up to the start."""
    if on >= target:
        return COMPLETE
    if on <= start:
        return 0.0
    return COMPLETE * (on - start).days / (target - start).days


@dataclass(frozen=True)
class Assessment:
    """A computed status and why. ``status`` is None when it cannot be computed."""

    status: str | None
    reason: str
    expected: float | None = None  # progress on the line as at the day, %
    gap: float | None = None  # expected - progress, points (negative: ahead of the line)
    start: dt.date | None = None
    as_at: dt.date | None = None


def computed_status(progress: float | None, target_date: Any, start: Any, as_at: Any) -> Assessment:
    """The status the rule gives (see the module docstring).

    ``progress`` in %, ``target_date`` the priority's target date,
    ``start`` the start of the line (:func:`start_date`), ``as_at`` the day
    the state is judged (the last day of the selected quarter)."""
    target, begin, day = as_date(target_date), as_date(start), as_date(as_at)
    if progress is None or is_missing(progress):
        return Assessment(None, R_NO_PROGRESS, start=begin, as_at=day)
    p = float(progress)
    expected = gap = None
    if target is not None and begin is not None and day is not None:
        expected = expected_progress(begin, target, day)
        gap = round(expected - p, 6)  # rounding keeps exact boundaries exact
    if p >= COMPLETE:
        return Assessment("completed", R_COMPLETED, expected, gap, begin, day)
    if target is None or begin is None or day is None or gap is None:
        return Assessment(None, R_NO_TARGET, start=begin, as_at=day)
    if target < day:
        return Assessment("off track", R_TARGET_PASSED, expected, gap, begin, day)
    if gap > AT_RISK_GAP:
        return Assessment("at risk", R_BEHIND, expected, gap, begin, day)
    if p <= 0:
        return Assessment("not started", R_NOT_STARTED, expected, gap, begin, day)
    return Assessment("on track", R_ON_PACE, expected, gap, begin, day)


def disagreement(reported: str | None, computed: str | None) -> str | None:
    """None when the two statuses agree (or either is unknown); otherwise
    :data:`RULE_WORSE` when the rule's status is less healthy than the
    reported one (completed > on track > at risk > off track; a rule saying
    at risk or off track where "not started" is reported counts as worse),
    :data:`RULE_BETTER` the other way round, :data:`DIFFERS` otherwise."""
    if reported is None or computed is None or reported == computed:
        return None
    health = rag.PRIORITY_HEALTH
    if reported in health and computed in health:
        return RULE_WORSE if health[computed] < health[reported] else RULE_BETTER
    trouble = ("at risk", "off track")
    if reported == "not started" and computed in trouble:
        return RULE_WORSE
    if computed == "not started" and reported in trouble:
        return RULE_BETTER
    return DIFFERS


# --------------------------------------------------------------------------- slipping


@dataclass(frozen=True)
class State:
    """A priority's reported state as at the end of one quarter."""

    status: str
    progress: float | None


def slipping(states: Sequence[State | None]) -> tuple[str, ...]:
    """Why a priority is slipping as at the last of ``states``.

    ``states`` are its states as at consecutive quarters, oldest first,
    ending with the selected quarter (None where it had no state yet); the
    state of a quarter is the latest reported one at or before it, so a
    quarter without a new report carries the earlier state.

    - :data:`WORSENED`: the status is worse than a quarter earlier
      (:func:`status.priority_movement`);
    - :data:`STALLED`: the progress is the same as at each of the
      :data:`STALLED_QUARTERS` quarters before, and the priority is not
      completed.

    Returns the reasons found, in that order (empty: not slipping)."""
    reasons: list[str] = []
    now = states[-1] if states else None
    if now is None:
        return ()
    prev = states[-2] if len(states) >= 2 else None
    if prev is not None and rag.priority_movement(prev.status, now.status) == rag.WORSENED:
        reasons.append(WORSENED)
    window = list(states[-(STALLED_QUARTERS + 1) :])
    progress = [float(s.progress) for s in window if s is not None and has_value(s.progress)]
    if (
        len(progress) == STALLED_QUARTERS + 1
        and now.status != "completed"
        and progress[-1] < COMPLETE
        and len(set(progress)) == 1
    ):
        reasons.append(STALLED)
    return tuple(reasons)


# --------------------------------------------------------------------------- narrative thread


def narrative_thread(updates: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The quarterly reports of one priority as a thread, newest first.

    ``updates`` are its stored updates, oldest first, with ``quarter``,
    ``status``, ``progress_pct``, ``narrative`` and ``next_steps``. The
    importer carries a blank narrative or next steps forward, so a text
    equal to the one of the update before is not new: it is left out
    (``narrative`` / ``next_steps`` None). An update with no new text and
    no change of status or progress is left out altogether.

    Each entry: ``quarter``, ``status``, ``previous_status``, ``movement``
    (see :func:`status.priority_movement`), ``progress``,
    ``previous_progress``, ``narrative``, ``next_steps``."""
    entries: list[dict[str, Any]] = []
    prev: Mapping[str, Any] | None = None
    for u in updates:
        narrative, steps = text_or_none(u.get("narrative")), text_or_none(u.get("next_steps"))
        progress = None if is_missing(u.get("progress_pct")) else float(u["progress_pct"])
        before_status = prev.get("status") if prev else None
        before_progress = None if prev is None or is_missing(prev.get("progress_pct")) else float(prev["progress_pct"])
        new_narrative = narrative if narrative != (text_or_none(prev.get("narrative")) if prev else None) else None
        new_steps = steps if steps != (text_or_none(prev.get("next_steps")) if prev else None) else None
        changed = prev is None or before_status != u.get("status") or before_progress != progress
        if changed or new_narrative or new_steps:
            entries.append(
                dict(
                    quarter=str(u.get("quarter")),
                    status=u.get("status"),
                    previous_status=before_status,
                    movement=rag.priority_movement(before_status, u["status"]),
                    progress=progress,
                    previous_progress=before_progress,
                    narrative=new_narrative,
                    next_steps=new_steps,
                )
            )
        prev = u
    entries.reverse()
    return entries


# --------------------------------------------------------------------------- milestones

ON_TIME, DONE_LATE, PAST_DUE, DUE = "on_time", "done_late", "past_due", "due"


def milestone_timing(status: str, due_date: Any, completed_on: Any, as_at: Any) -> str | None:
    """How a milestone stands in time, as at a day.

    ``on_time`` / ``done_late``: done by / after its due date; ``past_due``:
    not done (planned or late) and its due date is before the as-at day;
    ``due``: not done and not yet due; None for dropped milestones or
    when the dates needed are missing."""
    due, done, day = as_date(due_date), as_date(completed_on), as_date(as_at)
    if status == "dropped":
        return None
    if status == "done":
        if due is None or done is None:
            return None
        return ON_TIME if done <= due else DONE_LATE
    if due is None or day is None:
        return None
    return PAST_DUE if due < day else DUE


def timeline_date(status: str, due_date: Any, completed_on: Any) -> dt.date | None:
    """Where a milestone sits on a timeline: when it was done, else when it is due."""
    if status == "done" and as_date(completed_on) is not None:
        return as_date(completed_on)
    return as_date(due_date)


# --------------------------------------------------------------------------- the line, for charts

LINE, THRESHOLD = "line", "threshold"


def rule_lines(start: Any, target: Any, until: Any) -> list[dict[str, Any]]:
    """Points drawing the rule on a progress chart: the straight ``line``
    (0 % at ``start`` to 100 % on ``target``, then flat to ``until`` when
    that is later) and the at-risk ``threshold`` :data:`AT_RISK_GAP` points
    below it (never below 0; up to the target date, after which any
    progress short of 100 % is off track). Each point: ``series``,
    ``date``, ``value``. Empty without both dates."""
    begin, end, last = as_date(start), as_date(target), as_date(until)
    if begin is None or end is None:
        return []
    points = [dict(series=LINE, date=begin, value=0.0), dict(series=LINE, date=end, value=COMPLETE)]
    if last is not None and last > end:
        points.append(dict(series=LINE, date=last, value=COMPLETE))
    if end > begin:
        span = (end - begin).days
        reach = begin + dt.timedelta(days=span * AT_RISK_GAP / COMPLETE)  # the line reaches the gap here
        points += [
            dict(series=THRESHOLD, date=begin, value=0.0),
            dict(series=THRESHOLD, date=reach, value=0.0),
            dict(series=THRESHOLD, date=end, value=COMPLETE - AT_RISK_GAP),
        ]
    return points


def unchanged_since(quarters: Sequence[str], progress: Sequence[float | None]) -> str | None:
    """The first quarter of the run of equal progress that ends with the last
    quarter (quarters oldest first); None when the last progress is missing."""
    last = progress[-1] if quarters else None
    if last is None or is_missing(last):
        return None
    since = quarters[-1]
    for quarter, value in zip(reversed(quarters[:-1]), reversed(progress[:-1]), strict=False):
        if value is None or is_missing(value) or float(value) != float(last):
            break
        since = quarter
    return since
