"""Queries behind the Priorities page: every priority as at a quarter with
its computed status and slipping flags, its state quarter by quarter, its
narrative thread and milestones, and counts by status for the programme.

Selecting and grouping happen in SQL; the rules that judge the results
(computed status, disagreement, slipping, which narrative is new) come from
:mod:`data_access.rules.priorities`. Arguments as in
:mod:`data_access.queries`: ``countries`` is a list of ISO codes (None or
empty: all), ``quarter`` a ``YYYY-Qn`` string or a :class:`Quarter`.

Why quarters and not stored rows: the importer stores an update only when a
priority's state differs from the quarter before, so "unchanged for two
quarters" and the trend are worked out from the state *as at* each quarter
(the latest update at or before it), never by counting stored rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, and_, func, literal, select

from . import queries, sql, summary
from .models import Country, Priority, PriorityUpdate
from .rules import priorities as rules
from .rules import status as rag
from .rules.quarters import Quarter

NO_THEME = ""  # the theme key of priorities without one


def _scope(countries: sql.Countries, priority_ids: Iterable[str] | None = None):
    """The updates of the priorities in scope; no condition at all when every
    priority is (an IN over all of them only slows the lookups down)."""
    if priority_ids:
        return PriorityUpdate.priority_id.in_(
            select(Priority.priority_id).where(
                sql.in_countries(Priority.country_code, countries), Priority.priority_id.in_(list(priority_ids))
            )
        )
    if countries:
        return PriorityUpdate.priority_id.in_(
            select(Priority.priority_id).where(Priority.country_code.in_(list(countries)))
        )
    return literal(True)


def _first_quarters():
    return (
        select(PriorityUpdate.priority_id.label("pid"), func.min(PriorityUpdate.quarter_idx).label("first_idx"))
        .group_by(PriorityUpdate.priority_id)
        .subquery("first")
    )


def _none(df: pd.DataFrame, columns: Iterable[str]) -> None:
    for c in columns:
        df[c] = df[c].astype(object).where(df[c].notna(), None)


# --------------------------------------------------------------------------- state quarter by quarter


def priority_states(
    engine: Engine,
    first: sql.QuarterLike,
    last: sql.QuarterLike,
    countries: sql.Countries = None,
    priority_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Each priority's state as at the end of every quarter from ``first`` to
    ``last`` (only quarters from its first report on): ``quarter``,
    ``quarter_idx``, ``country``, ``priority_id``, ``status``,
    ``progress_pct``, ``reported`` (whether a return reported a change that
    quarter; otherwise the state is carried from an earlier quarter).
    One SQL query over the spans between a priority's updates."""
    a, b = sql.as_quarter(first), sql.as_quarter(last)
    columns = ["quarter", "quarter_idx", "country", "priority_id", "status", "progress_pct", "reported"]
    if b.index < a.index:
        return pd.DataFrame(columns=columns)
    pu = PriorityUpdate
    spans = (
        select(
            pu.priority_id,
            pu.status,
            pu.progress_pct,
            pu.quarter_idx.label("q_from"),
            (pu.next_quarter_idx - 1).label("q_to"),
        )
        .where(_scope(countries, priority_ids), pu.quarter_idx <= b.index)
        .subquery("spans")
    )
    qsel = summary.quarters_table(a.index, b.index)
    stmt = (
        select(
            qsel.c.qi,
            Priority.country_code.label("country"),
            spans.c.priority_id,
            spans.c.status,
            spans.c.progress_pct,
            (spans.c.q_from == qsel.c.qi).label("reported"),
        )
        .select_from(spans)
        .join(qsel, and_(spans.c.q_from <= qsel.c.qi, spans.c.q_to.is_(None) | (spans.c.q_to >= qsel.c.qi)))
        .join(Priority, Priority.priority_id == spans.c.priority_id)
        .order_by(Priority.country_code, spans.c.priority_id, qsel.c.qi)
    )
    df = sql.frame(engine, stmt)
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["quarter_idx"] = df.pop("qi").astype(int)
    names = {i: str(Quarter.from_index(int(i))) for i in df["quarter_idx"].unique()}
    df.insert(0, "quarter", df["quarter_idx"].map(names))
    df["reported"] = df["reported"].astype(bool)
    df["progress_pct"] = df["progress_pct"].astype(float)
    return df[columns]


def progress_trends(
    engine: Engine, first: sql.QuarterLike, last: sql.QuarterLike, countries: sql.Countries = None
) -> pd.DataFrame:
    """Per priority: ``trend``, its progress at the end of every quarter from
    ``first`` (or its first report) to ``last``, a missing value as 0; and
    ``unchanged_since``, the first quarter of the run of equal progress that
    ends at ``last`` (:func:`rules.unchanged_since`)."""
    states = priority_states(engine, first, last, countries)
    rows = [
        (pid, list(g["progress_pct"].fillna(0)), rules.unchanged_since(list(g["quarter"]), list(g["progress_pct"])))
        for pid, g in states.groupby("priority_id", sort=False)
    ]
    return pd.DataFrame(rows, columns=["priority_id", "trend", "unchanged_since"])


# --------------------------------------------------------------------------- every priority, assessed


def priorities_assessed(engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None) -> pd.DataFrame:
    """One row per priority reported by the end of the quarter, with its
    state then and how the rules judge it.

    From SQL: ``country``, ``country_name``, ``priority_id``, ``title``,
    ``theme``, ``target_date``, ``status`` (reported), ``progress_pct``,
    ``narrative``, ``next_steps``, ``last_update`` (the quarter of its
    latest report), ``first_quarter`` (its first report: the start of the
    line), ``previous_status`` / ``previous_progress`` (as at the quarter
    before; None before its first report) and ``progress_2q_ago``.

    From the rules: ``computed_status`` and its ``reason``,
    ``expected_progress`` and ``gap`` (points below the line),
    ``disagreement`` (None when the statuses agree), ``worsened``,
    ``stalled``, ``slipping`` and ``movement`` against the quarter before."""
    q = sql.as_quarter(quarter)
    now, prev, prev2 = (
        sql.priority_state(q, countries, name="now"),
        sql.priority_state(q.shift(-1), countries, name="prev"),
        sql.priority_state(q.shift(-2), countries, name="prev2"),
    )
    first = _first_quarters()
    stmt = (
        select(
            Priority.country_code.label("country"),
            Country.name.label("country_name"),
            Priority.priority_id,
            Priority.title,
            Priority.theme,
            Priority.target_date,
            now.c.status,
            now.c.progress_pct,
            now.c.narrative,
            now.c.next_steps,
            now.c.quarter.label("last_update"),
            first.c.first_idx,
            prev.c.status.label("previous_status"),
            prev.c.progress_pct.label("previous_progress"),
            prev2.c.status.label("status_2q_ago"),
            prev2.c.progress_pct.label("progress_2q_ago"),
        )
        .select_from(Priority)
        .join(now, now.c.priority_id == Priority.priority_id)
        .join(Country, Country.code == Priority.country_code)
        .join(first, first.c.pid == Priority.priority_id)
        .outerjoin(prev, prev.c.priority_id == Priority.priority_id)
        .outerjoin(prev2, prev2.c.priority_id == Priority.priority_id)
        .order_by(Priority.country_code, Priority.priority_id)
    )
    df = sql.frame(engine, stmt)
    df["first_quarter"] = [str(Quarter.from_index(int(i))) for i in df.pop("first_idx")]
    for c in ("progress_pct", "previous_progress", "progress_2q_ago"):
        df[c] = df[c].astype(float)
    _none(df, ("previous_status", "status_2q_ago", "narrative", "next_steps", "theme", "target_date"))
    assessments, disagreements, worsened, stalled, movement = [], [], [], [], []
    for r in sql.records(df):
        start = rules.start_date(sql.as_quarter(r["first_quarter"]))
        a = rules.computed_status(r["progress_pct"], r["target_date"], start, q.end)
        assessments.append(a)
        disagreements.append(rules.disagreement(r["status"], a.status))
        states = [
            None if s is None else rules.State(s, p)
            for s, p in (
                (r["status_2q_ago"], r["progress_2q_ago"]),
                (r["previous_status"], r["previous_progress"]),
                (r["status"], r["progress_pct"]),
            )
        ]
        why = rules.slipping(states)
        worsened.append(rules.WORSENED in why)
        stalled.append(rules.STALLED in why)
        movement.append(rag.priority_movement(r["previous_status"], r["status"]))
    df["start_date"] = pd.Series([a.start for a in assessments], index=df.index, dtype=object)
    df["computed_status"] = pd.Series([a.status for a in assessments], index=df.index, dtype=object)
    df["reason"] = pd.Series([a.reason for a in assessments], index=df.index, dtype=object)
    df["expected_progress"] = pd.Series([a.expected for a in assessments], index=df.index, dtype=float)
    df["gap"] = pd.Series([a.gap for a in assessments], index=df.index, dtype=float)
    df["disagreement"] = pd.Series(disagreements, index=df.index, dtype=object)
    df["worsened"] = pd.Series(worsened, index=df.index, dtype=bool)
    df["stalled"] = pd.Series(stalled, index=df.index, dtype=bool)
    df["slipping"] = df["worsened"] | df["stalled"]
    df["movement"] = pd.Series(movement, index=df.index, dtype=object)
    return df.drop(columns=["status_2q_ago"])


def flag_counts(assessed: pd.DataFrame) -> dict[str, int]:
    """Priorities by reported status (all five), and how many disagree with
    the rule and how many are slipping, from :func:`priorities_assessed`."""
    counts = assessed["status"].value_counts() if not assessed.empty else pd.Series(dtype=int)
    out = {s: int(counts.get(s, 0)) for s in rag.PRIORITY_DISPLAY_ORDER}
    out["disagree"] = int(assessed["disagreement"].notna().sum()) if not assessed.empty else 0
    out["slipping"] = int(assessed["slipping"].sum()) if not assessed.empty else 0
    return out


# --------------------------------------------------------------------------- programme-wide


def status_counts(
    engine: Engine, quarter: sql.QuarterLike, countries: sql.Countries = None, by: str = "country"
) -> pd.DataFrame:
    """Priorities by reported status as at the quarter, grouped in SQL by
    ``country`` (with ``country_name``) or ``theme`` (trimmed, lower case;
    ``""`` for none): columns ``<by>``, [``country_name``], ``status``,
    ``priorities``."""
    q = sql.as_quarter(quarter)
    s = sql.priority_state(q, countries)
    if by == "country":
        keys = [Priority.country_code.label("country"), Country.name.label("country_name")]
    elif by == "theme":
        keys = [func.coalesce(func.lower(func.trim(Priority.theme)), literal(NO_THEME)).label("theme")]
    else:
        raise ValueError(f"cannot group priorities by {by!r}")
    stmt = (
        select(*keys, s.c.status, func.count().label("priorities"))
        .select_from(Priority)
        .join(s, s.c.priority_id == Priority.priority_id)
        .join(Country, Country.code == Priority.country_code)
        .group_by(*keys, s.c.status)
        .order_by(*keys, s.c.status)
    )
    df = sql.frame(engine, stmt)
    df["priorities"] = df["priorities"].astype(int)
    return df


# --------------------------------------------------------------------------- one priority


def narrative_thread(engine: Engine, priority_id: str, up_to: sql.QuarterLike) -> pd.DataFrame:
    """The priority's reports up to the quarter as a thread, newest first
    (see :func:`rules.narrative_thread`): ``quarter``, ``status``,
    ``previous_status``, ``movement``, ``progress``, ``previous_progress``,
    ``narrative``, ``next_steps`` (None when not new)."""
    history = queries.priority_history(engine, [priority_id], up_to=up_to)
    entries = rules.narrative_thread(sql.records(history))
    columns = [
        "quarter",
        "status",
        "previous_status",
        "movement",
        "progress",
        "previous_progress",
        "narrative",
        "next_steps",
    ]
    df = pd.DataFrame(entries, columns=columns).astype(object)
    return df.where(df.notna(), None)


def progress_path(engine: Engine, priority_id: str, quarter: sql.QuarterLike) -> pd.DataFrame:
    """The priority's state as at each quarter from its first report to the
    quarter, with the progress expected on the rule's straight line at each
    quarter's end: ``quarter``, ``quarter_end``, ``status``,
    ``progress_pct``, ``reported``, ``expected_progress`` (None without a
    target date)."""
    q = sql.as_quarter(quarter)
    with engine.connect() as conn:
        row = conn.execute(
            select(Priority.target_date, func.min(PriorityUpdate.quarter_idx))
            .join(PriorityUpdate, PriorityUpdate.priority_id == Priority.priority_id)
            .where(Priority.priority_id == priority_id)
            .group_by(Priority.target_date)
        ).first()
    columns = ["quarter", "quarter_end", "status", "progress_pct", "reported", "expected_progress"]
    if row is None or row[1] > q.index:
        return pd.DataFrame(columns=columns)
    target, first_idx = row
    states = priority_states(engine, Quarter.from_index(first_idx), q, priority_ids=[priority_id])
    start = rules.start_date(Quarter.from_index(first_idx))
    ends = [Quarter.from_index(i).end for i in states["quarter_idx"]]
    states["quarter_end"] = ends
    states["expected_progress"] = [rules.expected_progress(start, target, e) if target else None for e in ends]
    return states[columns]


def milestone_timeline(engine: Engine, quarter: sql.QuarterLike, priority_id: str) -> pd.DataFrame:
    """The priority's milestones as at the quarter, in the order they are due:
    ``milestone``, ``status``, ``due_date``, ``completed_on``,
    ``last_update`` (the quarter its status was last reported),
    ``date`` (where it sits on the timeline: done on, else due) and
    ``timing`` (on_time, done_late, past_due, due; None for dropped)."""
    q = sql.as_quarter(quarter)
    df = queries.milestones_as_at(engine, q, priority_id=priority_id)
    df = df.drop(columns=["country", "priority_id"])
    _none(df, ("due_date", "completed_on"))
    rows = sql.records(df)
    df["date"] = pd.Series(
        [rules.timeline_date(r["status"], r["due_date"], r["completed_on"]) for r in rows], index=df.index, dtype=object
    )
    df["timing"] = pd.Series(
        [rules.milestone_timing(r["status"], r["due_date"], r["completed_on"], q.end) for r in rows],
        index=df.index,
        dtype=object,
    )
    df["_d"] = pd.to_datetime(df["due_date"])
    return df.sort_values(["_d", "milestone"], na_position="last").drop(columns="_d").reset_index(drop=True)


# Flags of :func:`flag_counts` shown as tiles, in order, and whether a rise is good news.
FLAGS: tuple[str, ...] = ("on track", "at risk", "off track", "completed", "disagree", "slipping")
FLAG_POLARITY: dict[str, str] = {
    "on track": rag.GOOD_UP,
    "at risk": rag.GOOD_DOWN,
    "off track": rag.GOOD_DOWN,
    "completed": rag.GOOD_UP,
    "not started": rag.GOOD_DOWN,
    "disagree": rag.GOOD_DOWN,
    "slipping": rag.GOOD_DOWN,
}
