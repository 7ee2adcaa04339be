"""Queries behind the Audit findings page.

Every figure is the state "as at" the end of a quarter, rebuilt from the
status history (the latest entry at or before the quarter), and every
filter of the page is applied in SQL: ``countries`` (the global filter)
plus a :class:`FindingFilter` (facility, domain, severity, status, owner,
overdue only). Status, owner and "overdue" are those of the finding as at
the quarter; for the burn-down, as at each quarter shown. Counting and
grouping happen in SQL; only medians are finished in pandas, from
per-value counts (a portable median in SQL is not worth its complexity).

The overdue rule is the one of :mod:`data_access.sql` (:func:`overdue`:
due date before the quarter's end, status open or in progress); the
page's other rules are in :mod:`data_access.rules.findings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, FromClause, Integer, String, Subquery, and_, case, cast, func, or_, select
from sqlalchemy.sql import ColumnElement

from . import sql, summary
from .models import Facility, Finding, FindingCount, FindingUpdate
from .queries import finding_history
from .rules import findings as rules
from .rules.quarters import Quarter
from .rules.reference import OPEN_FINDING_STATUSES
from .rules.status import SEVERITY_ORDER


@dataclass(frozen=True)
class FindingFilter:
    """The page's own filters; an empty tuple means "all"."""

    facilities: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    overdue_only: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.facilities or self.domains or self.severities or self.statuses or self.owners or self.overdue_only
        )


NO_FILTER = FindingFilter()


def _flt(flt: FindingFilter | None) -> FindingFilter:
    return flt or NO_FILTER


# --------------------------------------------------------------------------- building blocks


def _fixed(flt: FindingFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions on the finding itself, but for the country
    (they never change over time)."""
    cond: list[ColumnElement[bool]] = []
    if flt.facilities:
        cond.append(Finding.facility_id.in_(list(flt.facilities)))
    if flt.domains:
        cond.append(Finding.domain.in_(list(flt.domains)))
    if flt.severities:
        cond.append(Finding.severity.in_(list(flt.severities)))
    return cond


def _static(countries: sql.Countries, flt: FindingFilter) -> list[ColumnElement[bool]]:
    """Conditions on the finding itself (they never change over time)."""
    return [sql.in_countries(Finding.country_code, countries), *_fixed(flt)]


def _state(q: Quarter, countries: sql.Countries, flt: FindingFilter) -> Subquery:
    """Each in-scope finding's latest status entry at or before ``q``."""
    return sql.finding_state(q, countries, *_fixed(flt))


def _state_conditions(
    state: FromClause, end: dt.date | ColumnElement[Any], flt: FindingFilter
) -> list[ColumnElement[bool]]:
    """Conditions on a state (status, owner, overdue at ``end``, the last day
    of the quarter or an SQL column of it)."""
    cond: list[ColumnElement[bool]] = []
    if flt.statuses:
        cond.append(state.c.status.in_(list(flt.statuses)))
    if flt.owners:
        cond.append(state.c.owner.in_(list(flt.owners)))
    if flt.overdue_only:
        cond.append(sql.overdue(state, end))
    return cond


def _scoped(q: Quarter, countries: sql.Countries, flt: FindingFilter) -> tuple[Subquery, list]:
    """(state subquery, where-conditions) selecting the filtered findings as at q;
    select from ``Finding`` joined to the state."""
    s = _state(q, countries, flt)
    return s, [*_static(countries, flt), *_state_conditions(s, q.end, flt)]


def _from_counts(engine: Engine, quarter_idx: int, flt: FindingFilter) -> bool:
    """Whether the finding counts (:mod:`data_access.summary`) can answer:
    they cover the quarter and carry every filter (all but the owner)."""
    return not flt.owners and summary.covers(engine, quarter_idx)


def _count_table(flt: FindingFilter, by: Iterable[str] = ()):
    return summary.table(per_facility=bool(flt.facilities) or "facility_id" in by)


def _count_conditions(t, countries: sql.Countries, flt: FindingFilter, **quarters) -> list:
    return summary.conditions(
        t,
        countries=countries,
        facilities=flt.facilities,
        domains=flt.domains,
        severities=flt.severities,
        statuses=flt.statuses,
        overdue_only=flt.overdue_only,
        **quarters,
    )


def _ints(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for c in columns:
        df[c] = df[c].fillna(0).astype(int)
    return df


# --------------------------------------------------------------------------- filter options


def owners(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> list[str]:
    """The owners of the findings in scope as at the quarter, sorted."""
    q = sql.as_quarter(quarter)
    s = _state(q, countries, NO_FILTER)
    stmt = select(s.c.owner).where(s.c.owner.is_not(None)).distinct().order_by(s.c.owner)
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt) if r[0]]


def finding_count(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, flt: FindingFilter | None = None
) -> int:
    """How many findings match, as at the quarter."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    if _from_counts(engine, q.index, flt):
        t = _count_table(flt)
        stmt = select(func.coalesce(func.sum(t.findings), 0)).where(
            *_count_conditions(t, countries, flt, quarter_idx=q.index)
        )
    else:
        s, cond = _scoped(q, countries, flt)
        stmt = select(func.count()).select_from(Finding).join(s, s.c.finding_id == Finding.finding_id).where(*cond)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


# --------------------------------------------------------------------------- counts

GROUP_KEYS = ("country", "facility_id", "domain", "severity")


def status_counts(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    flt: FindingFilter | None = None,
    by: Iterable[str] = (),
) -> pd.DataFrame:
    """Findings by status as at the quarter, grouped in SQL by any of
    country, facility_id (with the facility's name), domain, severity;
    with how many of them are overdue."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    by = list(by)
    if _from_counts(engine, q.index, flt):
        t = _count_table(flt, by)
        keys = summary.keys(t, by)
        stmt = select(
            *keys, t.status, func.sum(t.findings).label("findings"), summary.overdue_sum(t).label("overdue")
        ).where(*_count_conditions(t, countries, flt, quarter_idx=q.index))
        if "facility_id" in by:
            stmt = stmt.join(Facility, Facility.facility_id == t.facility_id).add_columns(
                Facility.name.label("facility")
            )
            stmt = stmt.group_by(*keys, Facility.name, t.status)
        else:
            stmt = stmt.group_by(*keys, t.status)
        stmt = stmt.order_by(*keys, t.status)
        df = _ints(sql.frame(engine, stmt), ("findings", "overdue"))
        return df[[*by, *(["facility"] if "facility_id" in by else []), "status", "findings", "overdue"]]
    s, cond = _scoped(q, countries, flt)
    keys = sql.finding_keys(by)
    extra = [Facility.name.label("facility")] if "facility_id" in by else []
    stmt = (
        select(
            *keys,
            *extra,
            s.c.status,
            func.count().label("findings"),
            func.sum(case((sql.overdue(s, q.end), 1), else_=0)).label("overdue"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .where(*cond)
        .group_by(*keys, *extra, s.c.status)
        .order_by(*keys, s.c.status)
    )
    return _ints(sql.frame(engine, stmt), ("findings", "overdue"))


HEADLINE_METRICS: tuple[str, ...] = (*rules.TILE_STATUSES, "overdue", "median_days_to_remediate")


def headline(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, flt: FindingFilter | None = None
) -> pd.DataFrame:
    """The tiles: findings in each status, overdue ones, and the median days
    from audit to (first reported) remediation, as at the quarter and the
    quarter before (``previous``: None before the first quarter)."""
    q = sql.as_quarter(quarter)

    def values(at: Quarter) -> dict[str, float | None]:
        counts = status_counts(engine, at, countries, flt)
        per_status = dict(zip(counts["status"], counts["findings"], strict=False))
        out: dict[str, float | None] = {s: int(per_status.get(s, 0)) for s in rules.TILE_STATUSES}
        out["overdue"] = int(counts["overdue"].sum())
        out["median_days_to_remediate"] = median_days_to_remediate(engine, at, countries, flt)
        return out

    now, before = values(q), values(q.previous())
    rows = [dict(metric=m, value=now[m], previous=before[m]) for m in HEADLINE_METRICS]
    df = pd.DataFrame(rows)
    for c in ("value", "previous"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


# --------------------------------------------------------------------------- burn-down


def burn_down(
    engine: Engine,
    first: sql.QuarterLike,
    last: sql.QuarterLike,
    countries: sql.Countries = None,
    flt: FindingFilter | None = None,
) -> pd.DataFrame:
    """Open findings (open or in progress) by severity as at the end of every
    quarter from ``first`` to ``last``, with how many were overdue then.
    One SQL query over status spans; the status, owner and overdue filters
    apply to each quarter's state. Rows only where there are open findings."""
    a, b, flt = sql.as_quarter(first), sql.as_quarter(last), _flt(flt)
    if _from_counts(engine, b.index, flt):
        t = _count_table(flt)
        stmt = (
            select(
                t.quarter_idx.label("qi"),
                t.severity,
                func.sum(t.findings).label("open"),
                summary.overdue_sum(t).label("overdue"),
            )
            .where(
                *_count_conditions(t, countries, flt, first=a.index, last=b.index), t.status.in_(OPEN_FINDING_STATUSES)
            )
            .group_by(t.quarter_idx, t.severity)
            .order_by(t.quarter_idx, t.severity)
        )
        df = sql.frame(engine, stmt)
        df.insert(0, "quarter", [str(Quarter.from_index(int(i))) for i in df.pop("qi")])
        return _ints(df, ("open", "overdue"))
    fu = FindingUpdate
    nxt = func.lead(fu.quarter_idx).over(partition_by=fu.finding_id, order_by=fu.quarter_idx)
    spans = (
        select(fu.finding_id, fu.status, fu.due_date, fu.owner, fu.quarter_idx.label("q_from"), (nxt - 1).label("q_to"))
        .where(fu.finding_id.in_(select(Finding.finding_id).where(*_static(countries, flt))))
        .subquery("spans")
    )
    quarters = summary.quarters_table(a.index, b.index)
    ends = quarters.c.q_end
    cond = [spans.c.status.in_(OPEN_FINDING_STATUSES), *_state_conditions(spans, ends, flt)]
    stmt = (
        select(
            quarters.c.qi,
            Finding.severity,
            func.count().label("open"),
            func.sum(case((sql.overdue(spans, ends), 1), else_=0)).label("overdue"),
        )
        .select_from(spans)
        .join(
            quarters, and_(spans.c.q_from <= quarters.c.qi, or_(spans.c.q_to.is_(None), spans.c.q_to >= quarters.c.qi))
        )
        .join(Finding, Finding.finding_id == spans.c.finding_id)
        .where(*cond)
        .group_by(quarters.c.qi, Finding.severity)
        .order_by(quarters.c.qi, Finding.severity)
    )
    df = sql.frame(engine, stmt)
    df.insert(0, "quarter", [str(Quarter.from_index(int(i))) for i in df.pop("qi")])
    return _ints(df, ("open", "overdue"))


# --------------------------------------------------------------------------- ageing


def ageing(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, flt: FindingFilter | None = None
) -> pd.DataFrame:
    """Open findings by how long they have been open (``measure`` "age":
    days from the audit to the quarter's end) and overdue findings by how
    far past due they are (``measure`` "past_due"), by severity; bands of
    :data:`rules.AGE_BANDS` and :data:`rules.PAST_DUE_BANDS`, in SQL."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    frames = []
    for measure, bands, column in (
        ("age", rules.AGE_BANDS, Finding.audit_date),
        ("past_due", rules.PAST_DUE_BANDS, None),
    ):
        s, cond = _scoped(q, countries, flt)
        col = s.c.due_date if column is None else column
        cutoffs = rules.band_cutoffs(bands, q.end)
        bucket = case(*[(col >= cutoff, key) for key, cutoff in cutoffs if cutoff is not None], else_=cutoffs[-1][0])
        where = [*cond, s.c.status.in_(OPEN_FINDING_STATUSES)]
        if measure == "past_due":
            where.append(sql.overdue(s, q.end))
        stmt = (
            select(bucket.label("band"), Finding.severity, func.count().label("findings"))
            .select_from(Finding)
            .join(s, s.c.finding_id == Finding.finding_id)
            .where(*where)
            .group_by(bucket, Finding.severity)
        )
        df = sql.frame(engine, stmt)
        df.insert(0, "measure", measure)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if any(len(f) for f in frames) else frames[0].iloc[0:0]
    order = {b.key: i for i, b in enumerate((*rules.AGE_BANDS, *rules.PAST_DUE_BANDS))}
    out = out.assign(_o=out["band"].map(order), _s=out["severity"].map({s: i for i, s in enumerate(SEVERITY_ORDER)}))
    out = out.sort_values(["measure", "_o", "_s"]).drop(columns=["_o", "_s"]).reset_index(drop=True)
    return _ints(out, ("findings",))


# --------------------------------------------------------------------------- remediation speed

SPEED_KEYS = ("country", "domain", "severity", "facility_id", "remediated_quarter")


def _per_finding(q: Quarter, countries: sql.Countries, flt: FindingFilter):
    """One row per filtered finding as at q: its keys, audit date, as-at status
    and due date, and the first quarters (indexes, <= q) it was reported
    remediated (or verified) and verified."""
    s, cond = _scoped(q, countries, flt)
    return (
        select(
            Finding.finding_id,
            Finding.country_code.label("country"),
            Finding.domain,
            Finding.severity,
            Finding.facility_id,
            Finding.audit_date,
            s.c.status,
            s.c.due_date,
            _first_by(Finding.first_remediated_idx, q).label("rem_q"),
            _first_by(Finding.first_verified_idx, q).label("ver_q"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .where(*cond)
        .subquery("per_finding")
    )


def _first_by(column, q: Quarter):
    """A "first quarter reported ..." column of the finding, as known at ``q``
    (None when that came later)."""
    return case((column <= q.index, column), else_=None)


def remediation_speed(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    flt: FindingFilter | None = None,
    by: Iterable[str] = (),
) -> pd.DataFrame:
    """Remediation speed as at the quarter, grouped by any of country, domain,
    severity, facility_id, remediated_quarter (the quarter first reported
    remediated).

    Per group: ``findings``; ``remediated`` and ``verified`` (reported so by
    the quarter) with the median days from the audit to the end of the
    quarter first reported so (``median_days_to_remediated``,
    ``median_days_to_verified``); ``due`` (due date before the quarter's end,
    risk not accepted), ``on_time`` (of those, first reported remediated in
    the quarter of the due date or earlier) and ``on_time_share``.
    Medians are computed from counts per (audit date, quarter) made in SQL.
    Without ``by``: one row (also when nothing matches)."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    by = list(by)
    p = _per_finding(q, countries, flt)
    key_cols = {
        "country": p.c.country,
        "domain": p.c.domain,
        "severity": p.c.severity,
        "facility_id": p.c.facility_id,
        "remediated_quarter": p.c.rem_q,
    }
    keys = [key_cols[k].label(k) for k in by]
    due_qidx = _int(func.extract("year", p.c.due_date)) * 4 + (_int(func.extract("month", p.c.due_date)) - 1) // 3
    is_due = and_(p.c.due_date.is_not(None), p.c.due_date < q.end, p.c.status.not_in(rules.NOT_TO_BE_REMEDIATED))
    on_time = and_(is_due, p.c.rem_q.is_not(None), p.c.rem_q <= due_qidx)
    totals = select(
        *keys,
        func.count().label("findings"),
        func.count(p.c.rem_q).label("remediated"),
        func.count(p.c.ver_q).label("verified"),
        func.sum(case((is_due, 1), else_=0)).label("due"),
        func.sum(case((on_time, 1), else_=0)).label("on_time"),
    ).group_by(*keys)
    dist = (
        select(*keys, p.c.audit_date, p.c.rem_q, p.c.ver_q, func.count().label("n"))
        .where(p.c.rem_q.is_not(None))
        .group_by(*keys, p.c.audit_date, p.c.rem_q, p.c.ver_q)
    )
    df = _ints(sql.frame(engine, totals), ("findings", "remediated", "verified", "due", "on_time"))
    spread = sql.frame(engine, dist)
    if not by and df.empty:
        df = pd.DataFrame([dict(findings=0, remediated=0, verified=0, due=0, on_time=0)])
    medians = {}
    for which, col in (("remediated", "rem_q"), ("verified", "ver_q")):
        rows = spread[spread[col].notna()] if len(spread) else spread
        days = (
            [rules.days_to_quarter_end(a, i) for a, i in zip(rows["audit_date"], rows[col], strict=False)]
            if len(rows)
            else []
        )
        rows = rows.assign(_days=pd.Series(days, index=rows.index))
        if by:
            medians[which] = (
                {
                    k if isinstance(k, tuple) else (k,): rules.weighted_median(g["_days"], g["n"])
                    for k, g in rows.groupby(by, dropna=False)
                }
                if len(rows)
                else {}
            )
        else:
            medians[which] = {(): rules.weighted_median(rows["_days"], rows["n"]) if len(rows) else None}
    for which in ("remediated", "verified"):
        df[f"median_days_to_{which}"] = [medians[which].get(tuple(r[k] for k in by)) for _, r in df.iterrows()]
        df[f"median_days_to_{which}"] = df[f"median_days_to_{which}"].astype(float)
    df["on_time_share"] = [rules.share(o, d) for o, d in zip(df["on_time"], df["due"], strict=False)]
    df["on_time_share"] = df["on_time_share"].astype(float)
    if "remediated_quarter" in by:
        df = df[df["remediated_quarter"].notna()].copy()
        df["remediated_quarter"] = [str(Quarter.from_index(int(i))) for i in df["remediated_quarter"]]
    return df.reset_index(drop=True)


def median_days_to_remediate(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, flt: FindingFilter | None = None
) -> float | None:
    """The median days from audit to the end of the quarter first reported
    remediated, over the filtered findings remediated by the quarter: the
    value of :func:`remediation_speed`, read from the findings alone when no
    filter depends on the state as at the quarter."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    if flt.statuses or flt.owners or flt.overdue_only:
        speed = remediation_speed(engine, q, countries, flt)
        return speed["median_days_to_remediated"].iloc[0] if len(speed) else None
    rem = Finding.first_remediated_idx
    # the date as text: thousands of rows parse faster in one pd.to_datetime than one by one
    stmt = (
        select(cast(Finding.audit_date, String).label("audit_date"), rem.label("rem_q"), func.count().label("n"))
        .where(*_static(countries, flt), rem <= q.index)
        .group_by(Finding.audit_date, rem)
    )
    rows = sql.frame(engine, stmt)
    if rows.empty:
        return None
    ends = {i: pd.Timestamp(Quarter.from_index(int(i)).end) for i in rows["rem_q"].unique()}
    days = (rows["rem_q"].map(ends) - pd.to_datetime(rows["audit_date"], format="%Y-%m-%d")).dt.days
    median = rules.weighted_median(days, rows["n"])
    return None if median is None else float(median)


def _int(expr):
    return cast(expr, Integer)


# --------------------------------------------------------------------------- facility x domain


def facility_domain(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, flt: FindingFilter | None = None
) -> pd.DataFrame:
    """Per facility and domain, as at the quarter: findings, open, overdue and
    the worst severity among the open ones (None when none is open)."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    if _from_counts(engine, q.index, flt):
        t = summary.table(per_facility=True)
        is_open = t.status.in_(OPEN_FINDING_STATUSES)
        stmt = (
            select(
                *_facility_domain(t),
                func.sum(t.findings).label("findings"),
                summary.sum_where(t, is_open).label("open"),
                summary.overdue_sum(t).label("overdue"),
                func.min(case((is_open, sql.severity_rank(t.severity)), else_=None)).label("worst_rank"),
            )
            .join(Facility, Facility.facility_id == t.facility_id)
            .where(*_count_conditions(t, countries, flt, quarter_idx=q.index))
            .group_by(t.country_code, t.facility_id, Facility.name, t.domain)
            .order_by(t.country_code, t.facility_id, t.domain)
        )
        return _with_worst(sql.frame(engine, stmt))
    s, cond = _scoped(q, countries, flt)
    is_open = s.c.status.in_(OPEN_FINDING_STATUSES)
    stmt = (
        select(
            *_facility_domain(Finding),
            func.count().label("findings"),
            func.sum(case((is_open, 1), else_=0)).label("open"),
            func.sum(case((sql.overdue(s, q.end), 1), else_=0)).label("overdue"),
            func.min(case((is_open, sql.severity_rank(Finding.severity)), else_=None)).label("worst_rank"),
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .where(*cond)
        .group_by(Finding.country_code, Finding.facility_id, Facility.name, Finding.domain)
        .order_by(Finding.country_code, Finding.facility_id, Finding.domain)
    )
    return _with_worst(sql.frame(engine, stmt))


def _facility_domain(source: type[Finding] | type[FindingCount]) -> list[Any]:
    """The keys of :func:`facility_domain`'s rows, from the findings or their counts."""
    return [source.country_code.label("country"), source.facility_id, Facility.name.label("facility"), source.domain]


def weakest_spots(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    flt: FindingFilter | None = None,
    limit: int = 25,
) -> tuple[pd.DataFrame, int]:
    """The :func:`facility_domain` rows of the ``limit`` weakest facilities
    (:func:`rules.weakness_key`: worst open severity, then more overdue, then
    more open; then by name), weakest first; and how many facilities have
    findings in all. Facilities are ranked in SQL."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    if _from_counts(engine, q.index, flt):
        t = summary.table(per_facility=True)
        is_open = t.status.in_(OPEN_FINDING_STATUSES)
        cond = _count_conditions(t, countries, flt, quarter_idx=q.index)
        worst = func.coalesce(
            func.min(case((is_open, sql.severity_rank(t.severity)), else_=None)), len(SEVERITY_ORDER) + 1
        )
        ranked = (
            select(t.facility_id)
            .join(Facility, Facility.facility_id == t.facility_id)
            .where(*cond)
            .group_by(t.facility_id, Facility.name)
            .order_by(
                worst, summary.overdue_sum(t).desc(), summary.sum_where(t, is_open).desc(), Facility.name, t.facility_id
            )
        )
        with engine.connect() as conn:
            total = int(conn.execute(select(func.count(func.distinct(t.facility_id))).where(*cond)).scalar() or 0)
            top = [r[0] for r in conn.execute(ranked.limit(limit))]
        if not top:
            return facility_domain(engine, q, countries, flt).iloc[0:0], 0
        fd = facility_domain(engine, q, countries, FindingFilter(**{**flt.__dict__, "facilities": tuple(top)}))
    else:
        fd = facility_domain(engine, q, countries, flt)
        if fd.empty:
            return fd, 0
        none_open = len(SEVERITY_ORDER) + 1
        order = (
            fd.assign(
                _rank=fd["worst_open_severity"].map({s: i for i, s in enumerate(SEVERITY_ORDER)}).fillna(none_open)
            )
            .groupby(["facility_id", "facility"], sort=False)
            .agg(_rank=("_rank", "min"), _overdue=("overdue", "sum"), _open=("open", "sum"))
            .reset_index()
            .sort_values(
                ["_rank", "_overdue", "_open", "facility", "facility_id"], ascending=[True, False, False, True, True]
            )
        )
        total, top = len(order), list(order["facility_id"].head(limit))
        fd = fd[fd["facility_id"].isin(top)]
    position = {fid: i for i, fid in enumerate(top)}
    fd = fd.assign(_o=fd["facility_id"].map(position)).sort_values(["_o", "domain"], kind="stable")
    return fd.drop(columns="_o").reset_index(drop=True), total


def _with_worst(df: pd.DataFrame) -> pd.DataFrame:
    df["worst_open_severity"] = pd.Series(sql.severities_of(df.pop("worst_rank")), index=df.index, dtype=object)
    return _ints(df, ("findings", "open", "overdue"))


# --------------------------------------------------------------------------- the findings table

LIST_COLUMNS = (
    "country",
    "finding_id",
    "facility_id",
    "facility",
    "audit_date",
    "domain",
    "severity",
    "title",
    "status",
    "due_date",
    "overdue",
    "days_overdue",
    "owner",
    "status_quarter",
    "status_note",
    "recommendation",
)


def findings_list(
    engine: Engine,
    quarter: sql.QuarterLike,
    countries: sql.Countries = None,
    flt: FindingFilter | None = None,
    search: str = "",
    sort: str = rules.DEFAULT_SORT,
    descending: bool = False,
    limit: int | None = rules.DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """(one page of the filtered findings as at the quarter, how many match
    in all). ``search`` matches the finding ID, title, facility, owner or
    status note (case-insensitive); ``sort`` is one of
    :data:`rules.SORT_KEYS` (ties broken by finding ID); ``limit`` None
    returns every match (for a download). Sorting, searching and paging
    happen in SQL."""
    q, flt = sql.as_quarter(quarter), _flt(flt)
    if sort not in rules.SORT_KEYS:
        raise ValueError(f"unknown sort: {sort!r}")
    s, cond = _scoped(q, countries, flt)
    pattern = rules.like_pattern(search)
    if pattern:
        fields = (Finding.finding_id, Finding.title, Facility.name, Finding.facility_id, s.c.owner, s.c.status_note)
        cond.append(or_(*[func.lower(func.coalesce(f, "")).like(pattern, escape="\\") for f in fields]))
    base = (
        select(Finding.finding_id)
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .where(*cond)
    )
    late = sql.overdue(s, q.end)
    no_due = case((s.c.due_date.is_(None), 1), else_=0)
    status_rank = case(*[(s.c.status == st, i) for st, i in rules.finding_status_order().items()], else_=99)

    def d(col):
        return col.desc() if descending else col.asc()

    orders = {
        "severity": [d(sql.severity_rank(Finding.severity)), case((late, 0), else_=1), no_due, s.c.due_date],
        # most overdue first (earliest due date among the overdue), then the rest by due date
        "days_overdue": [
            d(case((late, 0), else_=1)),
            no_due,
            s.c.due_date.desc() if descending else s.c.due_date.asc(),
        ],
        "due_date": [no_due, d(s.c.due_date)],
        "audit_date": [d(Finding.audit_date)],
        "status": [d(status_rank)],
        "facility": [d(Facility.name)],
        "finding_id": [],
    }
    stmt = (
        select(
            *sql.finding_columns("audit_date domain severity title"),
            s.c.status,
            s.c.due_date,
            late.label("overdue"),
            s.c.owner,
            s.c.quarter.label("status_quarter"),
            s.c.status_note,
            Finding.recommendation,
        )
        .select_from(Finding)
        .join(s, s.c.finding_id == Finding.finding_id)
        .join(Facility, Facility.facility_id == Finding.facility_id)
        .where(*cond)
        .order_by(*orders[sort], d(Finding.finding_id) if sort == "finding_id" else Finding.finding_id)
    )
    if limit is not None:
        stmt = stmt.limit(int(limit)).offset(max(0, int(offset)))
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(base.subquery())).scalar() or 0)
    df = sql.frame(engine, stmt)
    df["overdue"] = df["overdue"].fillna(False).astype(bool)
    # the SQL flag decides (sql.overdue); the days are counted to the quarter's end
    df["days_overdue"] = [
        (q.end - pd.Timestamp(due).date()).days if late else None
        for late, due in zip(df["overdue"], df["due_date"], strict=False)
    ]
    df["days_overdue"] = df["days_overdue"].astype("Int64")
    return df[list(LIST_COLUMNS)], total


# --------------------------------------------------------------------------- one finding


def finding(engine: Engine, finding_id: str) -> dict | None:
    """A finding's fixed facts (whatever the filters), or None when unknown.
    The ID is matched exactly first, then ignoring case and spaces."""
    cols = (*sql.finding_columns("audit_date domain severity title recommendation"), Facility.city)
    fid = (finding_id or "").strip()
    if not fid:
        return None
    with engine.connect() as conn:
        base = select(*cols).join(Facility, Facility.facility_id == Finding.facility_id)
        row = conn.execute(base.where(Finding.finding_id == fid)).mappings().first()
        if row is None:
            row = conn.execute(base.where(func.lower(Finding.finding_id) == fid.lower())).mappings().first()
    return dict(row) if row else None


def finding_timeline(engine: Engine, finding_id: str, quarter: sql.QuarterLike) -> tuple[list[rules.TimelineRow], int]:
    """The finding's story up to the end of the quarter, one row per quarter
    from its first report (see :func:`rules.timeline`), and how many history
    entries come after the quarter (hidden as at it)."""
    q = sql.as_quarter(quarter)
    history = finding_history(engine, finding_id)
    entries = sql.records(history)
    later = sum(1 for e in entries if rules.entry_quarter_idx(e) > q.index)
    return rules.timeline(entries, q), later
