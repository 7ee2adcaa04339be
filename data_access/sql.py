"""The SQL toolkit of the query modules: what every one of them shares.

Arguments, everywhere in :mod:`data_access`: ``countries`` is a list of ISO
codes (None or empty: all countries), ``quarter`` a canonical ``YYYY-Qn``
string or a :class:`Quarter` (:func:`as_quarter` reads either).

- :func:`as_quarter`: a quarter argument as a :class:`Quarter`;
- :func:`frame`: run a select, get a pandas DataFrame (:func:`records`: its rows);
  :func:`columns`: a select list from column names;
- :func:`in_countries`: the country filter;
- :func:`severity_rank`: severities in order, for sorting and "worst";
- :func:`overdue`: the overdue rule;
- "as at" a quarter: :func:`finding_state`, :func:`priority_state`,
  :func:`milestone_state`, built on :func:`latest_updates`; and for
  indicators, :func:`indicator_values` (the latest value at or before it).

The state "as at" a quarter
---------------------------
The state of a finding, priority or milestone at the end of a quarter is its
latest ``*_updates`` row whose quarter is not after it. Each row stores the
quarter of the entity's next row (``next_quarter_idx``, None while it is the
latest), so that state is a range lookup::

    quarter_idx <= q  AND  (next_quarter_idx IS NULL OR next_quarter_idx > q)

The importer keeps the spans right with :func:`refresh_spans` after every
change. One builder serves the importer (state before the quarter being
imported) and the queries (state as at the quarter the committee looks at).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast, overload

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    FromClause,
    Select,
    Subquery,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import Label

from . import models as m
from .rules.quarters import Quarter, parse_quarter
from .rules.reference import FINDING_SEVERITIES, OPEN_FINDING_STATUSES

# A column of a table or of a mapped class (``Finding.country_code``).
Column = ColumnElement[Any] | QueryableAttribute[Any]
# The arguments of every query: a list of ISO codes (None or empty: all
# countries), and a quarter as ``YYYY-Qn`` text or a Quarter.
Countries = Iterable[str] | None
QuarterLike = str | Quarter
# A select of any columns.
AnySelect = Select[*tuple[Any, ...]]


# --------------------------------------------------------------------------- arguments and results


@overload
def as_quarter(quarter: None) -> None: ...
@overload
def as_quarter(quarter: QuarterLike) -> Quarter: ...
def as_quarter(quarter: QuarterLike | None) -> Quarter | None:
    """A quarter argument as a :class:`Quarter` (None stays None); raises
    ValueError for text that is not a quarter."""
    if quarter is None or isinstance(quarter, Quarter):
        return quarter
    q = parse_quarter(quarter)
    if q is None:
        raise ValueError(f"not a quarter: {quarter!r}")
    return q


def frame(engine: Engine, stmt: Executable) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame, with the statement's column names
    (also when there is no row)."""
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def columns(source: type[m.Base] | FromClause, names: str) -> list[Any]:
    """The columns ``names`` (separated by spaces) of a mapped class or a
    table, for a select list: ``select(*sql.columns(Facility, "name type city"))``."""
    if isinstance(source, FromClause):
        return [source.c[n] for n in names.split()]
    return [getattr(source, n) for n in names.split()]


def finding_columns(names: str = "") -> list[Any]:
    """A finding as the pages list it: ``country``, ``finding_id``,
    ``facility_id`` and the facility's name (``facility``: join
    :class:`Facility`), then its columns ``names``."""
    return [
        m.Finding.country_code.label("country"),
        m.Finding.finding_id,
        m.Finding.facility_id,
        m.Facility.name.label("facility"),
        *columns(m.Finding, names),
    ]


def activity_sums() -> dict[str, ColumnElement[Any]]:
    """Aggregates over activities: how many (``activities``), their
    ``participants``, the women among them (``female_participants``) and
    ``share_base``, the participants of the activities that report both
    figures (the base of the share of women). Label them with
    :func:`labelled`."""
    a = m.Activity
    both = and_(a.participants.is_not(None), a.female_participants.is_not(None))
    return {
        "activities": func.count(),
        "participants": func.coalesce(func.sum(a.participants), 0),
        "female_participants": func.coalesce(func.sum(a.female_participants), 0),
        "share_base": func.coalesce(func.sum(case((both, a.participants), else_=0)), 0),
    }


def labelled(expressions: Mapping[str, ColumnElement[Any]]) -> list[Label[Any]]:
    """Expressions labelled by their keys, for a select list."""
    return [e.label(k) for k, e in expressions.items()]


def finding_keys(by: Iterable[str]) -> list[Label[Any]]:
    """Columns of :class:`Finding` to group by, each labelled by its key:
    any of ``country``, ``facility_id``, ``domain``, ``severity``."""
    f = m.Finding
    columns = {"country": f.country_code, "facility_id": f.facility_id, "domain": f.domain, "severity": f.severity}
    return [columns[k].label(k) for k in by]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts keyed by column name."""
    return cast(list[dict[str, Any]], df.to_dict("records"))


# --------------------------------------------------------------------------- filters and rules


def in_countries(column: Column, countries: Countries) -> ColumnElement[bool]:
    """``column IN (countries)``; always true when ``countries`` is None or empty."""
    codes = list(countries or [])
    return column.in_(codes) if codes else literal(True)


def severity_rank(column: Column) -> ColumnElement[int]:
    """A severity as a number for SQL: 0 for critical, then high, medium, low;
    an unknown severity last."""
    return case(*[(column == sev, i) for i, sev in enumerate(FINDING_SEVERITIES)], else_=len(FINDING_SEVERITIES))


def severities_of(ranks: Iterable[Any]) -> list[str | None]:
    """The severities of :func:`severity_rank` values read back (a "worst
    open severity"); None where there is none (no open finding, NULL)."""
    n = len(FINDING_SEVERITIES)
    return [FINDING_SEVERITIES[int(r)] if pd.notna(r) and int(r) < n else None for r in ranks]


def overdue(state: FromClause, end: dt.date | ColumnElement[Any]) -> ColumnElement[bool]:
    """The overdue rule: a finding is overdue at the end of a quarter when it
    has a due date before that day and its status is still open (open or in
    progress).

    ``state`` holds the finding's ``status`` and ``due_date`` (a
    :func:`finding_state` subquery, the status history table or spans of
    it); ``end`` is the quarter's last day (``Quarter.end``), or an SQL
    column of it when each row has a quarter of its own."""
    c = state.c
    return and_(c.due_date.is_not(None), c.due_date < end, c.status.in_(OPEN_FINDING_STATUSES))


# --------------------------------------------------------------------------- the state as at a quarter


def table_of(model: type[m.Base]) -> Table:
    """The table of a mapped class, typed as the :class:`Table` it is."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


UPDATE_TABLES: dict[str, tuple[Table, str]] = {
    "findings": (table_of(m.FindingUpdate), "finding_id"),
    "priorities": (table_of(m.PriorityUpdate), "priority_id"),
    "milestones": (table_of(m.MilestoneUpdate), "milestone_id"),
}


def in_force(table: FromClause, quarter_idx: int | ColumnElement[Any]) -> ColumnElement[bool]:
    """Rows of an update table that are the state at the end of the quarter
    (its index, or an SQL expression of it)."""
    nxt = table.c.next_quarter_idx
    return and_(table.c.quarter_idx <= quarter_idx, or_(nxt.is_(None), nxt > quarter_idx))


def latest_updates(
    kind: str, quarter_idx: int, *, before: bool = False, key_filter: ColumnElement[bool] | None = None
) -> Select[Any]:
    """Rows of the update table for ``kind``: for each entity, its latest
    update with quarter <= ``quarter_idx`` (< when ``before``).

    ``key_filter`` narrows the entities (e.g. ``key.in_(select ...)``)."""
    table, _ = UPDATE_TABLES[kind]
    stmt = select(table).where(in_force(table, quarter_idx - 1 if before else quarter_idx))
    if key_filter is not None:
        stmt = stmt.where(key_filter)
    return stmt


def _state(kind: str, q: Quarter, ids: Select[Any] | None, before: bool, name: str) -> Subquery:
    table, key = UPDATE_TABLES[kind]
    scope = None if ids is None else table.c[key].in_(ids)
    return latest_updates(kind, q.index, before=before, key_filter=scope).subquery(name)


def finding_state(
    q: Quarter,
    countries: Countries = None,
    *where: ColumnElement[bool],
    before: bool = False,
    name: str = "state",
) -> Subquery:
    """Each finding's state as at the end of ``q`` (the end of the quarter
    before with ``before``): its latest status entry then, one row per
    finding reported by then (``finding_id``, ``status``, ``due_date``,
    ``owner``, ``status_note``, ``quarter``...). Join it to :class:`Finding`.

    Narrowed to the findings of ``countries`` that match ``where``
    (conditions on :class:`Finding`); with neither, no condition at all: an
    IN over every finding would only slow the range lookup down."""
    codes = list(countries or [])
    narrow: list[ColumnElement[bool]] = [m.Finding.country_code.in_(codes)] if codes else []
    narrow += where
    ids = select(m.Finding.finding_id).where(*narrow) if narrow else None
    return _state("findings", q, ids, before, name)


def priority_state(q: Quarter, countries: Countries = None, *, before: bool = False, name: str = "state") -> Subquery:
    """Each priority's state as at the end of ``q`` (of the quarter before
    with ``before``), as :func:`finding_state` does for findings
    (``priority_id``, ``status``, ``progress_pct``, ``narrative``,
    ``next_steps``, ``quarter``...)."""
    codes = list(countries or [])
    ids = select(m.Priority.priority_id).where(m.Priority.country_code.in_(codes)) if codes else None
    return _state("priorities", q, ids, before, name)


def milestone_state(q: Quarter, countries: Countries = None, *, before: bool = False, name: str = "state") -> Subquery:
    """Each milestone's state as at the end of ``q`` (of the quarter before
    with ``before``), as :func:`finding_state` does for findings
    (``milestone_id``, ``due_date``, ``status``, ``completed_on``, ``quarter``...)."""
    codes = list(countries or [])
    ids = (
        select(m.Milestone.id)
        .join(m.Priority, m.Priority.priority_id == m.Milestone.priority_id)
        .where(m.Priority.country_code.in_(codes))
        if codes
        else None
    )
    return _state("milestones", q, ids, before, name)


# Where a stored figure came from: its upload's kind, who uploaded it, when, and the file.
SOURCE_COLUMNS = (
    m.Upload.kind.label("source_kind"),
    m.Upload.uploaded_by.label("source_by"),
    m.Upload.uploaded_at.label("source_at"),
    m.Upload.file_name.label("source_file"),
)
SOURCE_NAMES = tuple(c.name for c in SOURCE_COLUMNS)


def indicator_values(
    countries: Countries = None,
    up_to: Quarter | None = None,
    *,
    which: Literal["all", "first", "latest"] = "all",
) -> AnySelect:
    """Stored indicator values of ``countries`` up to the quarter (all when
    None), per country and indicator oldest first: ``country``,
    ``indicator``, ``label``, ``quarter``, ``quarter_idx``, ``value``,
    ``approximate``, ``note``, their source (:data:`SOURCE_COLUMNS`) and
    ``upload_id``. ``which`` keeps every value, or only the first (the
    baseline) or the latest (the figure as at the quarter) of each country
    and indicator."""
    iv = m.IndicatorValue
    cond = [in_countries(iv.country_code, countries)]
    if up_to is not None:
        cond.append(iv.quarter_idx <= up_to.index)
    stmt: AnySelect = (
        select(
            iv.country_code.label("country"),
            iv.indicator_code.label("indicator"),
            m.IndicatorDef.label,
            iv.quarter,
            iv.quarter_idx,
            iv.value,
            iv.approximate,
            iv.note,
            *SOURCE_COLUMNS,
            m.Upload.id.label("upload_id"),
        )
        .join(m.IndicatorDef, m.IndicatorDef.code == iv.indicator_code)
        .join(m.Upload, m.Upload.id == iv.upload_id)
        .where(*cond)
    )
    if which != "all":
        pick = func.min(iv.quarter_idx) if which == "first" else func.max(iv.quarter_idx)
        one = (
            select(iv.country_code.label("c"), iv.indicator_code.label("i"), pick.label("qi"))
            .where(*cond)
            .group_by(iv.country_code, iv.indicator_code)
            .subquery(which)
        )
        stmt = stmt.join(
            one, and_(iv.country_code == one.c.c, iv.indicator_code == one.c.i, iv.quarter_idx == one.c.qi)
        )
    return stmt.order_by(iv.country_code, m.IndicatorDef.sort_order, iv.quarter_idx)


def refresh_spans(conn: Connection, kind: str, key_filter: ColumnElement[bool] | None = None) -> None:
    """Recompute ``next_quarter_idx`` for the entities matching ``key_filter``
    (all when None): one UPDATE with a correlated subquery on the
    (entity, quarter) index."""
    table, key = UPDATE_TABLES[kind]
    n = table.alias("n")
    nxt = (
        select(func.min(n.c.quarter_idx))
        .where(n.c[key] == table.c[key], n.c.quarter_idx > table.c.quarter_idx)
        .scalar_subquery()
    )
    stmt = update(table).values(next_quarter_idx=nxt)
    if key_filter is not None:
        stmt = stmt.where(key_filter)
    conn.execute(stmt)
