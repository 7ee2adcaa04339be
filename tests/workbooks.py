"""Real .xlsx files for tests: written by openpyxl, or re-saved by LibreOffice.

``build(sheets)`` takes ``{sheet name: rows}`` where rows are lists (the first
one the header) and returns the bytes of a workbook written by openpyxl.
``return_workbook(country, quarter, **sheets)`` adds the Return sheet.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from data_access.rules.access import Actor

ADMIN = Actor("admin@example.org", "Admin", "admin")
"""Who imports in the tests that are not about who may import."""


def signed(label: str) -> Actor:
    """An administrator whose label (an upload's ``uploaded_by``) is ``label``."""
    return Actor(label, label, "admin")


def build(sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def return_sheet(country: str = "TJK", quarter: str = "2024-Q1", **fields: Any) -> list[list[Any]]:
    rows = [["field", "value"], ["country", country], ["quarter", quarter]]
    rows += [[k, v] for k, v in fields.items()]
    return rows


def return_workbook(
    country: str = "TJK", quarter: str = "2024-Q1", hidden: tuple[str, ...] = (), **sheets: list[list[Any]]
) -> bytes:
    return build({"Return": return_sheet(country, quarter), **sheets}, hidden=hidden)


FACILITIES_HEADER = ["facility_id", "name", "type", "city", "latitude", "longitude", "pilot", "notes"]
FINDINGS_HEADER = [
    "finding_id",
    "facility_id",
    "audit_date",
    "domain",
    "severity",
    "title",
    "recommendation",
    "status",
    "due_date",
    "owner",
    "status_note",
]
PRIORITIES_HEADER = [
    "priority_id",
    "title",
    "theme",
    "status",
    "progress_pct",
    "target_date",
    "narrative",
    "next_steps",
]
MILESTONES_HEADER = ["priority_id", "milestone", "due_date", "status", "completed_on"]
ACTIVITIES_HEADER = [
    "activity_id",
    "date",
    "type",
    "title",
    "participants",
    "female_participants",
    "facility_id",
    "notes",
]
INDICATORS_HEADER = ["indicator", "value", "approximate", "note"]

DUSHANBE = ["TJK-T-01", "Test prison Dushanbe", "prison", "Dushanbe", 38.56, 68.79, "yes", None]
KHUJAND = ["TJK-T-02", "Test prison Khujand", "prison", "Khujand", 40.28, 69.62, "no", None]


def import_findings(
    engine,
    returns: list[tuple[str, list[list[Any]], bool]],
    country: str = "TJK",
    facilities: list[list[Any]] = (DUSHANBE, KHUJAND),
):
    """Import Findings-only returns, one per ``(quarter, rows, with the
    Facilities sheet)``, each of which must apply; returns the engine."""
    from data_access.importer import import_workbook

    for quarter, rows, with_facilities in returns:
        sheets = {"Findings": [FINDINGS_HEADER, *rows]}
        if with_facilities:
            sheets["Facilities"] = [FACILITIES_HEADER, *facilities]
        r = import_workbook(engine, ADMIN, return_workbook(country, quarter, **sheets), f"{quarter}.xlsx")
        assert r.status == "applied", r.report()
    return engine


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_resave(data: bytes) -> bytes:
    """The same workbook, opened and saved again by LibreOffice Calc."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in" / "book.xlsx"
        src.parent.mkdir()
        src.write_bytes(data)
        out = Path(tmp) / "out"
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--calc",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (out / "book.xlsx").read_bytes()


# --------------------------------------------------------------------------- helpers shared by the CLI, round-trip
# and concurrency tests

SNAPSHOT_DATASETS = ("indicators", "facilities", "findings", "priorities", "milestones", "activities")


def database_snapshot(engine, countries: list[str] | None = None) -> dict[str, bytes]:
    """Everything the database holds for the countries, as the CSV exports
    give it, plus each upload's identity and status: equal snapshots mean
    nothing changed. (Upload ids and times are left out: they identify an
    event, not a state.)"""
    from data_access import queries
    from data_access.export import export_dataset

    out: dict[str, bytes] = {}
    for country in countries or [None]:
        for ds in SNAPSHOT_DATASETS:
            out[f"{country or 'all'}:{ds}"] = export_dataset(engine, ds, country).csv()
        h = queries.upload_history(engine, [country] if country else None).sort_values("id")
        out[f"{country or 'all'}:uploads"] = (
            h[["country", "quarter", "kind", "file_name", "sha256", "status"]].to_csv(index=False).encode()
        )
    return out


def build_literal(sheets: dict[str, list[list[Any]]]) -> bytes:
    """Like ``build``, but every str is written as a text cell, also when it
    starts with ``=`` (openpyxl would otherwise store a formula)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def libreoffice_resave_many(books: list[bytes]) -> list[bytes]:
    """Like ``libreoffice_resave``, for several workbooks in one LibreOffice run."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        src_dir, out, profile = Path(tmp) / "in", Path(tmp) / "out", Path(tmp) / "profile"
        src_dir.mkdir()
        sources = []
        for i, data in enumerate(books):
            sources.append(src_dir / f"book{i}.xlsx")
            sources[-1].write_bytes(data)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--calc",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        return [(out / s.name).read_bytes() for s in sources]
