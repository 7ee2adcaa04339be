"""Rules the committee's pages share, as plain functions: no database, no
Streamlit, so they are tested on their own.

- how priority statuses are ordered (RAG) and when a change of status is an
  improvement or a worsening;
- which changes of a finding's or a milestone's status are worth reporting
  ("what changed since last quarter");
- the change of a figure against the previous quarter;
- which countries' returns are missing;
- who counts as "trained".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .normalise import has_value, is_missing
from .quarters import Quarter
from .reference import FINDING_SEVERITIES, FINDING_STATUS_RANK, OPEN_FINDING_STATUSES, PRIORITY_STATUSES

# --------------------------------------------------------------------------- priorities (RAG)

# Display order of priority statuses: green, amber, red, then done and not yet begun.
PRIORITY_DISPLAY_ORDER: tuple[str, ...] = ("on track", "at risk", "off track", "completed", "not started")
# RAG colour family of each status (the components map these to colours).
PRIORITY_RAG: dict[str, str] = {
    "on track": "green",
    "at risk": "amber",
    "off track": "red",
    "completed": "done",
    "not started": "none",
}
# Health of a priority: higher is better. "not started" has no health of its
# own: moving away from it is "started", not an improvement or a worsening.
PRIORITY_HEALTH: dict[str, int] = {"off track": 0, "at risk": 1, "on track": 2, "completed": 3}

IMPROVED, WORSENED, STARTED, UNCHANGED, NEW = "improved", "worsened", "started", "unchanged", "new"

assert set(PRIORITY_DISPLAY_ORDER) == set(PRIORITY_STATUSES)


def priority_movement(previous: str | None, current: str) -> str:
    """How a priority's status moved between two quarters.

    ``new`` when it had no status before; ``started`` when it leaves
    ``not started``; ``worsened`` when it falls back to ``not started`` or to
    a less healthy status (completed > on track > at risk > off track);
    ``improved`` the other way; ``unchanged`` otherwise."""
    if previous is None:
        return NEW
    if previous == current:
        return UNCHANGED
    if previous == "not started":
        return STARTED
    if current == "not started":
        return WORSENED
    before, after = PRIORITY_HEALTH.get(previous), PRIORITY_HEALTH.get(current)
    if before is None or after is None:
        return UNCHANGED
    if after > before:
        return IMPROVED
    if after < before:
        return WORSENED
    return UNCHANGED


def priority_sort_key(status: str) -> int:
    try:
        return PRIORITY_DISPLAY_ORDER.index(status)
    except ValueError:
        return len(PRIORITY_DISPLAY_ORDER)


# --------------------------------------------------------------------------- findings

SEVERITY_ORDER: tuple[str, ...] = FINDING_SEVERITIES  # critical first
FINDING_STATUS_ORDER: tuple[str, ...] = ("open", "in progress", "remediated", "verified", "risk accepted")
# Severities whose overdue findings are alerts for the committee.
ALERT_SEVERITIES: tuple[str, ...] = ("critical", "high")

RAISED, REMEDIATED, VERIFIED, RISK_ACCEPTED, REOPENED, PROGRESSED = (
    "raised",
    "remediated",
    "verified",
    "risk accepted",
    "reopened",
    "progressed",
)


def severity_rank(severity: str) -> int:
    """0 for critical, 1 for high, ...; unknown severities last."""
    try:
        return SEVERITY_ORDER.index(severity)
    except ValueError:
        return len(SEVERITY_ORDER)


def is_open(status: str | None) -> bool:
    return status in OPEN_FINDING_STATUSES


def finding_change(previous: str | None, current: str) -> str | None:
    """What a finding's status report for a quarter means for the committee.

    ``raised`` when the finding first appears; ``remediated``, ``verified``
    or ``risk accepted`` when it reaches that status; ``reopened`` when it
    moves back to open or in progress from a closed status; ``progressed``
    from open to in progress; None when the status did not change (only
    the due date, owner or note did)."""
    if previous is None:
        return RAISED
    if previous == current:
        return None
    if current in (REMEDIATED, VERIFIED, RISK_ACCEPTED):
        return current
    if is_open(current) and FINDING_STATUS_RANK.get(previous, 0) > FINDING_STATUS_RANK.get(current, 0):
        return REOPENED if not is_open(previous) else None
    if previous == "open" and current == "in progress":
        return PROGRESSED
    return None


# --------------------------------------------------------------------------- milestones

REACHED, LATE, DROPPED, REPLANNED = "reached", "late", "dropped", "replanned"


def milestone_change(previous: str | None, current: str) -> str | None:
    """``reached`` when a milestone becomes done, ``late`` when it becomes
    late, ``dropped`` when dropped, ``replanned`` when it goes back to
    planned from late; None otherwise (no change, or first report as planned)."""
    if previous == current:
        return None
    if current == "planned":
        return REPLANNED if previous == "late" else None
    return {"done": REACHED, "late": LATE, "dropped": DROPPED}.get(current)


# --------------------------------------------------------------------------- change against the previous quarter

UP, DOWN, FLAT = "up", "down", "flat"


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if has_value(self.value) and has_value(self.previous):
            return self.value - self.previous
        return None

    @property
    def direction(self) -> str | None:
        d = self.delta
        if d is None:
            return None
        if abs(d) < 1e-9:
            return FLAT
        return UP if d > 0 else DOWN

    @property
    def relative(self) -> float | None:
        """Change as a fraction of the previous value (None when it was 0)."""
        d = self.delta
        if d is None or not self.previous:
            return None
        return d / self.previous


def change(value: float | None, previous: float | None) -> Change:
    return Change(None if is_missing(value) else value, None if is_missing(previous) else previous)


# Whether a rise of a figure is good news, bad news, or neither.
GOOD_UP, GOOD_DOWN, NEUTRAL = "good_up", "good_down", "neutral"


def assessment(direction: str | None, polarity: str) -> str | None:
    """``good``, ``bad`` or ``neutral`` for a change in a direction."""
    if direction is None:
        return None
    if direction == FLAT or polarity == NEUTRAL:
        return "neutral"
    good = (direction == UP) == (polarity == GOOD_UP)
    return "good" if good else "bad"


# --------------------------------------------------------------------------- returns


def missing_returns(expected: Iterable[str], received: Iterable[str]) -> list[str]:
    """Countries expected to report whose return has not arrived, in the
    order expected."""
    got = set(received)
    return [c for c in expected if c not in got]


# --------------------------------------------------------------------------- training

# Activity types whose participants count as people trained.
TRAINING_ACTIVITY_TYPES: tuple[str, ...] = ("training", "e-learning", "workshop")


def year_to_date(q: Quarter) -> tuple[Quarter, Quarter]:
    """The quarters of q's calendar year up to q (first, last)."""
    return Quarter(q.year, 1), q


def share(part: float | None, whole: float | None) -> float | None:
    if has_value(part) and has_value(whole) and whole:
        return part / whole
    return None
