"""Bounded memory at work: at most two imports at once per process, the
others waiting with their place (data_access/memory.py, the importer); a
large workbook imported in a worker process that gives its memory back
(data_access/isolated.py); the parsing child's limit that grows with the
file (data_access/workbook.py); ended sessions let go
(components/sessions.py). Threads meet on events, never on sleeps; every
wait is bounded."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
import pytest
from sqlalchemy import func, select

from components.sessions import DOWNLOAD, UPLOAD, Watcher
from data_access import audit, isolated, workbook
from data_access.importer import import_workbook
from data_access.memory import IMPORTS, Slots, release
from data_access.messages import Message
from data_access.models import Upload
from data_access.rules.memory import child_memory_bytes
from data_access.workbook import Limits, read_workbook
from tests.test_import_rules import full_return
from tests.workbooks import ADMIN

BOUND = 30  # seconds: the longest any test here waits for another thread


@contextmanager
def holding(slots: Slots, n: int) -> Iterator[threading.Event]:
    """``n`` threads each holding a slot of ``slots`` until the event is set."""
    let_go, holders, inside = threading.Event(), [], threading.Semaphore(0)

    def hold() -> None:
        with slots.held():
            inside.release()
            let_go.wait(BOUND)

    for _ in range(n):
        holders.append(threading.Thread(target=hold))
        holders[-1].start()
    for _ in range(n):
        assert inside.acquire(timeout=BOUND)
    try:
        yield let_go
    finally:
        let_go.set()
        for h in holders:
            h.join(BOUND)


class Places:
    """Records the places a waiting holder is told, and when a given one comes."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self._changed = threading.Condition()

    def __call__(self, place: int) -> None:
        with self._changed:
            if not self.seen or self.seen[-1] != place:
                self.seen.append(place)
            self._changed.notify_all()

    def wait_for(self, place: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: place in self.seen, BOUND), self.seen


def test_at_most_capacity_hold_a_slot_and_the_others_wait_in_order_with_their_place():
    slots = Slots(2)
    with holding(slots, 2) as let_go:
        assert slots.busy == 2
        first, second = Places(), Places()
        done: list[str] = []
        waiters = [
            threading.Thread(target=lambda: _hold_once(slots, first, done, "first")),
            threading.Thread(target=lambda: _hold_once(slots, second, done, "second")),
        ]
        waiters[0].start()
        first.wait_for(1)
        waiters[1].start()
        second.wait_for(2)
        assert done == [] and slots.waiting == 2
        let_go.set()  # both holders leave: the two waiting ones go, first come first served
        for w in waiters:
            w.join(BOUND)
    assert sorted(done) == ["first", "second"] and first.seen == [1]
    assert second.seen[0] == 2 and slots.busy == 0 and slots.waiting == 0


def _hold_once(slots: Slots, places: Places, done: list[str], name: str) -> None:
    with slots.held(places):
        done.append(name)


def test_a_waiting_holder_that_stops_gives_up_its_place():
    slots = Slots(1)

    class Stopped(Exception):
        pass

    def stop(place: int) -> None:
        raise Stopped  # as a Streamlit run stops: from the progress callback

    with holding(slots, 1):
        with pytest.raises(Stopped), slots.held(stop):
            pass
        assert slots.waiting == 0 and slots.busy == 1
    assert slots.busy == 0


def test_an_import_waits_for_a_free_slot_and_says_its_place(engine):
    said: list[Message] = []
    waiting = threading.Event()

    def progress(fraction: float, message: Message) -> None:
        said.append(message)
        if message.key == "import.progress.waiting":
            waiting.set()

    results = []
    with holding(IMPORTS, IMPORTS.capacity) as let_go:
        worker = threading.Thread(
            target=lambda: results.append(import_workbook(engine, ADMIN, full_return(), "r.xlsx", progress=progress))
        )
        worker.start()
        assert waiting.wait(BOUND)
        assert results == []  # nothing read while both slots are taken
        let_go.set()
        worker.join(BOUND)
    assert results[0].status == "applied"
    assert said[0] == Message("import.progress.waiting", {"place": 1})
    assert str(said[0]) == "Waiting for other workbooks to be read first: yours is number 1 in the queue"
    assert [m.key for m in said[1:]][:2] == ["import.progress.file", "import.progress.sheets"]


def test_a_large_workbook_is_imported_in_a_worker_process_with_the_same_outcome(engine, db_url):
    url = db_url
    data = full_return()
    said: list[str] = []
    dry = isolated.run(url, ADMIN, data, "r.xlsx", dry_run=True, preview_rows=1, in_worker=True)
    here = isolated.run(url, ADMIN, data, "r.xlsx", dry_run=True, preview_rows=1, in_worker=False)
    assert dry.result.status == here.result.status == "dry-run"
    assert dry.changed_rows == here.changed_rows > 0 and dry.result.changes == []
    assert [(p.sheet, p.counts, p.totals) for p in dry.previews] == [
        (p.sheet, p.counts, p.totals) for p in here.previews
    ]
    assert all(len(p.added) <= 1 for p in dry.previews)
    applied = isolated.run(
        url,
        ADMIN,
        data,
        "r.xlsx",
        dry_run=False,
        preview_rows=0,
        address="127.0.0.1",
        progress=lambda fraction, message: said.append(message.key),
        in_worker=True,
    )
    assert applied.result.status == "applied" and applied.changed_rows == dry.changed_rows
    assert said[0] == "import.progress.file" and said[-1] == "import.progress.done"
    with engine.connect() as conn:  # written by the worker, with its audit event
        assert conn.execute(select(func.count()).select_from(Upload)).scalar_one() == 1
    events = audit.events(engine, ADMIN, action="return.upload")
    assert len(events) == 1 and events.iloc[0]["address"] == "127.0.0.1"


def test_a_worker_whose_caller_stops_is_ended(engine, db_url):
    url = db_url

    class Stopped(Exception):
        pass

    def stop(fraction: float, message: Message) -> None:
        raise Stopped

    with pytest.raises(Stopped):
        isolated.run(url, ADMIN, full_return(), "r.xlsx", dry_run=False, preview_rows=0, progress=stop, in_worker=True)
    assert IMPORTS.busy == 0
    with engine.connect() as conn:  # stopped at its first step: nothing written
        assert conn.execute(select(func.count()).select_from(Upload)).scalar_one() == 0


def test_a_worker_that_dies_gives_an_unreadable_result(engine, db_url, monkeypatch, caplog):
    monkeypatch.setattr(isolated, "WORKER", "data_access.no_such_worker")  # the worker exits at once, failing
    url = db_url
    summary = isolated.run(url, ADMIN, full_return(), "r.xlsx", dry_run=True, preview_rows=0, in_worker=True)
    assert summary.result.status == "unreadable" and summary.result.message.key == "workbook.unreadable"
    assert "import worker failed" in caplog.text


def _stray_cell_workbook(cell: str) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Indicators"
    wb.active["A1"] = "indicator"
    wb.active[cell] = "stray"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.slow
def test_the_childs_limit_grows_with_the_file_and_holds_the_largest_grid_it_reads(monkeypatch):
    limits = Limits()
    data = _stray_cell_workbook("J1000000")  # 10 million cells: the largest grid read (mostly empty)
    seen: list[list[str]] = []
    run = workbook.subprocess.run

    def recording(cmd, **kw):
        seen.append(cmd)
        return run(cmd, **kw)

    monkeypatch.setattr(workbook.subprocess, "run", recording)
    rows = read_workbook(data, "stray.xlsx", limits).sheets[0].rows
    assert len(rows) == 1_000_000 and rows[-1][-1] == "stray"
    assert int(seen[0][3]) == child_memory_bytes(len(data), limits.max_grid_cells, limits.memory_bytes) < 600_000_000
    bigger = full_return()  # a larger file, a larger limit
    read_workbook(bigger, "r.xlsx", limits)
    assert int(seen[1][3]) - int(seen[0][3]) == 30 * (len(bigger) - len(data)) > 0


def test_a_small_files_child_may_not_take_the_old_flat_2_gb(monkeypatch):
    # 600 MB was allowed under the flat 2 GB limit; a small file's child now gets about 0.55 GB.
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_HOG", "600000000")
    with pytest.raises(workbook.UnsafeWorkbook):
        read_workbook(full_return(), "r.xlsx")
    monkeypatch.setenv("DASHBOARD_TEST_CHILD_HOG", "10000000")
    assert read_workbook(full_return(), "r.xlsx").sheets


def test_ended_sessions_are_let_go_once_with_what_they_held():
    active = {"a", "b", "c"}
    let_go: list[set[str]] = []
    watcher = Watcher(lambda sid: sid in active, let_go.append)
    watcher.watch("a", DOWNLOAD, thread=False)
    watcher.watch("b", UPLOAD, thread=False)
    watcher.watch("b", DOWNLOAD, thread=False)
    watcher.watch("c", UPLOAD, thread=False)
    assert watcher.sweep() == set() and let_go == []
    active -= {"a", "b"}  # their browsers have gone
    assert watcher.sweep() == {"a", "b"}
    assert let_go == [{DOWNLOAD, UPLOAD}]
    assert watcher.watched() == {"c": {UPLOAD}}
    assert watcher.sweep() == set() and len(let_go) == 1  # acted on once


def test_the_watcher_thread_sweeps_and_stops_when_nothing_is_left():
    gone = threading.Event()
    watcher = Watcher(lambda sid: False, lambda what: gone.set(), interval=0.01)
    watcher.watch("a", DOWNLOAD)
    assert gone.wait(BOUND)
    thread = watcher._thread
    if thread is not None:
        thread.join(BOUND)
    assert watcher.watched() == {} and watcher._thread is None


def test_release_runs_anywhere():
    release()  # gc and malloc_trim; a second caller at the same time returns at once
    threads = [threading.Thread(target=release) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(BOUND)
