""" "As at" selects: the state of each entity at the end of a quarter.

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

from sqlalchemy import Connection, Select, Table, func, or_, select, update
from sqlalchemy.sql import ColumnElement

from .models import FindingUpdate, MilestoneUpdate, PriorityUpdate

UPDATE_TABLES: dict[str, tuple[Table, str]] = {
    "findings": (FindingUpdate.__table__, "finding_id"),
    "priorities": (PriorityUpdate.__table__, "priority_id"),
    "milestones": (MilestoneUpdate.__table__, "milestone_id"),
}


def in_force(table: Table, quarter_idx: int) -> ColumnElement[bool]:
    """Rows of an update table that are the state at the end of the quarter."""
    nxt = table.c.next_quarter_idx
    return (table.c.quarter_idx <= quarter_idx) & or_(nxt.is_(None), nxt > quarter_idx)


def latest_updates(
    kind: str, quarter_idx: int, *, before: bool = False, key_filter: ColumnElement[bool] | None = None
) -> Select:
    """Rows of the update table for ``kind``: for each entity, its latest
    update with quarter <= ``quarter_idx`` (< when ``before``).

    ``key_filter`` narrows the entities (e.g. ``key.in_(select ...)``)."""
    table, _ = UPDATE_TABLES[kind]
    stmt = select(table).where(in_force(table, quarter_idx - 1 if before else quarter_idx))
    if key_filter is not None:
        stmt = stmt.where(key_filter)
    return stmt


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
