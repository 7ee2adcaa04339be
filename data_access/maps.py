"""Queries behind the Map page's facility panel: one facility's findings as at
a quarter. The map itself uses :func:`data_access.queries.facility_findings_summary`.

Counting happens in SQL; arguments as in :mod:`data_access.sql`.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from . import sql
from .models import Finding
from .rules.reference import OPEN_FINDING_STATUSES


def facility_finding_counts(engine: Engine, quarter: sql.QuarterLike, facility_id: str) -> pd.DataFrame:
    """Findings of one facility raised by the end of the quarter, counted by
    severity and status as at then, with how many of them were overdue.
    Columns: severity, status, findings, overdue; worst severity first."""
    q = sql.as_quarter(quarter)
    s = sql.finding_state(q, None, Finding.facility_id == facility_id)
    rank = sql.severity_rank(Finding.severity)
    stmt = (
        select(
            Finding.severity,
            s.c.status,
            func.count().label("findings"),
            func.sum(case((sql.overdue(s, q.end), 1), else_=0)).label("overdue"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .where(Finding.facility_id == facility_id)
        .group_by(Finding.severity, s.c.status)
        .order_by(rank, s.c.status)
    )
    df = sql.frame(engine, stmt)
    for c in ("findings", "overdue"):
        df[c] = df[c].fillna(0).astype(int)
    return df


def facility_open_findings(
    engine: Engine, quarter: sql.QuarterLike, facility_id: str, limit: int | None = None
) -> pd.DataFrame:
    """The facility's findings open or in progress at the end of the quarter,
    worst severity first, then the earliest deadline. Columns: finding_id,
    severity, title, status, due_date, overdue."""
    q = sql.as_quarter(quarter)
    s = sql.finding_state(q, None, Finding.facility_id == facility_id)
    stmt = (
        select(
            Finding.finding_id,
            Finding.severity,
            Finding.title,
            s.c.status,
            s.c.due_date,
            sql.overdue(s, q.end).label("overdue"),
        )
        .join(s, s.c.finding_id == Finding.finding_id)
        .where(Finding.facility_id == facility_id, s.c.status.in_(OPEN_FINDING_STATUSES))
        .order_by(sql.severity_rank(Finding.severity), s.c.due_date.is_(None), s.c.due_date, Finding.finding_id)
    )
    if limit:
        stmt = stmt.limit(limit)
    df = sql.frame(engine, stmt)
    df["overdue"] = df["overdue"].astype(bool) if not df.empty else pd.Series(dtype=bool)
    return df
