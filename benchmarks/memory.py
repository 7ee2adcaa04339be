"""Benchmark: the app server's resident memory on the large synthetic
programme, after start and after visiting every page in Chromium.

    python benchmarks/memory.py [--scale 1] [--large-db URL]

``streamlit run app.py`` serves the large programme; each page is opened
once, in a fresh session, until fully rendered (as ``benchmarks/browser.py``
decides it), and the server's resident memory (``VmRSS`` of the process and
any children, from ``/proc``) is read after start, after each page and at
the end, once the browser has closed every session. The baseline, measured
in the same run, is a bare ``streamlit run`` of a one-line hello script
visited once. Without ``--large-db`` the programme is built in a temporary
folder first; a given one is brought to the latest schema first, so that
the server starts as it would on a migrated database. Prints a table;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.browser import page_urls, visit
from benchmarks.chromium import chromium
from benchmarks.pages import build_large
from benchmarks.serve import app_env, migrated, streamlit_server

ROOT = Path(__file__).resolve().parent.parent

TARGET_MB = 600
HELLO = 'import streamlit as st\n\nst.write("Hello")\n'


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid``, from the parent ids in ``/proc/*/stat``."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
        except (OSError, IndexError):
            continue  # the process has gone
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    total_kb = 0
    for p in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kb / 1024


def baseline_mb(browser, tmp: Path) -> float:
    """A bare Streamlit server of a hello script, visited once."""
    script = tmp / "hello" / "hello.py"
    script.parent.mkdir()
    script.write_text(HELLO)
    with streamlit_server(script, dict(os.environ), tmp / "hello.log") as server:
        visit(browser, server.base + "/")
        return rss_mb(server.pid)


def app_readings(large_url: str, tmp: Path) -> list[tuple[str, float]]:
    """(moment, RSS in MB) after start, after each page and at the end."""
    with streamlit_server(ROOT / "app.py", app_env(large_url), tmp / "large-server.log") as server:
        readings = [("after start", rss_mb(server.pid))]
        with chromium() as browser:
            for page in page_urls():
                visit(browser, server.base + page.path)
                readings.append((f"after {page.name}", rss_mb(server.pid)))
        time.sleep(1)  # the server notices the closed sessions
        readings.append(("final", rss_mb(server.pid)))
    return readings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="size of the large programme (1 = full)")
    ap.add_argument("--large-db")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        large_url = args.large_db or f"sqlite:///{tmp}/large.db"
        t0 = time.perf_counter()
        if not args.large_db:
            build_large(large_url, args.scale)
        migrated(large_url)
        print(f"database ready in {time.perf_counter() - t0:.0f} s", flush=True)
        with chromium() as browser:
            baseline = baseline_mb(browser, tmp)
        print("  measured the baseline", flush=True)
        readings = app_readings(large_url, tmp)
    print()
    print(f"Server resident memory (VmRSS incl. children), MB, large programme (target: final <= {TARGET_MB})")
    print(f"{'moment':<28} {'RSS MB':>8} {'/baseline':>9}  ok")
    print(f"{'baseline: hello script':<28} {baseline:>8.0f} {1:>9.2f}")
    for moment, mb in readings:
        ok = f"  {'yes' if mb <= TARGET_MB else 'NO'}" if moment == "final" else ""
        print(f"{moment:<28} {mb:>8.0f} {mb / baseline:>9.2f}{ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
