"""Shared fixtures.

``engine`` is parametrised over SQLite and PostgreSQL: each test gets a fresh
database at the latest schema. PostgreSQL is the server on 127.0.0.1:5432
(user postgres, database test; override with DASHBOARD_TEST_PG_URL); each
test works in a schema of its own, dropped afterwards. When the server
cannot be reached the PostgreSQL half is skipped, saying so, except under CI
where an unreachable server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from data_access import db

# The AppTest fixtures (sample_url, ...) are shared by every page test.
pytest_plugins = ["tests.apptest_support"]

PG_URL = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


def _pg_reachable() -> str | None:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure to connect means unreachable
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


_PG_PROBLEM = _pg_reachable()


def pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite": a file in
    ``folder``; "postgresql": a schema of its own, dropped afterwards).
    Skips when PostgreSQL is unreachable, saying so; fails instead under CI."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    if _PG_PROBLEM:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI: {_PG_PROBLEM}")
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable ({_PG_PROBLEM}); the SQLite half still ran")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        db.dispose_all()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    eng = db.connect(db_url)
    yield eng
    db.dispose_all()


@pytest.fixture(scope="session")
def sample_sqlite(tmp_path_factory):
    """A SQLite database with the whole sample loaded once per session; tests
    that only read use a copy of it."""
    from data_access.sample import load_sample

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    eng = db.connect(f"sqlite:///{path}")
    load_sample(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose_all()
    return path


@pytest.fixture
def sample_engine(sample_sqlite, tmp_path):
    """A private copy of the sample database (SQLite)."""
    import shutil

    path = tmp_path / "sample.db"
    shutil.copy(sample_sqlite, path)
    eng = db.connect(f"sqlite:///{path}")
    yield eng
    db.dispose_all()
