"""Queries behind the committee's Overview page: headline figures with their
value a quarter earlier, what changed during a quarter, alerts and the
returns tracker.

Counting and grouping happen in SQL; the rules that interpret the results
(status improved or worsened, which status changes matter, missing returns)
come from :mod:`data_access.rules.status`. Every function returns a pandas
DataFrame. Arguments as in :mod:`data_access.sql`: ``countries`` is a
list of ISO codes (None or empty: all), ``quarter`` a ``YYYY-Qn`` string or
a :class:`Quarter`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from . import sql, summary
from .models import (
    Activity,
    Country,
    Facility,
    Finding,
    FindingUpdate,
    IndicatorValue,
    Milestone,
    MilestoneUpdate,
    Priority,
    PriorityUpdate,
    Upload,
)
from .queries import finding_status_by_quarter, priorities_as_at, quarters_with_data
from .rules import status as rules
from .rules.quarters import Quarter
from .rules.reference import FINDING_STATUSES, OPEN_FINDING_STATUSES

# Indicators shown as headline tiles, in order.
HEADLINE_INDICATORS: tuple[str, ...] = ("prisoners_total", "ve_prisoners", "ftf_detainees")

# Headline metrics (rows of :func:`headline`), in display order.
HEADLINE_METRICS: tuple[str, ...] = (
    "prisoners_total",
    "ve_prisoners",
    "ftf_detainees",
    "open_findings",
    "overdue_findings",
    "open_critical",
    "priorities_on_track",
    "priorities_at_risk",
    "priorities_off_track",
    "priorities_completed",
    "trained",
    "trained_women_share",
)
# Whether a rise of each metric is good news (the tiles colour their change by it).
METRIC_POLARITY: dict[str, str] = {
    "prisoners_total": rules.NEUTRAL,
    "ve_prisoners": rules.NEUTRAL,
    "ftf_detainees": rules.NEUTRAL,
    "open_findings": rules.GOOD_DOWN,
    "overdue_findings": rules.GOOD_DOWN,
    "open_critical": rules.GOOD_DOWN,
    "priorities_on_track": rules.GOOD_UP,
    "priorities_at_risk": rules.GOOD_DOWN,
    "priorities_off_track": rules.GOOD_DOWN,
    "priorities_completed": rules.GOOD_UP,
    "trained": rules.GOOD_UP,
    "trained_women_share": rules.GOOD_UP,
}
SHARE_METRICS = frozenset({"trained_women_share"})
PRIORITY_METRICS = {
    "priorities_on_track": "on track",
    "priorities_at_risk": "at risk",
    "priorities_off_track": "off track",
    "priorities_completed": "completed",
}


def _countries(countries: sql.Countries) -> list[str]:
    return list(countries or [])


# --------------------------------------------------------------------------- headline figures


def indicator_totals(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    codes: Iterable[str] = HEADLINE_INDICATORS,
) -> pd.DataFrame:
    """For each indicator, the sum over the countries of their latest value at
    or before the quarter; how many countries report it; whether any of the
    summed values is approximate; the oldest quarter among them (a figure
    carried forward from an earlier return)."""
    q = sql.as_quarter(quarter)
    codes = list(codes)
    v = sql.indicator_values(countries, q, which="latest").where(IndicatorValue.indicator_code.in_(codes)).subquery()
    stmt = select(
        v.c.indicator,
        func.sum(v.c.value).label("value"),
        func.count().label("countries"),
        func.max(case((v.c.approximate, 1), else_=0)).label("approximate"),
        func.min(v.c.quarter).label("oldest_quarter"),
    ).group_by(v.c.indicator)
    df = sql.frame(engine, stmt).set_index("indicator").reindex(codes)
    df.index.name = "indicator"
    df["countries"] = df["countries"].fillna(0).astype(int)
    df["approximate"] = df["approximate"].fillna(0).astype(bool)
    return df.reset_index()


def finding_totals(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """One row: findings raised by the end of the quarter, open (open or in
    progress), overdue (open with a due date before the quarter's end) and
    open critical ones, as at the quarter. Read from the finding counts
    (:mod:`data_access.summary`) when they cover the quarter."""
    q = sql.as_quarter(quarter)
    if summary.covers(engine, q.index):
        t = summary.table(per_facility=False)
        is_open = t.status.in_(OPEN_FINDING_STATUSES)
        stmt = select(
            func.coalesce(func.sum(t.findings), 0).label("findings"),
            summary.sum_where(t, is_open).label("open"),
            summary.overdue_sum(t).label("overdue"),
            summary.sum_where(t, and_(is_open, t.severity == "critical")).label("open_critical"),
        ).where(*summary.conditions(t, quarter_idx=q.index, countries=countries))
        return sql.frame(engine, stmt).fillna(0).astype(int)
    s = sql.finding_state(q, countries)
    is_open = s.c.status.in_(OPEN_FINDING_STATUSES)
    stmt = (
        select(
            func.count().label("findings"),
            func.coalesce(func.sum(case((is_open, 1), else_=0)), 0).label("open"),
            func.coalesce(func.sum(case((sql.overdue(s, q.end), 1), else_=0)), 0).label("overdue"),
            func.coalesce(func.sum(case((and_(is_open, Finding.severity == "critical"), 1), else_=0)), 0).label(
                "open_critical"
            ),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
    )
    df = sql.frame(engine, stmt)
    return df.fillna(0).astype(int)


def priority_status_counts(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """Priorities by status as at the quarter: one row per status (all five,
    zero when none), in display order."""
    q = sql.as_quarter(quarter)
    s = sql.priority_state(q, countries)
    stmt = select(s.c.status, func.count().label("priorities")).group_by(s.c.status)
    df = sql.frame(engine, stmt).set_index("status").reindex(rules.PRIORITY_DISPLAY_ORDER, fill_value=0)
    df.index.name = "status"
    df["priorities"] = df["priorities"].astype(int)
    return df.reset_index()


def training_totals(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """One row, year to date: training activities (of
    :data:`rules.TRAINING_ACTIVITY_TYPES`) dated from 1 January of
    the quarter's year to the quarter's end and reported by then; their
    participants, the women among them, and the participants of the
    activities that report both figures (the base of the share of women)."""
    q = sql.as_quarter(quarter)
    first, _ = rules.year_to_date(q)
    stmt = select(*sql.labelled(sql.activity_sums())).where(
        sql.in_countries(Activity.country_code, countries),
        Activity.type.in_(rules.TRAINING_ACTIVITY_TYPES),
        Activity.date >= first.start,
        Activity.date <= q.end,
        Activity.quarter_idx <= q.index,
    )
    return sql.frame(engine, stmt).fillna(0).astype(int)


def _headline_values(
    engine: Engine, q: Quarter, countries: list[str]
) -> dict[str, tuple[float | None, bool, int | None]]:
    """metric -> (value, approximate, countries reporting) as at q."""
    out: dict[str, tuple] = {}
    ind = {r["indicator"]: r for r in sql.records(indicator_totals(engine, q, countries))}
    for code in HEADLINE_INDICATORS:
        row = ind[code]
        value = None if row["countries"] == 0 else float(row["value"])
        out[code] = (value, bool(row["approximate"]), int(row["countries"]))
    f = finding_totals(engine, q, countries).iloc[0]
    out["open_findings"] = (int(f["open"]), False, None)
    out["overdue_findings"] = (int(f["overdue"]), False, None)
    out["open_critical"] = (int(f["open_critical"]), False, None)
    p = priority_status_counts(engine, q, countries).set_index("status")["priorities"]
    for metric, st in PRIORITY_METRICS.items():
        out[metric] = (int(p.get(st, 0)), False, None)
    t = training_totals(engine, q, countries).iloc[0]
    out["trained"] = (int(t["participants"]), False, None)
    out["trained_women_share"] = (rules.share(int(t["female_participants"]), int(t["share_base"])), False, None)
    return out


def headline(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """The Overview's headline figures as at the quarter and a quarter earlier.

    One row per metric of :data:`HEADLINE_METRICS`: ``value``, ``previous``
    (None when the previous quarter is before the first quarter with data,
    or, for the year-to-date training figures, when the quarter is a Q1 and
    the share of women has nothing to compare with), ``approximate`` and
    ``previous_approximate`` (any summed figure is "approx."),
    ``countries`` reporting the indicator (indicators only).

    ``trained`` counts participants in training activities (see
    :data:`rules.TRAINING_ACTIVITY_TYPES`) dated from 1 January of the
    quarter's year (:func:`training_totals`); a quarter earlier in the same
    year it is compared with that quarter's year-to-date figure, in a Q1 with
    zero (the count starts again each year), so its change is the number
    trained in the quarter."""
    q = sql.as_quarter(quarter)
    countries = _countries(countries)
    p = q.previous()
    have = quarters_with_data(engine)
    now = _headline_values(engine, q, countries)
    before = _headline_values(engine, p, countries) if have and p.index >= sql.as_quarter(have[0]).index else None
    rows = []
    for metric in HEADLINE_METRICS:
        value, approx, reporting = now[metric]
        prev, prev_approx, _ = (None, False, None) if before is None else before[metric]
        if metric == "trained" and p.year != q.year:
            prev, prev_approx = (0 if before is not None else None), False
        if metric == "trained_women_share" and p.year != q.year:
            prev, prev_approx = None, False
        rows.append(
            dict(
                metric=metric,
                value=value,
                previous=prev,
                approximate=approx,
                previous_approximate=prev_approx,
                countries=reporting,
            )
        )
    df = pd.DataFrame(rows)
    for c in ("value", "previous"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


# --------------------------------------------------------------------------- what changed during a quarter


def _finding_reports(q: Quarter, countries: sql.Countries):
    """(the quarter's status reports joined to the finding's state a quarter
    earlier, where-conditions). No country condition when all are shown: an
    IN over every finding would only slow the lookups down."""
    countries = list(countries or [])
    prev = sql.finding_state(q, countries, before=True, name="prev")
    cur = FindingUpdate
    cond = [cur.quarter_idx == q.index]
    if countries:
        cond.append(Finding.country_code.in_(countries))
    return prev, cond


def finding_changes(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, limit: int | None = None
) -> pd.DataFrame:
    """Findings whose status report for the quarter is news: raised,
    remediated, verified, risk accepted, reopened, progressed (column
    ``change``), with the status before and after; most severe first, at
    most ``limit`` of them (:func:`finding_change_counts` counts them all)."""
    q = sql.as_quarter(quarter)
    prev, cond = _finding_reports(q, countries)
    cur = FindingUpdate
    news = [
        and_(prev.c.status.is_(None) if p is None else prev.c.status == p, cur.status == c)
        for p, c in _finding_news_pairs()
    ]
    stmt = (
        select(
            *sql.finding_columns("severity domain title"),
            prev.c.status.label("previous_status"),
            cur.status,
            cur.due_date,
        )
        .select_from(cur)
        .join(Finding, Finding.finding_id == cur.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .outerjoin(prev, prev.c.finding_id == cur.finding_id)
        .where(*cond, or_(*news))
        .order_by(sql.severity_rank(Finding.severity), Finding.country_code, Finding.finding_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    df = _with_change(sql.frame(engine, stmt), rules.finding_change)
    return df[df["change"].notna()].reset_index(drop=True)


def _with_change(df: pd.DataFrame, change: Callable[[str | None, str], str | None]) -> pd.DataFrame:
    """Rows of status reports with the status before (``previous_status``,
    None when there was none) and ``change``, the rule applied to both."""
    before = df["previous_status"].astype(object).where(df["previous_status"].notna(), None)
    df["previous_status"] = before
    df["change"] = [change(p, c) for p, c in zip(before, df["status"], strict=False)]
    return df


def _finding_news_pairs() -> list[tuple[str | None, str]]:
    """Every (status before, status reported) pair that is news."""
    before = [None, *FINDING_STATUSES]
    return [(p, c) for p in before for c in FINDING_STATUSES if rules.finding_change(p, c) is not None]


def finding_change_counts(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> dict[str, int]:
    """How many findings changed in each way during the quarter (the
    ``change`` values of :func:`finding_changes`), counted in SQL."""
    q = sql.as_quarter(quarter)
    prev, cond = _finding_reports(q, countries)
    cur = FindingUpdate
    stmt = (
        select(prev.c.status.label("previous_status"), cur.status, func.count().label("n"))
        .select_from(cur)
        .join(Finding, Finding.finding_id == cur.finding_id)
        .outerjoin(prev, prev.c.finding_id == cur.finding_id)
        .where(*cond)
        .group_by(prev.c.status, cur.status)
    )
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for before, status, n in conn.execute(stmt):
            change = rules.finding_change(before, status)
            if change is not None:
                counts[change] = counts.get(change, 0) + int(n)
    return counts


def priority_changes(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """Priorities whose status changed during the quarter, with the movement
    (``improved``, ``worsened``, ``started``, ``new``) in ``change``."""
    q = sql.as_quarter(quarter)
    prev, cur = sql.priority_state(q, countries, before=True, name="prev"), PriorityUpdate
    stmt = (
        select(
            Priority.country_code.label("country"),
            *sql.columns(Priority, "priority_id title"),
            prev.c.status.label("previous_status"),
            cur.status,
            prev.c.progress_pct.label("previous_progress"),
            cur.progress_pct,
        )
        .select_from(cur)
        .join(Priority, Priority.priority_id == cur.priority_id)
        .outerjoin(prev, prev.c.priority_id == cur.priority_id)
        .where(
            cur.quarter_idx == q.index,
            sql.in_countries(Priority.country_code, countries),
            or_(prev.c.status.is_(None), prev.c.status != cur.status),
        )
        .order_by(Priority.country_code, Priority.priority_id)
    )
    df = _with_change(sql.frame(engine, stmt), rules.priority_movement)
    return df[df["change"] != rules.UNCHANGED].reset_index(drop=True)


def milestone_changes(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """Milestones reached, late, dropped or replanned during the quarter."""
    q = sql.as_quarter(quarter)
    prev = sql.milestone_state(q, countries, before=True, name="prev")
    cur = MilestoneUpdate
    stmt = (
        select(
            Priority.country_code.label("country"),
            Milestone.priority_id,
            Priority.title.label("priority"),
            Milestone.name.label("milestone"),
            prev.c.status.label("previous_status"),
            *sql.columns(cur, "status due_date completed_on"),
        )
        .select_from(cur)
        .join(Milestone, Milestone.id == cur.milestone_id)
        .join(Priority, Priority.priority_id == Milestone.priority_id)
        .outerjoin(prev, prev.c.milestone_id == cur.milestone_id)
        .where(cur.quarter_idx == q.index, sql.in_countries(Priority.country_code, countries))
        .order_by(Priority.country_code, Milestone.priority_id, cur.due_date, Milestone.id)
    )
    df = _with_change(sql.frame(engine, stmt), rules.milestone_change)
    return df[df["change"].notna()].reset_index(drop=True)


# The changes "what changed" always reports (zero included), per area.
CHANGE_AREAS: dict[str, tuple[str, ...]] = {
    "finding": (rules.RAISED, rules.REMEDIATED, rules.VERIFIED, rules.RISK_ACCEPTED, rules.REOPENED),
    "priority": (rules.IMPROVED, rules.WORSENED, rules.STARTED, rules.NEW),
    "milestone": (rules.REACHED, rules.LATE, rules.DROPPED),
}


def summarise_changes(
    finding_counts: dict[str, int], priorities: pd.DataFrame, milestones: pd.DataFrame
) -> pd.DataFrame:
    """How many findings, priorities and milestones changed in each way
    during the quarter, from :func:`finding_change_counts`,
    :func:`priority_changes` and :func:`milestone_changes`: one row per
    (area, change) of :data:`CHANGE_AREAS`, with ``n`` (zero included)."""
    counts: dict[str, Mapping[str, int]] = {
        "finding": finding_counts,
        "priority": Counter(priorities["change"]),
        "milestone": Counter(milestones["change"]),
    }
    rows = []
    for area, changes in CHANGE_AREAS.items():
        rows += [dict(area=area, change=c, n=int(counts[area].get(c, 0))) for c in changes]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- alerts


def overdue_findings(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    severities: Iterable[str] = rules.ALERT_SEVERITIES,
    limit: int | None = None,
) -> pd.DataFrame:
    """Open findings of the given severities whose due date had passed at the
    end of the quarter, most severe and longest overdue first (at most
    ``limit``), with the days overdue at the quarter's end."""
    q = sql.as_quarter(quarter)
    s = sql.finding_state(q, countries)
    stmt = (
        select(*sql.finding_columns("severity title"), *sql.columns(s, "status due_date owner"))
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .where(Finding.severity.in_(list(severities)), sql.overdue(s, q.end))
        .order_by(sql.severity_rank(Finding.severity), s.c.due_date, Finding.country_code, Finding.finding_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    df = sql.frame(engine, stmt)
    df["days_overdue"] = pd.Series(
        [(q.end - d).days for d in pd.to_datetime(df["due_date"]).dt.date], index=df.index, dtype=int
    )
    return df


def overdue_count(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    severities: Iterable[str] = rules.ALERT_SEVERITIES,
) -> int:
    """How many findings :func:`overdue_findings` would list without a limit."""
    q = sql.as_quarter(quarter)
    if summary.covers(engine, q.index):
        t = summary.table(per_facility=False)
        stmt = select(summary.overdue_sum(t)).where(
            *summary.conditions(t, quarter_idx=q.index, countries=countries, severities=severities)
        )
    else:
        s = sql.finding_state(q, countries)
        stmt = (
            select(func.count())
            .select_from(Finding)
            .join(s, s.c.finding_id == Finding.finding_id)
            .where(Finding.severity.in_(list(severities)), sql.overdue(s, q.end))
        )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def priorities_in_status(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    statuses: Iterable[str] = ("off track",),
) -> pd.DataFrame:
    """Priorities whose status as at the quarter is one of ``statuses``."""
    return priorities_as_at(engine, quarter, countries, statuses=statuses)


# --------------------------------------------------------------------------- returns


def returns_tracker(
    engine: Engine, first: sql.QuarterLike, last: sql.QuarterLike, countries: sql.Countries = None
) -> pd.DataFrame:
    """One row per country and quarter between ``first`` and ``last``
    (inclusive): whether a return (or the baseline) is received, its kind,
    when it was uploaded and by whom, who prepared it and when it was
    submitted, its file, and how many earlier uploads it superseded."""
    a, b = sql.as_quarter(first), sql.as_quarter(last)
    cur = select(
        Upload.country_code.label("country"),
        Upload.quarter_idx,
        Upload.id.label("upload_id"),
        *sql.columns(Upload, "kind uploaded_at uploaded_by prepared_by submitted_on file_name"),
    ).where(
        Upload.status == "current",
        sql.in_countries(Upload.country_code, countries),
        Upload.quarter_idx >= a.index,
        Upload.quarter_idx <= b.index,
    )
    sup = (
        select(Upload.country_code.label("country"), Upload.quarter_idx, func.count().label("superseded"))
        .where(
            Upload.status == "superseded",
            sql.in_countries(Upload.country_code, countries),
            Upload.quarter_idx >= a.index,
            Upload.quarter_idx <= b.index,
        )
        .group_by(Upload.country_code, Upload.quarter_idx)
    )
    got = sql.frame(engine, cur)
    superseded = sql.frame(engine, sup)
    names = sql.frame(
        engine,
        select(Country.code.label("country"), Country.name)
        .where(sql.in_countries(Country.code, countries))
        .order_by(Country.name),
    )
    grid = pd.DataFrame(
        [(c, i) for c in names["country"] for i in range(a.index, b.index + 1)], columns=["country", "quarter_idx"]
    )
    grid = grid.merge(names, on="country", how="left")
    grid = grid.merge(got, on=["country", "quarter_idx"], how="left")
    grid = grid.merge(superseded, on=["country", "quarter_idx"], how="left")
    grid["quarter"] = [str(Quarter.from_index(int(i))) for i in grid["quarter_idx"]]
    grid["received"] = grid["upload_id"].notna()
    grid["superseded"] = grid["superseded"].fillna(0).astype(int)
    cols = [
        "country",
        "name",
        "quarter",
        "quarter_idx",
        "received",
        "kind",
        "uploaded_at",
        "uploaded_by",
        "prepared_by",
        "submitted_on",
        "file_name",
        "superseded",
        "upload_id",
    ]
    grid = grid[cols]
    return grid.astype(object).where(grid.notna(), None)


# --------------------------------------------------------------------------- trends


def finding_trend(engine: Engine, quarters: Iterable[sql.QuarterLike], countries: sql.Countries = None) -> pd.DataFrame:
    """Open findings by severity as at each quarter (long format: quarter,
    severity, open), from one pass over the status history."""
    qs = [sql.as_quarter(q) for q in quarters]
    if not qs:
        return pd.DataFrame(columns=["quarter", "severity", "open"])
    df = finding_status_by_quarter(engine, min(qs), max(qs), countries, by=("severity",))
    per_group = df[df["status"].isin(OPEN_FINDING_STATUSES)].groupby(["quarter", "severity"])["findings"].sum()
    index = pd.MultiIndex.from_product(
        [[str(q) for q in qs], list(rules.SEVERITY_ORDER)], names=["quarter", "severity"]
    )
    out = per_group.reindex(index, fill_value=0).rename("open").reset_index()
    out["open"] = out["open"].astype(int)
    return out


def priority_trend(
    engine: Engine, quarters: Iterable[sql.QuarterLike], countries: sql.Countries = None
) -> pd.DataFrame:
    """Priorities by status as at each quarter (long format: quarter, status,
    priorities)."""
    frames = []
    for quarter in quarters:
        df = priority_status_counts(engine, quarter, countries)
        df.insert(0, "quarter", str(sql.as_quarter(quarter)))
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["quarter", "status", "priorities"])
    return pd.concat(frames, ignore_index=True)
