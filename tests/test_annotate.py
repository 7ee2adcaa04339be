"""The annotated workbook a coordinator gets back when a return is rejected:
their own file, every bad cell highlighted with a comment, and a list."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from data_access.annotate import ERROR_FILL, annotate
from data_access.importer import import_workbook
from tests.test_import_rules import finding, full_return
from tests.workbooks import ADMIN, FINDINGS_HEADER, INDICATORS_HEADER


def test_bad_cells_are_highlighted_with_their_explanation(engine):
    bad = full_return(
        Indicators=[INDICATORS_HEADER, ["prisoners_total", "lots", None, None]],
        Findings=[FINDINGS_HEADER, finding(status="fixed")],
    )
    r = import_workbook(engine, ADMIN, bad, "bad.xlsx")
    assert r.status == "rejected"
    wb = load_workbook(io.BytesIO(annotate(bad, r.errors, r.warnings)))
    assert wb.sheetnames[0] == "Problems"
    for place in ("Indicators!B2", "Findings!H2"):
        sheet, cell = place.split("!")
        c = wb[sheet][cell]
        assert c.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
        issue = next(e for e in r.errors if e.place == place)
        assert issue.message in c.comment.text
    assert wb["Indicators"]["B2"].value == "lots"  # their values are untouched
    assert wb["Findings"]["A2"].comment is None  # good cells are left alone
    listed = [row[1] for row in wb["Problems"].iter_rows(min_row=2, values_only=True)]
    assert listed == [e.place for e in r.errors] + [w.place for w in r.warnings]


def test_problems_about_a_whole_sheet_are_listed(engine):
    from tests.workbooks import build

    data = build({"Facilities": [["facility_id"], ["X"]]})  # no Return sheet
    r = import_workbook(engine, ADMIN, data, "x.xlsx")
    wb = load_workbook(io.BytesIO(annotate(data, r.errors, r.warnings)))
    rows = list(wb["Problems"].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "error" and "Return" in rows[0][3]
