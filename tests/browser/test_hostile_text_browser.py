"""Untrusted text is inert in the browser: a return whose every free-text
cell (and most identifiers, the file's name and the uploader's name) holds a
hostile string of ``tests/hostile.py`` is imported into a fresh database, and
every page and every tab of the app, the details a link opens (?finding=,
?facility=, ?priority=) and an address full of hostile values are visited.

On each, the DOM holds no link and no image that leaves the app (an ``<a>``,
``<img>``, SVG ``<image>``, frame or style pointing anywhere but the local
server), no Markdown made from the data (a list item, heading or coloured
text carrying ``evil.example``), and the browser requested nothing outside
127.0.0.1 (the offline guard blocks and records any such request)."""

from __future__ import annotations

from urllib.parse import quote, urlparse

import pytest

from benchmarks.chromium import LOCAL_HOSTS, VIEWPORT, OfflineGuard
from benchmarks.serve import migrated
from tests.browser.conftest import FIRST_RUN_TIMEOUT, warm_server
from tests.browser.support import rendered
from tests.hostile import COUNTRY, EVIL, FILE_NAME, ids, import_hostile

pytestmark = pytest.mark.browser

# Every URL an element can point at; every element of Markdown that the app's
# own texts do not use (a link, an image, code, a table, a rule, a quote,
# maths, a numbered list, a heading of level 1-2, a check box); the text shown.
_SHOWN = """() => {
    const urls = [];
    const attrs = ['href', 'src', 'srcset', 'xlink:href', 'action', 'formaction', 'poster', 'data', 'background'];
    for (const el of document.querySelectorAll('*')) {
        for (const a of attrs) {
            const v = el.getAttribute(a);
            if (v) urls.push([el.tagName.toLowerCase(), a, v]);
        }
        const style = el.getAttribute('style');
        if (style && /url\\(/i.test(style)) urls.push([el.tagName.toLowerCase(), 'style', style]);
    }
    const markup = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] :is('
        + 'a:not([href^="#"]), img, code, pre, del, blockquote, table, hr, .katex, ol, h1, h2, '
        + 'input, sup, iframe, svg image)')]
        .map(e => e.outerHTML.slice(0, 300));
    return {urls, markup, text: document.body.innerText};
}"""

# What marks the corpus's text in an element (the app's own messages use code
# and numbered lists too).
MARKERS = (EVIL, "Click to verify", "Heading one", "Fake item", "fenced code", "indented code", "x^2", "tenth", "task")

# Markdown in the corpus, and the text it would leave were it rendered: where
# the text shows the second, it must show the first around it.
TELLS = {
    "Click to verify your account": "[Click to verify your account](http://evil.example/phish)",
    "URGENT: your data was leaked": ":red[**URGENT: your data was leaked",
    "Official notice": ":rainbow[Official notice]",
    "Approved": ":orange-badge[Approved]",
    "Heading one": "# Heading one",
    "Fake item": "1. Fake item",
    "fenced code": "``` fenced code ```",
    "dash item": "- dash item",
    "quoted": "> quoted",
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> str:
    from data_access import db

    path = tmp_path_factory.mktemp("hostile") / "app.db"
    url = migrated(f"sqlite:///{path}")
    import_hostile(db.connect(url))
    db.dispose_all()
    return url


@pytest.fixture(scope="module")
def hostile_base(hostile_url, browser, tmp_path_factory):
    with warm_server(browser, hostile_url, tmp_path_factory) as base:
        yield base


@pytest.fixture
def visit(browser, hostile_base):
    """``visit(path)`` -> the page at ``path`` in a new browser session,
    every request recorded (and any leaving the machine blocked), once the
    page has finished drawing. After the test: no exception shown, and
    nothing requested outside the local server."""
    contexts, guards, pages = [], [], []

    def _visit(path: str):
        ctx = browser.new_context(viewport=VIEWPORT)
        guard = OfflineGuard()
        ctx.route("**/*", guard)
        page = ctx.new_page()
        contexts.append(ctx)
        guards.append(guard)
        pages.append(page)
        page.goto(f"{hostile_base}{path}")
        page.get_by_test_id("stMain").get_by_test_id("stElementContainer").first.wait_for(timeout=FIRST_RUN_TIMEOUT)
        rendered(page, timeout=FIRST_RUN_TIMEOUT)
        return page

    yield _visit
    try:
        for page in pages:
            assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"
        blocked = [u for g in guards for u in g.blocked]
        assert not blocked, f"requests left the machine: {blocked}"
    finally:
        for ctx in contexts:
            ctx.close()


def assert_inert(page, where: str) -> None:
    """Nothing on ``page`` points outside the app, and no Markdown was made
    from the data."""
    shown = page.evaluate(_SHOWN)
    origin = urlparse(page.url)
    outside = []
    for tag, attr, value in shown["urls"]:
        for part in value.split(",") if attr == "srcset" else [value]:
            target = urlparse(page.evaluate("v => new URL(v, document.baseURI).href", part.strip().split(" ")[0]))
            local = target.scheme in ("http", "https", "ws", "wss") and target.hostname in LOCAL_HOSTS
            if not (local or target.scheme in ("data", "blob", "about")):
                outside.append(f"<{tag} {attr}={value[:200]!r}>")
            elif target.port != origin.port and target.scheme.startswith("http"):
                outside.append(f"<{tag} {attr}={value[:200]!r}> (another local server)")
    assert not outside, f"{where}: elements pointing outside the app: {outside}"
    from_data = [html for html in shown["markup"] if any(m in html for m in MARKERS)]
    assert not from_data, f"{where}: Markdown made from the data: {from_data}"
    text = shown["text"].replace("\u2060", "")
    rendered_tells = [raw for inner, raw in TELLS.items() if text.count(inner) != text.count(raw)]
    assert not rendered_tells, f"{where}: shown as Markdown rather than as typed: {rendered_tells}"


def every_tab(page, where: str) -> None:
    """Open each tab of the page in turn and check what it shows."""
    assert_inert(page, where)
    tabs = page.get_by_role("tab")
    for i in range(tabs.count()):
        tab = page.get_by_role("tab").nth(i)
        name = tab.inner_text()
        tab.click()
        rendered(page)
        assert_inert(page, f"{where}, tab {name!r}")


PAGES = ["overview", "countries", "findings", "priorities", "map", "upload", "upload_history", "access", "audit_trail"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_tab_shows_the_hostile_return_as_plain_text(visit, path):
    page = visit(f"/{path}")
    every_tab(page, path)


def test_the_source_caption_names_the_file_and_the_uploader_as_plain_text(visit):
    page = visit(f"/countries?country={COUNTRY}")
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Latest upload").first
    text = caption.inner_text().replace("\u2060", "")
    assert FILE_NAME in text and "[Click me]" in text  # the brackets shown as they are, no link
    assert caption.locator("a, img, [class*=color]").count() == 0
    assert_inert(page, "countries")


def test_the_details_a_link_opens(visit):
    """The timeline of a finding, the Findings list of a facility and a
    priority, opened by links whose identifiers are hostile."""
    finding, facility, priority = ids("N", 1)[0], ids("F", 1)[0], ids("P", 1)[0]
    for path in (
        f"/findings?finding={quote(finding)}",
        f"/findings?facility={quote(facility)}",
        f"/priorities?priority={quote(priority)}",
        f"/map?facility={quote(facility)}",
        f"/countries?country={COUNTRY}&facility={quote(facility)}",
    ):
        page = visit(path)
        every_tab(page, path)


def test_hostile_values_in_the_address_are_shown_as_plain_text(visit):
    path = (
        "/overview?countries="
        + quote("[x](http://evil.example)")
        + "&quarter="
        + quote("![i](http://evil.example/i.png)")
    )
    page = visit(path)
    toasts = page.get_by_test_id("stToast")
    toasts.first.wait_for()
    text = " ".join(toasts.all_inner_texts()).replace("\u2060", "")
    assert "[x](http://evil.example)" in text and "![i](http://evil.example/i.png)" in text
    assert_inert(page, path)
    for other in ("/findings?facility=", "/priorities?priority=", "/countries?country="):
        page = visit(other + quote(":red[**Alert**] www.evil.example victim@evil.example"))
        assert_inert(page, other)
