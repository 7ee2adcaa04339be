"""Round trips: what the dashboard writes, it reads back with no change.

"A workbook exported by the dashboard re-imports with no change": every
export of a quarter, the template for the next quarter, the same workbooks
after LibreOffice Calc has opened and saved them, and text that a
spreadsheet would take for a formula. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from data_access import queries
from data_access.export import export_dataset, template
from data_access.importer import import_workbook
from tests.workbooks import (
    ACTIVITIES_HEADER,
    ADMIN,
    DUSHANBE,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    KHUJAND,
    MILESTONES_HEADER,
    PRIORITIES_HEADER,
    SNAPSHOT_DATASETS,
    build,
    build_literal,
    database_snapshot,
    libreoffice_resave_many,
    return_sheet,
    return_workbook,
)

D = dt.date
VAHDAT = ["TJK-T-03", "Training centre Vahdat", "training centre", "Vahdat", None, None, "no", "Opened 2023"]


def finding(fid, facility, status, due=None, **kw):
    row = dict(
        finding_id=fid,
        facility_id=facility,
        audit_date=D(2024, 2, 1),
        domain="physical",
        severity="high",
        title=f"Finding {fid}",
        recommendation=None,
        status=status,
        due_date=due,
        owner=None,
        status_note=None,
    )
    row.update(kw)
    return [row[c] for c in FINDINGS_HEADER]


def apply(engine, data: bytes, name: str = "return.xlsx"):
    r = import_workbook(engine, ADMIN, data, name)
    assert r.status == "applied", r.report()
    return r


def two_quarters(engine) -> None:
    """TJK 2024-Q1 and 2024-Q2, with empty cells, carried values and a bit of
    everything; KAZ 2024-Q1 beside it."""
    apply(
        engine,
        return_workbook(
            "TJK",
            "2024-Q1",
            Indicators=[
                INDICATORS_HEADER,
                ["prisoners_total", 12500, "no", None],
                ["ve_prisoners", 2140, None, None],
                ["ftf_detainees", 280, "yes", "approx."],
            ],
            Facilities=[FACILITIES_HEADER, DUSHANBE, KHUJAND, VAHDAT],
            Findings=[
                FINDINGS_HEADER,
                finding(
                    "TJK-F-01",
                    "TJK-T-01",
                    "open",
                    D(2024, 6, 30),
                    owner="Deputy director",
                    recommendation="Install lighting",
                ),
                finding("TJK-F-02", "TJK-T-02", "in progress", domain="dynamic", severity="low"),
                finding(
                    "TJK-F-03",
                    "TJK-T-03",
                    "remediated",
                    D(2024, 3, 1),
                    domain="procedural",
                    severity="medium",
                    status_note="Keys re-issued",
                ),
            ],
            Priorities=[
                PRIORITIES_HEADER,
                [
                    "TJK-P-01",
                    "Prison intelligence units",
                    "intelligence",
                    "on track",
                    10,
                    D(2025, 12, 31),
                    "Terms of reference drafted",
                    "Recruit analysts",
                ],
                ["TJK-P-02", "Risk classification tool", None, "not started", None, None, None, None],
            ],
            Milestones=[
                MILESTONES_HEADER,
                ["TJK-P-01", "Pilot unit set up", D(2024, 9, 30), "planned", None],
                ["TJK-P-02", "Tool drafted", None, "planned", None],
            ],
            Activities=[
                ACTIVITIES_HEADER,
                ["TJK-A-01", D(2024, 2, 15), "training", "Dynamic security course", 24, 6, "TJK-T-01", None],
                ["TJK-A-02", D(2024, 3, 5), "workshop", "Classification workshop", 12, None, None, "Dushanbe"],
            ],
        ),
        "tjk-q1.xlsx",
    )
    apply(
        engine,
        return_workbook(
            "TJK",
            "2024-Q2",
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, "no", None]],
            Findings=[FINDINGS_HEADER, finding("TJK-F-01", "TJK-T-01", "remediated", status_note="Lights fitted")],
            Priorities=[PRIORITIES_HEADER, ["TJK-P-01", None, None, "at risk", 30, None, "Recruitment delayed", None]],
            Milestones=[MILESTONES_HEADER, ["TJK-P-01", "Pilot unit set up", None, "done", D(2024, 5, 20)]],
            Activities=[
                ACTIVITIES_HEADER,
                ["TJK-A-03", D(2024, 5, 2), "e-learning", "Online module", 100, 40, None, None],
            ],
        ),
        "tjk-q2.xlsx",
    )
    apply(
        engine,
        return_workbook("KAZ", "2024-Q1", Indicators=[INDICATORS_HEADER, ["prisoners_total", 33000, "yes", None]]),
        "kaz.xlsx",
    )


def data_snapshot(engine) -> dict[str, bytes]:
    """Every dataset's CSV export (uploads left out: each import is an upload)."""
    return {k: v for k, v in database_snapshot(engine).items() if not k.endswith(":uploads")}


def changed(result) -> dict[str, dict[str, int]]:
    """Rows added, updated or removed per sheet: empty when nothing changed."""
    return {
        sheet: {a: n for a, n in c.items() if a != "unchanged" and n}
        for sheet, c in result.counts.items()
        if any(n for a, n in c.items() if a != "unchanged")
    }


# --------------------------------------------------------------------------- export -> import


def test_every_export_of_a_quarter_re_imports_with_no_change(engine):
    two_quarters(engine)
    before = data_snapshot(engine)
    for quarter in ("2024-Q1", "2024-Q2"):
        for ds in SNAPSHOT_DATASETS:
            exp = export_dataset(engine, ds, "TJK", quarter)
            assert len(exp.frame), f"{ds} {quarter}: nothing exported"
            r = import_workbook(engine, ADMIN, exp.xlsx(), f"{ds}-{quarter}.xlsx")
            assert r.status in ("applied", "identical"), f"{ds} {quarter}:\n{r.report()}"
            assert not r.errors and not r.warnings, f"{ds} {quarter}:\n{r.report()}"
            assert changed(r) == {}, f"{ds} {quarter}: {[c for c in r.changes if c.action != 'unchanged']}"
            assert data_snapshot(engine) == before, f"{ds} {quarter} changed the data"


def test_the_template_for_the_next_quarter_imported_as_it_is_keeps_every_state(engine):
    two_quarters(engine)
    wb = openpyxl.load_workbook(io.BytesIO(template(engine, "TJK", "2024-Q3")))
    ws = wb["Return"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "prepared_by":
            row[1].value = "A. Coordinator"  # the Return sheet filled in; nothing else touched
    buf = io.BytesIO()
    wb.save(buf)
    r = import_workbook(engine, ADMIN, buf.getvalue(), "TJK_2024-Q3.xlsx")
    assert r.status == "applied", r.report()
    assert not r.errors and not r.warnings, r.report()

    def state(frame, *drop):
        return frame.drop(columns=list(drop)).to_csv(index=False)

    # Status, dates, owners, progress, narratives: as they were at the end of Q2.
    assert state(queries.findings_as_at(engine, "2024-Q3", ["TJK"]), "status_quarter", "overdue") == state(
        queries.findings_as_at(engine, "2024-Q2", ["TJK"]), "status_quarter", "overdue"
    )
    assert state(queries.priorities_as_at(engine, "2024-Q3", ["TJK"]), "last_update") == state(
        queries.priorities_as_at(engine, "2024-Q2", ["TJK"]), "last_update"
    )
    assert state(queries.milestones_as_at(engine, "2024-Q3", ["TJK"]), "last_update") == state(
        queries.milestones_as_at(engine, "2024-Q2", ["TJK"]), "last_update"
    )
    figures = lambda q: queries.latest_indicators(engine, ["TJK"], q)[["indicator", "value", "approximate"]]  # noqa
    assert figures("2024-Q3").to_csv() == figures("2024-Q2").to_csv()
    assert len(queries.facilities(engine, ["TJK"])) == 3


# --------------------------------------------------------------------------- LibreOffice Calc


@pytest.fixture(scope="module")
def ordinary_return():
    """An ordinary return, as a coordinator fills it in (dates as cells, text,
    serial numbers; numbers as text; enumerations in any case), and the same
    workbook opened and saved by LibreOffice Calc."""
    data = build(
        {
            "Return": return_sheet("Tajikistan", "Q1 2024", prepared_by="A. Coordinator", submitted_on=D(2024, 4, 10)),
            "Indicators": [
                INDICATORS_HEADER,
                ["prisoners_total", "12 500", "Yes", None],
                ["ve_prisoners", 2140, " no ", None],
                ["prisoners_female", "1,234", None, "text number"],
            ],
            "Facilities": [
                FACILITIES_HEADER,
                ["TJK-T-01", "Test prison Dushanbe", "Prison", "Dushanbe", 38.56, 68.79, "YES", None],
                KHUJAND,
            ],
            "Findings": [
                FINDINGS_HEADER,
                finding("TJK-F-01", "TJK-T-01", "In Progress", "30.06.2024", audit_date=dt.datetime(2024, 2, 1, 0, 0)),
                finding(
                    "TJK-F-02",
                    "TJK-T-02",
                    "open",
                    45473,
                    audit_date="2024-02-01",
                    severity="LOW",
                    domain="Dynamic",
                    owner="  Head of security  ",
                ),
            ],
            "Priorities": [
                PRIORITIES_HEADER,
                ["TJK-P-01", "Prison intelligence units", "intelligence", "On Track", "10", "31/12/2025", None, None],
            ],
            "Milestones": [MILESTONES_HEADER, ["TJK-P-01", "Pilot unit set up", D(2024, 9, 30), "Planned", None]],
            "Activities": [
                ACTIVITIES_HEADER,
                ["TJK-A-01", dt.datetime(2024, 2, 15), "E-learning", "Course", "1,234", "600", "TJK-T-01", None],
            ],
        }
    )
    (resaved,) = libreoffice_resave_many([data])
    return data, resaved


def _written_by_libreoffice(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return b"LibreOffice" in zf.read("docProps/app.xml")


def test_a_return_resaved_by_libreoffice_imports_like_the_original(engine, ordinary_return):
    original, resaved = ordinary_return
    assert _written_by_libreoffice(resaved) and not _written_by_libreoffice(original)
    first = import_workbook(engine, ADMIN, original, "openpyxl.xlsx")
    assert first.status == "applied", first.report()
    stored = data_snapshot(engine)
    assert queries.findings_as_at(engine, "2024-Q1")["due_date"].tolist() == [D(2024, 6, 30)] * 2
    # The LibreOffice copy supersedes it: same values, so every row is unchanged.
    second = import_workbook(engine, ADMIN, resaved, "libreoffice.xlsx")
    assert second.status == "applied", second.report()
    assert not second.errors
    assert {str(w) for w in second.warnings} == {str(w) for w in first.warnings}
    assert changed(second) == {}, [c for c in second.changes if c.action != "unchanged"]
    assert {s: sum(c.values()) for s, c in second.counts.items()} == {
        s: sum(c.values()) for s, c in first.counts.items()
    }
    assert data_snapshot(engine) == stored


def test_exports_resaved_by_libreoffice_re_import_with_no_change(engine):
    two_quarters(engine)
    before = data_snapshot(engine)
    exports = [export_dataset(engine, ds, "TJK", "2024-Q2").xlsx() for ds in SNAPSHOT_DATASETS]
    for ds, original, resaved in zip(SNAPSHOT_DATASETS, exports, libreoffice_resave_many(exports), strict=False):
        assert _written_by_libreoffice(resaved)
        r = import_workbook(engine, ADMIN, resaved, f"{ds}-libreoffice.xlsx")
        assert r.status == "applied", f"{ds}:\n{r.report()}"
        assert not r.errors and not r.warnings, f"{ds}:\n{r.report()}"
        assert changed(r) == {}, f"{ds}: {[c for c in r.changes if c.action != 'unchanged']}"
        assert data_snapshot(engine) == before, f"{ds} changed the data"
        # ... as the openpyxl original does
        again = import_workbook(engine, ADMIN, original, f"{ds}.xlsx")
        assert again.counts == r.counts


# --------------------------------------------------------------------------- text that looks like a formula

LOOKS_LIKE_A_FORMULA = ['=HYPERLINK("http://example.org","click")', "+7 3472 00 00", "-2+3", "@SUM(A1)"]


def test_text_that_looks_like_a_formula_stays_text_in_xlsx_and_is_neutralised_in_csv(engine):
    notes, titles = LOOKS_LIKE_A_FORMULA, LOOKS_LIKE_A_FORMULA[::-1]
    facilities = [
        [f"TJK-T-1{i}", f"Prison {i}", "prison", "Dushanbe", None, None, "no", note] for i, note in enumerate(notes)
    ]
    findings = [finding(f"TJK-F-1{i}", f"TJK-T-1{i}", "open", title=title) for i, title in enumerate(titles)]
    r = import_workbook(
        engine,
        ADMIN,
        build_literal(
            {
                "Return": return_sheet("TJK", "2024-Q1"),
                "Facilities": [FACILITIES_HEADER, *facilities],
                "Findings": [FINDINGS_HEADER, *findings],
            }
        ),
        "text.xlsx",
    )
    assert r.status == "applied", r.report()

    def stored():
        return (
            queries.facilities(engine, ["TJK"]).set_index("facility_id")["notes"].to_dict(),
            queries.findings_as_at(engine, "2024-Q1").set_index("finding_id")["title"].to_dict(),
        )

    expected = ({f"TJK-T-1{i}": n for i, n in enumerate(notes)}, {f"TJK-F-1{i}": t for i, t in enumerate(titles)})
    assert stored() == expected

    for ds, column, values in (("facilities", "notes", notes), ("findings", "title", titles)):
        exp = export_dataset(engine, ds, "TJK", "2024-Q1")
        data = exp.xlsx()
        ws = openpyxl.load_workbook(io.BytesIO(data))[ds.capitalize()]
        col = [c.value for c in ws[1]].index(column)
        cells = [row[col] for row in ws.iter_rows(min_row=2)]
        assert sorted(c.value for c in cells) == sorted(values)
        assert {c.data_type for c in cells} == {"s"}, f"{ds}.{column} written as a formula"
        again = import_workbook(engine, ADMIN, data, f"{ds}.xlsx")
        assert again.status == "applied" and changed(again) == {}, again.report()
        rows = list(csv.DictReader(io.StringIO(exp.csv().decode("utf-8-sig"))))
        assert sorted(r[column] for r in rows) == sorted("'" + v for v in values)
    assert stored() == expected
