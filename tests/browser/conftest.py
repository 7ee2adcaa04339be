"""Browser tests: ``streamlit run app.py`` on a free port against a copy of
the sample database, driven by Playwright with Debian's Chromium (the
``browser`` tier, see tests/conftest.py: skipped without Chromium, failed
under CI).

Every request that does not go to the local server is blocked and recorded;
a test fails if any was attempted (the app must work offline). Each test
also fails if the page shows a Streamlit exception. Chromium, its viewport
and the offline guard are shared with the browser benchmarks
(``benchmarks/chromium.py``), and so is the server (``benchmarks/serve.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.chromium import VIEWPORT, OfflineGuard, chromium
from benchmarks.serve import app_env, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
FIRST_RUN_TIMEOUT = 90_000  # ms: a session's first page, on a fresh server and two busy cores


@pytest.fixture(scope="module")
def server_db(sample_sqlite, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("browser") / "app.db"
    shutil.copy(sample_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(server_db, browser, tmp_path_factory):
    """The app served by ``streamlit run app.py`` (``benchmarks/serve.py``,
    shared with the browser benchmarks); stopped after the module.

    One session opens the app's root first. On a fresh server, a session
    opened straight on a page's address (``/findings``, ``/map``) would get
    Streamlit's "Page not found" dialog before the app shell takes over: until
    the shell's first run, Streamlit maps ``pages/`` by file name, not by the
    shell's URLs. A limit of the app shell (reported to the lead); the links
    people follow come from within a running app."""
    with warm_server(browser, server_db, tmp_path_factory) as base:
        yield base


@contextmanager
def warm_server(browser, db_url: str, tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` on ``db_url``, its address once a first
    session has shown the Overview's first tile (the first run's start-up
    work done, so the tests' own sessions meet a warm server)."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_server(ROOT / "app.py", app_env(db_url), log) as server:
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        page.goto(f"{server.base}/")
        page.get_by_test_id("stMetric").first.wait_for(timeout=FIRST_RUN_TIMEOUT)
        ctx.close()
        yield server.base


@pytest.fixture
def open_page(browser):
    """``open_page(url)`` -> a page in a fresh browser session (a new tab of
    a new profile: its own Streamlit session), offline-guarded, once it shows
    its first tile."""
    contexts, guards, pages = [], [], []

    def _open(url: str):
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        guard = OfflineGuard()
        ctx.route("**/*", guard)
        page = ctx.new_page()
        page.goto(url)
        page.get_by_test_id("stMetric").first.wait_for(timeout=FIRST_RUN_TIMEOUT)
        contexts.append(ctx)
        guards.append(guard)
        pages.append(page)
        return page

    yield _open
    try:
        for page in pages:
            assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"
        blocked = [u for g in guards for u in g.blocked]
        assert not blocked, f"requests to the internet were attempted: {blocked}"
    finally:
        for ctx in contexts:
            ctx.close()
