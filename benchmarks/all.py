"""Every benchmark in one run, on databases built once: the tables of
docs/performance.md come from this command.

    python benchmarks/all.py [--runs 5] [--scale 1] [--workdir DIR]

Prints the machine first (CPU, cores, memory, Python, SQLite, Streamlit),
then builds the sample database (through the importer) and the large
synthetic programme (``benchmarks/generate.py``) in ``--workdir`` (a
temporary folder by default), and runs, one after the other so that they do
not compete for the processors:

1. ``benchmarks/pages.py``: every page with AppTest, cold and warm;
2. ``benchmarks/import_50k.py``: the 50,000-row import against its baseline;
3. ``benchmarks/browser.py``: every page in Chromium, navigation to rendered;
4. ``benchmarks/memory.py``: the app process's memory after every page, then while six sessions
   check a 9.9 MB, 50,000-row workbook at once and after they end;
5. ``benchmarks/access.py``: what deciding the acting person costs per rerun.

Each prints its own table with its targets; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    import streamlit

    return [
        f"machine: {cpu}, {os.cpu_count()} cores{mem}",
        f"software: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Streamlit {streamlit.__version__}, {platform.system()} {platform.release()}",
    ]


def run(script: str, *args: str) -> int:
    print(f"\n$ python benchmarks/{script} {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0, help="size of the large programme (1 = full)")
    ap.add_argument("--workdir", help="folder for the two databases (kept); default: a temporary one")
    args = ap.parse_args(argv)
    for line in machine():
        print(line)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        sample_url, large_url = f"sqlite:///{work / 'sample.db'}", f"sqlite:///{work / 'large.db'}"
        from benchmarks.pages import build_large, build_sample
        from data_access import db

        t0 = time.perf_counter()
        if not (work / "sample.db").exists():
            build_sample(sample_url)
        if not (work / "large.db").exists():
            build_large(large_url, args.scale)
        db.dispose_all()
        print(f"databases ready in {time.perf_counter() - t0:.0f} s (in {work})", flush=True)
        dbs = ["--sample-db", sample_url, "--large-db", large_url]
        codes = [
            run("pages.py", "--runs", str(args.runs), *dbs),
            run("import_50k.py", "--runs", str(min(args.runs, 3))),
            run("browser.py", "--runs", str(args.runs), *dbs),
            run("memory.py", "--large-db", large_url),
            run("access.py"),
        ]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
