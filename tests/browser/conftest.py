"""Browser tests: ``streamlit run app.py`` on a free port against a copy of
the sample database, driven by Playwright with Debian's Chromium.

Every request that does not go to the local server is blocked and recorded;
a test fails if any was attempted (the app must work offline). Each test
also fails if the page shows a Streamlit exception.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks.serve import app_env, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server_db(sample_sqlite, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("browser") / "app.db"
    shutil.copy(sample_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def base_url(server_db, tmp_path_factory):
    """The app served by ``streamlit run app.py`` (``benchmarks/serve.py``,
    shared with the browser benchmarks); stopped after the module."""
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    with streamlit_server(ROOT / "app.py", app_env(server_db), log) as server:
        yield server.base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class OfflineGuard:
    """Records every request of a browser context (``requests``) and blocks
    and records those that would leave the machine (``blocked``)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def open_page(browser):
    """``open_page(url)`` -> a page in a fresh browser session (a new tab of
    a new profile: its own Streamlit session), offline-guarded."""
    contexts, guards, pages = [], [], []

    def _open(url: str):
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        guard = OfflineGuard()
        ctx.route("**/*", guard)
        page = ctx.new_page()
        page.goto(url)
        page.get_by_test_id("stMetric").first.wait_for(timeout=90_000)
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
