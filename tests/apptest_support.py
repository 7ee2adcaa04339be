"""Helpers for the AppTest suites (test_app_shell.py, test_overview.py):
run ``app.py`` against a private copy of a database and read what it shows,
as a given person (:func:`as_person`, :func:`signed_out`) or, by default,
in local mode (the person at the machine, an administrator).

Fixtures here are imported by the test modules that use them."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import access, config, db
from data_access.config import ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
AUTH_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x",
    "client_id": "x",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}
"""An ``[auth]`` section: sign-in configured (nothing is ever fetched from it in a test)."""


def new_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at


def as_person(
    at: AppTest,
    email: str,
    role: str | None = None,
    countries: tuple[str, ...] | list[str] = (),
    name: str | None = None,
    url: str | None = None,
) -> AppTest:
    """Make ``at`` run signed in (sign-in configured) as ``email``. With a
    ``role``, the account is created first in the app's database (``url``,
    default: the configured one; acting as ``access.BOOTSTRAP``), limited to
    ``countries`` (none: every country), unless it exists already. Without
    a role the person has no account."""
    if role is not None:
        eng = db.connect(url or config.database_url())
        if access.actor_for(eng, email).role is None:
            access.add_user(eng, access.BOOTSTRAP, email, role, countries, name)
    at.secrets["auth"] = dict(AUTH_SECRETS)
    at.user = {"is_logged_in": True, "email": email, "name": name or email.split("@")[0]}
    return at


def signed_out(at: AppTest) -> AppTest:
    """Make ``at`` run with sign-in configured and nobody signed in."""
    at.secrets["auth"] = dict(AUTH_SECRETS)
    at.user = {"is_logged_in": False}
    return at


@pytest.fixture
def sign_in(sample_url, monkeypatch):
    """:func:`as_person` on the app's private database (``sample_url``).

    AppTest's stand-in runtime answers ``st.context.ip_address`` with a
    mock object, which the audit trail cannot store: the browser's address
    is given as 127.0.0.1 instead."""
    from components import auth

    monkeypatch.setattr(auth, "client_address", lambda: "127.0.0.1")
    return functools.partial(as_person, url=sample_url)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    return no_exception(at.run())


def metrics(at: AppTest) -> dict[str, tuple[str, str | None]]:
    """label -> (value with markup removed, delta) of every KPI tile."""
    return {m.label: (plain(m.value), m.delta or None) for m in at.metric}


def plain(text: str) -> str:
    """Markdown directives removed: ``:small[approx.] 422`` -> ``approx. 422``."""
    return re.sub(r":[a-z-]+\[([^\]]*)\]", r"\1", text)


def read(markdown: str) -> str:
    """What a person reads of Markdown that holds escaped values
    (``components.layout.escape``): each backslash escape gives its
    character, and the invisible word joiners are dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def everything_shown(at: AppTest) -> str:
    """Everything the last run sent to the browser, main area and sidebar,
    as text: each element's message (texts, widget options, tables' and
    charts' data, map layers), for checking what a page reveals."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(parts)


def markdown_text(at: AppTest) -> str:
    """Every ``st.markdown`` of the run, as :func:`read` gives it: the app's
    Markdown as written, the values in it as typed (their escapes taken out)."""
    return read("\n".join(m.value for m in at.markdown))


@pytest.fixture
def sample_url(sample_sqlite, tmp_path, monkeypatch):
    """A private copy of the session's sample database, set as the app's database."""
    path = tmp_path / "app.db"
    shutil.copy(sample_sqlite, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(ENV_VAR, url)
    yield url
    db.dispose_all()
