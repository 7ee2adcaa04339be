"""The memory of the process: how many imports run at once, and giving
freed memory back to the operating system.

:data:`IMPORTS` lets :data:`~data_access.rules.memory.IMPORTS_AT_ONCE`
imports read, check and plan a workbook at the same time in this process
(the app's sessions share it; every command-line run has its own); the
others wait, first come first served, and are told their place while they
wait (:meth:`Slots.held`).

:func:`release` collects garbage and asks the C library to hand free
memory back (``malloc_trim``, glibc only): CPython frees the objects of a
finished import, but the allocator keeps the pages for reuse, spread over
the arenas of the threads that ran the imports, so the process would stay
at its peak. Measured in ``benchmarks/memory.py`` (docs/performance.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .rules.memory import IMPORTS_AT_ONCE, place

__all__ = ["IMPORTS", "Slots", "release"]

log = logging.getLogger(__name__)

HEARTBEAT_S = 1.0
"""How often a waiting import tells its place again, even unchanged: the
caller's callback is where a stopped Streamlit run ends its wait."""


class Slots:
    """At most ``capacity`` holders at once; the others wait in order of
    arrival. Thread-safe; for the threads of one process."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._busy = 0
        self._queue: deque[object] = deque()
        self._changed = threading.Condition()
        self._generation = 0  # counts the changes of the queue, so that no wake-up is missed

    @property
    def busy(self) -> int:
        with self._changed:
            return self._busy

    @property
    def waiting(self) -> int:
        with self._changed:
            return len(self._queue)

    @contextmanager
    def held(self, waiting: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold a slot for the block. While none is free, ``waiting(place)``
        is called with the place in the queue (1: next), each time it
        changes and every :data:`HEARTBEAT_S` seconds; an exception it
        raises ends the wait (the place is given up)."""
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
            self._generation += 1
        try:
            while True:
                with self._changed:
                    now = place(self._queue.index(ticket), self._busy, self.capacity)
                    if now == 0:
                        self._queue.remove(ticket)
                        self._busy += 1
                        self._generation += 1
                        self._changed.notify_all()
                        break
                    seen = self._generation
                if waiting is not None:
                    waiting(now)  # outside the lock: it may be slow, or raise
                with self._changed:
                    if self._generation == seen:
                        self._changed.wait(HEARTBEAT_S)
        except BaseException:
            with self._changed:
                if ticket in self._queue:
                    self._queue.remove(ticket)
                    self._generation += 1
                    self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._busy -= 1
                self._generation += 1
                self._changed.notify_all()


IMPORTS = Slots(IMPORTS_AT_ONCE)
"""The imports of this process (``data_access.importer``)."""


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_trim = _malloc_trim()
_releasing = threading.Lock()


def release() -> None:
    """Collect garbage, then hand the free memory of the C library's
    arenas back to the operating system (where the library can). Safe from
    any thread; concurrent calls do the work once."""
    if not _releasing.acquire(blocking=False):
        return
    try:
        gc.collect()
        if _trim is not None:
            _trim(0)
    except Exception:  # never let housekeeping break an import
        log.exception("releasing memory failed")
    finally:
        _releasing.release()
