"""Queries behind the Map page's facility panel: one facility's findings as at
a quarter. The map itself uses :func:`data_access.queries.facility_findings_summary`.

Counting happens in SQL; arguments as in :mod:`data_access.queries`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from .asat import latest_updates
from .models import Finding, FindingUpdate
from .queries import _frame, _overdue, _q, _severity_rank
from .rules.quarters import Quarter
from .rules.reference import OPEN_FINDING_STATUSES


def _state(q: Quarter, facility_id: str):
    scope = FindingUpdate.finding_id.in_(select(Finding.finding_id).where(Finding.facility_id == facility_id))
    return latest_updates("findings", q.index, key_filter=scope).subquery("state")


def facility_finding_counts(engine: Engine, quarter: str | Quarter, facility_id: str) -> pd.DataFrame:
    """Findings of one facility raised by the end of the quarter, counted by
    severity and status as at then, with how many of them were overdue.
    Columns: severity, status, findings, overdue; worst severity first."""
    q = _q(quarter)
    s = _state(q, facility_id)
    rank = _severity_rank(Finding.severity)
    stmt = (
        select(
            Finding.severity,
            s.c.status,
            func.count().label("findings"),
            func.sum(case((_overdue(s, q), 1), else_=0)).label("overdue"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .where(Finding.facility_id == facility_id)
        .group_by(Finding.severity, s.c.status)
        .order_by(rank, s.c.status)
    )
    df = _frame(engine, stmt)
    for c in ("findings", "overdue"):
        df[c] = df[c].fillna(0).astype(int)
    return df


def facility_open_findings(
    engine: Engine, quarter: str | Quarter, facility_id: str, limit: int | None = None
) -> pd.DataFrame:
    """The facility's findings open or in progress at the end of the quarter,
    worst severity first, then the earliest deadline. Columns: finding_id,
    severity, title, status, due_date, overdue."""
    q = _q(quarter)
    s = _state(q, facility_id)
    stmt = (
        select(
            Finding.finding_id,
            Finding.severity,
            Finding.title,
            s.c.status,
            s.c.due_date,
            _overdue(s, q).label("overdue"),
        )
        .join(s, s.c.finding_id == Finding.finding_id)
        .where(Finding.facility_id == facility_id, s.c.status.in_(OPEN_FINDING_STATUSES))
        .order_by(_severity_rank(Finding.severity), s.c.due_date.is_(None), s.c.due_date, Finding.finding_id)
    )
    if limit:
        stmt = stmt.limit(limit)
    df = _frame(engine, stmt)
    df["overdue"] = df["overdue"].astype(bool) if not df.empty else pd.Series(dtype=bool)
    return df
