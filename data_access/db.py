"""Engines, sessions, migrations and the reference data.

``connect(url)`` is the one way in: it returns an engine whose database is at
the latest schema, with the countries and the indicator catalogue present.
SQLite runs in WAL mode with a busy timeout so that readers never block the
importer, and write transactions start with ``BEGIN IMMEDIATE`` so that two
importers queue instead of failing half-way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

from . import config
from .models import Country, IndicatorDef
from .rules import reference as ref

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Any constant: serialises schema upgrades and imports across processes.
_PG_MIGRATION_LOCK = 47_210_001
PG_IMPORT_LOCK = 47_210_002

_engines: dict[str, Engine] = {}
_ready: set[str] = set()
_lock = threading.Lock()


def _make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            # Let SQLAlchemy, not the driver, decide when transactions begin.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - exercised by every test
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """A cached engine for the URL (resolved as in :mod:`config`), without
    touching the schema."""
    url = config.database_url(url)
    with _lock:
        if url not in _engines:
            _engines[url] = _make_engine(url)
        return _engines[url]


def connect(url: str | None = None) -> Engine:
    """The engine, with the database brought to the latest schema and the
    reference data present. Safe to call from several processes at once."""
    engine = get_engine(url)
    key = str(engine.url)
    if key not in _ready:
        with _lock:
            if key not in _ready:
                upgrade(engine)
                _ready.add(key)
    return engine


def is_postgres(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "postgresql"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first
    statement: uploads never interleave, also across processes."""
    if is_postgres(engine):
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_IMPORT_LOCK})
            yield conn
    else:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            yield conn


def upgrade(engine: Engine) -> None:
    """Run Alembic migrations to head, then make sure reference data exists."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if is_postgres(engine):
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            seed_reference(conn)
    else:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            seed_reference(conn)


def seed_reference(conn: Connection) -> None:
    """The four programme countries and the indicator catalogue; idempotent."""
    have = set(conn.scalars(select(Country.code)))
    rows = [
        dict(code=c.code, name=c.name, lat_min=c.lat_min, lat_max=c.lat_max, lon_min=c.lon_min, lon_max=c.lon_max)
        for c in ref.COUNTRIES
        if c.code not in have
    ]
    if rows:
        conn.execute(insert(Country), rows)
    have = set(conn.scalars(select(IndicatorDef.code)))
    rows = [
        dict(code=i.code, label=i.label, is_count=i.is_count, sort_order=i.sort_order)
        for i in ref.INDICATORS
        if i.code not in have
    ]
    if rows:
        conn.execute(insert(IndicatorDef), rows)


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _ready.clear()
