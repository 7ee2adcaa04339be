"""Importing a quarterly return: the one code path behind the upload page,
the command line and the sample-data loader.

    may the person check/upload at all? -> wait for an import slot ->
    read (child process, limits) -> parse (every cell) -> may they for the
    return's country? -> lock -> check against the stored state -> plan the
    changes -> apply, or not -> give freed memory back

At most two imports read, check and plan at once in one process
(:data:`data_access.memory.IMPORTS`); the others wait their turn, and the
progress callback is told their place (``import.progress.waiting``).

All-or-nothing: any error, and nothing is written. Uploads for a (country,
quarter) supersede the current one; a byte-identical file changes nothing.
Writes hold the database's write lock (PostgreSQL advisory lock, SQLite
``BEGIN IMMEDIATE``) from the first read of the stored state to the commit,
so two uploads at once are applied one after the other.

Every call takes the acting person (an
:class:`~data_access.rules.access.Actor`) and enforces the rules of
:mod:`data_access.rules.access` here, whatever the caller shows: a dry run
needs ``check``, an import ``upload``, a restore ``restore``, each for the
return's country. A refusal is a rejected result whose message says why
(nothing is written). Each call leaves exactly one audit event
(:mod:`data_access.audit`): ``return.check``, ``return.upload`` or
``upload.restore``, or ``refused``; an applied import records it in its own
transaction, so the event is stored exactly when the upload is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.sql import ColumnElement

from . import audit, db, incident, sql, summary
from . import models as m
from .memory import IMPORTS, release
from .messages import Message
from .rules.access import EMAIL_MAX_CHARS, Actor, refusal
from .rules.checks import FacilityInfo, FindingInfo, PriorityInfo, StoredState, check_return, milestone_key
from .rules.issues import Issue
from .rules.memory import release_after
from .rules.normalise import is_missing
from .rules.quarters import Quarter
from .rules.returns import ParsedReturn, ParsedSheet, ReturnLimits, parse_return
from .sql import UPDATE_TABLES, latest_updates, refresh_spans, table_of
from .workbook import Limits, UnsafeWorkbook, read_workbook

APPLIED, IDENTICAL, REJECTED, UNREADABLE, DRY_RUN = "applied", "identical", "rejected", "unreadable", "dry-run"
EXIT_CODES = {APPLIED: 0, IDENTICAL: 0, DRY_RUN: 0, REJECTED: 1, UNREADABLE: 2}
ACTIONS = ("added", "updated", "unchanged", "removed")


@dataclass
class RowChange:
    sheet: str
    key: str
    action: str  # added | updated | unchanged | removed
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # column -> (before, after)


# The progress callback: the fraction done (0 to 1) and what is happening now.
Progress = Callable[[float, Message], None]


@dataclass
class ImportResult:
    """What an import did, or would do, and why: ``status`` (one of
    :data:`EXIT_CODES`), ``message`` (a :class:`Message`; ``str()`` gives
    the English text), the return's identity, its errors and warnings, and
    the rows it changes."""

    status: str
    message: Message
    file_name: str = ""
    sha256: str = ""
    country: str | None = None
    quarter: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    upload_id: int | None = None
    supersedes: dict[str, Any] | None = None  # the upload this one replaces: id, uploaded_by, uploaded_at, file_name
    refused: bool = False  # the person may not do this (``message`` says why); nothing was read further
    incident: str | None = None  # the database refused the writes: the reference of the error in the server's log

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def changed_rows(self) -> int:
        """Rows added, updated or removed (unchanged rows not counted)."""
        return sum(c.action in ("added", "updated", "removed") for c in self.changes)

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for ch in self.changes:
            out.setdefault(ch.sheet, dict.fromkeys(ACTIONS, 0))[ch.action] += 1
        return out

    def report(self) -> str:
        """Plain-text summary, as the command line prints it."""
        lines = [str(self.message)]
        if self.refused:
            return "\n".join([*lines, "Nothing was written."])
        if self.country and self.quarter:
            lines.append(f"Return: {self.country} {self.quarter}  ({self.file_name}, sha256 {self.sha256[:12]}...)")
        if self.supersedes:
            s = self.supersedes
            lines.append(
                f"Supersedes upload #{s['id']} ({s['file_name']}) by {s['uploaded_by']} on "
                f"{s['uploaded_at']:%Y-%m-%d %H:%M}."
            )
        if self.changes:
            lines.append("")
            lines.append(f"{'sheet':<12} {'added':>7} {'updated':>8} {'unchanged':>10} {'removed':>8}")
            for sheet, c in self.counts.items():
                lines.append(f"{sheet:<12} {c['added']:>7} {c['updated']:>8} {c['unchanged']:>10} {c['removed']:>8}")
        if self.errors:
            lines.append("")
            lines.append(f"{len(self.errors)} error(s) - nothing was written:")
            lines += [f"  ERROR   {e}" for e in self.errors]
        if self.warnings:
            lines.append("")
            lines.append(f"{len(self.warnings)} warning(s):")
            lines += [f"  WARNING {w}" for w in self.warnings]
        return "\n".join(lines)


class _Rejected(Exception):
    """Raised inside the transaction to roll it back."""


@dataclass(frozen=True)
class _Trail:
    """The one audit event of a call: what was asked (``event``: an action
    of :data:`~data_access.audit.EVENT_ACTIONS`), under which rule
    (``rule``: an action of :data:`~data_access.rules.access.ACTIONS`), by
    whom, from where, with what else to record."""

    actor: Actor
    event: str  # return.check | return.upload | upload.restore
    rule: str  # check | upload | restore
    address: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    restored: int | None = None  # upload.restore: the upload restored

    def detail(self, r: ImportResult) -> dict[str, Any]:
        d: dict[str, Any] = dict(status=r.status, errors=len(r.errors), warnings=len(r.warnings), upload_id=r.upload_id)
        if self.event == "upload.restore":
            d["restored"] = self.restored
        if r.incident:
            d["incident"] = r.incident
        d.update(file_name=r.file_name, sha256=r.sha256)
        return {**self.extra, **d}

    def record(self, conn: Connection, r: ImportResult) -> None:
        """Inside the transaction that applies the upload."""
        audit.record(conn, self.actor, self.event, r.country, r.quarter, self.address, **self.detail(r))

    def log(self, engine: Engine, r: ImportResult) -> None:
        """For what wrote nothing (a dry run, a rejection, an identical file)."""
        if r.refused:
            audit.refused(
                engine,
                self.actor,
                self.rule,
                r.message.key,
                r.country,
                r.quarter,
                self.address,
                **{**self.extra, "file_name": r.file_name, "sha256": r.sha256, "upload_id": self.restored},
            )
        else:
            audit.log(engine, self.actor, self.event, r.country, r.quarter, self.address, **self.detail(r))


def _refused(
    why: Message, file_name: str, sha: str, country: str | None = None, quarter: str | None = None
) -> ImportResult:
    """A refusal: rejected, with why as the message and the one error."""
    return ImportResult(
        REJECTED,
        why,
        file_name,
        sha,
        country=country,
        quarter=quarter,
        errors=[Issue("", "", str(why))],
        refused=True,
    )


def import_workbook(
    engine: Engine,
    actor: Actor,
    data: bytes,
    file_name: str,
    *,
    dry_run: bool = False,
    kind: str = "return",
    restored_from: int | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    address: str | None = None,
    audit_detail: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Validate and (unless ``dry_run``) apply one workbook for ``actor``,
    who needs ``check`` (a dry run) or ``upload`` for the return's country.
    Never raises for bad input or a refusal: the result says what happened
    and why. ``progress`` is told how far the import is, with a message
    ``import.progress.*``. The call leaves one audit event
    (``return.check`` or ``return.upload``, or ``refused``), from
    ``address`` when given, with ``audit_detail`` added to its detail."""
    trail = _Trail(
        actor,
        "return.check" if dry_run else "return.upload",
        "check" if dry_run else "upload",
        address,
        dict(audit_detail or {}),
    )
    result = _import(engine, trail, data, file_name, dry_run, kind, restored_from, limits, progress)
    if result.status != APPLIED:  # an applied upload recorded its event in its own transaction
        trail.log(engine, result)
    return result


def _import(
    engine: Engine,
    trail: _Trail,
    data: bytes,
    file_name: str,
    dry_run: bool,
    kind: str,
    restored_from: int | None,
    limits: Limits | None,
    progress: Progress | None,
) -> ImportResult:
    limits = limits or Limits.from_env()

    def say(fraction: float, step: str) -> None:
        if progress is not None:
            progress(fraction, Message(f"import.progress.{step}"))

    sha = hashlib.sha256(data).hexdigest()
    why = refusal(trail.actor, trail.rule)  # for no country at all: nothing is read
    if why is not None:
        return _refused(why, file_name, sha)

    def wait(place: int) -> None:
        if progress is not None:
            progress(0.0, Message("import.progress.waiting", dict(place=place)))

    try:
        with IMPORTS.held(wait):
            return _read_check_apply(engine, trail, data, sha, file_name, dry_run, kind, restored_from, limits, say)
    finally:
        if release_after(len(data)):
            release()


def _read_check_apply(
    engine: Engine,
    trail: _Trail,
    data: bytes,
    sha: str,
    file_name: str,
    dry_run: bool,
    kind: str,
    restored_from: int | None,
    limits: Limits,
    say: Callable[[float, str], None],
) -> ImportResult:
    """The import proper, while it holds one of the process's import slots."""
    say(0.05, "file")
    try:
        raw = read_workbook(data, file_name, limits)
    except UnsafeWorkbook as exc:
        return ImportResult(UNREADABLE, exc.message, file_name, sha, errors=[Issue("", "", str(exc))])

    say(0.35, "sheets")
    with engine.connect() as conn:
        countries = {c.code.lower(): c.code for c in conn.execute(select(m.Country.code, m.Country.name))}
        countries.update({name.lower(): code for code, name in conn.execute(select(m.Country.code, m.Country.name))})
    parsed = parse_return(raw.sheets, ReturnLimits(limits.max_rows, limits.max_cell_chars), countries)
    del raw  # the parsed return holds what is needed
    quarter_text = str(parsed.quarter) if parsed.quarter else None
    if parsed.country is not None:
        why = refusal(trail.actor, trail.rule, parsed.country)
        if why is not None:
            return _refused(why, file_name, sha, parsed.country, quarter_text)
    result = ImportResult(
        DRY_RUN if dry_run else APPLIED,
        Message("import.progress.stored"),  # until the outcome is known
        file_name,
        sha,
        country=parsed.country,
        quarter=quarter_text,
    )
    result.errors = list(parsed.issues.errors)
    result.warnings = list(parsed.issues.warnings)

    say(0.6, "stored")
    try:
        with db.write_transaction(engine) as conn:
            same = conn.execute(
                select(m.Upload.id, m.Upload.country_code, m.Upload.quarter).where(
                    m.Upload.sha256 == sha, m.Upload.status == "current", m.Upload.kind == kind
                )
            ).first()
            if same is not None and not result.errors:
                result.status = IDENTICAL
                result.upload_id = same.id
                result.message = Message(
                    "import.result.identical", dict(id=same.id, country=same.country_code, quarter=same.quarter)
                )
                return result
            country, quarter = parsed.country, parsed.quarter
            if country is None or quarter is None:  # the parse has said why (an error)
                raise _Rejected()
            state = load_state(conn, country, quarter)
            more = check_return(parsed, state)
            result.errors += more.errors
            result.warnings += more.warnings
            if result.errors:
                raise _Rejected()
            say(0.8, "changes")
            plan = _plan(conn, parsed, country, quarter)
            result.changes = plan.changes
            previous = conn.execute(
                select(m.Upload.id, m.Upload.uploaded_by, m.Upload.uploaded_at, m.Upload.file_name).where(
                    m.Upload.country_code == country,
                    m.Upload.quarter_idx == quarter.index,
                    m.Upload.status == "current",
                )
            ).first()
            if previous is not None:
                result.supersedes = dict(
                    id=previous.id,
                    uploaded_by=previous.uploaded_by,
                    uploaded_at=previous.uploaded_at,
                    file_name=previous.file_name,
                )
            if dry_run:
                result.message = _dry_run_message(result)
                return result
            say(0.9, "saving")
            result.upload_id = _apply(
                conn, parsed, country, quarter, plan, result, data, trail.actor, kind, restored_from, previous
            )
            result.message = _applied_message(result)
            trail.record(conn, result)
    except _Rejected:
        result.status = REJECTED
        result.message = Message("import.result.rejected", dict(n=len(result.errors)))
    except (DataError, IntegrityError) as exc:
        # The checks let through something the database refuses (they should
        # not: rules/sheets.py holds the limits of both). The transaction is
        # rolled back: nothing is written, and the person is told so, with a
        # reference to the error in the server's log, never the SQL.
        result.incident = incident.report(exc, f"the database refused to store {file_name!r}")
        result.status, result.upload_id = REJECTED, None
        result.message = Message("import.result.not_stored", dict(ref=result.incident))
        result.errors = [*result.errors, Issue("", "", str(result.message))]
    say(1.0, "done")
    return result


def _dry_run_message(r: ImportResult) -> Message:
    params = dict(n=r.changed_rows, country=r.country, quarter=r.quarter)
    if r.supersedes:
        return Message("import.result.dry_run_supersedes", dict(params, old=r.supersedes["id"]))
    return Message("import.result.dry_run", params)


def _applied_message(r: ImportResult) -> Message:
    params = dict(id=r.upload_id, n=r.changed_rows, country=r.country, quarter=r.quarter)
    if r.supersedes:
        return Message("import.result.applied_supersedes", dict(params, old=r.supersedes["id"]))
    return Message("import.result.applied", params)


# --------------------------------------------------------------------------- stored state


def load_state(conn: Connection, country: str, quarter: Quarter) -> StoredState:
    """What the checks of a return need from the database: the stored rows
    it may refer to, and the country's state before the quarter."""
    c = conn.execute(select(table_of(m.Country)).where(m.Country.code == country)).one()
    state = StoredState(country, quarter, (c.lat_min, c.lat_max, c.lon_min, c.lon_max))
    fac = table_of(m.Facility)
    for f in conn.execute(select(fac.c.facility_id, fac.c.country_code, fac.c.name, fac.c.latitude, fac.c.longitude)):
        state.facilities[f.facility_id] = FacilityInfo(f.country_code, f.name, f.latitude, f.longitude)
    findings_before = select(sql.finding_state(quarter, [country], before=True))
    status_before = {u.finding_id: u.status for u in conn.execute(findings_before)}
    for fi in conn.execute(
        select(m.Finding.finding_id, m.Finding.country_code, m.Finding.facility_id, m.Finding.audit_date)
    ):
        state.findings[fi.finding_id] = FindingInfo(
            fi.country_code, fi.facility_id, fi.audit_date, status_before.get(fi.finding_id)
        )
    priorities_before = select(sql.priority_state(quarter, [country], before=True))
    before = {u.priority_id: u for u in conn.execute(priorities_before)}
    for pr in conn.execute(select(m.Priority.priority_id, m.Priority.country_code)):
        u = before.get(pr.priority_id)
        state.priorities[pr.priority_id] = PriorityInfo(
            pr.country_code, u.status if u else None, u.progress_pct if u else None
        )
    for act in conn.execute(select(m.Activity.activity_id, m.Activity.country_code, m.Activity.quarter)):
        state.activities[act.activity_id] = (act.country_code, act.quarter)
    iv = table_of(m.IndicatorValue)
    latest = (
        select(iv.c.indicator_code, iv.c.value)
        .where(iv.c.country_code == country, iv.c.quarter_idx < quarter.index)
        .order_by(iv.c.quarter_idx)
    )
    for code, value in conn.execute(latest):
        state.indicators_before[code] = value  # later quarters overwrite earlier ones
    return state


# --------------------------------------------------------------------------- planning


def _none(v: Any) -> Any:
    """A missing value (:func:`is_missing`) as None; whole floats stay floats."""
    return None if is_missing(v) else v


def _same(a: Any, b: Any) -> bool:
    a, b = _none(a), _none(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)
    if isinstance(a, dt.datetime):
        a = a.date()
    if isinstance(b, dt.datetime):
        b = b.date()
    return a == b


def _records(sheet: ParsedSheet | None) -> list[dict[str, Any]]:
    return [] if sheet is None else sheet.records()


# A write of the plan, run inside the import's transaction with the new upload's id.
Op = Callable[[Connection, int], None]


@dataclass
class Plan:
    changes: list[RowChange] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)

    def change(
        self, sheet: str, key: str, before: dict[str, Any] | None, after: dict[str, Any], columns: list[str]
    ) -> str:
        if before is None:
            self.changes.append(
                RowChange(sheet, key, "added", {c: (None, after[c]) for c in columns if after.get(c) is not None})
            )
            return "added"
        diff = {
            c: (_none(before.get(c)), _none(after.get(c))) for c in columns if not _same(before.get(c), after.get(c))
        }
        action = "updated" if diff else "unchanged"
        self.changes.append(RowChange(sheet, key, action, diff))
        return action

    def removed(self, sheet: str, stored: dict[str, dict[str, Any]], columns: list[str]) -> None:
        """The ``stored`` rows (key -> row) the new return no longer lists."""
        for key, row in stored.items():
            self.changes.append(RowChange(sheet, key, "removed", {c: (row.get(c), None) for c in columns}))


def _plan(conn: Connection, parsed: ParsedReturn, country: str, q: Quarter) -> Plan:
    plan = Plan()
    s = parsed.sheets
    if "Indicators" in s:
        _plan_indicators(conn, plan, country, q, _records(s["Indicators"]))
    if "Facilities" in s:
        _plan_facilities(conn, plan, country, _records(s["Facilities"]))
    for spec in (FINDINGS, PRIORITIES):
        if spec.sheet in s:
            _plan_tracked(conn, plan, spec, country, q, _records(s[spec.sheet]))
    if "Milestones" in s:
        _plan_milestones(conn, plan, country, q, _records(s["Milestones"]))
    if "Activities" in s:
        _plan_activities(conn, plan, country, q, _records(s["Activities"]))
    return plan


def _quarter_rows(t: Table, country: str, q: Quarter) -> ColumnElement[bool]:
    """The rows of a per-quarter table (indicators, activities) a return replaces."""
    return and_(t.c.country_code == country, t.c.quarter_idx == q.index)


def _replace_quarter_rows(t: Table, country: str, q: Quarter, new_rows: list[dict[str, Any]]) -> Op:
    """The write that replaces the return's rows of a per-quarter table with ``new_rows``."""

    def op(c: Connection, upload_id: int) -> None:
        c.execute(delete(t).where(_quarter_rows(t, country, q)))
        if new_rows:
            c.execute(insert(t), [dict(r, upload_id=upload_id) for r in new_rows])

    return op


def _write_entities(
    c: Connection,
    t: Table,
    key: str,
    columns: list[str],
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    upload_id: int,
) -> None:
    """Insert the new entities (facilities, findings, priorities) and update
    the ``columns`` of the changed ones (``_id``: their key), recording the upload."""
    if inserts:
        c.execute(insert(t), [dict(r, created_upload_id=upload_id, updated_upload_id=upload_id) for r in inserts])
    if updates:
        stmt = (
            update(t)
            .where(t.c[key] == bindparam("_id"))
            .values({x: bindparam(x) for x in [*columns, "updated_upload_id"]})
        )
        c.execute(stmt, [dict(r, updated_upload_id=upload_id) for r in updates])


def _plan_indicators(conn: Connection, plan: Plan, country: str, q: Quarter, rows: list[dict[str, Any]]) -> None:
    cols = ["value", "approximate", "note"]
    t = table_of(m.IndicatorValue)
    stored = select(t.c.indicator_code, t.c.value, t.c.approximate, t.c.note).where(_quarter_rows(t, country, q))
    existing = {r.indicator_code: r._asdict() for r in conn.execute(stored)}
    new_rows = []
    for r in rows:
        after = dict(value=r["value"], approximate=bool(r.get("approximate") or False), note=r.get("note"))
        plan.change("Indicators", r["indicator"], existing.pop(r["indicator"], None), after, cols)
        new_rows.append(
            dict(country_code=country, indicator_code=r["indicator"], quarter=str(q), quarter_idx=q.index, **after)
        )
    plan.removed("Indicators", existing, cols)
    plan.ops.append(_replace_quarter_rows(t, country, q, new_rows))


FACILITY_COLS = ["name", "type", "city", "latitude", "longitude", "pilot", "notes"]


def _plan_facilities(conn: Connection, plan: Plan, country: str, rows: list[dict[str, Any]]) -> None:
    t = table_of(m.Facility)
    existing = {r.facility_id: r._asdict() for r in conn.execute(select(t).where(t.c.country_code == country))}
    inserts, updates = [], []
    for r in rows:
        fid = r["facility_id"]
        before = existing.get(fid)
        if before is None:
            after = {c: r.get(c) for c in FACILITY_COLS}
            after["pilot"] = bool(after["pilot"] or False)
            plan.change("Facilities", fid, None, after, FACILITY_COLS)
            inserts.append(dict(after, facility_id=fid, country_code=country))
        else:
            after = {c: (r[c] if r.get(c) is not None else before[c]) for c in FACILITY_COLS}
            if plan.change("Facilities", fid, before, after, FACILITY_COLS) == "updated":
                updates.append(dict(after, _id=fid))

    def op(c: Connection, upload_id: int) -> None:
        _write_entities(c, t, "facility_id", FACILITY_COLS, inserts, updates, upload_id)

    plan.ops.append(op)


@dataclass(frozen=True)
class Tracked:
    """An entity whose attributes are updated in place and whose state is
    kept per quarter, as an update row for the quarter when it differs from
    the state before the quarter: findings and priorities."""

    sheet: str
    model: type[m.Finding] | type[m.Priority]
    key: str
    entity_cols: list[str]  # updated in place
    state_cols: list[str]  # one row per quarter it changes
    carry: frozenset[str]  # state columns a blank cell carries forward
    kind: str  # the update table, as in sql.UPDATE_TABLES


FINDING_ENTITY = ["facility_id", "audit_date", "domain", "severity", "title", "recommendation"]
FINDING_STATE = ["status", "due_date", "owner", "status_note"]
PRIORITY_ENTITY = ["title", "theme", "target_date"]
PRIORITY_STATE = ["status", "progress_pct", "narrative", "next_steps"]
FINDINGS = Tracked(
    "Findings",
    m.Finding,
    "finding_id",
    FINDING_ENTITY,
    FINDING_STATE,
    frozenset({"due_date", "owner", "status_note"}),
    "findings",
)
PRIORITIES = Tracked(
    "Priorities",
    m.Priority,
    "priority_id",
    PRIORITY_ENTITY,
    PRIORITY_STATE,
    frozenset({"progress_pct", "narrative", "next_steps"}),
    "priorities",
)


def _plan_tracked(
    conn: Connection, plan: Plan, spec: Tracked, country: str, q: Quarter, rows: list[dict[str, Any]]
) -> None:
    """The changes of a :class:`Tracked` sheet."""
    key, et = spec.key, table_of(spec.model)
    ut, _ = UPDATE_TABLES[spec.kind]
    entity_scope = et.c.country_code == country
    existing = {r[key]: r for r in (row._asdict() for row in conn.execute(select(et).where(entity_scope)))}
    scope_keys = select(et.c[key]).where(entity_scope)
    in_scope = ut.c[key].in_(scope_keys)
    before_q = {
        r[key]: r
        for r in (
            row._asdict() for row in conn.execute(latest_updates(spec.kind, q.index, before=True, key_filter=in_scope))
        )
    }
    at_q = {
        r[key]: r
        for r in (row._asdict() for row in conn.execute(select(ut).where(ut.c.quarter_idx == q.index, in_scope)))
    }
    entity_inserts, entity_updates, update_rows = [], [], []
    for r in rows:
        k = r[key]
        old = existing.get(k)
        prev = before_q.get(k) or {}
        now = at_q.pop(k, None) or prev
        ent_after = {c: (r.get(c) if r.get(c) is not None or old is None else old[c]) for c in spec.entity_cols}
        state_after = {
            c: (r.get(c) if r.get(c) is not None or c not in spec.carry else prev.get(c)) for c in spec.state_cols
        }
        before_view = None if old is None else {**old, **{c: now.get(c) for c in spec.state_cols}}
        plan.change(spec.sheet, k, before_view, {**ent_after, **state_after}, spec.entity_cols + spec.state_cols)
        if old is None:
            entity_inserts.append(dict(ent_after, **{key: k}, country_code=country))
        elif any(not _same(old[c], ent_after[c]) for c in spec.entity_cols):
            entity_updates.append(dict(ent_after, _id=k))
        if not prev or any(not _same(prev.get(c), state_after[c]) for c in spec.state_cols):
            update_rows.append(dict(state_after, **{key: k}, quarter=str(q), quarter_idx=q.index))
    # Rows of the quarter that the new workbook no longer lists revert to the earlier state.
    plan.removed(spec.sheet, at_q, spec.state_cols)

    def op(c: Connection, upload_id: int) -> None:
        _write_entities(c, et, key, spec.entity_cols, entity_inserts, entity_updates, upload_id)
        c.execute(delete(ut).where(ut.c.quarter_idx == q.index, in_scope))
        if update_rows:
            c.execute(insert(ut), [dict(r, upload_id=upload_id) for r in update_rows])
        refresh_spans(c, spec.kind, in_scope)

    plan.ops.append(op)


MILESTONE_STATE = ["due_date", "status", "completed_on"]


def _plan_milestones(conn: Connection, plan: Plan, country: str, q: Quarter, rows: list[dict[str, Any]]) -> None:
    mt, ut = table_of(m.Milestone), table_of(m.MilestoneUpdate)
    scope = mt.c.priority_id.in_(select(m.Priority.priority_id).where(m.Priority.country_code == country))
    existing = {(r.priority_id, r.name_key): r._asdict() for r in conn.execute(select(mt).where(scope))}
    ids = select(mt.c.id).where(scope)
    before_q = {
        r.milestone_id: r._asdict()
        for r in conn.execute(latest_updates("milestones", q.index, before=True, key_filter=ut.c.milestone_id.in_(ids)))
    }
    at_q = {
        r.milestone_id: r._asdict()
        for r in conn.execute(select(ut).where(ut.c.quarter_idx == q.index, ut.c.milestone_id.in_(ids)))
    }
    new_milestones, update_rows = [], []
    listed = set()
    for r in rows:
        mkey = (r["priority_id"], milestone_key(r["milestone"]))
        label = f"{r['priority_id']} / {r['milestone']}"
        old = existing.get(mkey)
        prev = before_q.get(old["id"], {}) if old else {}
        now = at_q.get(old["id"], prev) if old else {}
        after = {c: r.get(c) for c in MILESTONE_STATE}
        if after["due_date"] is None:
            after["due_date"] = prev.get("due_date")
        plan.change("Milestones", label, None if old is None else now, after, MILESTONE_STATE)
        if old is None:
            new_milestones.append((mkey, r["milestone"], after))
        else:
            listed.add(old["id"])
            if not prev or any(not _same(prev.get(c), after[c]) for c in MILESTONE_STATE):
                update_rows.append(dict(after, milestone_id=old["id"], quarter=str(q), quarter_idx=q.index))
    names = {v["id"]: f"{k[0]} / {v['name']}" for k, v in existing.items()}
    plan.removed(
        "Milestones", {names.get(mid, str(mid)): row for mid, row in at_q.items() if mid not in listed}, MILESTONE_STATE
    )

    def op(c: Connection, upload_id: int) -> None:
        c.execute(delete(ut).where(ut.c.quarter_idx == q.index, ut.c.milestone_id.in_(ids)))
        rows_out = [dict(r, upload_id=upload_id) for r in update_rows]
        for (pid, nkey), name, after in new_milestones:
            new = c.execute(insert(mt).values(priority_id=pid, name=name, name_key=nkey, created_upload_id=upload_id))
            mid = _new_id(new)
            rows_out.append(dict(after, milestone_id=mid, quarter=str(q), quarter_idx=q.index, upload_id=upload_id))
        if rows_out:
            c.execute(insert(ut), rows_out)
        refresh_spans(c, "milestones", ut.c.milestone_id.in_(select(mt.c.id).where(scope)))

    plan.ops.append(op)


ACTIVITY_COLS = ["date", "type", "title", "participants", "female_participants", "facility_id", "notes"]


def _plan_activities(conn: Connection, plan: Plan, country: str, q: Quarter, rows: list[dict[str, Any]]) -> None:
    t = table_of(m.Activity)
    existing = {r.activity_id: r._asdict() for r in conn.execute(select(t).where(_quarter_rows(t, country, q)))}
    new_rows = []
    for r in rows:
        after = {c: r.get(c) for c in ACTIVITY_COLS}
        for c in ("participants", "female_participants"):
            n = after[c]
            after[c] = None if n is None else int(n)
        plan.change("Activities", r["activity_id"], existing.pop(r["activity_id"], None), after, ACTIVITY_COLS)
        new_rows.append(
            dict(after, activity_id=r["activity_id"], country_code=country, quarter=str(q), quarter_idx=q.index)
        )
    plan.removed("Activities", existing, ACTIVITY_COLS)
    plan.ops.append(_replace_quarter_rows(t, country, q, new_rows))


def _new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


# --------------------------------------------------------------------------- applying


def _apply(
    conn: Connection,
    parsed: ParsedReturn,
    country: str,
    quarter: Quarter,
    plan: Plan,
    result: ImportResult,
    data: bytes,
    actor: Actor,
    kind: str,
    restored_from: int | None,
    previous: Any,
) -> int:
    new = conn.execute(
        insert(m.Upload).values(
            kind=kind,
            country_code=country,
            quarter=str(quarter),
            quarter_idx=quarter.index,
            uploaded_at=dt.datetime.now(dt.UTC),
            uploaded_by=actor.label[:120],
            uploader_email=actor.email[:EMAIL_MAX_CHARS] or None,
            file_name=(result.file_name or "upload.xlsx")[:255],
            sha256=result.sha256,
            size_bytes=len(data),
            content=data,
            status="current",
            restored_from_id=restored_from,
            prepared_by=parsed.prepared_by,
            submitted_on=parsed.submitted_on,
            notes=parsed.notes,
            counts=result.counts,
            warnings=[w.as_dict() for w in result.warnings],
        )
    )
    upload_id = _new_id(new)
    for op in plan.ops:
        op(conn, upload_id)
    if previous is not None:
        conn.execute(
            update(m.Upload).where(m.Upload.id == previous.id).values(status="superseded", superseded_by_id=upload_id)
        )
    summary.refresh(conn, [country])
    return upload_id


def restore_upload(
    engine: Engine,
    actor: Actor,
    upload_id: int,
    *,
    address: str | None = None,
    audit_detail: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Apply an earlier upload's stored file again, as a new upload that
    records where it came from; ``actor`` needs ``restore`` for its
    country. The history is never rewritten. Leaves one audit event,
    ``upload.restore`` (detail: restored, upload_id, status) or ``refused``."""
    trail = _Trail(actor, "upload.restore", "restore", address, dict(audit_detail or {}), restored=upload_id)
    result = _restore(engine, trail, upload_id)
    if result.status != APPLIED:
        trail.log(engine, result)
    return result


def _restore(engine: Engine, trail: _Trail, upload_id: int) -> ImportResult:
    why = refusal(trail.actor, "restore")
    if why is not None:
        return _refused(why, "", "")
    with engine.connect() as conn:
        row = conn.execute(
            select(m.Upload.file_name, m.Upload.content, m.Upload.kind, m.Upload.country_code, m.Upload.quarter).where(
                m.Upload.id == upload_id
            )
        ).first()
    if row is None or row.content is None:
        return ImportResult(
            REJECTED,
            Message("import.result.no_stored_file", dict(id=upload_id)),
            errors=[Issue("", "", f"upload #{upload_id} cannot be restored")],
        )
    why = refusal(trail.actor, "restore", row.country_code)
    if why is not None:
        return _refused(why, row.file_name, "", row.country_code, row.quarter)
    return _import(engine, trail, row.content, row.file_name, False, row.kind, upload_id, None, None)
