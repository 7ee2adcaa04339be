"""Writing workbooks and CSV files that are safe to open.

Text is never written as a formula: openpyxl would store a string starting
with ``=`` as a formula, so text cells are typed explicitly as strings (the
value stays exactly what was stored, and re-imports unchanged). CSV has no
types, so there text starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is prefixed with an apostrophe, the usual neutralisation.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .rules.normalise import is_missing
from .rules.sheets import SheetSpec

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
REQUIRED_FONT = Font(bold=True)
# A fixed timestamp keeps generated workbooks byte-identical from run to run.
FIXED_TIME = dt.datetime(2024, 1, 1)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    # CRLF line ends make the writer quote any field holding a CR or LF, so a
    # carriage return inside text can never start a new (formula) row.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _cell_value(v: Any) -> Any:
    if is_missing(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        # Excel has no time zones (openpyxl refuses aware datetimes): UTC, as SQLite stores it.
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        return v.item()
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def write_rows(
    ws,
    columns: list[str],
    rows: Iterable[Mapping[str, Any] | list[Any]],
    *,
    required: AbstractSet[str] = frozenset(),
    date_columns: AbstractSet[str] = frozenset(),
) -> int:
    """Header plus rows; text typed as text; returns the number of rows."""
    ws.append(columns)
    for i, name in enumerate(columns, start=1):
        c = ws.cell(row=1, column=i)
        c.fill = HEADER_FILL
        if name in required:
            c.font = REQUIRED_FONT
    n = 0
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        n += 1
        for j, v in enumerate(values, start=1):
            v = _cell_value(v)
            cell = ws.cell(row=n + 1, column=j)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(v, (dt.date, dt.datetime)) or columns[j - 1] in date_columns:
                cell.number_format = "yyyy-mm-dd"
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(45, len(name) + 4))
    ws.freeze_panes = "A2"
    return n


def add_dropdowns(wb: Workbook, ws, spec: SheetSpec, first_col: int, n_rows: int) -> None:
    """A list validation on every enumerated column, from a hidden Lists sheet."""
    lists = wb["Lists"] if "Lists" in wb.sheetnames else None
    if lists is None:
        lists = wb.create_sheet("Lists")
        lists.sheet_state = "hidden"
    last = max(n_rows + 1, 500)
    for offset, col in enumerate(spec.columns):
        if col.kind not in ("enum", "yesno"):
            continue
        choices = list(col.choices) if col.kind == "enum" else ["yes", "no"]
        key = f"{spec.name}.{col.name}"
        # one column of the Lists sheet per list
        lcol = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
        lists.cell(row=1, column=lcol, value=key).data_type = "s"
        for r, choice in enumerate(choices, start=2):
            lists.cell(row=r, column=lcol, value=choice).data_type = "s"
        letter = get_column_letter(lcol)
        dv = DataValidation(
            type="list",
            formula1=f"=Lists!${letter}$2:${letter}${len(choices) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            error=f"Use one of: {', '.join(choices)}",
            errorTitle=col.name,
        )
        target = get_column_letter(first_col + offset)
        dv.add(f"{target}2:{target}{last}")
        ws.add_data_validation(dv)


def add_instructions(wb: Workbook, title: str, lines: list[str]) -> None:
    ws = wb.create_sheet("Instructions", 0)
    ws.column_dimensions["A"].width = 110
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(lines, start=3):
        c = ws.cell(row=i, column=1, value=line)
        c.data_type = "s"
        c.alignment = Alignment(wrap_text=True, vertical="top")


def new_workbook() -> Workbook:
    wb = Workbook()
    for sheet in wb.worksheets:  # the empty sheet a new workbook starts with
        wb.remove(sheet)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "Steering Dashboard"
    return wb


def to_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes, the same for the same content: fixed document
    times and fixed zip entry times (openpyxl stamps the current time)."""
    buf = io.BytesIO()
    wb.properties.modified = FIXED_TIME
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl writes "now" as the modified time
                content = _MODIFIED.sub(b"\\g<1>2024-01-01T00:00:00Z\\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def comment(text: str) -> Comment:
    c = Comment(text, "Steering Dashboard")
    c.width, c.height = 320, 140
    return c
