"""Queries only the tests use: figures the pages do not show, kept as
references that the page queries are checked against (counts straight from
the status history, remediation times per finding, activity totals, the
change summary in one call). Built with the public SQL toolkit of
:mod:`data_access.sql`, like every query of the app."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, case, func, select

from data_access import overview, sql
from data_access.models import Activity, Finding, FindingUpdate
from data_access.rules.quarters import Quarter
from data_access.rules.reference import OPEN_FINDING_STATUSES
from data_access.sql import as_quarter, finding_state, frame, in_countries, overdue


def finding_counts(
    engine: Engine, quarter: str | Quarter, countries: Iterable[str] | None = None, by: Iterable[str] = ("status",)
) -> pd.DataFrame:
    """Counts of findings as at the quarter, grouped in SQL by any of
    country, facility_id, domain, severity, status; with open and overdue counts."""
    q = as_quarter(quarter)
    s = finding_state(q, countries)
    by = list(by)
    keys = [s.c.status.label(b) if b == "status" else sql.finding_keys([b])[0] for b in by]
    is_open = s.c.status.in_(OPEN_FINDING_STATUSES)
    stmt = (
        select(
            *keys,
            func.count().label("findings"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((overdue(s, q.end), 1), else_=0)).label("overdue"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .group_by(*keys)
        .order_by(*keys)
    )
    df = frame(engine, stmt)
    for c in ("findings", "open", "overdue"):
        df[c] = df[c].fillna(0).astype(int)
    return df


def activity_totals(
    engine: Engine,
    countries: Iterable[str] | None = None,
    up_to: str | Quarter | None = None,
    by: Iterable[str] = ("country", "type"),
) -> pd.DataFrame:
    """Activities, participants and women among them, grouped in SQL by any of
    country, quarter, type. ``female_share`` counts only activities that
    report both figures."""
    columns = {"country": Activity.country_code, "quarter": Activity.quarter, "type": Activity.type}
    keys = [columns[b].label(b) for b in by]
    sums = sql.activity_sums()
    sums["_base"] = sums.pop("share_base")
    stmt = (
        select(*keys, *sql.labelled(sums))
        .where(in_countries(Activity.country_code, countries))
        .group_by(*keys)
        .order_by(*keys)
    )
    if up_to is not None:
        stmt = stmt.where(Activity.quarter_idx <= as_quarter(up_to).index)
    df = frame(engine, stmt)
    for c in ("activities", "participants", "female_participants", "_base"):
        df[c] = df[c].astype(int)
    df["female_share"] = (df["female_participants"] / df["_base"].where(df["_base"] > 0)).astype(float)
    return df.drop(columns="_base")


def remediation_times(engine: Engine, quarter: str | Quarter, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Per finding raised by the quarter: the first quarter it was reported
    remediated (or verified) and verified, as at the quarter, with days from
    the audit to the end of those quarters. Returns record status by quarter,
    so times are measured to the end of the reporting quarter."""
    q = as_quarter(quarter)
    fu = FindingUpdate
    first_rem = func.min(case((fu.status.in_(("remediated", "verified")), fu.quarter_idx), else_=None))
    first_ver = func.min(case((fu.status == "verified", fu.quarter_idx), else_=None))
    stmt = (
        select(
            Finding.country_code.label("country"),
            Finding.finding_id,
            Finding.facility_id,
            Finding.domain,
            Finding.severity,
            Finding.audit_date,
            first_rem.label("rem_q"),
            first_ver.label("ver_q"),
        )
        .join(fu, fu.finding_id == Finding.finding_id)
        .where(in_countries(Finding.country_code, countries), fu.quarter_idx <= q.index)
        .group_by(
            Finding.country_code,
            Finding.finding_id,
            Finding.facility_id,
            Finding.domain,
            Finding.severity,
            Finding.audit_date,
        )
    )
    df = frame(engine, stmt)
    for src, name in (("rem_q", "remediated"), ("ver_q", "verified")):
        ends = [Quarter.from_index(int(i)).end if pd.notna(i) else None for i in df.pop(src)]
        df[f"{name}_by"] = ends
        df[f"days_to_{name}"] = [
            (e - a).days if e is not None else None for e, a in zip(ends, df["audit_date"], strict=False)
        ]
    return df


def change_summary(engine: Engine, quarter: str | Quarter, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """How many findings, priorities and milestones changed in each way
    during the quarter: one row per (area, change) of :data:`data_access.overview.CHANGE_AREAS`,
    with ``n`` (zero included)."""
    return overview.summarise_changes(
        overview.finding_change_counts(engine, quarter, countries),
        overview.priority_changes(engine, quarter, countries),
        overview.milestone_changes(engine, quarter, countries),
    )
