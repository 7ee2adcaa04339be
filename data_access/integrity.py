"""Integrity checks of a whole database: the promises the pages rely on.

``check(engine)`` returns one readable sentence per broken promise, with the
number of rows concerned and a few of their keys (an empty list: the
database is sound). The same checks judge real data (imported returns) and
the synthetic programme of ``benchmarks/generate.py``, so a benchmark never
measures data that the importer could not have produced.

Every check is an SQL aggregate or a ``LIMIT``-ed select of offending keys,
so it stays fast on 100,000 findings and 460,000 status entries: no table is
loaded into memory. Foreign keys already guard most references, but not a
database written with them switched off (SQLite's default outside this
package) or restored from a dump, so they are checked too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, Select, Table, func, or_, select, union_all
from sqlalchemy.engine import Connection

from . import models as m
from .rules import reference as ref
from .rules.quarters import parse_quarter
from .sql import in_force, table_of

EXAMPLES = 3

# Status histories: (table, entity key column, entity table, its primary key, readable name, entity noun).
_UPDATES = (
    (table_of(m.FindingUpdate), "finding_id", table_of(m.Finding), "finding_id", "Finding updates", "finding"),
    (table_of(m.PriorityUpdate), "priority_id", table_of(m.Priority), "priority_id", "Priority updates", "priority"),
    (table_of(m.MilestoneUpdate), "milestone_id", table_of(m.Milestone), "id", "Milestone updates", "milestone"),
)
# Rows holding reported values, each pointing at the upload it came from.
_VALUE_TABLES = (
    (table_of(m.IndicatorValue), "Indicator values"),
    (table_of(m.FindingUpdate), "Finding updates"),
    (table_of(m.PriorityUpdate), "Priority updates"),
    (table_of(m.MilestoneUpdate), "Milestone updates"),
    (table_of(m.Activity), "Activities"),
)
# Tables storing a quarter both as text and as its index.
_QUARTER_TABLES = (
    (table_of(m.Upload), "Uploads"),
    *_VALUE_TABLES,
)
# (column, accepted values, readable name)
_VOCABULARIES = (
    (m.FindingUpdate.status, ref.FINDING_STATUSES, "Finding updates with a status"),
    (m.Finding.severity, ref.FINDING_SEVERITIES, "Findings with a severity"),
    (m.Finding.domain, ref.FINDING_DOMAINS, "Findings with a domain"),
    (m.PriorityUpdate.status, ref.PRIORITY_STATUSES, "Priority updates with a status"),
    (m.MilestoneUpdate.status, ref.MILESTONE_STATUSES, "Milestone updates with a status"),
    (m.Facility.type, ref.FACILITY_TYPES, "Facilities with a type"),
    (m.Activity.type, ref.ACTIVITY_TYPES, "Activities with a type"),
)


@dataclass(frozen=True)
class Rule:
    """A promise, as a select of the keys of the rows that break it."""

    description: str  # plural noun phrase: "Findings whose facility does not exist"
    offenders: Select


def _dangling(table: Table, column: str, target: Table, target_column: str, description: str) -> Rule:
    """Dangling references: rows whose ``column`` (when set) names no row of ``target``."""
    col = table.c[column]
    found = select(target.c[target_column]).where(target.c[target_column] == col).exists()
    return Rule(description, select(*table.primary_key.columns, col).where(col.is_not(None), ~found))


def _rules() -> list[Rule]:
    """Every promise except the quarter spellings (see :func:`_quarter_problems`)."""
    f, fac, c = table_of(m.Finding), table_of(m.Facility), table_of(m.Country)
    rules = [
        _dangling(f, "facility_id", fac, "facility_id", "Findings whose facility does not exist"),
        Rule(
            "Findings in a different country from their facility",
            select(f.c.finding_id, f.c.country_code, fac.c.country_code.label("facility_country"))
            .join(fac, fac.c.facility_id == f.c.facility_id)
            .where(f.c.country_code != fac.c.country_code),
        ),
        _dangling(fac, "country_code", c, "code", "Facilities whose country does not exist"),
        _dangling(
            table_of(m.Milestone),
            "priority_id",
            table_of(m.Priority),
            "priority_id",
            "Milestones whose priority does not exist",
        ),
    ]
    for table, key, entity, entity_pk, name, noun in _UPDATES:
        rules += [
            _dangling(table, key, entity, entity_pk, f"{name} whose {noun} does not exist"),
            Rule(
                f"{name} with more than one row for the same {noun} and quarter",
                select(table.c[key], table.c.quarter_idx, func.count().label("rows"))
                .group_by(table.c[key], table.c.quarter_idx)
                .having(func.count() > 1),
            ),
            _span_rule(table, key, name),
        ]
    for column, accepted, name in _VOCABULARIES:
        table = column.table
        rules.append(
            Rule(
                f"{name} outside the reference list ({', '.join(accepted)})",
                select(*table.primary_key.columns, column).where(column.is_not(None), column.not_in(accepted)),
            )
        )
    for table, name in _VALUE_TABLES:
        rules.append(_dangling(table, "upload_id", table_of(m.Upload), "id", f"{name} whose upload does not exist"))
    a, iv, pu = table_of(m.Activity), table_of(m.IndicatorValue), table_of(m.PriorityUpdate)
    rules += [
        Rule(
            "Activities with more women than participants, or a negative number of participants",
            select(a.c.activity_id, a.c.participants, a.c.female_participants).where(
                or_(a.c.female_participants > a.c.participants, a.c.participants < 0, a.c.female_participants < 0)
            ),
        ),
        Rule(
            "Indicator values below zero",
            select(iv.c.country_code, iv.c.indicator_code, iv.c.quarter, iv.c.value).where(iv.c.value < 0),
        ),
        Rule(
            "Priority updates with a progress outside 0-100 %",
            select(pu.c.priority_id, pu.c.quarter, pu.c.progress_pct).where(
                or_(pu.c.progress_pct < 0, pu.c.progress_pct > 100)
            ),
        ),
        Rule(
            "Facilities whose coordinates lie outside their country's bounding box",
            select(fac.c.facility_id, fac.c.country_code, fac.c.latitude, fac.c.longitude)
            .join(c, c.c.code == fac.c.country_code)
            .where(
                fac.c.latitude.is_not(None),
                fac.c.longitude.is_not(None),
                c.c.lat_min.is_not(None),
                c.c.lat_max.is_not(None),
                c.c.lon_min.is_not(None),
                c.c.lon_max.is_not(None),
                or_(
                    fac.c.latitude < c.c.lat_min,
                    fac.c.latitude > c.c.lat_max,
                    fac.c.longitude < c.c.lon_min,
                    fac.c.longitude > c.c.lon_max,
                ),
            ),
        ),
    ]
    return rules + _count_rules()


def _count_rules() -> list[Rule]:
    """The finding counts (:mod:`data_access.summary`) agree with the history
    they are derived from: they reach the latest quarter, the per-facility
    table adds up to the per-country one, and the counts as at the latest
    quarter equal the states rebuilt from the history."""
    fc, fcc, fu = table_of(m.FindingCount), table_of(m.FindingCountByCountry), table_of(m.FindingUpdate)
    horizon = select(func.max(fcc.c.quarter_idx)).scalar_subquery()
    latest = select(func.max(fu.c.quarter_idx)).scalar_subquery()
    keys = ("quarter_idx", "country_code", "domain", "severity", "status", "overdue")
    per_facility = select(*[fc.c[k] for k in keys], func.sum(fc.c.findings).label("n")).group_by(
        *[fc.c[k] for k in keys]
    )
    per_country = select(*[fcc.c[k] for k in keys], (-fcc.c.findings).label("n"))
    both = union_all(per_facility, per_country).subquery("both")
    state = select(fu).where(in_force(fu, horizon)).subquery("state")
    f = table_of(m.Finding)
    from_history = (
        select(f.c.country_code, state.c.status, (-func.count()).label("n"))
        .select_from(f)
        .join(state, state.c.finding_id == f.c.finding_id)
        .group_by(f.c.country_code, state.c.status)
    )
    from_counts = (
        select(fcc.c.country_code, fcc.c.status, func.sum(fcc.c.findings).label("n"))
        .where(fcc.c.quarter_idx == horizon)
        .group_by(fcc.c.country_code, fcc.c.status)
    )
    at_horizon = union_all(from_counts, from_history).subquery("at_horizon")
    return [
        Rule(
            "Finding counts that stop before the latest quarter of the status history (summary.refresh not run)",
            select(horizon.label("counts_up_to"), latest.label("history_up_to")).where(
                latest.is_not(None), or_(horizon.is_(None), horizon < latest)
            ),
        ),
        Rule(
            "Finding counts per facility that do not add up to the counts per country",
            select(*[both.c[k] for k in keys], func.sum(both.c.n).label("difference"))
            .group_by(*[both.c[k] for k in keys])
            .having(func.sum(both.c.n) != 0),
        ),
        Rule(
            "Finding counts as at their latest quarter that differ from the status history",
            select(at_horizon.c.country_code, at_horizon.c.status, func.sum(at_horizon.c.n).label("difference"))
            .group_by(at_horizon.c.country_code, at_horizon.c.status)
            .having(func.sum(at_horizon.c.n) != 0),
        ),
    ]


def _span_rule(table: Table, key: str, name: str) -> Rule:
    """Each update's ``next_quarter_idx`` is the quarter of the entity's next
    update (NULL for the latest): the spans the as-at reads rely on."""
    expected = func.lead(table.c.quarter_idx).over(partition_by=table.c[key], order_by=table.c.quarter_idx)
    history = select(table.c[key], table.c.quarter, table.c.next_quarter_idx, expected.label("expected_next")).subquery(
        "history"
    )
    return Rule(
        f"{name} whose next_quarter_idx is not the quarter of the next update (history out of order)",
        select(history).where(history.c.next_quarter_idx.is_distinct_from(history.c.expected_next)),
    )


def _quarter_problems(conn: Connection, table: Table, name: str) -> Iterable[str]:
    """Quarter text that is not canonical or disagrees with ``quarter_idx``,
    judged on the table's distinct (quarter, quarter_idx) pairs."""
    pairs = conn.execute(
        select(table.c.quarter, table.c.quarter_idx, func.count())
        .where(or_(table.c.quarter.is_not(None), table.c.quarter_idx.is_not(None)))
        .group_by(table.c.quarter, table.c.quarter_idx)
    ).all()
    bad = [(text, idx, n) for text, idx, n in pairs if not _quarter_matches(text, idx)]
    if bad:
        examples = "; ".join(f"quarter {text!r} with quarter_idx {idx} ({_rows(n)})" for text, idx, n in bad[:EXAMPLES])
        yield _sentence(f"{name} whose quarter_idx does not match their quarter", sum(n for *_, n in bad), examples)


def _quarter_matches(text: str | None, idx: int | None) -> bool:
    q = parse_quarter(text)
    return q is not None and str(q) == text and q.index == idx


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def _sentence(description: str, count: int, examples: str) -> str:
    return f"{description}: {_rows(count)}, e.g. {examples}."


def _format_row(row) -> str:
    return ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in row._mapping.items())


def check(engine: Engine) -> list[str]:
    """Every broken promise as a sentence; empty when the database is sound."""
    problems: list[str] = []
    with engine.connect() as conn:
        for rule in _rules():
            count = conn.execute(select(func.count()).select_from(rule.offenders.subquery())).scalar_one()
            if count:
                rows = conn.execute(rule.offenders.limit(EXAMPLES)).all()
                problems.append(_sentence(rule.description, count, "; ".join(_format_row(r) for r in rows)))
        for table, name in _QUARTER_TABLES:
            problems.extend(_quarter_problems(conn, table, name))
    return problems
