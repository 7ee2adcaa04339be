"""Helpers for the AppTest suites (test_app_shell.py, test_overview.py):
run ``app.py`` against a private copy of a database and read what it shows.

Fixtures here are imported by the test modules that use them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import db
from data_access.config import ENV_VAR

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120


def new_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at


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


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def sample_url(sample_sqlite, tmp_path, monkeypatch):
    """A private copy of the session's sample database, set as the app's database."""
    path = tmp_path / "app.db"
    shutil.copy(sample_sqlite, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv(ENV_VAR, url)
    yield url
    db.dispose_all()
