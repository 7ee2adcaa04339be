"""Benchmark: what deciding the acting person costs on every rerun.

When sign-in is configured, ``components.auth.gate`` reads the signed-in
person's account on every rerun (so that a change an administrator makes
shows on the next click): ``data_access.access.actor_for`` (the role and
the countries, two queries on one connection), then ``components.nav``
lists the pages that person may see and the pages narrow the countries they
ask for to the person's scope (``rules.access.visible_countries``). Goal:
at most 5 ms per rerun.

Measured on a fresh database holding ``--accounts`` accounts (viewers,
coordinators of one or two countries, managers, administrators, created
through ``data_access.access.add_user``), for a coordinator (the case with
the most to read), ``--runs`` times after a warm-up, against a baseline
measured in the same run on the same engine: the least a database read
costs, a connection from the pool running ``SELECT 1``.

    python benchmarks/access.py [--accounts 300] [--runs 2000] [--db sqlite|postgresql]

Prints a table (median and 95th percentile, milliseconds); asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

GOAL_MS = 5.0
WARM_UP = 50
CODES = ["IRQ", "KAZ", "KGZ", "TJK"]
COORDINATOR = "coordinator-0000@example.org"


def add_accounts(engine, n: int) -> None:
    """``n`` accounts: about 60 % viewers, 30 % coordinators (one or two
    countries), 8 % managers, 2 % administrators; the first is a coordinator."""
    from data_access.access import add_user
    from data_access.rules.access import Actor

    setup = Actor("benchmark@localhost", "benchmark", "admin", via="cli")
    rnd = random.Random(14)
    for i in range(n):
        role = rnd.choices(["viewer", "coordinator", "manager", "admin"], [60, 30, 8, 2])[0]
        countries = rnd.sample(CODES, rnd.choice([1, 2])) if role == "coordinator" else []
        if i == 0:
            role, countries = "coordinator", ["TJK", "KGZ"]
        add_user(engine, setup, f"{role}-{i:04d}@example.org", role, countries, name=f"Person {i}")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after a warm-up."""
    for _ in range(WARM_UP):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) >= 20 else max(xs)


PG_SCHEMA = "bench_access"


def _pg(statements: list[str]) -> str:
    """Run ``statements`` on the PostgreSQL test server; its URL."""
    from sqlalchemy import create_engine, text

    base = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    admin = create_engine(base)
    with admin.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()
    return base


def fresh_url(kind: str, tmp: Path) -> str:
    """An empty database: a SQLite file in ``tmp``, or a schema of its own on PostgreSQL."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'access.db'}"
    base = _pg([f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE', f'CREATE SCHEMA "{PG_SCHEMA}"'])
    return f"{base}?options=-csearch_path%3D{PG_SCHEMA}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args(argv)

    from sqlalchemy import text

    from components import nav
    from data_access import access, db
    from data_access.rules.access import visible_countries

    with tempfile.TemporaryDirectory() as tmpname:
        engine = db.connect(fresh_url(args.db, Path(tmpname)))
        t0 = time.perf_counter()
        add_accounts(engine, args.accounts)
        print(f"database: {args.db}, {args.accounts} accounts, created in {time.perf_counter() - t0:.1f} s", flush=True)
        person = access.actor_for(engine, COORDINATOR, "Person 0")
        assert person.role == "coordinator" and person.countries == {"TJK", "KGZ"}, person

        def select_1() -> None:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1")).scalar_one()

        def decide() -> object:
            return access.actor_for(engine, COORDINATOR, "Person 0")

        def pages() -> object:
            return nav.available(person)

        def narrow() -> object:
            return visible_countries(person, None, CODES)

        def whole() -> object:
            someone = access.actor_for(engine, COORDINATOR, "Person 0")
            nav.available(someone)
            return visible_countries(someone, None, CODES)

        rows = [
            ("baseline: SELECT 1 on a pooled connection", timed(select_1, args.runs)),
            ("access.actor_for (role and countries)", timed(decide, args.runs)),
            ("nav.available (the pages the person sees)", timed(pages, args.runs)),
            ("rules.visible_countries", timed(narrow, args.runs)),
            ("access check per rerun (all three)", timed(whole, args.runs)),
        ]
        db.dispose_all()
        if args.db == "postgresql":
            _pg([f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'])

    base = statistics.median(rows[0][1])
    print()
    header = f"measure ({args.db}, {args.runs} runs), ms"
    print(f"{header:<48} {'median':>8} {'p95':>8} {'× baseline':>11}")
    for label, xs in rows:
        print(f"{label:<48} {statistics.median(xs):>8.3f} {p95(xs):>8.3f} {statistics.median(xs) / base:>11.2f}")
    check = rows[-1][1]
    met = p95(check) <= GOAL_MS
    print(
        f"\ngoal: the access check costs at most {GOAL_MS:g} ms per rerun: "
        f"{'met' if met else 'NOT met'} (p95 {p95(check):.2f} ms, median {statistics.median(check):.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
