"""Benchmark: importing a return whose Findings sheet has 50,000 rows.

Compared, in the same run and on the same workbook, with a baseline that
does the least any importer must do: read the sheet with python-calamine and
bulk-insert the same rows with SQLAlchemy Core into an empty table. Each
measurement runs in a fresh subprocess (so peak memory is that run's own) on
a fresh SQLite database; the table shows the median of ``--runs`` runs.

    python benchmarks/import_50k.py [--rows 50000] [--runs 3] [--db sqlite|postgresql]

Prints a table; asserts nothing (speed goals are read, not tested).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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


def make_workbook(rows: int, path: Path, note_words: int = 0) -> None:
    """A return for TJK 2024-Q1 whose Findings sheet has ``rows`` findings
    (and 50 new facilities). ``note_words`` random words in every finding's
    status note make the file larger (27 words: about 9.9 MB for 50,000
    rows, the largest file the upload accepts)."""
    from openpyxl import Workbook

    rnd = random.Random(7)
    words = random.Random(11)  # apart, so that the other values do not change with ``note_words``
    vocab = ["".join(words.choices("abcdefghijklmnopqrstuvwxyz", k=words.randint(3, 10))) for _ in range(5000)]
    wb = Workbook(write_only=True)
    ret = wb.create_sheet("Return")
    for r in (["field", "value"], ["country", "TJK"], ["quarter", "2024-Q1"], ["notes", "benchmark"]):
        ret.append(r)
    fac = wb.create_sheet("Facilities")
    fac.append(["facility_id", "name", "type", "city", "latitude", "longitude", "pilot"])
    n_fac = 50
    for i in range(n_fac):
        fac.append([f"TJK-B-{i:03d}", f"Benchmark prison {i}", "prison", "Dushanbe", 38.56, 68.79, "no"])
    ws = wb.create_sheet("Findings")
    ws.append(FINDINGS_HEADER)
    domains, sev = ["physical", "procedural", "dynamic", "other"], ["critical", "high", "medium", "low"]
    statuses = ["open", "in progress", "remediated", "verified", "risk accepted"]
    for i in range(rows):
        audit = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(80))
        ws.append(
            [
                f"TJK-B-F{i:06d}",
                f"TJK-B-{rnd.randrange(n_fac):03d}",
                audit,
                rnd.choice(domains),
                rnd.choice(sev),
                f"Finding number {i} about a security gap",
                "Fix it within the deadline",
                rnd.choice(statuses),
                audit + dt.timedelta(days=rnd.randrange(30, 365)),
                "Deputy director, security",
                " ".join(["Progress noted at the quarterly review", *words.choices(vocab, k=note_words)]),
            ]
        )
    wb.save(path)


CHILD_IMPORT = r"""
import json, resource, sys, time
from data_access import db
from data_access.importer import import_workbook
from data_access.rules.access import Actor
engine = db.connect({url!r})
data = open({path!r}, "rb").read()
t0 = time.perf_counter()
r = import_workbook(engine, Actor("bench@localhost", "bench", "admin", via="cli"), data, "bench.xlsx")
t = time.perf_counter() - t0
assert r.status == "applied", r.report()[:2000]
print(json.dumps(dict(seconds=t, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""

CHILD_BASELINE = r"""
import json, resource, sys, time
from python_calamine import CalamineWorkbook
from sqlalchemy import create_engine, MetaData, Table, Column, String, Date, Text, insert
engine = create_engine({url!r})
md = MetaData()
cols = {cols!r}
t = Table("findings_raw", md, *[Column(c, Date if c.endswith("date") else Text) for c in cols])
md.create_all(engine)
t0 = time.perf_counter()
wb = CalamineWorkbook.from_path({path!r})
rows = wb.get_sheet_by_name("Findings").to_python()
records = [dict(zip(cols, r)) for r in rows[1:]]
with engine.begin() as conn:
    conn.execute(insert(t), records)
t = time.perf_counter() - t0
print(json.dumps(dict(seconds=t, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def run_child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_url(kind: str, tmp: Path, i: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'run{i}.db'}"
    from sqlalchemy import create_engine, text

    base = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{os.getpid()}_{i}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        book = tmp / "findings.xlsx"
        t0 = time.perf_counter()
        make_workbook(args.rows, book)
        print(
            f"workbook: {args.rows:,} findings, {book.stat().st_size / 1e6:.1f} MB, "
            f"written in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        imp, base = [], []
        for i in range(args.runs):
            base.append(
                run_child(
                    CHILD_BASELINE.format(url=fresh_url(args.db, tmp, 100 + i), path=str(book), cols=FINDINGS_HEADER)
                )
            )
            imp.append(run_child(CHILD_IMPORT.format(root=str(ROOT), url=fresh_url(args.db, tmp, i), path=str(book))))
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    bi, bb = med(imp, "seconds"), med(base, "seconds")
    mi, mb = med(imp, "peak_mb"), med(base, "peak_mb")
    print()
    print(
        f"{'measure (' + args.db + ', median of ' + str(args.runs) + ')':<44} {'importer':>10} {'baseline':>10} "
        f"{'ratio':>7}"
    )
    print(f"{'time, s':<44} {bi:>10.2f} {bb:>10.2f} {bi / bb:>7.2f}")
    print(f"{'peak memory (process RSS), MB':<44} {mi:>10.0f} {mb:>10.0f} {mi / mb:>7.2f}")
    print("\nbaseline = python-calamine read + SQLAlchemy Core bulk insert into an empty table, same workbook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
