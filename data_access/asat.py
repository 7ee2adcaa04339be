""""As at" selects: the latest update of each entity at or before a quarter.

The state of a finding, priority or milestone at the end of a quarter is its
latest ``*_updates`` row whose quarter is not after it. One builder serves
the importer (state before the quarter being imported) and the queries
(state as at the quarter the committee looks at).
"""

from __future__ import annotations

from sqlalchemy import Select, Table, and_, func, select
from sqlalchemy.sql import ColumnElement

from .models import FindingUpdate, MilestoneUpdate, PriorityUpdate

UPDATE_TABLES: dict[str, tuple[Table, str]] = {
    "findings": (FindingUpdate.__table__, "finding_id"),
    "priorities": (PriorityUpdate.__table__, "priority_id"),
    "milestones": (MilestoneUpdate.__table__, "milestone_id"),
}


def latest_updates(kind: str, quarter_idx: int, *, before: bool = False,
                   key_filter: ColumnElement[bool] | None = None) -> Select:
    """Rows of the update table for ``kind``: for each entity, its latest
    update with quarter <= ``quarter_idx`` (< when ``before``).

    ``key_filter`` narrows the entities early (e.g. ``key.in_(select ...)``)
    so that the grouping only touches the rows it needs."""
    table, key = UPDATE_TABLES[kind]
    q = table.c.quarter_idx
    cond = q < quarter_idx if before else q <= quarter_idx
    inner = select(table.c[key].label("k"), func.max(q).label("mq")).where(cond)
    if key_filter is not None:
        inner = inner.where(key_filter)
    latest = inner.group_by(table.c[key]).subquery("latest")
    return select(table).join(latest, and_(table.c[key] == latest.c.k, q == latest.c.mq))
