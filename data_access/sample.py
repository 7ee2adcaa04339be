"""The sample data: the report's baseline, then the illustrative quarterly
returns of ``sample_data/returns``, both loaded through the importer.

The baseline (``sample_data/baseline.json``, figures of the 2019-2023
achievements report) becomes one workbook per country for 2023-Q4, imported
as an upload of kind ``baseline`` by :data:`BASELINE_LOADER`; the returns are
imported in quarter order as ordinary uploads by :data:`SAMPLE_LOADER`. Both
are system actors with administrator rights (nobody signs in as them): their
"e-mail" is their name, so the upload history names them as before sign-in
existed, and each file leaves an ordinary ``return.upload`` event in the
audit trail. Loading twice changes nothing: every file is byte-identical to
the one already applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from .export import return_sheet
from .importer import ImportResult, import_workbook
from .models import Country, Upload
from .rules.access import Actor
from .rules.quarters import parse_quarter
from .rules.sheets import SHEET_BY_NAME
from .xlsx_out import new_workbook, to_bytes, write_rows

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
BASELINE_FILE = SAMPLE_DIR / "baseline.json"
RETURNS_DIR = SAMPLE_DIR / "returns"
BASELINE_USER = "Programme baseline (achievements report 2019-2023)"
SAMPLE_USER = "sample data loader"
BASELINE_LOADER = Actor(BASELINE_USER, BASELINE_USER, "admin", via="local")
"""Who imports the report's baseline (its label, the upload's ``uploaded_by``, is ``BASELINE_USER``)."""
SAMPLE_LOADER = Actor(SAMPLE_USER, SAMPLE_USER, "admin", via="local")
"""Who imports the illustrative sample returns (labelled ``SAMPLE_USER``)."""


def baseline_workbooks(path: Path = BASELINE_FILE) -> list[tuple[str, bytes]]:
    """One return workbook per country holding the report's figures."""
    data = json.loads(path.read_text(encoding="utf-8"))
    quarter = data["quarter"]
    out = []
    for code, info in data["countries"].items():
        wb = new_workbook()
        return_sheet(
            wb,
            code,
            quarter,
            prepared_by=data["source"],
            notes="Baseline figures of the programme's 2019-2023 achievements report.",
        )
        sheets = {
            "Indicators": info.get("indicators", []),
            "Facilities": [f for f in data.get("facilities", []) if f["country"] == code],
            "Priorities": [
                dict(p, status="not started", progress_pct=0)
                for p in data.get("priorities", [])
                if p["country"] == code
            ],
            "Activities": [a for a in data.get("activities", []) if a["country"] == code],
        }
        for name, rows in sheets.items():
            if not rows:
                continue
            rows = [dict(r) for r in rows]
            for r in rows:
                if r.pop("illustrative", False):
                    r["notes"] = ("Illustrative: not named in the report. " + (r.get("notes") or "")).strip()
            spec = SHEET_BY_NAME[name]
            write_rows(
                wb.create_sheet(name),
                spec.column_names,
                rows,
                date_columns={c.name for c in spec.columns if c.kind == "date"},
            )
        out.append((f"baseline_{code}_{quarter}.xlsx", to_bytes(wb)))
    return out


def return_files(directory: Path = RETURNS_DIR) -> list[Path]:
    """Sample returns in the order they are applied: by quarter, then country."""

    def order(p: Path):
        stem = p.stem  # CODE_YYYY-Qn
        code, _, q = stem.partition("_")
        quarter = parse_quarter(q)
        return (quarter.index if quarter else 0, code)

    return sorted(directory.glob("*.xlsx"), key=order)


def load_sample(engine: Engine, progress: Callable[[float, str], None] | None = None) -> list[ImportResult]:
    """Load the baseline and every sample return. Returns one result per file;
    raises RuntimeError if any sample file is rejected (a bug, not user input)."""
    say = progress or (lambda _f, _t: None)
    data = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    files: list[tuple[str, bytes, str, Actor]] = [(n, b, "baseline", BASELINE_LOADER) for n, b in baseline_workbooks()]
    files += [(p.name, p.read_bytes(), "return", SAMPLE_LOADER) for p in return_files()]
    results = []
    for i, (name, content, kind, loader) in enumerate(files):
        say(i / len(files), f"Loading {name} ({i + 1} of {len(files)})")
        r = import_workbook(engine, loader, content, name, kind=kind)
        if not r.ok:
            raise RuntimeError(f"sample file {name} was refused:\n{r.report()}")
        results.append(r)
    with engine.begin() as conn:
        for code, info in data["countries"].items():
            conn.execute(
                update(Country)
                .where(Country.code == code)
                .values(background=info.get("background"), achievements=info.get("achievements"))
            )
    say(1.0, "Sample data loaded")
    return results


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Upload)).scalar_one() == 0


def sample_loaded(engine: Engine) -> bool:
    """True while any illustrative sample return is current: the app says so."""
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(Upload)
            .where(Upload.uploaded_by == SAMPLE_USER, Upload.status == "current")
        ).scalar_one()
    return n > 0
