"""Benchmark: the app server's resident memory on the large synthetic
programme, after start and after visiting every page in Chromium, then
while six sessions check a 10 MB workbook at once and after they end.

    python benchmarks/memory.py [--scale 1] [--large-db URL] [--uploads 6] [--upload-rows 50000]
                                [--upload-words 29] [--after 60]

``streamlit run app.py`` serves the large programme; each page is opened
once, in a fresh session, until fully rendered (as ``benchmarks/browser.py``
decides it), and the server's resident memory (``VmRSS`` of the process and
any children, from ``/proc``) is read after start, after each page and at
the end, once the browser has closed every session. The baseline, measured
in the same run, is a bare ``streamlit run`` of a one-line hello script
visited once. Without ``--large-db`` the programme is built in a temporary
folder first; a given one is brought to the latest schema first, so that
the server starts as it would on a migrated database.

Then, on the same server (its caches warm from the pages), ``--uploads``
browser sessions open the Upload page and choose, all at once, the same
workbook: a return whose Findings sheet has ``--upload-rows`` rows
(``benchmarks/import_50k.make_workbook``; with ``--upload-words`` random
words in each status note, 50,000 rows make a 9.9 MB file, just under the
10 MB the upload accepts). Once every session shows its outcome (the
preview of a valid return), the browser contexts are closed (the sessions
end) and the server is watched for ``--after`` seconds. The app process's
resident memory is read from ``/proc`` (``VmRSS``; its peak is ``VmHWM``,
reset through ``/proc/<pid>/clear_refs`` before the uploads, and a sampler
every 0.1 s as a cross-check), alone and with its children (the parsing
processes). Targets (README): peak under 600 MB, under 350 MB one minute
after the sessions end. Prints two tables; asserts nothing (exits non-zero
only when a session never showed an outcome).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.browser import page_urls, visit
from benchmarks.chromium import VIEWPORT, OfflineGuard, chromium
from benchmarks.import_50k import make_workbook
from benchmarks.pages import build_large
from benchmarks.serve import Server, app_env, migrated, streamlit_server

ROOT = Path(__file__).resolve().parent.parent

TARGET_MB = 600
UPLOAD_PEAK_MB = 600  # the app process, while the sessions check their workbooks
UPLOAD_AFTER_MB = 350  # the app process, one minute after the sessions end
OUTCOME_TIMEOUT_MS = 600_000  # for every session's outcome, on two cores
# What the Upload page says once it has checked a workbook, whatever the outcome.
OUTCOME = re.compile(
    r"The workbook is valid|problem\(s\) to correct|This file cannot be imported|identical to upload|"
    r"You may not import"
)
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


def _status_kb(pid: int, field_name: str) -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (0 once the process has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith(field_name + ":")), 0)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB."""
    return sum(_status_kb(p, "VmRSS") for p in [pid, *_children(pid)]) / 1024


def own_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` alone, in MB."""
    return _status_kb(pid, "VmRSS") / 1024


def reset_peak(pid: int) -> bool:
    """Reset the peak resident memory (``VmHWM``) of ``pid``; False where
    the kernel does not allow it."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb(pid: int) -> float:
    """The peak resident memory (``VmHWM``) of ``pid`` alone, in MB."""
    return _status_kb(pid, "VmHWM") / 1024


@dataclass
class Sampler:
    """Reads the resident memory of a process (alone, and with its children)
    every ``interval`` seconds in a thread, keeping the highest of each."""

    pid: int
    interval: float = 0.1
    own: float = 0.0
    total: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.own = max(self.own, own_rss_mb(self.pid))
            self.total = max(self.total, rss_mb(self.pid))


def baseline_mb(browser, tmp: Path) -> float:
    """A bare Streamlit server of a hello script, visited once."""
    script = tmp / "hello" / "hello.py"
    script.parent.mkdir()
    script.write_text(HELLO)
    with streamlit_server(script, dict(os.environ), tmp / "hello.log") as server:
        visit(browser, server.base + "/")
        return rss_mb(server.pid)


@dataclass
class Uploads:
    """What the upload scenario measured: (moment, app MB, with children MB,
    target MB or None) rows, the outcome each session showed, and the
    seconds from the first file chosen to the last outcome shown."""

    readings: list[tuple[str, float, float, int | None]]
    outcomes: list[str]
    seconds: float


def upload_readings(server: Server, book: Path, sessions: int, after: float) -> Uploads:
    """``sessions`` browser sessions choose ``book`` on the Upload page at
    once; the server's memory while they check it and after they end."""
    from playwright.sync_api import expect

    pid = server.pid
    readings: list[tuple[str, float, float, int | None]] = []
    with chromium() as browser:
        contexts, pages = [], []
        for _ in range(sessions):
            ctx = browser.new_context(viewport=VIEWPORT)
            ctx.route("**/*", OfflineGuard())
            page = ctx.new_page()
            page.goto(server.base + "/upload")
            expect(page.get_by_role("heading", name="Upload a quarterly return")).to_be_visible(timeout=120_000)
            contexts.append(ctx)
            pages.append(page)
        readings.append((f"{sessions} sessions on the Upload page", own_rss_mb(pid), rss_mb(pid), None))
        exact = reset_peak(pid)
        t0 = time.perf_counter()
        with Sampler(pid) as sampler:
            for page in pages:
                page.locator("input[type=file]").set_input_files(str(book))
            outcomes = []
            for page in pages:
                said = page.get_by_test_id("stAlert").filter(has_text=OUTCOME)
                expect(said.first).to_be_visible(timeout=OUTCOME_TIMEOUT_MS)
                text = said.first.inner_text()
                outcomes.append(next(line for line in text.splitlines() if OUTCOME.search(line)).strip())
            seconds = time.perf_counter() - t0
            # Every page finishes drawing its preview before the sessions end.
            for page in pages:
                expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=OUTCOME_TIMEOUT_MS)
        peak = max(peak_mb(pid), sampler.own) if exact else sampler.own
        readings.append(("peak while checking", peak, sampler.total, UPLOAD_PEAK_MB))
        readings.append(("every outcome shown", own_rss_mb(pid), rss_mb(pid), None))
        for ctx in contexts:
            ctx.close()
    ended = time.monotonic()
    for mark in sorted({m for m in (10.0, 30.0) if m < after} | {after}):
        time.sleep(max(0.0, ended + mark - time.monotonic()))
        target = UPLOAD_AFTER_MB if mark == after else None
        readings.append((f"{mark:g} s after the sessions end", own_rss_mb(pid), rss_mb(pid), target))
    return Uploads(readings, outcomes, seconds)


def app_readings(
    large_url: str, tmp: Path, book: Path | None, sessions: int, after: float
) -> tuple[list[tuple[str, float]], Uploads | None]:
    """(moment, RSS in MB) after start, after each page and at the end; then,
    with a workbook, the upload scenario on the same server."""
    with streamlit_server(ROOT / "app.py", app_env(large_url), tmp / "large-server.log") as server:
        readings = [("after start", rss_mb(server.pid))]
        with chromium() as browser:
            for page in page_urls():
                visit(browser, server.base + page.path)
                readings.append((f"after {page.name}", rss_mb(server.pid)))
        time.sleep(1)  # the server notices the closed sessions
        readings.append(("final", rss_mb(server.pid)))
        uploads = upload_readings(server, book, sessions, after) if book is not None and sessions else None
    return readings, uploads


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="size of the large programme (1 = full)")
    ap.add_argument("--large-db")
    ap.add_argument("--uploads", type=int, default=6, help="sessions uploading at once (0: no upload scenario)")
    ap.add_argument("--upload-rows", type=int, default=50_000, help="findings in the uploaded workbook")
    ap.add_argument("--upload-words", type=int, default=29, help="random words per status note (29: 9.9 MB)")
    ap.add_argument("--after", type=float, default=60.0, help="seconds to watch the server after the sessions end")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        large_url = args.large_db or f"sqlite:///{tmp}/large.db"
        t0 = time.perf_counter()
        if not args.large_db:
            build_large(large_url, args.scale)
        migrated(large_url)
        print(f"database ready in {time.perf_counter() - t0:.0f} s", flush=True)
        book, size = None, 0
        if args.uploads:
            book = tmp / "TJK_2024-Q1.xlsx"
            make_workbook(args.upload_rows, book, args.upload_words)
            size = book.stat().st_size
            print(f"workbook: {args.upload_rows:,} findings, {size / 1e6:.1f} MB", flush=True)
        with chromium() as browser:
            baseline = baseline_mb(browser, tmp)
        print("  measured the baseline", flush=True)
        readings, uploads = app_readings(large_url, tmp, book, args.uploads, args.after)
    print()
    print(f"Server resident memory (VmRSS incl. children), MB, large programme (target: final <= {TARGET_MB})")
    print(f"{'moment':<28} {'RSS MB':>8} {'/baseline':>9}  ok")
    print(f"{'baseline: hello script':<28} {baseline:>8.0f} {1:>9.2f}")
    for moment, mb in readings:
        ok = f"  {'yes' if mb <= TARGET_MB else 'NO'}" if moment == "final" else ""
        print(f"{moment:<28} {mb:>8.0f} {mb / baseline:>9.2f}{ok}")
    if uploads is None:
        return 0
    print()
    print(
        f"{args.uploads} sessions check a {size / 1e6:.1f} MB workbook ({args.upload_rows:,} findings) at once, "
        f"same server; resident memory, MB (targets: app peak < {UPLOAD_PEAK_MB}, "
        f"app < {UPLOAD_AFTER_MB} {args.after:g} s after the sessions end)"
    )
    print(f"{'upload moment':<36} {'app':>8} {'+children':>9} {'target':>7}  ok")
    for moment, own, total, target in uploads.readings:
        ok = f"{target:>7}  {'yes' if own < target else 'NO'}" if target else ""
        print(f"{moment:<36} {own:>8.0f} {total:>9.0f} {ok}")
    print()
    print(f"every outcome shown {uploads.seconds:.1f} s after the first file was chosen:")
    for outcome in sorted(set(uploads.outcomes)):
        print(f"  {uploads.outcomes.count(outcome)} x {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
