"""The command line, on SQLite and PostgreSQL: ``data_access.__main__.main(argv)``
called in this process (output read with capsys), plus a few end-to-end runs
of a real ``python -m data_access`` process (marked slow).

Read top to bottom, this file is docs/cli.md: help, import (and its exit
codes 0/1/2), export, template, load-sample, and what happens with bad
arguments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

import data_access.workbook
from data_access import access, audit, queries
from data_access.__main__ import main
from data_access.export import export_dataset
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
    database_snapshot,
    return_workbook,
)

ROOT = Path(__file__).resolve().parent.parent
D = dt.date

# The exported columns, as the contract's sheet tables define them: country
# first, and quarter where a value belongs to a quarter.
EXPORT_COLUMNS = {
    "indicators": ["country", "quarter", "indicator", "value", "approximate", "note"],
    "facilities": ["country", "facility_id", "name", "type", "city", "latitude", "longitude", "pilot", "notes"],
    "findings": [
        "country",
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
    ],
    "priorities": [
        "country",
        "quarter",
        "priority_id",
        "title",
        "theme",
        "status",
        "progress_pct",
        "target_date",
        "narrative",
        "next_steps",
    ],
    "milestones": ["country", "priority_id", "milestone", "due_date", "status", "completed_on"],
    "activities": [
        "country",
        "quarter",
        "activity_id",
        "date",
        "type",
        "title",
        "participants",
        "female_participants",
        "facility_id",
        "notes",
    ],
}
# uploads: "when, by whom, file name, SHA-256, country, quarter, and whether it is current or superseded"
UPLOAD_COLUMNS = {"uploaded_at", "uploaded_by", "file_name", "sha256", "country", "quarter", "status"}
DATASETS = [*EXPORT_COLUMNS, "uploads"]

# Every enumerated column of the template, with the values the contract lists.
ENUMERATED = {
    ("Indicators", "indicator"): [
        "prisoners_total",
        "prisoners_female",
        "prisoners_pretrial",
        "prisons_total",
        "pretrial_centres",
        "ve_prisoners",
        "ftf_detainees",
        "repatriated_total",
        "repatriated_men",
        "repatriated_women",
        "repatriated_children",
    ],
    ("Indicators", "approximate"): ["yes", "no"],
    ("Facilities", "type"): ["prison", "pre-trial centre", "training centre", "other"],
    ("Facilities", "pilot"): ["yes", "no"],
    ("Findings", "domain"): ["physical", "procedural", "dynamic", "other"],
    ("Findings", "severity"): ["critical", "high", "medium", "low"],
    ("Findings", "status"): ["open", "in progress", "remediated", "verified", "risk accepted"],
    ("Priorities", "status"): ["not started", "on track", "at risk", "off track", "completed"],
    ("Milestones", "status"): ["planned", "done", "late", "dropped"],
    ("Activities", "type"): [
        "training",
        "e-learning",
        "workshop",
        "exchange visit",
        "equipment",
        "infrastructure",
        "other",
    ],
}
DATA_SHEETS = ["Indicators", "Facilities", "Findings", "Priorities", "Milestones", "Activities"]


# --------------------------------------------------------------------------- running the program


@dataclass
class Run:
    """One run of the command line: its arguments, exit code and output."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(*ARGS, db=URL)`` runs ``main([*ARGS, "--db", URL])`` in this
    process, as ``python -m data_access ARGS --db URL`` would, and returns a
    :class:`Run`."""
    monkeypatch.delenv("DASHBOARD_DATABASE_URL", raising=False)  # --db, never a leftover of the environment

    def run(*args: str, db: str | None = None) -> Run:
        argv = [*args, *(["--db", db] if db else [])]
        capsys.readouterr()  # what earlier steps printed is not this run's
        code = main(argv)
        out, err = capsys.readouterr()
        return Run(argv, code, out, err)

    return run


def process(*args: str, db: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """One real ``python -m data_access ARGS [--db URL]`` process, from the project folder."""
    env = dict(os.environ)
    env.pop("DASHBOARD_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "data_access", *args, *(["--db", db] if db else [])]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def said(run: Run | subprocess.CompletedProcess) -> str:
    return run.stdout + run.stderr


def summary_table(output: str) -> dict[str, tuple[int, int, int, int]]:
    """The per-sheet rows of the import summary: sheet -> (added, updated, unchanged, removed)."""
    lines = output.splitlines()
    header = [
        i for i, line in enumerate(lines) if re.match(r"^sheet\s+added\s+updated\s+unchanged\s+removed$", line.strip())
    ]
    assert header, f"no summary table in:\n{output}"
    table = {}
    for line in lines[header[0] + 1 :]:
        m = re.match(r"^(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", line.strip())
        if not m:
            break
        table[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 6))
    return table


def error_places(output: str) -> list[str]:
    return re.findall(r"^\s*ERROR\s+(\w+![A-Z]+\d+):", output, flags=re.M)


def warning_places(output: str) -> list[str]:
    return re.findall(r"^\s*WARNING\s+(\w+![A-Z]+\d+):", output, flags=re.M)


# --------------------------------------------------------------------------- workbooks


def finding(fid="TJK-F-01", facility="TJK-T-01", status="open", due=D(2024, 6, 30), **kw):
    row = dict(
        finding_id=fid,
        facility_id=facility,
        audit_date=D(2024, 2, 1),
        domain="physical",
        severity="high",
        title="Perimeter lighting insufficient",
        recommendation="Install lighting",
        status=status,
        due_date=due,
        owner="Deputy director, security",
        status_note=None,
    )
    row.update(kw)
    return [row[c] for c in FINDINGS_HEADER]


def tjk_return(quarter="2024-Q1", **overrides) -> bytes:
    sheets = dict(
        Indicators=[INDICATORS_HEADER, ["prisoners_total", 12500, "no", None], ["ve_prisoners", 2140, None, None]],
        Facilities=[FACILITIES_HEADER, DUSHANBE, KHUJAND],
        Findings=[FINDINGS_HEADER, finding(), finding("TJK-F-02", "TJK-T-02", severity="low", domain="dynamic")],
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
        ],
        Milestones=[MILESTONES_HEADER, ["TJK-P-01", "Pilot unit set up", D(2024, 9, 30), "planned", None]],
        Activities=[
            ACTIVITIES_HEADER,
            [f"TJK-A-{quarter}", D(2024, 2, 15), "training", "Dynamic security course", 24, 6, "TJK-T-01", None],
        ],
    )
    sheets.update(overrides)
    return return_workbook("TJK", quarter, **{k: v for k, v in sheets.items() if v is not None})


def apply(engine, data: bytes, name: str = "return.xlsx"):
    r = import_workbook(engine, ADMIN, data, name)
    assert r.status == "applied", r.report()
    return r


# --------------------------------------------------------------------------- help


def test_help_of_the_program_and_of_every_command_names_the_options(cli):
    runs = [
        cli(*args)
        for args in (
            ["--help"],
            ["import", "--help"],
            ["restore", "--help"],
            ["export", "--help"],
            ["template", "--help"],
            ["load-sample", "--help"],
        )
    ]
    expected = [
        ["import", "restore", "export", "template", "load-sample", "users"],
        ["FILE", "--dry-run", "--user", "EMAIL", "--db"],
        ["UPLOAD_ID", "--user", "EMAIL", "--db"],
        ["DATASET", "--country", "--quarter", "--format", "--output", "--db", "csv", "xlsx", *DATASETS],
        ["--country", "--quarter", "--output", "--db"],
        ["--db"],
    ]
    for run, words in zip(runs, expected, strict=False):
        assert run.returncode == 0, said(run)
        missing = [w for w in words if w not in run.stdout]
        assert not missing, f"{run.args}: help does not name {missing}:\n{run.stdout}"


@pytest.mark.slow
def test_end_to_end_help_and_a_missing_command():
    """A real process: --help exits 0 and lists the commands; no command exits 2 with the usage."""
    helped = process("--help")
    assert helped.returncode == 0, said(helped)
    assert all(c in helped.stdout for c in ("import", "export", "template", "load-sample")), helped.stdout
    bare = process()
    assert bare.returncode == 2, said(bare)
    assert "usage: python -m data_access" in bare.stderr and "Traceback" not in bare.stderr, bare.stderr


# --------------------------------------------------------------------------- import


def test_import_applies_a_return_and_prints_rows_added_updated_unchanged_per_sheet(cli, db_url, engine, tmp_path):
    access.add_user(engine, ADMIN, "ana@example.org", "coordinator", ["TJK"], name="Ana Lopez")
    first = apply(engine, tjk_return())
    # The same quarter again: one finding changes, one stays, one is new; an
    # unknown column and an unknown sheet give warnings naming their place.
    book = tmp_path / "TJK 2024-Q1 v2.xlsx"
    book.write_bytes(
        tjk_return(
            Facilities=[FACILITIES_HEADER + ["colour"], DUSHANBE + ["blue"], KHUJAND + ["red"]],
            Findings=[
                FINDINGS_HEADER,
                finding(status="in progress"),
                finding("TJK-F-02", "TJK-T-02", severity="low", domain="dynamic"),
                finding("TJK-F-03", "TJK-T-02", severity="critical", title="Keys unaccounted for"),
            ],
            **{"My notes": [["anything"], ["at all"]]},
        )
    )
    run = cli("import", str(book), "--user", "Ana@Example.org", db=db_url)
    assert run.returncode == 0, said(run)
    out = run.stdout
    table = summary_table(out)
    assert table["Findings"] == (1, 1, 1, 0)
    assert table["Facilities"] == (0, 0, 2, 0)
    assert table["Indicators"] == (0, 0, 2, 0)
    assert f"Supersedes upload #{first.upload_id}" in out
    assert "Facilities!I1" in warning_places(out)
    assert re.search(r"WARNING\s+My notes: .*ignored", out)
    assert "Traceback" not in run.stderr
    # ... and it was applied, by the account named on the command line.
    status = queries.findings_as_at(engine, "2024-Q1").set_index("finding_id")["status"].to_dict()
    assert status == {"TJK-F-01": "in progress", "TJK-F-02": "open", "TJK-F-03": "open"}
    h = queries.upload_history(engine)
    assert h.iloc[0]["uploaded_by"] == "Ana Lopez <ana@example.org>" and h.iloc[0]["file_name"] == "TJK 2024-Q1 v2.xlsx"
    assert h.iloc[0]["uploader_email"] == "ana@example.org"
    assert h.iloc[0]["status"] == "current" and h.iloc[1]["status"] == "superseded"


def test_a_workbook_with_errors_exits_1_lists_every_error_with_its_cell_and_writes_nothing(
    cli, db_url, engine, tmp_path
):
    apply(engine, tjk_return())
    before = database_snapshot(engine)
    book = tmp_path / "bad.xlsx"
    book.write_bytes(
        tjk_return(
            "2024-Q2",
            Indicators=[INDICATORS_HEADER, ["prisoners_total", -5, None, None], ["nonsense", 1, None, None]],
            Findings=[FINDINGS_HEADER, finding(status="done"), finding("TJK-F-03", facility="NOPE")],
            Activities=[ACTIVITIES_HEADER, ["TJK-A-02", "soon", "training", "X", 5, 9, None, None]],
        )
    )
    run = cli("import", str(book), db=db_url)
    assert run.returncode == 1, said(run)
    places = error_places(run.stdout)
    assert set(places) == {
        "Indicators!B2",
        "Indicators!A3",
        "Findings!H2",
        "Findings!B3",
        "Activities!B2",
        "Activities!F2",
    }
    assert f"{len(places)} error(s)" in run.stdout  # every error is listed, each with its cell
    assert "nothing was written" in run.stdout.lower()
    assert "Traceback" not in run.stderr
    assert database_snapshot(engine) == before


def test_dry_run_exits_0_shows_what_would_change_and_writes_nothing(cli, db_url, engine, tmp_path):
    apply(engine, tjk_return())
    before = database_snapshot(engine)
    book = tmp_path / "q1-corrected.xlsx"
    book.write_bytes(tjk_return(Findings=[FINDINGS_HEADER, finding(status="remediated")]))
    run = cli("import", str(book), "--dry-run", db=db_url)
    assert run.returncode == 0, said(run)
    assert summary_table(run.stdout)["Findings"] == (0, 1, 0, 1)  # F-01 updated; F-02's Q1 status removed
    assert database_snapshot(engine) == before  # the exports are byte-identical before and after


def test_importing_the_identical_file_again_exits_0_and_says_identical(cli, db_url, engine, tmp_path):
    data = tjk_return()
    first = apply(engine, data, "first.xlsx")
    before = database_snapshot(engine)
    book = tmp_path / "same bytes, other name.xlsx"
    book.write_bytes(data)
    run = cli("import", str(book), db=db_url)
    assert run.returncode == 0, said(run)
    assert "identical" in run.stdout and f"#{first.upload_id}" in run.stdout
    assert database_snapshot(engine) == before


# --------------------------------------------------------------------------- hostile files


def _deflate(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def _bomb_part(total_bytes: int) -> tuple[bytes, int, int]:
    """About ``total_bytes`` of repetitive worksheet XML, deflated by streaming
    (the reader's tests build it): (deflated, crc32, real size)."""
    from tests.test_workbook_reader import _bomb_sheet

    return _bomb_sheet(total_bytes)


def _zip_bomb(base: bytes, part: str, total_bytes: int, declared: int | None = None) -> bytes:
    """``base`` with ``part`` replaced by a bomb. Written by hand (zipfile
    cannot declare a size other than the real one)."""
    members = []
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        for info in zf.infolist():
            if info.filename == part:
                deflated, crc, size = _bomb_part(total_bytes)
                members.append((part, deflated, crc, size if declared is None else declared))
            else:
                content = zf.read(info.filename)
                members.append((info.filename, _deflate(content), zlib.crc32(content), len(content)))
    out, central = io.BytesIO(), []
    for name, deflated, crc, size in members:
        offset, raw = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(raw), 0))
        out.write(raw + deflated)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(deflated),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == name else src.read(info.filename))
    return out.getvalue()


def _findings_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet[^>]*name="Findings"[^>]*r:id="(\w+)"', workbook).group(1)
    target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels
    )
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def hostile(kind: str) -> bytes:
    good = tjk_return()
    if kind == "random bytes":
        return random.Random(20240331).randbytes(50_000)
    if kind == "empty file":
        return b""
    if kind == "truncated xlsx":
        return good[: len(good) // 2]
    if kind == "CSV renamed .xlsx":
        return b"field,value\ncountry,TJK\nquarter,2024-Q1\n"
    if kind == "macro-enabled named .xlsx":
        with zipfile.ZipFile(io.BytesIO(good)) as zf:
            types = zf.read("[Content_Types].xml")
        macro = types.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        assert macro != types
        return _replace_part(good, "[Content_Types].xml", macro)
    if kind == "zip bomb (1 GB sheet)":
        return _zip_bomb(good, _findings_part(good), 1 << 30)
    if kind == "zip bomb lying about its size":
        return _zip_bomb(good, _findings_part(good), 1 << 30, declared=900_000)
    raise AssertionError(kind)


HOSTILE = [
    "random bytes",
    "empty file",
    "truncated xlsx",
    "CSV renamed .xlsx",
    "macro-enabled named .xlsx",
    "zip bomb (1 GB sheet)",
    "zip bomb lying about its size",
]


def test_hostile_files_exit_2_with_a_plain_message_and_write_nothing(cli, db_url, engine, tmp_path, monkeypatch):
    books = {}
    for i, kind in enumerate(HOSTILE):
        books[kind] = tmp_path / f"{i}" / "return.xlsx"
        books[kind].parent.mkdir()
        books[kind].write_bytes(hostile(kind))
    with zipfile.ZipFile(books["zip bomb (1 GB sheet)"]) as zf:
        assert max(i.file_size for i in zf.infolist()) >= 1 << 30  # a real 1 GiB worksheet inside
    assert all(books[k].stat().st_size < 10_000_000 for k in HOSTILE)  # within the size limit: caught for what they are
    before = database_snapshot(engine)
    # Which files got as far as the reading child process (the only step that inflates anything).
    read = []
    run_child = data_access.workbook._run_child
    monkeypatch.setattr(
        data_access.workbook, "_run_child", lambda data, limits: read.append(data) or run_child(data, limits)
    )
    runs = {}
    for kind in HOSTILE:
        read_before = len(read)
        runs[kind] = cli("import", str(books[kind]), db=db_url)
        reached_the_reader = len(read) > read_before
        # Refused by the cheap checks, before anything is inflated, except the bomb whose zip
        # directory lies about its size: that one is stopped by the reader (in its child process).
        assert reached_the_reader == (kind == "zip bomb lying about its size"), kind
    for kind, run in runs.items():
        assert run.returncode == 2, f"{kind}: {said(run)}"
        assert "Traceback" not in run.stderr, f"{kind}: {run.stderr}"
        message = run.stdout.strip().splitlines()[0]
        assert len(message.split()) >= 5, f"{kind}: {message}"  # a sentence for the person who uploaded it
    first_line = {kind: run.stdout.splitlines()[0] for kind, run in runs.items()}
    assert "empty" in first_line["empty file"]
    assert "macro" in first_line["macro-enabled named .xlsx"]
    assert "CSV" in first_line["CSV renamed .xlsx"]
    for kind in ("zip bomb (1 GB sheet)", "zip bomb lying about its size"):
        assert not re.search(r"zip|bomb|calamine|ratio", first_line[kind], flags=re.I), first_line[kind]  # plainly
    assert database_snapshot(engine) == before
    assert queries.upload_history(engine).empty


@pytest.mark.slow
def test_end_to_end_import_exits_0_when_applied_1_when_rejected_2_when_unreadable(tmp_path):
    """Real ``python -m data_access import`` processes, as a script drives them."""
    db = f"sqlite:///{tmp_path / 'end-to-end.db'}"
    good, bad, junk = tmp_path / "good.xlsx", tmp_path / "bad.xlsx", tmp_path / "junk.xlsx"
    good.write_bytes(tjk_return())
    bad.write_bytes(tjk_return("2024-Q2", Findings=[FINDINGS_HEADER, finding(status="done")]))
    junk.write_bytes(hostile("CSV renamed .xlsx"))

    applied = process("import", str(good), db=db)
    assert applied.returncode == 0, said(applied)
    assert summary_table(applied.stdout)["Findings"] == (2, 0, 0, 0)
    rejected = process("import", str(bad), db=db)
    assert rejected.returncode == 1, said(rejected)
    assert error_places(rejected.stdout) == ["Findings!H2"]
    unreadable = process("import", str(junk), db=db)
    assert unreadable.returncode == 2, said(unreadable)
    assert "CSV" in unreadable.stdout.splitlines()[0]
    for run in (applied, rejected, unreadable):
        assert "Traceback" not in run.stderr, run.stderr


# --------------------------------------------------------------------------- export


def two_quarters(engine) -> None:
    """TJK with two quarters (a finding remediated in Q2), and KAZ with one."""
    apply(engine, tjk_return(), "tjk-q1.xlsx")
    apply(
        engine,
        tjk_return(
            "2024-Q2",
            Findings=[FINDINGS_HEADER, finding(status="remediated", status_note="Lights fitted")],
            Priorities=[PRIORITIES_HEADER, ["TJK-P-01", None, None, "at risk", 30, None, "Recruitment delayed", None]],
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, "no", None]],
        ),
        "tjk-q2.xlsx",
    )
    apply(
        engine,
        return_workbook("KAZ", "2024-Q1", Indicators=[INDICATORS_HEADER, ["prisoners_total", 33000, "yes", None]]),
        "kaz.xlsx",
    )


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_every_dataset_as_csv_to_stdout_and_xlsx_to_a_file(cli, db_url, engine, tmp_path):
    two_quarters(engine)
    csv_runs = [["export", ds, "--country", "TJK"] for ds in DATASETS]
    xlsx_runs = [
        [
            "export",
            ds,
            "--country",
            "TJK",
            "--quarter",
            "2024-Q2",
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / f"{ds}.xlsx"),
        ]
        for ds in DATASETS
    ]
    # --quarter: findings as at the end of 2024-Q1 (the csv run above gives the latest state)
    as_at = [["export", "findings", "--country", "Tajikistan", "--quarter", "2024Q1"]]
    runs = [cli(*args, db=db_url) for args in csv_runs + xlsx_runs + as_at]
    for run in runs:
        assert run.returncode == 0, said(run)
        assert "Traceback" not in run.stderr, said(run)

    csv_out = dict(zip(DATASETS, runs[:7], strict=False))
    for ds, run in csv_out.items():
        header = next(csv.reader(io.StringIO(run.stdout)))
        rows = _csv(run.stdout)
        if ds == "uploads":
            assert set(header) >= UPLOAD_COLUMNS, header
            assert {r["file_name"]: r["status"] for r in rows} == {"tjk-q1.xlsx": "current", "tjk-q2.xlsx": "current"}
        else:
            assert header == EXPORT_COLUMNS[ds], f"{ds}: {header}"
        assert rows and {r["country"] for r in rows} == {"TJK"}, f"{ds}: {run.stdout}"
        assert len(rows) == len(export_dataset(engine, ds, "TJK").frame), ds
    assert {r["quarter"] for r in _csv(csv_out["activities"].stdout)} == {"2024-Q1", "2024-Q2"}

    for ds in DATASETS:
        wb = openpyxl.load_workbook(tmp_path / f"{ds}.xlsx", read_only=True)
        rows = [list(r) for r in wb[ds.capitalize()].iter_rows(values_only=True)]
        if ds == "uploads":
            assert set(rows[0]) >= UPLOAD_COLUMNS
            assert all(isinstance(r[rows[0].index("uploaded_at")], dt.datetime) for r in rows[1:])
        else:
            assert rows[0] == EXPORT_COLUMNS[ds], f"{ds}: {rows[0]}"
            assert {r[0] for r in rows[1:]} == {"TJK"}
            ret = {f: v for f, v in wb["Return"].iter_rows(min_row=2, values_only=True)}
            assert (ret["country"], ret["quarter"]) == ("TJK", "2024-Q2")  # it can be imported again as it is
        assert len(rows) - 1 == len(export_dataset(engine, ds, "TJK", None if ds == "uploads" else "2024-Q2").frame)

    status = lambda run: {r["finding_id"]: r["status"] for r in _csv(run.stdout)}  # noqa: E731
    assert status(runs[-1]) == {"TJK-F-01": "open", "TJK-F-02": "open"}  # as at 2024-Q1
    assert status(csv_out["findings"]) == {"TJK-F-01": "remediated", "TJK-F-02": "open"}  # the latest


# --------------------------------------------------------------------------- template


def _validation_choices(wb, dv) -> list[str]:
    formula = dv.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    m = re.fullmatch(r"=?'?(\w+)'?!\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)", formula)
    assert m, formula
    sheet, c1, r1, c2, r2 = m.groups()
    assert c1 == c2
    ws = wb[sheet]
    return [ws[f"{c1}{r}"].value for r in range(int(r1), int(r2) + 1)]


def test_template_is_prefilled_and_has_a_dropdown_on_every_enumerated_column(cli, db_url, engine, tmp_path):
    apply(
        engine,
        tjk_return(
            Findings=[
                FINDINGS_HEADER,
                finding(),
                finding("TJK-F-02", status="verified"),
                finding("TJK-F-03", "TJK-T-02", status="in progress"),
            ],
            Priorities=[
                PRIORITIES_HEADER,
                ["TJK-P-01", "Prison intelligence units", None, "on track", 10, None, None, None],
                ["TJK-P-02", "Classification tool", None, "completed", 100, None, None, None],
            ],
            Milestones=[
                MILESTONES_HEADER,
                ["TJK-P-01", "Pilot unit set up", D(2024, 9, 30), "planned", None],
                ["TJK-P-02", "Tool adopted", D(2024, 3, 1), "done", D(2024, 3, 1)],
            ],
        ),
    )
    out = tmp_path / "x.xlsx"
    run = cli("template", "--country", "TJK", "--quarter", "2024-Q2", "--output", str(out), db=db_url)
    assert run.returncode == 0, said(run)
    wb = openpyxl.load_workbook(out)
    assert {"Instructions", "Return", *DATA_SHEETS} <= set(wb.sheetnames)
    assert any(c.value for row in wb["Instructions"].iter_rows() for c in row)
    ret = {f: v for f, v in wb["Return"].iter_rows(min_row=2, values_only=True)}
    assert (ret["country"], ret["quarter"]) == ("TJK", "2024-Q2")

    def rows(sheet):
        ws = wb[sheet]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        header = values[0]
        return header, [dict(zip(header, r, strict=False)) for r in values[1:] if any(v is not None for v in r)]

    for (sheet, column), choices in ENUMERATED.items():
        header, _ = rows(sheet)
        letter = openpyxl.utils.get_column_letter(header.index(column) + 1)
        covering = [
            dv
            for dv in wb[sheet].data_validations.dataValidation
            if dv.type == "list" and any(f"{letter}2" in rng for rng in dv.sqref)
        ]
        assert covering, f"{sheet}.{column}: no dropdown on column {letter}"
        assert _validation_choices(wb, covering[0]) == choices, f"{sheet}.{column}"

    _, facilities = rows("Facilities")
    assert [f["facility_id"] for f in facilities] == ["TJK-T-01", "TJK-T-02"]
    _, findings = rows("Findings")
    assert {f["finding_id"]: f["status"] for f in findings} == {"TJK-F-01": "open", "TJK-F-03": "in progress"}
    _, priorities = rows("Priorities")
    assert [(p["priority_id"], p["status"], p["progress_pct"]) for p in priorities] == [("TJK-P-01", "on track", 10)]
    _, milestones = rows("Milestones")
    assert [m["milestone"] for m in milestones] == ["Pilot unit set up"]
    _, indicators = rows("Indicators")
    assert {i["indicator"]: i["value"] for i in indicators} == {"prisoners_total": 12500, "ve_prisoners": 2140}


# --------------------------------------------------------------------------- bad arguments


def _plainly_refused(cases, runs):
    for (args, named), run in zip(cases, runs, strict=False):
        assert run.returncode == 2, f"{args}: {said(run)}"
        assert "Traceback" not in run.stderr, f"{args}: {run.stderr}"
        assert named in run.stderr, f"{args}: the message does not name {named!r}: {run.stderr}"
        assert "error" in run.stderr.strip().splitlines()[-1], f"{args}: {run.stderr}"  # ends with the message


def test_bad_arguments_exit_2_with_a_plain_message_and_no_traceback(cli, tmp_path):
    out = tmp_path / "never.xlsx"
    cases = [
        (["export", "everything"], "everything"),
        (["export", "findings", "--format", "xlsx"], "--output"),
        (["template", "--country", "TJK", "--quarter", "someday", "--output", str(out)], "someday"),
        (["import", str(tmp_path / "missing.xlsx")], "missing.xlsx"),
    ]
    _plainly_refused(cases, [cli(*args, db=f"sqlite:///{tmp_path / 'test.db'}") for args, _ in cases])
    assert not out.exists()


def test_an_unknown_country_or_quarter_exits_2_with_a_plain_message(cli, db_url, engine, tmp_path):
    out = tmp_path / "never.xlsx"
    cases = [
        (["export", "findings", "--quarter", "2024-Q5"], "2024-Q5"),
        (["export", "findings", "--country", "Atlantis"], "Atlantis"),
        (["template", "--country", "Narnia", "--quarter", "2024-Q2", "--output", str(out)], "Narnia"),
    ]
    _plainly_refused(cases, [cli(*args, db=db_url) for args, _ in cases])
    assert not out.exists()
    assert queries.upload_history(engine).empty


# --------------------------------------------------------------------------- load-sample


@pytest.mark.slow  # imports the whole sample (48 workbooks) twice
def test_load_sample_on_a_fresh_database_then_again_changes_nothing(cli, db_url, engine):
    from data_access.sample import RETURNS_DIR

    files = sorted(RETURNS_DIR.glob("*.xlsx"))
    if not files:
        pytest.skip(f"no sample returns in {RETURNS_DIR} yet (generated by sample_data/make_returns.py)")
    first = cli("load-sample", db=db_url)
    assert first.returncode == 0, said(first)
    m = re.search(r"(\d+) file\(s\) applied, (\d+) already present", first.stdout)
    assert m and int(m.group(1)) >= len(files) and int(m.group(2)) == 0, first.stdout
    loaded = database_snapshot(engine)
    assert len(queries.upload_history(engine)) == int(m.group(1))

    second = cli("load-sample", db=db_url)
    assert second.returncode == 0, said(second)
    m2 = re.search(r"(\d+) file\(s\) applied, (\d+) already present", second.stdout)
    assert m2 and (int(m2.group(1)), int(m2.group(2))) == (0, int(m.group(1))), second.stdout
    assert database_snapshot(engine) == loaded


# --------------------------------------------------------------------------- users


def test_users_add_list_set_role_and_remove_acting_as_the_login_at_the_command_line(cli, db_url, engine, monkeypatch):
    import getpass

    from data_access import access, audit

    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    assert cli("users", "list", db=db_url).stdout == "no accounts yet\n"
    added = cli("users", "add", "Ana@Example.org", "--role", "coordinator", "--country", "TJK", "--country", "kgz",
                "--name", "Ana Lopez", db=db_url)  # fmt: skip
    assert (added.returncode, added.stdout) == (0, "added ana@example.org as coordinator\n")
    assert cli("users", "add", "boss@example.org", "--role", "admin", db=db_url).returncode == 0
    listed = cli("users", "list", db=db_url)
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "ana@example.org\tcoordinator\tKGZ, TJK\tAna Lopez",
        "boss@example.org\tadmin\tall countries",
    ]
    changed = cli("users", "set-role", "ana@example.org", "viewer", "--country", "IRQ", db=db_url)
    assert (changed.returncode, changed.stdout) == (0, "ana@example.org is now viewer\n")
    assert "ana@example.org\tviewer\tIRQ\tAna Lopez" in cli("users", "list", db=db_url).stdout
    removed = cli("users", "remove", "ana@example.org", db=db_url)
    assert (removed.returncode, removed.stdout) == (0, "removed ana@example.org\n")
    events = audit.events(engine, access.BOOTSTRAP)
    assert list(events["action"])[::-1] == ["user.add", "user.add", "user.set_role", "user.remove"]
    assert set(events["actor_email"]) == {"operator@localhost"} and set(events["via"]) == {"cli"}


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["add", "not-an-email", "--role", "viewer"], '"not-an-email" is not an e-mail address.'),
        (["add", "a@example.org", "--role", "boss"], '"boss" is not a role: use one of viewer, coordinator, manager, '
         "admin."),
        (["add", "a@example.org", "--role", "viewer", "--country", "FRA"], '"FRA" is not a country code: use one of '
         "IRQ, KAZ, KGZ, TJK."),
        (["add", "a@example.org", "--role", "coordinator"], "A coordinator needs at least one country."),
        (["set-role", "nobody@example.org", "viewer"], "nobody@example.org has no account."),
        (["remove", "nobody@example.org"], "nobody@example.org has no account."),
    ],
)  # fmt: skip
def test_users_refusals_exit_1_with_one_line_and_write_nothing(cli, db_url, engine, args, why):
    from data_access import access, audit

    run = cli("users", *args, db=db_url)
    assert (run.returncode, run.stdout, run.stderr) == (1, "", f"error: {why}\n")
    assert audit.events(engine, access.BOOTSTRAP).empty
    assert cli("users", "list", db=db_url).stdout == "no accounts yet\n"


def test_users_refuse_to_remove_or_demote_the_last_admin(cli, db_url):
    assert cli("users", "add", "boss@example.org", "--role", "admin", db=db_url).returncode == 0
    for args in (["remove", "boss@example.org"], ["set-role", "boss@example.org", "manager"]):
        run = cli("users", *args, db=db_url)
        assert (run.returncode, run.stderr) == (
            1, "error: boss@example.org is the last administrator: add another administrator first.\n",
        )  # fmt: skip
    assert "boss@example.org\tadmin" in cli("users", "list", db=db_url).stdout


# --------------------------------------------------------------------------- who imports and restores


def kaz_return(quarter: str = "2024-Q1") -> bytes:
    return return_workbook("KAZ", quarter, Indicators=[INDICATORS_HEADER, ["prisoners_total", 33000, "yes", None]])


def one_event(engine, before: int):
    """The one audit event written since there were ``before``; its detail as a dict."""
    events = audit.events(engine, access.BOOTSTRAP)
    assert len(events) == before + 1, events[["action", "actor_email"]]
    event = events.iloc[0].to_dict()
    return event, json.loads(event["detail"])


def test_import_as_a_coordinator_for_another_country_is_refused_with_exit_1_and_writes_nothing(
    cli, db_url, engine, tmp_path, monkeypatch
):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    access.add_user(engine, ADMIN, "tahmina@example.org", "coordinator", ["TJK"], name="Tahmina")
    apply(engine, tjk_return())
    before, n = database_snapshot(engine), len(audit.events(engine, access.BOOTSTRAP))
    book = tmp_path / "kaz.xlsx"
    book.write_bytes(kaz_return())
    for args in ([], ["--dry-run"]):
        run = cli("import", str(book), *args, "--user", "tahmina@example.org", db=db_url)
        assert run.returncode == 1, said(run)
        assert run.stdout.splitlines() == [
            "KAZ is outside your access (your countries: TJK).",
            "Nothing was written.",
        ]
        event, detail = one_event(engine, n)
        n += 1
        assert (event["action"], event["actor_email"], event["via"], event["country"]) == (
            "refused", "tahmina@example.org", "cli", "KAZ",
        )  # fmt: skip
        assert detail["action"] == ("check" if args else "upload")
        assert (detail["reason"], detail["os_user"]) == ("access.refused.country", "operator")
    assert database_snapshot(engine) == before


def test_import_as_an_account_applies_within_its_countries_and_is_signed_by_it(cli, db_url, engine, tmp_path):
    access.add_user(engine, ADMIN, "kairat@example.org", "coordinator", ["KAZ"], name="Kairat")
    book = tmp_path / "kaz.xlsx"
    book.write_bytes(kaz_return())
    run = cli("import", str(book), "--user", "kairat@example.org", db=db_url)
    assert run.returncode == 0, said(run)
    h = queries.upload_history(engine).iloc[0]
    assert (h["uploaded_by"], h["uploader_email"], h["country"]) == (
        "Kairat <kairat@example.org>",
        "kairat@example.org",
        "KAZ",
    )


def test_import_as_someone_without_an_account_is_refused(cli, db_url, engine, tmp_path):
    book = tmp_path / "kaz.xlsx"
    book.write_bytes(kaz_return())
    run = cli("import", str(book), "--user", "stranger@example.org", db=db_url)
    assert run.returncode == 1, said(run)
    assert "stranger@example.org" in run.stdout and "no access" in run.stdout
    assert queries.upload_history(engine).empty


def test_without_user_the_login_acts_as_an_administrator_through_the_command_line(
    cli, db_url, engine, tmp_path, monkeypatch
):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    book = tmp_path / "kaz.xlsx"
    book.write_bytes(kaz_return())
    run = cli("import", str(book), db=db_url)
    assert run.returncode == 0, said(run)
    h = queries.upload_history(engine).iloc[0]
    assert (h["uploaded_by"], h["uploader_email"]) == ("operator <operator@localhost>", "operator@localhost")
    event, detail = one_event(engine, 0)
    assert (event["action"], event["actor_email"], event["actor_name"], event["via"]) == (
        "return.upload", "operator@localhost", "operator", "cli",
    )  # fmt: skip
    assert (event["country"], event["quarter"]) == ("KAZ", "2024-Q1")
    assert detail == {
        "os_user": "operator",
        "status": "applied",
        "errors": 0,
        "warnings": 0,
        "upload_id": int(h["id"]),
        "file_name": "kaz.xlsx",
        "sha256": h["sha256"],
    }


def test_restore_needs_a_manager_and_records_one_event(cli, db_url, engine, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "operator")
    access.add_user(engine, ADMIN, "kairat@example.org", "coordinator", ["KAZ"])
    access.add_user(engine, ADMIN, "mara@example.org", "manager", name="Mara")
    first = apply(engine, kaz_return())
    apply(engine, return_workbook("KAZ", "2024-Q1", Indicators=[INDICATORS_HEADER, ["prisoners_total", 1, None, None]]))
    before, n = database_snapshot(engine), len(audit.events(engine, access.BOOTSTRAP))

    refused = cli("restore", str(first.upload_id), "--user", "kairat@example.org", db=db_url)
    assert refused.returncode == 1, said(refused)
    assert refused.stdout.startswith("Your role (coordinator) does not allow restoring uploads")
    assert database_snapshot(engine) == before
    event, detail = one_event(engine, n)
    assert (event["action"], detail["action"], detail["reason"], detail["upload_id"]) == (
        "refused", "restore", "access.refused.restore", first.upload_id,
    )  # fmt: skip

    restored = cli("restore", str(first.upload_id), "--user", "mara@example.org", db=db_url)
    assert restored.returncode == 0, said(restored)
    h = queries.upload_history(engine).iloc[0]
    assert (h["restored_from_id"], h["uploaded_by"]) == (first.upload_id, "Mara <mara@example.org>")
    event, detail = one_event(engine, n + 1)
    assert (event["action"], event["via"], event["country"]) == ("upload.restore", "cli", "KAZ")
    assert (detail["restored"], detail["upload_id"], detail["status"], detail["os_user"]) == (
        first.upload_id, int(h["id"]), "applied", "operator",
    )  # fmt: skip

    missing = cli("restore", "9999", db=db_url)
    assert missing.returncode == 1 and "Upload #9999 does not exist" in missing.stdout


# --------------------------------------------------------------------------- unexpected errors

ONE_LINE = re.compile(r"^error: (.+); run with --debug for details \(ref ([0-9a-f]{8})\)$")
SQL = "SELECT findings.title FROM findings WHERE findings.country_code = %(code)s"


def _failing_export(*args, **kwargs):
    from sqlalchemy.exc import OperationalError

    raise OperationalError(SQL, {"code": "secret-parameter"}, Exception("server closed the connection unexpectedly"))


def test_an_unexpected_error_prints_one_line_with_a_reference_and_exits_2(cli, db_url, engine, monkeypatch):
    import data_access.export

    monkeypatch.setattr(data_access.export, "export_dataset", _failing_export)
    run = cli("export", "findings", db=db_url)
    assert run.returncode == 2 and run.stdout == ""
    [line] = run.stderr.splitlines()
    m = ONE_LINE.match(line)
    assert m, line
    assert m.group(1) == "OperationalError: server closed the connection unexpectedly"
    for internal in ("Traceback", "SELECT", "secret-parameter", "[SQL"):
        assert internal not in run.stderr, internal
    again = cli("export", "findings", db=db_url)
    assert ONE_LINE.match(again.stderr.strip()).group(2) != m.group(2)  # a reference per incident


@pytest.mark.parametrize("where", ["before", "after"])
def test_with_debug_the_traceback_comes_first(cli, db_url, engine, monkeypatch, where):
    import data_access.export

    monkeypatch.setattr(data_access.export, "export_dataset", _failing_export)
    args = ["--debug", "export", "findings"] if where == "before" else ["export", "findings", "--debug"]
    run = cli(*args, db=db_url)
    assert run.returncode == 2
    assert run.stderr.startswith("Traceback (most recent call last):") and "_failing_export" in run.stderr
    assert ONE_LINE.match(run.stderr.strip().splitlines()[-1])


def test_an_import_the_database_refuses_exits_1_with_a_reference_and_no_sql(cli, db_url, engine, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from data_access import summary

    def refuse(conn, countries):
        raise IntegrityError("INSERT INTO finding_counts VALUES (%(x)s)", {"x": "secret-parameter"}, Exception("dup"))

    monkeypatch.setattr(summary, "refresh", refuse)
    path = tmp_path / "TJK.xlsx"
    path.write_bytes(tjk_return())
    before = database_snapshot(engine)
    run = cli("import", str(path), db=db_url)
    assert run.returncode == 1, said(run)
    ref = re.search(r"quoting reference ([0-9a-f]{8})", run.stdout).group(1)
    assert run.stderr.strip() == f"error: incident {ref}: the database refused to store 'TJK.xlsx': IntegrityError"
    for internal in ("Traceback", "INSERT", "secret-parameter"):
        assert internal not in said(run), internal
    assert database_snapshot(engine) == before
    debug = cli("import", str(path), "--debug", db=db_url)
    assert debug.returncode == 1 and "Traceback (most recent call last):" in debug.stderr  # the incident in full


@pytest.mark.slow
def test_end_to_end_an_unexpected_error_is_one_line_without_a_traceback(tmp_path):
    """A real process, a real failure: an export to a folder that does not exist."""
    db = f"sqlite:///{tmp_path / 'e2e.db'}"
    out = str(tmp_path / "no such folder" / "findings.csv")
    run = process("export", "findings", "--output", out, db=db)
    assert run.returncode == 2, said(run)
    [line] = run.stderr.strip().splitlines()
    assert ONE_LINE.match(line) and "FileNotFoundError" in line and "Traceback" not in run.stderr, run.stderr
    debug = process("export", "findings", "--output", out, "--debug", db=db)
    assert debug.returncode == 2 and "Traceback (most recent call last):" in debug.stderr
