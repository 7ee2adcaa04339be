"""Benchmark: every page in Chromium, from navigation to fully rendered, on
the sample data and on the large synthetic programme.

    python benchmarks/browser.py [--runs 5] [--scale 1] [--large-db URL] [--sample-db URL]

For each database, ``streamlit run app.py`` serves it (as in the browser
tests) and Chromium (1280x720, every request that leaves the machine
aborted) opens each page. A page counts as fully rendered when the app's
script has finished (Streamlit's own session-status messages on the
websocket: the status widget shows "Running" only after a delay), no
spinner or skeleton is left, every visible Vega-Lite chart holds its drawn
canvas or SVG (charts in a closed tab are drawn when it opens), every
visible deck.gl map its canvas, and the page then stays unchanged (no DOM
mutation, nothing pending) for 0.3 s; the time reported is when that quiet
state began.

Two figures per page: "first", its first visit by address in a fresh
browser session on the fresh server (the browser loads Streamlit's front
end, about 2 s on 2 cores, and the server's caches are cold); "nav", the
median of ``--runs`` visits by its link in the sidebar within one session,
which is how people move between pages in a meeting (the target applies to
it). The ratio divides the large programme's "nav" by the sample's,
measured in the same run. Without ``--large-db``/``--sample-db`` the
databases are built in a
temporary folder first, as ``benchmarks/pages.py`` does; given ones are
brought to the latest schema first (the app would write that migration into
them anyway). Prints a table;
asserts nothing. Exits non-zero when a page shows a Streamlit exception, a
request tried to leave the machine or a page never finished rendering.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.chromium import PENDING, VIEWPORT, OfflineGuard, chromium
from benchmarks.pages import databases, options
from benchmarks.serve import app_env, streamlit_server

ROOT = Path(__file__).resolve().parent.parent

TARGET = 3.0  # seconds, large programme, navigation by the sidebar
QUIET = 0.3  # seconds without change that make a page "rendered"
TIMEOUT = 120.0  # seconds before a page counts as never rendered
POLL_MS = 50

# Records the time of the latest DOM change (installed before the app's own scripts).
WATCH_MUTATIONS = """
window.__lastMutation = performance.now();
new MutationObserver(() => { window.__lastMutation = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


class NeverRendered(SystemExit):
    """A page did not reach its fully rendered state in time. A SystemExit:
    a script that does not handle it stops with the message."""


class ScriptRuns:
    """Whether the app's script is running, from Streamlit's messages on the
    page's websocket (``new_session`` and ``session_status_changed``)."""

    def __init__(self) -> None:
        self.started = False
        self.running = False

    def watch(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.started = self.running = True
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
            self.started = self.started or self.running

    def pending(self) -> list[str]:
        if not self.started:
            return ["the script has not started"]
        return ["the script is running"] if self.running else []


@dataclass(frozen=True)
class PageUrl:
    name: str  # file stem, e.g. "findings"
    path: str  # "/" for the default page, else "/<stem>"


def page_urls() -> list[PageUrl]:
    """Every page of the app, the default (Overview) first, as the app lists them."""
    from components import nav

    pages = [PageUrl(Path(p.file).stem, "/" if p.default else f"/{Path(p.file).stem}") for p in nav.available()]
    return sorted(pages, key=lambda p: p.path != "/")


@contextmanager
def session(browser) -> Iterator:
    """A fresh browser session (context and page) that watches the DOM and the
    app's script runs; exits when a request tried to leave the machine."""
    ctx = browser.new_context(viewport=VIEWPORT)
    guard = OfflineGuard()
    ctx.route("**/*", guard)
    ctx.add_init_script(WATCH_MUTATIONS)
    runs = ScriptRuns()
    page = ctx.new_page()
    page.on("websocket", runs.watch)
    try:
        yield page, runs
    finally:
        ctx.close()
        if guard.blocked:
            raise SystemExit(f"requests to the internet were attempted: {guard.blocked}")


def visit(browser, url: str) -> float:
    """Seconds from ``page.goto(url)`` to fully rendered in a fresh session:
    the browser loads Streamlit's front end, opens a session and runs the
    page. Raises :class:`NeverRendered` after :data:`TIMEOUT`; exits when the
    page shows an exception."""
    with session(browser) as (page, runs):
        t0 = time.perf_counter()
        page.goto(url)
        return _until_rendered(page, runs, url, t0)


def navigate(page, runs: ScriptRuns, target: PageUrl, base: str) -> float:
    """Seconds from a click on the page's link in the sidebar (the way a
    committee member moves between pages) to fully rendered."""
    link = page.locator(f'[data-testid="stSidebarNavLink"][href$="{target.path}"]').first
    runs.started = runs.running = False  # wait for the run this click starts
    t0 = time.perf_counter()
    link.click()
    return _until_rendered(page, runs, base + target.path, t0)


def _until_rendered(page, runs: ScriptRuns, url: str, t0: float) -> float:
    previous = t0
    since: float | None = None  # when the current clean, quiet state began
    while True:
        state = page.evaluate(PENDING)
        now = time.perf_counter()
        if state["exceptions"]:
            raise SystemExit(f"{url} shows a Streamlit exception:\n" + "\n---\n".join(state["exceptions"]))
        pending = state["pending"] + runs.pending()
        last_change = now - state["quietMs"] / 1000
        if pending:
            since = None
        else:
            since = max(since if since is not None else previous, last_change)
            if now - since >= QUIET:
                return since - t0
        if now - t0 > TIMEOUT:
            raise NeverRendered(f"{url} not rendered after {TIMEOUT:.0f} s; still pending: {'; '.join(pending)}")
        previous = now
        page.wait_for_timeout(POLL_MS)


def measure(db_url: str, pages: list[PageUrl], runs: int, log: Path) -> dict[str, tuple[float, float] | str]:
    """Per page: (first visit by its address in a fresh session, on a fresh
    server; median of ``runs`` visits by the sidebar link in one session) in
    seconds, or why it never rendered."""
    out: dict[str, tuple[float, float] | str] = {}
    with streamlit_server(ROOT / "app.py", app_env(db_url), log) as server, chromium() as browser:
        first: dict[str, float] = {}
        for p in pages:
            try:
                first[p.name] = visit(browser, server.base + p.path)
            except NeverRendered as exc:
                out[p.name] = str(exc)
        repeats: dict[str, list[float]] = {name: [] for name in first}
        with session(browser) as (page, script):
            page.goto(server.base + pages[-1].path)
            _until_rendered(page, script, server.base + pages[-1].path, time.perf_counter())
            for _ in range(runs):
                for p in pages:  # each click leads to another page than the one shown
                    if p.name in first and p.name not in out:
                        try:
                            repeats[p.name].append(navigate(page, script, p, server.base))
                        except NeverRendered as exc:
                            out[p.name] = str(exc)
        for name, t in first.items():
            out.setdefault(name, (t, statistics.median(repeats[name])))
    return out


def _cell(result: tuple[float, float] | str, i: int, width: int) -> str:
    return f"{result[i]:>{width}.2f}" if isinstance(result, tuple) else f"{'never':>{width}}"


def main(argv: list[str] | None = None) -> int:
    args = options(__doc__, argv)
    pages = page_urls()
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        sample_url, large_url = databases(args, tmp)
        sample = measure(sample_url, pages, args.runs, tmp / "sample-server.log")
        print("  measured the sample", flush=True)
        large = measure(large_url, pages, args.runs, tmp / "large-server.log")
        print("  measured the large programme", flush=True)
    print()
    print(
        f'Chromium {VIEWPORT["width"]}x{VIEWPORT["height"]}, navigation to fully rendered, seconds: "first" = '
        f'first visit by address (front end loaded, server caches cold), "nav" = median of {args.runs} visits '
        f"by the sidebar link (target: large nav <= {TARGET})"
    )
    print(
        f"{'page':<28} {'sample first':>12} {'sample nav':>13} {'large first':>11} {'large nav':>12} "
        f"{'large/sample':>12}  ok"
    )
    problems = []
    for p in pages:
        s, lg = sample[p.name], large[p.name]
        problems += [r for r in (s, lg) if isinstance(r, str)]
        both = isinstance(s, tuple) and isinstance(lg, tuple)
        ratio = f"{lg[1] / s[1]:>12.2f}" if both else f"{'-':>12}"
        ok = isinstance(lg, tuple) and lg[1] <= TARGET
        print(
            f"{p.name:<28} {_cell(s, 0, 12)} {_cell(s, 1, 13)} {_cell(lg, 0, 11)} {_cell(lg, 1, 12)} {ratio}  "
            f"{'yes' if ok else 'NO'}"
        )
    if problems:
        print("\nnever rendered:\n" + "\n".join(f"  {m}" for m in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
