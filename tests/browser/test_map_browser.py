"""The Map page in a real browser, with every request that does not go to
the local server blocked and recorded: no request to a tile, style or font
server is even attempted, and the map still renders completely (sea,
highlighted countries, faint neighbours, borders and every facility in its
colour, checked on the pixels of a 1280x720 screenshot). Hovering a facility
shows its tooltip; clicking it opens its panel, whose link leads to the Audit
findings page filtered on it; the static map downloads as a PNG."""

from __future__ import annotations

import io
import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from benchmarks.chromium import LOCAL_HOSTS, VIEWPORT, OfflineGuard
from components import map_layers
from data_access import db, queries
from data_access.rules import maps as rules
from tests.browser.support import TIMEOUT, rendered, screenshot_dir

ALL = ("IRQ", "KAZ", "KGZ", "TJK")
NEXT_FRAME = "() => new Promise(resolve => requestAnimationFrame(() => resolve()))"


@pytest.fixture
def open_map(browser):
    """``open_map(url)`` -> (page, recorder): a fresh session, offline-guarded,
    once the deck's canvas is on the page."""
    contexts = []

    def _open(url: str):
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        recorder = OfflineGuard()
        ctx.route("**/*", recorder)
        page = ctx.new_page()
        page.goto(url)
        page.get_by_test_id("stDeckGlJsonChart").locator("canvas").first.wait_for(timeout=90_000)
        contexts.append((ctx, page, recorder))
        return page, recorder

    yield _open
    try:
        for _, page, recorder in contexts:
            assert page.get_by_test_id("stException").count() == 0, "the page shows an exception"
            assert not recorder.blocked, f"requests to the internet were attempted: {recorder.blocked}"
    finally:
        for ctx, _, _ in contexts:
            ctx.close()


def _markers(server_db: str, quarter: str, countries=None):
    fac = queries.facility_findings_summary(db.connect(server_db), quarter, countries)
    return map_layers.markers(fac, rules.BY_SEVERITY)


def _pixel(box: dict, view: rules.View, lon: float, lat: float) -> tuple[float, float]:
    """Where a point is drawn in the page (Web Mercator, deck.gl's 512 px tiles)."""
    scale = rules.TILE_SIZE * 2**view.zoom / (2 * math.pi)
    x = box["width"] / 2 + scale * math.radians(lon - view.longitude)
    y = box["height"] / 2 - scale * (rules._mercator_y(lat) - rules._mercator_y(view.latitude))
    return box["x"] + x, box["y"] + y


def _visible_centres(marks) -> list[int]:
    """Rows whose centre no later-drawn (upper) circle covers, at the initial view."""
    rows = list(marks.itertuples())
    out = []
    for i, r in enumerate(rows):
        covered = any(math.dist(r.xy, s.xy) < s.radius + 2 for s in rows[i + 1 :])
        if not covered:
            out.append(i)
    return out


def _close(c1, c2, tol: int = 4) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1[:3], c2[:3], strict=False))


def _count(img: Image.Image, colour: list[int], tol: int = 3) -> int:
    pixels = np.asarray(img.convert("RGB"), dtype=int)
    return int((np.abs(pixels - np.array(colour[:3])) <= tol).all(axis=2).sum())


def _until_drawn(page, box: dict, check: Callable[[Image.Image], None], timeout: float = TIMEOUT) -> Image.Image:
    """The map area (a screenshot clipped to ``box``) once ``check`` passes on
    it. deck.gl draws with WebGL, asynchronously, and nothing in the DOM says
    when it is done: like ``expect``, this checks what a person sees, the
    pixels, once per frame the browser draws, until the check passes, and
    raises its last failure after ``timeout`` ms."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
        try:
            check(shot)
            return shot
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        page.evaluate(NEXT_FRAME)


def _sea_drawn(shot: Image.Image) -> None:
    small = shot.resize((shot.width // 4, shot.height // 4))
    assert _count(small, map_layers.rgb(map_layers.SEA_FILL), 4) > 50, "the map's sea is not drawn"


def test_the_map_renders_completely_without_the_internet(base_url, server_db, open_map, tmp_path):
    quarter = "2024-Q1"  # every pilot prison with open critical or high findings: strong colours
    page, recorder = open_map(f"{base_url}/map?quarter={quarter}")
    expect(page.get_by_role("heading", name=f"Map of facilities · {quarter}")).to_be_visible(timeout=TIMEOUT)
    canvas = page.get_by_test_id("stDeckGlJsonChart").locator("canvas").first
    box = canvas.bounding_box()
    assert box and box["height"] == map_layers.MAP_HEIGHT and box["width"] > 500
    # the map fits a 1280x720 projector below the header
    assert box["y"] + box["height"] <= VIEWPORT["height"]

    marks = _markers(server_db, quarter)
    view = map_layers.fit(ALL, marks)
    marks["xy"] = [_pixel(box, view, lon, lat) for lon, lat in zip(marks["lon"], marks["lat"], strict=False)]
    classes = set(marks["colour_class"])
    assert {"critical", "high", "not_audited"} <= classes

    def drawn_completely(shot: Image.Image) -> None:
        small = shot.resize((shot.width // 2, shot.height // 2), Image.Resampling.NEAREST)
        area = small.width * small.height

        # the geography: sea, the four programme countries highlighted, neighbours faint, borders drawn
        counts = {
            name: _count(small, map_layers.rgb(hex_))
            for name, hex_ in (
                ("sea", map_layers.SEA_FILL),
                ("selected", map_layers.TIER_FILL[map_layers.SELECTED]),
                ("neighbour", map_layers.TIER_FILL[map_layers.NEIGHBOUR]),
            )
        }
        assert counts["selected"] > 0.15 * area, counts  # Kazakhstan alone is a large share of the view
        assert counts["neighbour"] > 0.15 * area, counts
        assert counts["sea"] > 0.01 * area, counts  # Caspian Sea, Persian Gulf
        border_px = int((np.asarray(small, dtype=int).max(axis=2) < 150).sum())  # dark outlines, rings, labels
        assert border_px > 500, border_px

        # every facility whose centre is not covered by another is drawn in its colour, where it belongs
        checked = 0
        for i in _visible_centres(marks):
            m = marks.iloc[i]
            x, y = m["xy"]
            px = shot.getpixel((round(x - box["x"]), round(y - box["y"])))
            assert _close(px, m["colour"], 6), (m["facility_id"], m["colour_class"], px)
            checked += 1
        assert checked >= 12

    _until_drawn(page, box, drawn_completely)
    full = screenshot_dir(tmp_path) / "map-1280x720.png"
    page.screenshot(path=str(full))
    print(f"\nscreenshot: {full}")

    # hovering Taraz shows its tooltip
    taraz = marks.set_index("facility_id").loc["KAZ-TRZ-01"]
    page.mouse.move(*taraz["xy"])
    deck = page.get_by_test_id("stDeckGlJsonChart")
    expect(deck.get_by_text("Taraz High Security Prison", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(deck).to_contain_text("Pilot prison of the programme")
    expect(deck).to_contain_text(f"Open findings: {taraz['open']} · overdue: {taraz['overdue']}")
    expect(deck).to_contain_text("Last audit: 14 Feb 2024")

    # no request left the machine, and none was even attempted (no basemap style, tiles, fonts or token)
    assert recorder.requests and not recorder.blocked
    outside = [
        u
        for u in recorder.requests
        if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL_HOSTS
    ]
    assert outside == []
    assert not any(re.search(r"carto|mapbox|maptiler|openstreetmap|tile", u) for u in recorder.requests)


def test_click_a_facility_then_follow_its_findings_link(base_url, server_db, open_map):
    page, _ = open_map(f"{base_url}/map?countries=KAZ&quarter=2024-Q1")
    canvas = page.get_by_test_id("stDeckGlJsonChart").locator("canvas").first
    box = canvas.bounding_box()
    marks = _markers(server_db, "2024-Q1", ["KAZ"])
    view = map_layers.fit(["KAZ"], marks)
    taraz = marks.set_index("facility_id").loc["KAZ-TRZ-01"]
    xy = _pixel(box, view, taraz["lon"], taraz["lat"])

    def taraz_drawn(shot: Image.Image) -> None:  # the sea, and Taraz in its colour where it belongs
        _sea_drawn(shot)
        px = shot.getpixel((round(xy[0] - box["x"]), round(xy[1] - box["y"])))
        assert _close(px, taraz["colour"], 6), px

    _until_drawn(page, box, taraz_drawn)
    panel = page.locator(".st-key-map_facility_panel")
    for attempt in range(3):  # a click that lands while the map redraws is not picked: click again, as a person would
        page.mouse.move(*xy)  # deck.gl picks on hover first
        expect(page.get_by_test_id("stDeckGlJsonChart")).to_contain_text("Taraz High Security Prison", timeout=TIMEOUT)
        page.mouse.click(*xy)
        try:
            expect(panel).to_contain_text("Taraz High Security Prison", timeout=TIMEOUT // 3)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(panel).to_contain_text(f"{taraz['open']} open")
    expect(page.get_by_role("combobox", name="Facility")).to_have_value("Taraz High Security Prison (Taraz)")
    if not (Path(__file__).resolve().parents[2] / "pages" / "findings.py").exists():
        expect(panel).to_contain_text("The Audit findings page is not part of this installation.")
        return
    link = panel.get_by_role("link", name="Audit findings of this facility")
    expect(link).to_have_attribute("href", re.compile(r"findings\?facility=KAZ-TRZ-01"))
    link.click()
    expect(page).to_have_url(re.compile(r"/findings\?.*facility=KAZ-TRZ-01"), timeout=TIMEOUT)
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Taraz High Security Prison").first).to_be_visible(
        timeout=TIMEOUT
    )


def test_the_static_map_downloads_as_png(base_url, open_map):
    page, _ = open_map(f"{base_url}/map?countries=TJK")
    page.get_by_text("Static map for slides and reports (PNG, SVG)").click()
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    rendered(page)  # no rerun left to close the menu about to open
    png = page.get_by_test_id("stDownloadButton").filter(has_text="PNG").last
    page.get_by_test_id("stPopover").last.get_by_role("button").click()
    expect(png).to_be_visible(timeout=TIMEOUT)
    with page.expect_download(timeout=60_000) as info:
        png.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    assert img.width >= 2000
    assert download.suggested_filename.startswith("facilities-map_")
