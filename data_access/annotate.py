"""The coordinator's own workbook, returned with every problem marked.

Each cell named by an error is filled red with a comment saying what is
wrong and what is accepted (warnings: amber); a first sheet, "Problems",
lists them all with links to their cells. The person fixes the cells in
Excel or Calc and uploads the file again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from .rules.issues import Issue
from .rules.text import plain
from .xlsx_out import write_rows

ERROR_FILL = PatternFill("solid", fgColor="F4B6B6")
WARNING_FILL = PatternFill("solid", fgColor="FCE3A6")
_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")
PROBLEMS_SHEET = "Problems"


def annotate(data: bytes, errors: Sequence[Issue], warnings: Sequence[Issue] = ()) -> bytes:
    """The workbook ``data`` with the problems marked; the values untouched."""
    wb = load_workbook(io.BytesIO(data))
    notes: dict[tuple[str, str], list[str]] = {}
    kinds: dict[tuple[str, str], str] = {}
    for kind, items in (("warning", warnings), ("error", errors)):
        for issue in items:
            if issue.sheet in wb.sheetnames and _CELL.match(issue.cell or ""):
                key = (issue.sheet, issue.cell)
                notes.setdefault(key, []).append(f"{kind.upper()}: {plain(issue.message)}")
                if kinds.get(key) != "error":
                    kinds[key] = kind
    for (sheet, cell), lines in notes.items():
        c = wb[sheet][cell]
        c.fill = ERROR_FILL if kinds[(sheet, cell)] == "error" else WARNING_FILL
        comment = Comment("\n".join(lines), "Steering Dashboard")
        comment.width, comment.height = 360, 60 + 40 * len(lines)
        c.comment = comment

    name = PROBLEMS_SHEET
    while name in wb.sheetnames:
        name += "_"
    ws = wb.create_sheet(name, 0)
    rows = [["error", i.place, i.value, i.message] for i in errors]
    rows += [["warning", i.place, i.value, i.message] for i in warnings]
    write_rows(ws, ["kind", "place", "value", "what is wrong and what is accepted"], rows)
    for r, issue in enumerate([*errors, *warnings], start=2):
        if issue.sheet in wb.sheetnames and _CELL.match(issue.cell or ""):
            link = ws.cell(row=r, column=2)
            link.hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            link.font = Font(color="1F4E79", underline="single")
        ws.cell(row=r, column=1).fill = ERROR_FILL if r - 2 < len(errors) else WARNING_FILL
    ws.column_dimensions["D"].width = 100
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
