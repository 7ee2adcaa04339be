"""A real OpenID Connect provider for the sign-in browser tests:
oidc-provider-mock (the PyPI package made for such tests) started on a free
port of 127.0.0.1, the ``[auth]`` secrets that point the app at it (in a
temporary file passed with ``--secrets.files``, never in the repository),
and the steps of signing in through its form.

The provider accepts any client ID and secret. Its form asks only for the
subject; the claims of each person (``email``, ``name``) are set
beforehand with its ``PUT /users/<sub>`` (:func:`set_person`).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import expect

from benchmarks.serve import stop

COOKIE_SECRET = "browser-test-cookie-secret-0123456789abcdef"
# Streamlit's sign-in cookie (USER_COOKIE_NAME in streamlit/web/server/starlette/starlette_server_config.py)
USER_COOKIE = "_streamlit_user"
CLIENT_ID = "steering-dashboard"
METADATA_PATH = "/.well-known/openid-configuration"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def provider(log: Path, timeout: float = 60) -> Iterator[str]:
    """``python -m oidc_provider_mock`` on a free port of 127.0.0.1; yields
    its issuer URL once its OpenID configuration answers; stopped after."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"oidc-provider-mock exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(base + METADATA_PATH, timeout=2) as r:
                    if json.load(r).get("issuer") == base:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oidc-provider-mock did not answer in {timeout}s:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        stop(proc, timeout=10)


def set_person(provider_base: str, sub: str, **claims: Any) -> None:
    """Tell the provider the claims it sends for the subject ``sub``."""
    request = urllib.request.Request(
        f"{provider_base}/users/{quote(sub, safe='')}",
        data=json.dumps(claims).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 204, r.status


def auth_toml(metadata_url: str, cookie_secret: str = COOKIE_SECRET) -> str:
    """The ``[auth]`` section of the app's secrets: Streamlit fills in the
    port of ``redirect_uri`` (``{port}``), which is chosen when it starts."""
    return (
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{cookie_secret}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{metadata_url}"\n'
    )


def sign_in(page, app_base: str, sub: str, timeout: float) -> None:
    """From the app's sign-in screen through the provider's form as ``sub``;
    returns once the browser is back at the app (what it shows is the
    caller's to check)."""
    page.goto(f"{app_base}/")
    page.get_by_role("button", name="Sign in").click(timeout=timeout)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_base}/**", timeout=timeout)


def expect_sign_in_screen(page, timeout: float) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=timeout)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def signed_cookie(payload: dict[str, Any], secret: str = COOKIE_SECRET, age_days: float = 0) -> str:
    """A sign-in cookie as Streamlit writes it (its JSON signed with
    itsdangerous, the cookie's name as salt), dated ``age_days`` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Dated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_days * 86400)

    serializer = URLSafeTimedSerializer(secret, salt=USER_COOKIE, signer=Dated)
    return serializer.dumps(json.dumps(payload))
