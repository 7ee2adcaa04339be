"""Read-only queries for the pages. Each returns a pandas DataFrame and does
its counting and grouping in SQL; "as at" a quarter always means the state
at the end of that quarter, rebuilt from the update history.

Arguments as everywhere in :mod:`data_access` (see :mod:`data_access.sql`):
``countries`` is a list of ISO codes (None or empty: all), ``quarter`` a
canonical ``YYYY-Qn`` string or a :class:`Quarter`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, case, func, select, union_all

from . import sql, summary
from .models import (
    Activity,
    Country,
    Facility,
    Finding,
    FindingUpdate,
    Milestone,
    Priority,
    PriorityUpdate,
    Upload,
)
from .rules.quarters import Quarter
from .rules.reference import OPEN_FINDING_STATUSES

# --------------------------------------------------------------------------- reference


def countries(engine: Engine) -> pd.DataFrame:
    return sql.frame(
        engine, select(Country.code, Country.name, Country.background, Country.achievements).order_by(Country.name)
    )


def quarters_with_data(engine: Engine) -> list[str]:
    """Every quarter from the first to the last for which data is stored."""
    with engine.connect() as conn:
        lo, hi = conn.execute(
            select(func.min(Upload.quarter_idx), func.max(Upload.quarter_idx)).where(Upload.status == "current")
        ).one()
    if lo is None or hi is None:
        return []
    return [str(Quarter.from_index(i)) for i in range(lo, hi + 1)]


def latest_quarter(engine: Engine) -> str | None:
    qs = quarters_with_data(engine)
    return qs[-1] if qs else None


# --------------------------------------------------------------------------- indicators


def indicator_history(
    engine: Engine, countries: sql.Countries = None, up_to: sql.QuarterLike | None = None
) -> pd.DataFrame:
    """Every stored indicator value up to the quarter (all when None), per
    country and indicator oldest first, with its quarter and its source
    upload (kind, by whom, when, file, id): the points of the Country
    profiles' series charts and the rows of the indicators export."""
    df = sql.frame(engine, sql.indicator_values(countries, sql.as_quarter(up_to)))
    df["approximate"] = df["approximate"].astype(bool)
    return df


LATEST_COLUMNS = ["country", "indicator", "label", "quarter", "value", "approximate", "note", *sql.SOURCE_NAMES]


def latest_indicators(
    engine: Engine, countries: sql.Countries = None, as_at: sql.QuarterLike | None = None
) -> pd.DataFrame:
    """For each country and indicator, the latest value at or before the
    quarter, with the quarter it belongs to and where it came from."""
    stmt = sql.indicator_values(countries, sql.as_quarter(as_at), which="latest")
    return sql.frame(engine, stmt)[LATEST_COLUMNS].copy()


# --------------------------------------------------------------------------- facilities


# What the pages show of a facility (its country labelled ``country``).
FACILITY_COLUMNS = "facility_id name type city latitude longitude pilot"


def facilities(engine: Engine, countries: sql.Countries = None) -> pd.DataFrame:
    """Every facility of the countries: pilots first, then by name."""
    stmt = (
        select(Facility.country_code.label("country"), *sql.columns(Facility, FACILITY_COLUMNS), Facility.notes)
        .where(sql.in_countries(Facility.country_code, countries))
        .order_by(Facility.country_code, Facility.pilot.desc(), Facility.name)
    )
    return sql.frame(engine, stmt)


# --------------------------------------------------------------------------- findings


def findings_as_at(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, facility_id: str | None = None
) -> pd.DataFrame:
    """One row per finding raised by the end of the quarter, with its state then."""
    q = sql.as_quarter(quarter)
    s = sql.finding_state(q, countries)
    stmt = (
        select(
            *sql.finding_columns("audit_date domain severity title recommendation"),
            *sql.columns(s, "status due_date owner status_note"),
            s.c.quarter.label("status_quarter"),
            sql.overdue(s, q.end).label("overdue"),
        )
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .order_by(Finding.country_code, Finding.facility_id, Finding.finding_id)
    )
    if facility_id:
        stmt = stmt.where(Finding.facility_id == facility_id)
    df = sql.frame(engine, stmt)
    if not df.empty:
        df["overdue"] = df["overdue"].astype(bool)
    return df


def finding_history(engine: Engine, finding_id: str) -> pd.DataFrame:
    """Every reported state of one finding, oldest first, with its source."""
    stmt = (
        select(
            *sql.columns(FindingUpdate, "quarter status due_date owner status_note"),
            *sql.columns(Upload, "uploaded_by uploaded_at file_name"),
        )
        .join(Upload, Upload.id == FindingUpdate.upload_id)
        .where(FindingUpdate.finding_id == finding_id)
        .order_by(FindingUpdate.quarter_idx)
    )
    return sql.frame(engine, stmt)


# --------------------------------------------------------------------------- priorities and milestones


def priorities_as_at(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each priority's state as at the quarter (only those in ``statuses`` when given)."""
    s = sql.priority_state(sql.as_quarter(quarter), countries)
    stmt = (
        select(
            Priority.country_code.label("country"),
            *sql.columns(Priority, "priority_id title theme target_date"),
            *sql.columns(s, "status progress_pct narrative next_steps"),
            s.c.quarter.label("last_update"),
        )
        .join(s, s.c.priority_id == Priority.priority_id)
        .order_by(Priority.country_code, Priority.priority_id)
    )
    if statuses is not None:
        stmt = stmt.where(s.c.status.in_(list(statuses)))
    return sql.frame(engine, stmt)


def priority_history(
    engine: Engine,
    priority_ids: Iterable[str] | None = None,
    countries: sql.Countries = None,
    up_to: sql.QuarterLike | None = None,
) -> pd.DataFrame:
    """Every reported state of the priorities (all of the countries' when
    ``priority_ids`` is None) up to the quarter, oldest first."""
    q = sql.as_quarter(up_to)
    stmt = (
        select(
            Priority.country_code.label("country"),
            *sql.columns(PriorityUpdate, "priority_id quarter quarter_idx status progress_pct narrative next_steps"),
        )
        .join(Priority, Priority.priority_id == PriorityUpdate.priority_id)
        .where(sql.in_countries(Priority.country_code, countries))
        .order_by(PriorityUpdate.priority_id, PriorityUpdate.quarter_idx)
    )
    if priority_ids:
        stmt = stmt.where(PriorityUpdate.priority_id.in_(list(priority_ids)))
    if q is not None:
        stmt = stmt.where(PriorityUpdate.quarter_idx <= q.index)
    return sql.frame(engine, stmt)


def milestones_as_at(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, priority_id: str | None = None
) -> pd.DataFrame:
    """Each milestone's state as at the quarter (of one priority when ``priority_id`` is given)."""
    s = sql.milestone_state(sql.as_quarter(quarter), countries)
    stmt = (
        select(
            Priority.country_code.label("country"),
            Milestone.priority_id,
            Milestone.name.label("milestone"),
            *sql.columns(s, "due_date status completed_on"),
            s.c.quarter.label("last_update"),
        )
        .join(s, s.c.milestone_id == Milestone.id)
        .join(Priority, Priority.priority_id == Milestone.priority_id)
        .order_by(Priority.country_code, Milestone.priority_id, s.c.due_date, Milestone.id)
    )
    if priority_id:
        stmt = stmt.where(Milestone.priority_id == priority_id)
    return sql.frame(engine, stmt)


# --------------------------------------------------------------------------- activities


def activities(
    engine: Engine,
    countries: sql.Countries = None,
    quarter: sql.QuarterLike | None = None,
    up_to: sql.QuarterLike | None = None,
) -> pd.DataFrame:
    stmt = (
        select(
            Activity.country_code.label("country"),
            *sql.columns(
                Activity, "quarter activity_id date type title participants female_participants facility_id notes"
            ),
        )
        .where(sql.in_countries(Activity.country_code, countries))
        .order_by(Activity.country_code, Activity.date, Activity.activity_id)
    )
    if quarter is not None:
        stmt = stmt.where(Activity.quarter_idx == sql.as_quarter(quarter).index)
    if up_to is not None:
        stmt = stmt.where(Activity.quarter_idx <= sql.as_quarter(up_to).index)
    return sql.frame(engine, stmt)


# --------------------------------------------------------------------------- uploads


def upload_history(engine: Engine, countries: sql.Countries = None) -> pd.DataFrame:
    """Every upload of the countries, newest first (without the files). Not
    checked against anyone's rights: the pages read it through
    :func:`data_access.uploads.history`."""
    return sql.frame(engine, upload_history_select(countries))


def upload_history_select(countries: sql.Countries = None) -> Select[Any]:
    """The statement of :func:`upload_history`."""
    return (
        select(
            *sql.columns(Upload, "id uploaded_at uploaded_by uploader_email file_name sha256"),
            Upload.country_code.label("country"),
            *sql.columns(Upload, "quarter kind status superseded_by_id restored_from_id size_bytes counts warnings"),
        )
        .where(sql.in_countries(Upload.country_code, countries))
        .order_by(Upload.id.desc())
    )


# --------------------------------------------------------------------------- findings over time


def finding_status_by_quarter(
    engine: Engine,
    first: sql.QuarterLike,
    last: sql.QuarterLike,
    countries: sql.Countries = None,
    by: Iterable[str] = ("severity",),
) -> pd.DataFrame:
    """For every quarter from ``first`` to ``last``: findings by status (and
    any of country, severity, domain, facility_id) as at the end of that
    quarter; the burn-down chart's data.

    SQL counts, per group, the status entries that start in each quarter and
    those that end (the entity's next entry starts); a running sum over the
    quarters then gives the state of each quarter. The work is one pass over
    the history, whatever the number of quarters. When the finding counts
    (:mod:`data_access.summary`) cover ``last``, they are read instead."""
    a, b = sql.as_quarter(first), sql.as_quarter(last)
    by = list(by)
    cols = ["quarter", *by, "status", "findings"]
    if summary.covers(engine, b.index):
        t = summary.table(per_facility="facility_id" in by)
        keys = summary.keys(t, by)
        stmt = (
            select(t.quarter_idx.label("qi"), *keys, t.status, func.sum(t.findings).label("findings"))
            .where(*summary.conditions(t, first=a.index, last=b.index, countries=countries))
            .group_by(t.quarter_idx, *keys, t.status)
        )
        df = sql.frame(engine, stmt)
        df.insert(0, "quarter", [str(Quarter.from_index(int(i))) for i in df.pop("qi")])
        df["findings"] = df["findings"].astype(int)
        return df[cols].sort_values(["quarter", *by, "status"]).reset_index(drop=True)
    fu = FindingUpdate
    keys = sql.finding_keys(by)
    scope = sql.in_countries(Finding.country_code, countries)
    starts = (
        select(fu.quarter_idx.label("qi"), *keys, fu.status, func.count().label("delta"))
        .join(Finding, Finding.finding_id == fu.finding_id)
        .where(scope, fu.quarter_idx <= b.index)
        .group_by(fu.quarter_idx, *keys, fu.status)
    )
    ends = (
        select(fu.next_quarter_idx.label("qi"), *keys, fu.status, (-func.count()).label("delta"))
        .join(Finding, Finding.finding_id == fu.finding_id)
        .where(scope, fu.next_quarter_idx.is_not(None), fu.next_quarter_idx <= b.index)
        .group_by(fu.next_quarter_idx, *keys, fu.status)
    )
    deltas = sql.frame(engine, union_all(starts, ends))
    if deltas.empty:
        return pd.DataFrame(columns=cols)
    groups = [*by, "status"]
    wide = deltas.pivot_table(index="qi", columns=groups, values="delta", aggfunc="sum", fill_value=0)
    span = range(min(int(wide.index.min()), a.index), b.index + 1)
    running = wide.reindex(span, fill_value=0).cumsum().loc[a.index : b.index]
    stacked = running.stack(list(range(len(groups))), future_stack=True)
    assert isinstance(stacked, pd.Series)  # every column level stacked: one value per row
    long = stacked.rename("findings").reset_index()
    long = long[long["findings"] > 0]
    long.insert(0, "quarter", [str(Quarter.from_index(int(i))) for i in long.pop("qi")])
    long["findings"] = long["findings"].astype(int)
    return long[cols].sort_values(["quarter", *groups]).reset_index(drop=True)


def facility_findings_summary(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None
) -> pd.DataFrame:
    """Per facility, as at the quarter: findings, open, overdue, remediated
    (remediated or verified), the worst open severity and the last audit."""
    q = sql.as_quarter(quarter)
    stmt = _facility_counts(q, countries) if summary.covers(engine, q.index) else _facility_states(q, countries)
    fac = (
        select(
            Facility.country_code.label("country"),
            *sql.columns(Facility, FACILITY_COLUMNS),
            func.coalesce(stmt.c.findings, 0).label("findings"),
            func.coalesce(stmt.c.open, 0).label("open"),
            func.coalesce(stmt.c.overdue, 0).label("overdue"),
            func.coalesce(stmt.c.remediated, 0).label("remediated"),
            stmt.c.worst_rank,
            stmt.c.last_audit,
        )
        .outerjoin(stmt, stmt.c.facility_id == Facility.facility_id)
        .where(sql.in_countries(Facility.country_code, countries))
        .order_by(Facility.country_code, Facility.pilot.desc(), Facility.name)
    )
    df = sql.frame(engine, fac)
    df["worst_open_severity"] = sql.severities_of(df.pop("worst_rank"))
    for c in ("findings", "open", "overdue", "remediated"):
        df[c] = df[c].astype(int)
    df["remediated_share"] = (df["remediated"] / df["findings"].where(df["findings"] > 0)).astype(float)
    df["pilot"] = df["pilot"].astype(bool)
    return df


def _facility_counts(q: Quarter, countries: sql.Countries):
    """Per facility figures of :func:`facility_findings_summary` from the finding counts."""
    t = summary.table(per_facility=True)
    is_open = t.status.in_(OPEN_FINDING_STATUSES)
    counts = (
        select(
            t.facility_id,
            func.sum(t.findings).label("findings"),
            summary.sum_where(t, is_open).label("open"),
            summary.overdue_sum(t).label("overdue"),
            summary.sum_where(t, t.status.in_(("remediated", "verified"))).label("remediated"),
            func.min(case((is_open, sql.severity_rank(t.severity)), else_=None)).label("worst_rank"),
        )
        .where(*summary.conditions(t, quarter_idx=q.index, countries=countries))
        .group_by(t.facility_id)
        .subquery("counts")
    )
    audits = (
        select(Finding.facility_id, func.max(Finding.audit_date).label("last_audit"))
        .where(sql.in_countries(Finding.country_code, countries), Finding.first_reported_idx <= q.index)
        .group_by(Finding.facility_id)
        .subquery("audits")
    )
    return (
        select(counts, audits.c.last_audit)
        .outerjoin(audits, audits.c.facility_id == counts.c.facility_id)
        .subquery("per_facility")
    )


def _facility_states(q: Quarter, countries: sql.Countries):
    """The same figures rebuilt from the history (a quarter the counts do not cover)."""
    s = sql.finding_state(q, countries)
    is_open = s.c.status.in_(OPEN_FINDING_STATUSES)
    rank = sql.severity_rank(Finding.severity)
    return (
        select(
            Finding.facility_id,
            func.count().label("findings"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((sql.overdue(s, q.end), 1), else_=0)).label("overdue"),
            func.sum(case((s.c.status.in_(("remediated", "verified")), 1), else_=0)).label("remediated"),
            func.min(case((is_open, rank), else_=None)).label("worst_rank"),
            func.max(Finding.audit_date).label("last_audit"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .group_by(Finding.facility_id)
        .subquery("per_facility")
    )
