"""Exports of every dataset as CSV or XLSX, and the pre-filled template.

Exported columns are the return's sheet columns with ``country`` first and,
where a value belongs to a quarter, ``quarter``; an XLSX export for one
country and one quarter also carries a ``Return`` sheet, so it re-imports as
it is (round trip, no change).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import Engine

from . import queries, sql
from .rules import reference as ref
from .rules.quarters import Quarter, parse_quarter
from .rules.returns import ReturnLimits
from .rules.sheets import DATASETS, ID_MAX_CHARS, SHEET_BY_NAME, TEXT_LIMITS, SheetSpec
from .xlsx_out import add_dropdowns, add_instructions, new_workbook, safe_csv, to_bytes, write_rows

UPLOAD_COLUMNS = [
    "id",
    "uploaded_at",
    "uploaded_by",
    "file_name",
    "sha256",
    "country",
    "quarter",
    "kind",
    "status",
    "superseded_by_id",
    "restored_from_id",
    "size_bytes",
]


class ExportError(ValueError):
    """A request that cannot be exported (unknown dataset, bad quarter...)."""


@dataclass
class Export:
    dataset: str
    frame: pd.DataFrame
    country: str | None
    quarter: str | None  # the quarter of the Return sheet, when one applies

    def csv(self) -> bytes:
        return safe_csv(self.frame)

    def xlsx(self) -> bytes:
        wb = new_workbook()
        if self.dataset != "uploads" and self.country and self.quarter:
            return_sheet(wb, self.country, self.quarter, notes=f"Export of {self.dataset} from the Steering Dashboard")
        ws = wb.create_sheet(self.dataset.capitalize())
        spec = SHEET_BY_NAME.get(self.dataset.capitalize())
        dates = {c.name for c in spec.columns if c.kind == "date"} if spec else set()
        write_rows(ws, list(self.frame.columns), sql.records(self.frame), date_columns=dates)
        return to_bytes(wb)


def return_sheet(
    wb: Workbook, country: str, quarter: str, prepared_by: str | None = None, notes: str | None = None
) -> None:
    """Add the ``Return`` sheet (country, quarter, who prepared it, notes) as
    the workbook's first sheet: what makes a workbook re-import as a return."""
    ws = wb.create_sheet("Return", 0)
    write_rows(
        ws,
        ["field", "value"],
        [
            ["country", country],
            ["quarter", quarter],
            ["prepared_by", prepared_by],
            ["submitted_on", None],
            ["notes", notes],
        ],
        required={"field", "value"},
    )
    ws.column_dimensions["B"].width = 50


def _spec_columns(name: str) -> list[str]:
    return SHEET_BY_NAME[name].column_names


def _quarter(engine: Engine, quarter: str | None) -> Quarter | None:
    if quarter is None:
        return None
    q = parse_quarter(quarter)
    if q is None:
        raise ExportError(f"{quarter!r} is not a quarter; write it like 2024-Q1")
    return q


def export_dataset(engine: Engine, dataset: str, country: str | None = None, quarter: str | None = None) -> Export:
    """The rows of one dataset, columns as in the contract."""
    if dataset not in DATASETS:
        raise ExportError(f"unknown dataset {dataset!r}; choose one of: {', '.join(DATASETS)}")
    q = _quarter(engine, quarter)
    cs = [country] if country else None
    if dataset == "uploads":
        df = queries.upload_history(engine, cs)
        return Export(dataset, df[UPLOAD_COLUMNS].copy(), country, None)
    if dataset in ("indicators", "activities"):
        if dataset == "indicators":
            df = queries.indicator_history(engine, cs)
            if q is not None:
                df = df[df["quarter"] == str(q)]
            df = df.rename(columns={})
        else:
            df = queries.activities(engine, cs, quarter=q)
        cols = ["country", "quarter"] + _spec_columns(dataset.capitalize())
        return Export(dataset, df[cols].reset_index(drop=True), country, str(q) if q else None)
    if dataset == "facilities":
        df = queries.facilities(engine, cs)
        return Export(dataset, df[["country"] + _spec_columns("Facilities")], country, str(q) if q else None)
    # as-at datasets: findings, priorities, milestones
    as_at = q or _quarter(engine, queries.latest_quarter(engine))
    if as_at is None:
        cols = ["country"] + (["quarter"] if dataset == "priorities" else []) + _spec_columns(dataset.capitalize())
        return Export(dataset, pd.DataFrame(columns=cols), country, None)
    if dataset == "findings":
        df = queries.findings_as_at(engine, as_at, cs)
        cols = ["country"] + _spec_columns("Findings")
    elif dataset == "priorities":
        df = queries.priorities_as_at(engine, as_at, cs)
        df["quarter"] = str(as_at)
        cols = ["country", "quarter"] + _spec_columns("Priorities")
    else:
        df = queries.milestones_as_at(engine, as_at, cs)
        cols = ["country"] + _spec_columns("Milestones")
    return Export(dataset, df.reindex(columns=cols).reset_index(drop=True), country, str(as_at))


INSTRUCTIONS = [
    "This workbook is the quarterly return of one country for one quarter. Fill it in and upload it on the "
    "dashboard's Upload page (or: python -m data_access import FILE).",
    "Return sheet: country (ISO code or English name) and quarter (like 2024-Q1) are required.",
    "Every sheet other than Return is optional: leave a sheet out (or empty) and nothing in it changes. A sheet "
    "you include replaces what was reported for this quarter in that sheet.",
    "Column headings in bold are required. Identifiers (facility_id, finding_id, priority_id, activity_id) have "
    f"at most {ID_MAX_CHARS} characters and are unique in the whole programme.",
    f"Text cells hold at most {ReturnLimits().max_cell_chars:,} characters; these hold fewer: "
    + ", ".join(
        f"{column} ({sheet}) {chars:,}"
        for (sheet, column), chars in TEXT_LIMITS.items()
        if chars < ReturnLimits().max_cell_chars
    )
    + ".",
    "Dates: a date cell, or text such as 2024-03-31, 31.03.2024 or 31/03/2024. Numbers: plain numbers; "
    "'73 715' and '73,715' are accepted.",
    "Columns with a dropdown list accept only the listed values.",
    "Indicators: the figures last reported are filled in; replace each with the figure at the end of this "
    "quarter. Add other indicators from the dropdown list.",
    "Facilities: coordinates at city level only (two decimals at most). Never record the location of a unit "
    "inside a facility.",
    "Findings: list every finding that is still being worked on, with its status at the end of the quarter "
    "and a short note of what changed. A finding left out keeps its earlier status.",
    "Priorities: status and progress at the end of the quarter, what happened (narrative) and the next steps.",
    "Aggregate and facility-level data only: never enter personal data about prisoners or staff.",
    "If the upload shows errors, each names its cell (e.g. Findings!F12) and what is accepted; correct them and "
    "upload again. Nothing is written until the whole workbook is valid.",
]


def template(engine: Engine, country: str | None, quarter: str) -> bytes:
    """A return workbook for the country and quarter, pre-filled with what is
    known: facilities, findings not yet closed with their current status,
    priorities not completed with their last progress, their milestones.
    Raises ExportError for an unknown (or no) country or quarter."""
    q = _quarter(engine, quarter)
    known = country in ref.COUNTRY_BY_CODE or country in set(queries.countries(engine)["code"])
    if q is None or country is None or not known:
        raise ExportError(f"unknown country {country!r} or quarter {quarter!r}")
    cs = [country]
    wb = new_workbook()
    return_sheet(wb, country, str(q))
    add_instructions(wb, f"Quarterly return {country} {q}", INSTRUCTIONS)

    prev = q.previous()
    sheets: dict[str, pd.DataFrame] = {
        "Indicators": pd.DataFrame(columns=_spec_columns("Indicators")),
        "Facilities": queries.facilities(engine, cs),
        "Findings": queries.findings_as_at(engine, prev, cs),
        "Priorities": queries.priorities_as_at(engine, prev, cs),
        "Milestones": queries.milestones_as_at(engine, prev, cs),
        "Activities": pd.DataFrame(columns=_spec_columns("Activities")),
    }
    latest = queries.latest_indicators(engine, cs, prev)
    # The country's indicators with their last reported values, to be updated;
    # others can be added from the dropdown list.
    sheets["Indicators"] = latest[["indicator", "value", "approximate"]].assign(note=None)
    f = sheets["Findings"]
    if not f.empty:
        sheets["Findings"] = f[~f["status"].isin(["verified", "risk accepted"])].assign(status_note=None)
    p = sheets["Priorities"]
    if not p.empty:
        sheets["Priorities"] = p[p["status"] != "completed"].assign(narrative=None, next_steps=None)
        m = sheets["Milestones"]
        sheets["Milestones"] = m[m["priority_id"].isin(sheets["Priorities"]["priority_id"])]
    for name, frame in sheets.items():
        spec: SheetSpec = SHEET_BY_NAME[name]
        ws = wb.create_sheet(name)
        required = {c.name for c in spec.columns if c.required == "always"}
        dates = {c.name for c in spec.columns if c.kind == "date"}
        n = write_rows(
            ws,
            spec.column_names,
            sql.records(frame.reindex(columns=spec.column_names)),
            required=required,
            date_columns=dates,
        )
        add_dropdowns(wb, ws, spec, 1, n)
    wb.active = 1
    return to_bytes(wb)
