"""Downloads of uploaded files are bound to the session that made them
(``components.sessions``), against ``streamlit run app.py`` in Chromium
(local mode: the person at the machine may download every upload).

Before the click nothing is registered at ``/media/`` (Streamlit's deferred
download: the page holds no address of the file); the click makes the file
for that session, whose address then answers, also to a plain HTTP client;
once the browser has gone (its context closed: the session ends), the same
address answers 404."""

from __future__ import annotations

import hashlib
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from benchmarks.chromium import VIEWPORT, OfflineGuard
from data_access import db
from data_access.models import Upload
from tests.browser.conftest import FIRST_RUN_TIMEOUT

TIMEOUT = 60_000  # ms
GONE_WITHIN = 30.0  # s: the server looks at ended sessions every 2 s


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_uploaded_files_download_answers_only_while_its_session_lives(base_url, browser, server_db):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    guard = OfflineGuard()
    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.goto(f"{base_url}/")
    page.get_by_test_id("stMetric").first.wait_for(timeout=FIRST_RUN_TIMEOUT)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload history", exact=True).click()
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download the original file")
    expect(button).to_be_visible(timeout=TIMEOUT)

    # Nothing registered before the click: no address of a workbook in the page
    # (the favicon is the page's one file at /media/).
    assert not re.search(r"/media/[0-9a-f]+\.xlsx", page.content())
    assert button.locator("a[href]").count() == 0

    with page.expect_download(timeout=TIMEOUT) as info:
        button.click()
    url = info.value.url
    assert re.fullmatch(re.escape(base_url) + r"/media/[0-9a-f]+\.xlsx", url), url
    made = Path(info.value.path()).read_bytes()
    with db.connect(server_db).connect() as conn:  # an uploaded file, byte for byte
        stored = conn.execute(select(Upload.content).where(Upload.sha256 == hashlib.sha256(made).hexdigest())).first()
    assert stored is not None and stored.content == made
    assert status_of(url) == 200  # while the session lives, its address answers
    assert page.get_by_test_id("stException").count() == 0
    assert not guard.blocked

    ctx.close()  # the browser goes: the session ends
    deadline = time.monotonic() + GONE_WITHIN
    while status_of(url) != 404:
        assert time.monotonic() < deadline, f"{url} still answers {GONE_WITHIN:.0f} s after its session ended"
        time.sleep(0.5)  # polling the server's state, bounded by the deadline
