"""Checks of a parsed return against what is already stored.

The stored state arrives as a plain :class:`StoredState` snapshot, built by
the data layer inside the import transaction; nothing here touches a
database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from . import reference as ref
from .issues import IssueList
from .normalise import enum_key, is_missing
from .quarters import Quarter
from .returns import ParsedReturn, ParsedSheet
from .sheets import NEW


@dataclass(frozen=True)
class FacilityInfo:
    country: str
    name: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class FindingInfo:
    country: str
    facility_id: str
    audit_date: dt.date | None
    status: str | None  # as at the end of the previous quarter (None: no status yet)


@dataclass(frozen=True)
class PriorityInfo:
    country: str
    status: str | None  # as at the end of the previous quarter
    progress: float | None


@dataclass
class StoredState:
    country: str
    quarter: Quarter
    bounding_box: tuple[float, float, float, float] | None = None  # lat_min, lat_max, lon_min, lon_max
    facilities: dict[str, FacilityInfo] = field(default_factory=dict)
    findings: dict[str, FindingInfo] = field(default_factory=dict)
    priorities: dict[str, PriorityInfo] = field(default_factory=dict)
    activities: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (country, quarter)
    indicators_before: dict[str, float] = field(default_factory=dict)  # latest stored before the quarter


def check_return(parsed: ParsedReturn, state: StoredState) -> IssueList:
    issues = IssueList()
    sheets = parsed.sheets
    workbook_facilities = _ids(sheets.get("Facilities"), "facility_id")
    workbook_priorities = _ids(sheets.get("Priorities"), "priority_id")
    if "Indicators" in sheets:
        _check_indicators(sheets["Indicators"], state, issues)
    if "Facilities" in sheets:
        _check_facilities(sheets["Facilities"], state, issues)
    if "Findings" in sheets:
        _check_findings(sheets["Findings"], state, workbook_facilities, issues)
    if "Priorities" in sheets:
        _check_priorities(sheets["Priorities"], state, issues)
    if "Milestones" in sheets:
        _check_milestones(sheets["Milestones"], state, workbook_priorities, issues)
    if "Activities" in sheets:
        _check_activities(sheets["Activities"], state, workbook_facilities, issues)
    return issues


def _ids(sheet: ParsedSheet | None, column: str) -> set[str]:
    if sheet is None or sheet.frame.empty:
        return set()
    return {v for v in sheet.frame[column] if v is not None}


def _rows(sheet: ParsedSheet):
    return enumerate(sheet.records())


class _Stored(Protocol):
    @property
    def country(self) -> str: ...


S = TypeVar("S", bound=_Stored)


def _foreign(
    sheet: ParsedSheet, pos: int, column: str, known_country: str | None, state: StoredState, issues: IssueList
) -> bool:
    """Whether the row's facility, finding or priority (its ``column``, such
    as ``finding_id``) is stored for another country: an error, said so."""
    if known_country is None or known_country == state.country:
        return False
    entity = sheet.records()[pos][column]
    verb = "change" if column == "facility_id" else "update"
    issues.error(
        sheet.title,
        sheet.cell(column, pos),
        f"{column.removesuffix('_id')} {entity} belongs to {known_country}; a {state.country} return cannot {verb} it",
        entity,
    )
    return True


def _require_new(sheet: ParsedSheet, pos: int, row: dict, what: str, issues: IssueList) -> None:
    for col in sheet.spec.columns:
        if col.required == NEW and is_missing(row.get(col.name)):
            accepted = f"; use one of: {', '.join(col.choices)}" if col.choices else ""
            where = sheet.cell(col.name, pos) if sheet.has(col.name) else f"row {row['_row']}"
            issues.error(
                sheet.title,
                where,
                f"{col.name} is required for a new {what}{accepted}"
                + ("" if sheet.has(col.name) else f" (add a column '{col.name}')"),
            )


def _check_indicators(sheet: ParsedSheet, state: StoredState, issues: IssueList) -> None:
    values: dict[str, float] = {}
    where: dict[str, int] = {}
    for pos, row in _rows(sheet):
        code, value = row.get("indicator"), row.get("value")
        if code is None or is_missing(value):
            continue
        values[code] = value
        where[code] = pos
        before = state.indicators_before.get(code)
        if before and abs(value - before) / before > ref.INDICATOR_CHANGE_WARNING:
            issues.warn(
                sheet.title,
                sheet.cell("value", pos),
                f"{code} changes from {before:,.0f} to {value:,.0f} ({(value - before) / before:+.0%}) against "
                "the previous figure: please check it is not a typing mistake",
                value,
            )

    def figure(code: str) -> tuple[float | None, bool]:
        if code in values:
            return values[code], True
        return state.indicators_before.get(code), False

    for part, whole in ref.INDICATOR_BOUNDS:
        p, p_here = figure(part)
        w, w_here = figure(whole)
        if p is None or w is None or not (p_here or w_here) or p <= w:
            continue
        pos = where[part] if p_here else where[whole]
        source = "" if (p_here and w_here) else " (the other figure is the latest stored one)"
        issues.error(
            sheet.title,
            sheet.cell("value", pos),
            f"{part} ({p:,.0f}) cannot be more than {whole} ({w:,.0f}){source}",
            values.get(part, p),
        )
    total, t_here = figure("repatriated_total")
    parts = [(c, *figure(c)) for c in ref.REPATRIATION_PARTS]
    if total is not None and (t_here or any(h for _, _, h in parts)):
        s = sum(v for _, v, _ in parts if v is not None)
        if s > total:
            code = "repatriated_total" if t_here else next(c for c, _, h in parts if h)
            issues.error(
                sheet.title,
                sheet.cell("value", where[code]),
                f"men, women and children repatriated add up to {s:,.0f}, more than repatriated_total ({total:,.0f})",
                values.get(code),
            )


def _entities(
    sheet: ParsedSheet, column: str, stored: Mapping[str, S], state: StoredState, issues: IssueList
) -> Iterator[tuple[int, dict[str, Any], str, S | None]]:
    """(position, row, key, what is stored of it) of the rows naming a
    facility or priority (their ``column`` is set). Rows of another
    country's are reported and left out; a new one's required cells are checked."""
    for pos, row in _rows(sheet):
        key = row.get(column)
        if key is None:
            continue
        known = stored.get(key)
        if _foreign(sheet, pos, column, known.country if known else None, state, issues):
            continue
        if known is None:
            _require_new(sheet, pos, row, column.removesuffix("_id"), issues)
        yield pos, row, key, known


def _check_facilities(sheet: ParsedSheet, state: StoredState, issues: IssueList) -> None:
    for pos, row, _, _ in _entities(sheet, "facility_id", state.facilities, state, issues):
        lat, lon = row.get("latitude"), row.get("longitude")
        if is_missing(lat) != is_missing(lon):
            missing = "longitude" if is_missing(lon) else "latitude"
            issues.error(
                sheet.title,
                sheet.cell(missing, pos) if sheet.has(missing) else f"row {row['_row']}",
                "give both latitude and longitude (city level), or neither",
            )
            continue
        if lat is None or lon is None or is_missing(lat) or state.bounding_box is None:
            continue
        la0, la1, lo0, lo1 = state.bounding_box
        if not (la0 <= lat <= la1 and lo0 <= lon <= lo1):
            swapped = la0 <= lon <= la1 and lo0 <= lat <= lo1
            hint = (
                " It would be inside if latitude and longitude were swapped: swap the two cells."
                if swapped
                else " Check the coordinates (decimal degrees, city level)."
            )
            issues.error(
                sheet.title,
                sheet.cell("latitude", pos),
                f"{lat:g}, {lon:g} lies outside {state.country} (latitude {la0:g} to {la1:g}, longitude "
                f"{lo0:g} to {lo1:g}).{hint}",
                f"{lat:g}, {lon:g}",
            )


def _facility_ok(fid: str, state: StoredState, workbook_facilities: set[str]) -> str | None:
    """None when the facility may be used by this return, else the problem."""
    known = state.facilities.get(fid)
    if known is not None:
        if known.country != state.country:
            return f"facility {fid} belongs to {known.country}, not to {state.country}"
        return None
    if fid in workbook_facilities:
        return None
    return (
        f"facility {fid} is not known: add it to the Facilities sheet of this workbook, or use the identifier "
        "of an existing facility (see the template)"
    )


def _check_findings(sheet: ParsedSheet, state: StoredState, workbook_facilities: set[str], issues: IssueList) -> None:
    for pos, row in _rows(sheet):
        fid, fac = row.get("finding_id"), row.get("facility_id")
        if fid is None:
            continue
        known = state.findings.get(fid)
        if fac is not None:
            problem = _facility_ok(fac, state, workbook_facilities)
            if problem:
                issues.error(sheet.title, sheet.cell("facility_id", pos), problem, fac)
        if known is not None:
            if _foreign(sheet, pos, "finding_id", known.country, state, issues):
                continue
            if fac is not None and fac != known.facility_id:
                issues.error(
                    sheet.title,
                    sheet.cell("facility_id", pos),
                    f"finding {fid} was raised at {known.facility_id}; a finding cannot move to another "
                    "facility: give it a new identifier instead",
                    fac,
                )
        else:
            _require_new(sheet, pos, row, "finding", issues)
        audit = row.get("audit_date") or (known.audit_date if known else None)
        due = row.get("due_date")
        if audit is not None and due is not None and due < audit:
            issues.error(
                sheet.title,
                sheet.cell("due_date", pos),
                f"due date {due:%Y-%m-%d} is before the audit date {audit:%Y-%m-%d}; the deadline must be "
                "on or after the audit",
                due,
            )
        status = row.get("status")
        if (
            known
            and known.status
            and status
            and ref.FINDING_STATUS_RANK[status] < ref.FINDING_STATUS_RANK[known.status]
        ):
            issues.warn(
                sheet.title,
                sheet.cell("status", pos),
                f"{fid} moves back from '{known.status}' to '{status}'; kept, but please confirm and "
                "explain it in status_note",
                status,
            )


def _check_priorities(sheet: ParsedSheet, state: StoredState, issues: IssueList) -> None:
    for pos, row, pid, known in _entities(sheet, "priority_id", state.priorities, state, issues):
        progress = row.get("progress_pct")
        if progress is None or is_missing(progress):
            continue
        if row.get("status") == "completed" and progress < 100:
            issues.warn(
                sheet.title,
                sheet.cell("progress_pct", pos),
                f"{pid} is marked completed with progress {progress:g} %; completed usually means 100 %",
                progress,
            )
        if known is not None and known.progress is not None and progress < known.progress:
            issues.warn(
                sheet.title,
                sheet.cell("progress_pct", pos),
                f"{pid} progress falls from {known.progress:g} % to {progress:g} %; kept, but please confirm",
                progress,
            )


def _check_milestones(sheet: ParsedSheet, state: StoredState, workbook_priorities: set[str], issues: IssueList) -> None:
    for pos, row in _rows(sheet):
        pid = row.get("priority_id")
        if pid is not None:
            known = state.priorities.get(pid)
            if known is not None and known.country != state.country:
                issues.error(
                    sheet.title,
                    sheet.cell("priority_id", pos),
                    f"priority {pid} belongs to {known.country}, not to {state.country}",
                    pid,
                )
            elif known is None and pid not in workbook_priorities:
                issues.error(
                    sheet.title,
                    sheet.cell("priority_id", pos),
                    f"priority {pid} is not known: list it in the Priorities sheet, or use an existing "
                    "priority's identifier",
                    pid,
                )
        if row.get("status") == "done" and row.get("completed_on") is None:
            where = sheet.cell("completed_on", pos) if sheet.has("completed_on") else f"row {row['_row']}"
            issues.error(
                sheet.title,
                where,
                "completed_on is required when the status is done: give the date the milestone was reached",
            )


def _check_activities(sheet: ParsedSheet, state: StoredState, workbook_facilities: set[str], issues: IssueList) -> None:
    for pos, row in _rows(sheet):
        aid = row.get("activity_id")
        total, women = row.get("participants"), row.get("female_participants")
        if not is_missing(total) and not is_missing(women) and women > total:
            issues.error(
                sheet.title,
                sheet.cell("female_participants", pos),
                f"{women:,.0f} female participants is more than the {total:,.0f} participants in all",
                women,
            )
        fac = row.get("facility_id")
        if fac is not None:
            problem = _facility_ok(fac, state, workbook_facilities)
            if problem:
                issues.error(sheet.title, sheet.cell("facility_id", pos), problem, fac)
        if aid is not None and aid in state.activities:
            country, quarter = state.activities[aid]
            if (country, quarter) != (state.country, str(state.quarter)):
                issues.error(
                    sheet.title,
                    sheet.cell("activity_id", pos),
                    f"activity {aid} was already reported by the {country} return for {quarter}; "
                    "give this activity a new identifier",
                    aid,
                )


def milestone_key(name: str) -> str:
    """Milestones are identified by (priority_id, name), ignoring case and spacing."""
    return enum_key(name)
