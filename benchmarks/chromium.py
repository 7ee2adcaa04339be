"""Debian's Chromium driven by Playwright, offline, for the browser benchmarks
(``benchmarks/browser.py``, ``benchmarks/memory.py``) and the browser tests
(``tests/browser/conftest.py``) alike: where Chromium is, how it is started,
the projector-sized viewport, and the guard that keeps a browser context off
the internet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}  # the steering committee's projector
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# What still keeps a page of the app from being fully rendered, as seen in the
# DOM (``page.evaluate(PENDING)``): ``pending`` lists it (empty once rendered),
# ``exceptions`` the Streamlit exceptions shown, ``quietMs`` the time since the
# latest DOM change (with ``benchmarks.browser.WATCH_MUTATIONS`` installed).
PENDING = """() => {
    const all = (selector) => [...document.querySelectorAll(selector)];
    const pending = [];
    for (const s of all('[data-testid="stSpinner"]')) pending.push(`spinner "${s.innerText.trim()}"`);
    const skeletons = all('[data-testid="stSkeleton"]').length;
    if (skeletons) pending.push(`${skeletons} skeleton(s)`);
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    if (status && (status.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
                   || /Running/.test(status.innerText))) pending.push('status widget "Running"');
    // Charts in a tab that is not shown are drawn only when it opens: only visible ones count.
    const undrawn = (selector, drawn) => all(selector).filter(c => c.checkVisibility() && !c.querySelector(drawn));
    const charts = undrawn('[data-testid="stVegaLiteChart"]', 'canvas, svg').length;
    if (charts) pending.push(`${charts} Vega-Lite chart(s) not drawn`);
    const maps = undrawn('[data-testid="stDeckGlJsonChart"]', 'canvas').length;
    if (maps) pending.push(`${maps} deck.gl map(s) without canvas`);
    if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]'))
        pending.push('nothing drawn in the main area');
    return {
        pending,
        exceptions: all('[data-testid="stException"]').map(e => e.innerText.slice(0, 800)),
        quietMs: performance.now() - window.__lastMutation,
    };
}"""


def missing() -> str | None:
    """Why Chromium cannot be started here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium (Playwright cannot
    download its own here); exits when Chromium is missing."""
    problem = missing()
    if problem:
        raise SystemExit(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class OfflineGuard:
    """A route handler (``context.route("**/*", guard)``) that records every
    request of a browser context (``requests``) and blocks and records those
    that would leave the machine (``blocked``)."""

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
