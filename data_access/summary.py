"""Finding counts kept ready for the pages.

Rebuilding the state of 100,000 findings as at a quarter means a range
lookup over half a million history rows: 0.3-0.5 s each time, and the
Audit findings page needs a dozen such counts. Yet what the pages show is
almost always a count by country, facility, domain, severity and status.
So the importer keeps two derived tables up to date (:func:`refresh`,
called in the import's transaction, for the return's country):

``finding_counts``
    findings per (quarter, country, facility, domain, severity, status,
    overdue) as at the end of every quarter from the first one with a
    finding to the *horizon*: the latest quarter of any return or history
    entry (a return for a new quarter extends every country by it). One
    quarter is a contiguous slice of the primary key, so a count as at a
    quarter reads a few thousand rows.
``finding_counts_country``
    the same without the facility, for charts over all quarters.

and, on each finding, the first quarter it was reported at all, and the
first quarters it was reported remediated (or verified) and verified,
which is what remediation times are measured from.

A quarter after the horizon is not in the tables (:func:`covers` says so):
the queries then fall back to rebuilding the states from the history, as
they do for filters the tables do not carry (owner, a finding's text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, overload

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.sql.elements import Label

from . import sql
from .models import Finding, FindingCount, FindingCountByCountry, FindingUpdate, Upload
from .rules.findings import REMEDIATED_STATUSES
from .rules.quarters import Quarter

COUNT_KEYS = ("country_code", "facility_id", "domain", "severity", "status", "overdue")


def quarters_table(first: int, last: int, name: str = "quarters"):
    """A subquery with one row per quarter index from ``first`` to ``last``:
    ``qi`` and the quarter's last day ``q_end``."""
    # The end date is a typed bind parameter, not a CAST: SQLite would turn CAST(... AS DATE) into a number.
    rows = [
        select(literal(i, Integer).label("qi"), literal(Quarter.from_index(i).end, Date).label("q_end"))
        for i in range(first, last + 1)
    ]
    return union_all(*rows).subquery(name)


def horizon(conn: Connection | Engine) -> int | None:
    """The last quarter the tables hold (None when they are empty)."""
    with _connection(conn) as c:
        return c.execute(select(func.max(FindingCountByCountry.quarter_idx))).scalar()


def covers(conn: Connection | Engine, quarter_idx: int) -> bool:
    """Whether the counts as at the quarter can be read from the tables."""
    h = horizon(conn)
    return h is not None and quarter_idx <= h


# One of the two count tables (their columns are alike but for ``facility_id``).
CountTable = type[FindingCount] | type[FindingCountByCountry]


@overload
def table(per_facility: Literal[True]) -> type[FindingCount]: ...
@overload
def table(per_facility: Literal[False]) -> type[FindingCountByCountry]: ...
@overload
def table(per_facility: bool) -> CountTable: ...
def table(per_facility: bool) -> CountTable:
    """The count table to read: per facility only when the query needs it."""
    return FindingCount if per_facility else FindingCountByCountry


def conditions(
    t,
    *,
    quarter_idx: int | None = None,
    first: int | None = None,
    last: int | None = None,
    countries: sql.Countries = None,
    facilities: Iterable[str] = (),
    domains: Iterable[str] = (),
    severities: Iterable[str] = (),
    statuses: Iterable[str] = (),
    overdue_only: bool = False,
) -> list:
    """WHERE conditions on a count table ``t``: one quarter or a range of
    quarters, and the filters (empty: all)."""
    cond = []
    if quarter_idx is not None:
        cond.append(t.quarter_idx == quarter_idx)
    if first is not None:
        cond.append(t.quarter_idx >= first)
    if last is not None:
        cond.append(t.quarter_idx <= last)
    for column, values in (
        (t.country_code, countries),
        (getattr(t, "facility_id", None), facilities),
        (t.domain, domains),
        (t.severity, severities),
        (t.status, statuses),
    ):
        values = list(values or ())
        if values:
            if column is None:
                raise ValueError("a facility filter needs the per-facility table")
            cond.append(column.in_(values))
    if overdue_only:
        cond.append(t.overdue.is_(True))
    return cond


def keys(t: CountTable, by: Iterable[str]) -> list[Label[Any]]:
    """Columns of a count table to group by, each labelled by its key (as
    :func:`data_access.sql.finding_keys`: ``country`` is ``country_code``)."""
    return [getattr(t, "country_code" if k == "country" else k).label(k) for k in by]


def overdue_sum(t):
    """SUM of the findings that are overdue (an aggregate over count rows)."""
    return func.coalesce(func.sum(case((t.overdue.is_(True), t.findings), else_=0)), 0)


def sum_where(t, condition):
    """SUM of the findings of the count rows matching ``condition``."""
    return func.coalesce(func.sum(case((condition, t.findings), else_=0)), 0)


def refresh(conn: Connection, countries: sql.Countries = None) -> None:
    """Bring the derived data up to date after the history of ``countries``
    (all when None) changed, inside the caller's transaction: those
    countries are recomputed for every quarter. When the horizon moved on (a
    return for a new quarter), the other countries gain the new quarters
    only: their states carry forward, and due dates fall due in them."""
    fu = FindingUpdate
    lo, hi = conn.execute(select(func.min(fu.quarter_idx), func.max(fu.quarter_idx))).one()
    hi_uploads = conn.execute(select(func.max(Upload.quarter_idx)).where(Upload.status == "current")).scalar()
    if lo is None:
        conn.execute(delete(FindingCount))
        conn.execute(delete(FindingCountByCountry))
        return
    new_horizon = max(h for h in (hi, hi_uploads) if h is not None)
    old_horizon = horizon(conn)
    countries = sorted(set(countries or ()))
    if not countries or old_horizon is None or new_horizon < old_horizon:
        countries = []  # all of them, every quarter
    changed = (lambda col: col.in_(countries)) if countries else (lambda col: literal(True))

    firsts = {
        "first_reported_idx": literal(True),
        "first_remediated_idx": fu.status.in_(REMEDIATED_STATUSES),
        "first_verified_idx": fu.status == "verified",
    }
    conn.execute(
        update(Finding)
        .where(changed(Finding.country_code))
        .values(
            **{
                col: select(func.min(fu.quarter_idx)).where(fu.finding_id == Finding.finding_id, cond).scalar_subquery()
                for col, cond in firsts.items()
            }
        )
    )
    conn.execute(delete(FindingCount).where(changed(FindingCount.country_code)))
    conn.execute(delete(FindingCountByCountry).where(changed(FindingCountByCountry.country_code)))
    _fill(conn, lo, new_horizon, changed)
    if countries and old_horizon is not None and new_horizon > old_horizon:
        _fill(conn, old_horizon + 1, new_horizon, lambda col: col.not_in(countries))


def _fill(conn: Connection, first: int, last: int, scope) -> None:
    """Insert the counts of quarters ``first`` to ``last`` for the findings
    of the countries ``scope(country column)`` selects."""
    fu = FindingUpdate
    qt = quarters_table(first, last)
    is_overdue = sql.overdue(FindingUpdate.__table__, qt.c.q_end)
    keys = (Finding.country_code, Finding.facility_id, Finding.domain, Finding.severity, fu.status)
    per_facility = (
        select(qt.c.qi, *keys, case((is_overdue, True), else_=False), func.count())
        .select_from(Finding)
        .join(fu, fu.finding_id == Finding.finding_id)
        .join(qt, and_(fu.quarter_idx <= qt.c.qi, or_(fu.next_quarter_idx.is_(None), fu.next_quarter_idx > qt.c.qi)))
        .where(scope(Finding.country_code))
        .group_by(qt.c.qi, *keys, is_overdue)
    )
    conn.execute(insert(FindingCount).from_select(["quarter_idx", *COUNT_KEYS, "findings"], per_facility))
    fc = FindingCount
    country_keys = (fc.quarter_idx, fc.country_code, fc.domain, fc.severity, fc.status, fc.overdue)
    per_country = (
        select(*country_keys, func.sum(fc.findings))
        .where(scope(fc.country_code), fc.quarter_idx >= first, fc.quarter_idx <= last)
        .group_by(*country_keys)
    )
    conn.execute(
        insert(FindingCountByCountry).from_select(
            ["quarter_idx", "country_code", "domain", "severity", "status", "overdue", "findings"], per_country
        )
    )


@contextmanager
def _connection(bind: Connection | Engine) -> Iterator[Connection]:
    """``with _connection(engine_or_connection) as conn``: a connection either way."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn
