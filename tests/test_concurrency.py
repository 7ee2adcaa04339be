"""Two uploads at the same moment, and readers during an upload.

"Two uploads at the same moment never interleave: each is applied whole, one
after the other." Two processes import returns for the same country at the
same instant (released together by a barrier), a few times over; the result
must be exactly what applying the two files one after the other, in the order
of their upload ids, gives in a fresh database. And a page reading the
database while an import runs is never kept waiting. On SQLite (WAL) and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import time

import pytest

from data_access import db, queries
from data_access.importer import import_workbook
from tests import reference_queries
from tests.workbooks import (
    ACTIVITIES_HEADER,
    ADMIN,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    PRIORITIES_HEADER,
    database_snapshot,
    return_workbook,
    signed,
)

D = dt.date
SPAWN = multiprocessing.get_context("spawn")


def country_return(country: str, quarter: str, version: int) -> bytes:
    """A self-contained return (valid whatever was applied before) whose every
    figure, status, name and title depends on ``version``."""
    v = version
    q_start = D(2024, 3 * int(quarter[-1]) - 2, 15)  # mid first month of the quarter
    return return_workbook(
        country,
        quarter,
        Indicators=[
            INDICATORS_HEADER,
            ["prisoners_total", 10_000 + v, "no", f"v{v}"],
            ["prisons_total", 20 + v, None, None],
        ],
        Facilities=[
            FACILITIES_HEADER,
            [f"{country}-C-01", f"Prison one v{v}", "prison", f"City {v}", None, None, "yes", f"v{v}"],
        ],
        Findings=[
            FINDINGS_HEADER,
            [
                f"{country}-CF-01",
                f"{country}-C-01",
                D(2024, 1, 10),
                "physical",
                "high",
                f"Lighting v{v}",
                None,
                ["open", "in progress", "remediated"][v % 3],
                D(2024, 6, 30 - v),
                f"Owner {v}",
                f"note {v}",
            ],
            [
                f"{country}-CF-0{2 + v}",
                f"{country}-C-01",
                D(2024, 1, 10),
                "dynamic",
                "low",
                f"Only in v{v}",
                None,
                "open",
                None,
                None,
                None,
            ],
        ],
        Priorities=[
            PRIORITIES_HEADER,
            [f"{country}-CP-01", f"Priority v{v}", None, "on track", 10 * v, None, f"narrative {v}", None],
        ],
        Activities=[
            ACTIVITIES_HEADER,
            [f"{country}-CA-{quarter}-{v}", q_start, "training", f"Course v{v}", 10 + v, v, None, None],
        ],
    )


# --------------------------------------------------------------------------- worker processes


def _import_worker(url, jobs, results, barrier):
    """A process that imports the workbooks it is given, each at the same
    moment as the other worker's (two barriers: at the start, and again just
    before the import reads the stored state)."""
    engine = db.connect(url)
    while True:
        job = jobs.get()
        if job is None:
            return
        data, name = job
        barrier.wait(timeout=120)
        started = [time.time()]

        def progress(_fraction, message, started=started):
            # Read and parsed (which takes each a different time): meet again
            # just before the database is touched, so the two really collide.
            if message.key == "import.progress.stored":
                barrier.wait(timeout=120)
                started[0] = time.time()

        try:
            r = import_workbook(engine, signed(f"worker {name}"), data, name, progress=progress)
            status, upload_id, errors = r.status, r.upload_id, [str(e) for e in r.errors]
        except Exception as exc:  # reported, so that the test fails saying why
            status, upload_id, errors = f"crashed: {type(exc).__name__}: {exc}"[:500], None, []
        results.put(
            dict(name=name, status=status, upload_id=upload_id, errors=errors, started=started[0], finished=time.time())
        )


def _stop(processes):
    for p in processes:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
            p.join()


def _results(results, n):
    try:
        return [results.get(timeout=180) for _ in range(n)]
    except queue.Empty:
        pytest.fail("a worker did not report back within 3 minutes")


# --------------------------------------------------------------------------- two uploads at once

ROUNDS = [
    # country, (quarter, version) of the first and the second upload
    ("TJK", ("2024-Q1", 1), ("2024-Q1", 2)),  # a return and a superseding return for the same quarter
    ("KAZ", ("2024-Q1", 1), ("2024-Q2", 2)),  # returns for two quarters
    ("KGZ", ("2024-Q1", 2), ("2024-Q1", 1)),
    ("IRQ", ("2024-Q2", 1), ("2024-Q1", 2)),
    ("TJK", ("2024-Q3", 1), ("2024-Q3", 2)),
    ("KAZ", ("2024-Q4", 2), ("2024-Q3", 1)),
]


def test_two_uploads_at_the_same_moment_are_applied_one_after_the_other(db_url, engine, tmp_path):
    jobs = [SPAWN.Queue(), SPAWN.Queue()]
    results = SPAWN.Queue()
    barrier = SPAWN.Barrier(2)
    workers = [
        SPAWN.Process(target=_import_worker, args=(db_url, jobs[i], results, barrier), daemon=True) for i in range(2)
    ]
    for w in workers:
        w.start()
    applied_in_order: list[tuple[bytes, str]] = []
    try:
        for country, *uploads in ROUNDS:
            files = {f"{country}_{q}_v{v}.xlsx": country_return(country, q, v) for q, v in uploads}
            for i, (name, data) in enumerate(files.items()):
                jobs[i].put((data, name))
            done = sorted(_results(results, 2), key=lambda r: r["upload_id"] or 0)
            for r in done:
                assert r["status"] == "applied", r
            # They really ran together: released at the same instant, each
            # still running when the other started.
            a, b = done
            assert abs(a["started"] - b["started"]) < 0.2, done
            assert b["started"] < a["finished"], done
            applied_in_order += [(files[r["name"]], r["name"]) for r in done]
    finally:
        for j in jobs:
            j.put(None)
        _stop(workers)

    # The same files, one after the other in upload-id order, in a fresh database.
    expected_engine = db.connect(f"sqlite:///{tmp_path / 'sequential.db'}")
    for data, name in applied_in_order:
        r = import_workbook(expected_engine, signed(f"worker {name}"), data, name)
        assert r.status == "applied", r.report()
    countries = sorted({c for c, *_ in ROUNDS})
    actual, expected = database_snapshot(engine, countries), database_snapshot(expected_engine, countries)
    for key in expected:
        assert actual[key] == expected[key], f"{key} differs from applying the files one after the other"
    # In particular, one current return per (country, quarter).
    h = queries.upload_history(engine)
    current = h[h["status"] == "current"]
    assert not current.duplicated(["country", "quarter"]).any(), current
    sent_twice = sum(first[0] == second[0] for _, first, second in ROUNDS)
    assert (h["status"] == "superseded").sum() == sent_twice


# --------------------------------------------------------------------------- readers during an import


def _paused_importer(url, data, in_transaction, release, outcome):
    """Imports ``data``, pausing inside its write transaction (the lock is
    held) until ``release`` is set: a long import, under control."""
    engine = db.connect(url)

    def progress(_fraction, message):
        if message.key == "import.progress.saving":  # inside the write transaction, just before the writes
            in_transaction.set()
            release.wait(timeout=60)

    r = import_workbook(engine, ADMIN, data, "long.xlsx", progress=progress)
    outcome.put(r.status)


def _many_activities(n: int) -> bytes:
    rows = [
        [f"TJK-L-{i:05d}", D(2024, 4, 1 + i % 28), "training", f"Course {i}", 10, i % 10, None, None] for i in range(n)
    ]
    return return_workbook("TJK", "2024-Q2", Activities=[ACTIVITIES_HEADER, *rows])


def _read_all(engine) -> int:
    """What a page does: counts, lists, an export."""
    reference_queries.finding_counts(engine, "2024-Q2", by=("status",))
    queries.findings_as_at(engine, "2024-Q2")
    reference_queries.activity_totals(engine)
    return len(queries.upload_history(engine))


def test_a_reader_is_never_kept_waiting_by_an_import_in_another_process(db_url, engine):
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    r = import_workbook(engine, ADMIN, country_return("TJK", "2024-Q1", 1), "first.xlsx")
    assert r.status == "applied", r.report()
    in_transaction, release, outcome = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
    p = SPAWN.Process(
        target=_paused_importer, args=(db_url, _many_activities(3000), in_transaction, release, outcome), daemon=True
    )
    p.start()
    try:
        assert in_transaction.wait(timeout=120), "the import never reached its write transaction"
        # The importer holds the write lock and waits for us: a read that had
        # to wait for it would never return (or fail with "database is
        # locked"), so reading here proves readers are not kept waiting.
        for _ in range(3):
            assert _read_all(engine) == 1  # the state before the import, consistently
        release.set()
        while p.is_alive():  # the importer writes and commits; reads go on meanwhile
            assert _read_all(engine) in (1, 2)  # before or after, never a half-written state
        assert outcome.get(timeout=60) == "applied"
    finally:
        release.set()
        _stop([p])
    assert _read_all(engine) == 2
    assert len(queries.activities(engine, ["TJK"], quarter="2024-Q2")) == 3000
