"""Rules of the Audit findings page, as plain functions: no database, no
Streamlit, so they are tested on their own.

- **Overdue** (the programme's rule, also applied in SQL by
  ``data_access.sql.overdue``): as at a quarter, a finding is overdue
  when its due date is before the last day of that quarter and its status
  is one of :data:`~data_access.rules.reference.OPEN_FINDING_STATUSES`
  (open, in progress). A finding due on the quarter's last day is not yet
  overdue at that quarter; it is at the next one if still open.
- **Ageing**: how long an open finding has been open (from its audit date
  to the quarter's end) and how far past due an overdue one is, in bands
  of days (:data:`AGE_BANDS`, :data:`PAST_DUE_BANDS`).
- **Remediation speed**: days from the audit to the end of the quarter
  whose return first reported the finding remediated (or verified); the
  median of those. Returns report status by quarter, so the true day of
  remediation is unknown: the quarter's end is the latest it can be.
- **Remediated by the due date**: among the findings whose due date (as
  last agreed) falls before the end of the quarter, leaving out those whose
  risk was accepted, those first reported remediated in the quarter of
  their due date or earlier. A quarter-level judgement, matching the
  overdue rule: such a finding was never overdue at a quarter's end.
- **Timeline**: a finding's story quarter by quarter, rebuilt from its status
  history (which keeps a row only when something changed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .normalise import as_date, text_or_none
from .quarters import Quarter, quarter_of
from .reference import FINDING_SEVERITIES, FINDING_STATUSES, OPEN_FINDING_STATUSES
from .status import severity_rank

# Statuses that count as remediated for the speed measures (verified implies remediated).
REMEDIATED_STATUSES: tuple[str, ...] = ("remediated", "verified")
# Left out of the "remediated by the due date" share: nothing will be remediated.
NOT_TO_BE_REMEDIATED: tuple[str, ...] = ("risk accepted",)

# The tiles' statuses, in display order (the finding status lifecycle).
TILE_STATUSES: tuple[str, ...] = FINDING_STATUSES


# --------------------------------------------------------------------------- overdue


def is_overdue(status: str | None, due_date: Any, quarter: Quarter) -> bool:
    """Whether a finding in this state is overdue as at the end of ``quarter``."""
    due = as_date(due_date)
    return due is not None and due < quarter.end and status in OPEN_FINDING_STATUSES


def days_overdue(status: str | None, due_date: Any, quarter: Quarter) -> int | None:
    """Days from the due date to the quarter's end when overdue, else None."""
    due = as_date(due_date)
    if due is None or not is_overdue(status, due, quarter):
        return None
    return (quarter.end - due).days


# --------------------------------------------------------------------------- ageing bands


@dataclass(frozen=True)
class Band:
    key: str  # stable identifier (the page translates it)
    low: int  # days, inclusive
    high: int | None  # days, inclusive; None: no upper limit


def _bands(prefix: str, lows: Sequence[int]) -> tuple[Band, ...]:
    """Consecutive bands from their lower limits, keyed ``<prefix>_<low>_<high>``
    and ``<prefix>_<low>_plus`` for the last (no upper limit)."""
    highs = [low - 1 for low in lows[1:]]
    return (
        *(Band(f"{prefix}_{low}_{high}", low, high) for low, high in zip(lows, highs, strict=False)),
        Band(f"{prefix}_{lows[-1]}_plus", lows[-1], None),
    )


# How long open findings have been open at the quarter's end (days since the audit).
AGE_BANDS: tuple[Band, ...] = _bands("age", (0, 91, 181, 366, 731))
# How far past their due date overdue findings are at the quarter's end.
PAST_DUE_BANDS: tuple[Band, ...] = _bands("late", (1, 31, 91, 181, 366))


def band(days: int | None, bands: Sequence[Band]) -> str | None:
    """The key of the band holding ``days`` (below the first band: the first)."""
    if days is None:
        return None
    for b in bands:
        if b.high is None or days <= b.high:
            return b.key
    return bands[-1].key


def band_cutoffs(bands: Sequence[Band], end: dt.date) -> list[tuple[str, dt.date | None]]:
    """For SQL: each band's key with the earliest date that is still inside it
    when days are counted back from ``end`` (``date >= cutoff`` <=> ``days <=
    high``); None for the open-ended last band."""
    return [(b.key, None if b.high is None else end - dt.timedelta(days=b.high)) for b in bands]


# --------------------------------------------------------------------------- remediation speed


def weighted_median(values: Iterable[float], weights: Iterable[int]) -> float | None:
    """The median of ``values`` each repeated ``weights`` times (the mean of
    the two middle values for an even count), or None when there are none."""
    pairs = sorted((float(v), int(w)) for v, w in zip(values, weights, strict=False) if w and w > 0 and v == v)
    n = sum(w for _, w in pairs)
    if n == 0:
        return None
    lo_pos, hi_pos = (n - 1) // 2, n // 2  # 0-based positions of the middle value(s)
    seen, lo, hi = 0, None, None
    for v, w in pairs:
        if lo is None and lo_pos < seen + w:
            lo = v
        if hi_pos < seen + w:
            hi = v
            break
        seen += w
    assert lo is not None and hi is not None  # n > 0: the loop found both
    return (lo + hi) / 2


def days_to_quarter_end(audit_date: Any, quarter_idx: int | None) -> int | None:
    """Days from the audit to the end of the quarter with index ``quarter_idx``."""
    audit = as_date(audit_date)
    if quarter_idx is None or quarter_idx != quarter_idx or audit is None:
        return None
    return (Quarter.from_index(int(quarter_idx)).end - audit).days


def remediated_on_time(remediated_quarter: Quarter | None, due_date: Any) -> bool:
    """First reported remediated in the quarter of the due date or earlier."""
    due = as_date(due_date)
    return remediated_quarter is not None and due is not None and remediated_quarter <= quarter_of(due)


def share(part: int | float | None, whole: int | float | None) -> float | None:
    if part is None or not whole:
        return None
    return float(part) / float(whole)


# --------------------------------------------------------------------------- weakest spots


def weakness_key(worst_open_severity: str | None, open_count: int, overdue: int = 0) -> tuple:
    """Sort key putting the weakest spots first: the worst open severity,
    then more overdue, then more open findings."""
    rank = severity_rank(worst_open_severity) if worst_open_severity else len(FINDING_SEVERITIES) + 1
    return (rank, -int(overdue or 0), -int(open_count or 0))


# --------------------------------------------------------------------------- timeline

# What changed in a quarter's entry.
RAISED, STATUS, DUE_DATE, OWNER, NOTE, UNCHANGED = "raised", "status", "due_date", "owner", "note", "unchanged"


@dataclass(frozen=True)
class TimelineRow:
    quarter: str
    reported: bool  # a history entry exists for this quarter (something changed)
    status: str
    previous_status: str | None
    due_date: dt.date | None
    previous_due_date: dt.date | None
    owner: str | None
    previous_owner: str | None
    note: str | None
    overdue: bool
    days_overdue: int | None
    changes: tuple[str, ...]  # of RAISED, STATUS, DUE_DATE, OWNER, NOTE; (UNCHANGED,) when not reported
    source: Mapping[str, Any] | None = None  # who uploaded the entry, when, which file

    @property
    def status_changed(self) -> bool:
        return STATUS in self.changes


def timeline(entries: Sequence[Mapping[str, Any]], as_at: Quarter, *, every_quarter: bool = True) -> list[TimelineRow]:
    """A finding's story from its first report to ``as_at``, oldest first.

    ``entries`` are its status-history rows (``quarter``, ``status``,
    ``due_date``, ``owner``, ``status_note``, any other keys are kept as the
    row's source), in any order; entries after ``as_at`` are ignored. With
    ``every_quarter`` the quarters without an entry are included, carrying
    the previous state forward (nothing changed then)."""
    rows = sorted(((Quarter.from_index(entry_quarter_idx(e)), e) for e in entries), key=lambda p: p[0])
    rows = [(q, e) for q, e in rows if q <= as_at]
    if not rows:
        return []
    by_quarter = {q: e for q, e in rows}
    quarters = (
        [Quarter.from_index(i) for i in range(rows[0][0].index, as_at.index + 1)]
        if every_quarter
        else [q for q, _ in rows]
    )
    out: list[TimelineRow] = []
    prev: TimelineRow | None = None
    for q in quarters:
        e = by_quarter.get(q)
        if e is None:
            assert prev is not None  # the first quarter always has an entry
            row = TimelineRow(
                str(q),
                False,
                prev.status,
                prev.status,
                prev.due_date,
                prev.due_date,
                prev.owner,
                prev.owner,
                None,
                is_overdue(prev.status, prev.due_date, q),
                days_overdue(prev.status, prev.due_date, q),
                (UNCHANGED,),
            )
        else:
            status, due, owner = e["status"], as_date(e.get("due_date")), text_or_none(e.get("owner"))
            note = text_or_none(e.get("status_note"))
            if prev is None:
                changes: tuple[str, ...] = (RAISED,)
            else:
                changes = tuple(
                    c
                    for c, differs in (
                        (STATUS, status != prev.status),
                        (DUE_DATE, due != prev.due_date),
                        (OWNER, owner != prev.owner),
                        (NOTE, note is not None and note != prev.note),
                    )
                    if differs
                )
            source = {
                k: v
                for k, v in e.items()
                if k not in ("quarter", "quarter_idx", "status", "due_date", "owner", "status_note")
            }
            row = TimelineRow(
                str(q),
                True,
                status,
                prev.status if prev else None,
                due,
                prev.due_date if prev else None,
                owner,
                prev.owner if prev else None,
                note,
                is_overdue(status, due, q),
                days_overdue(status, due, q),
                changes,
                source or None,
            )
        out.append(row)
        prev = row if row.reported else _carry(prev, row)
    return out


def _carry(prev: TimelineRow | None, row: TimelineRow) -> TimelineRow:
    """The state carried into the next quarter (the last note stays the last note)."""
    if prev is None:
        return row
    return TimelineRow(
        row.quarter,
        row.reported,
        row.status,
        row.previous_status,
        row.due_date,
        row.previous_due_date,
        row.owner,
        row.previous_owner,
        prev.note,
        row.overdue,
        row.days_overdue,
        row.changes,
        row.source,
    )


def entry_quarter_idx(entry: Mapping[str, Any]) -> int:
    """The quarter index of a history entry (its ``quarter_idx``, else its ``quarter``)."""
    if entry.get("quarter_idx") is not None:
        return int(entry["quarter_idx"])
    from .quarters import parse_quarter

    q = parse_quarter(entry.get("quarter"))
    if q is None:
        raise ValueError(f"history entry without a quarter: {entry!r}")
    return q.index


def status_changes(rows: Sequence[TimelineRow]) -> list[tuple[str | None, str, str]]:
    """(from, to, quarter) of every status change in a timeline, the first
    report included as (None, status, quarter)."""
    return [
        (r.previous_status, r.status, r.quarter)
        for r in rows
        if r.reported and (RAISED in r.changes or STATUS in r.changes)
    ]


# --------------------------------------------------------------------------- the findings table

# Orders the findings table offers (applied in SQL over every matching finding).
SORT_KEYS: tuple[str, ...] = ("severity", "days_overdue", "due_date", "audit_date", "status", "facility", "finding_id")
DEFAULT_SORT = "severity"
PAGE_SIZES: tuple[int, ...] = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


def page_count(total: int, page_size: int) -> int:
    """Pages needed to show ``total`` rows (at least one)."""
    return max(1, -(-int(total) // int(page_size)))


def clamp_page(page: int, total: int, page_size: int) -> int:
    return min(max(1, int(page)), page_count(total, page_size))


def like_pattern(text: str) -> str | None:
    """A case-insensitive SQL LIKE pattern for a search text (``%``, ``_``
    and the escape character taken literally, escape ``\\``); None when blank."""
    s = (text or "").strip().lower()
    if not s:
        return None
    s = s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{s}%"


def finding_status_order() -> dict[str, int]:
    return {s: i for i, s in enumerate(FINDING_STATUSES)}
