"""How much memory reading uploaded workbooks may take: plain numbers and
functions, no threads, no processes (those are in :mod:`data_access.memory`
and :mod:`data_access.workbook`).

* At most :data:`IMPORTS_AT_ONCE` workbooks are read, checked and planned
  at a time in one server process; the others wait their turn, first come
  first served, and are told their place (:func:`place`).
* The child process that parses a workbook may take an address space
  that grows with the file (:func:`child_memory_bytes`) instead of a flat
  2 GB.
* The app imports a large workbook in a worker process of its own
  (:func:`isolate`, :mod:`data_access.isolated`), and gives freed memory
  back after a large import (:func:`release_after`).

The figures were measured with python-calamine 0.9.1 on Python 3.11 (peak
address space, ``VmPeak``, of the child):

============================================  =========
workbook                                      child
============================================  =========
one cell                                        30 MB
one stray cell at Z400000 (10.4 M cells,        347 MB
refused as too large)
one stray cell at J1000000 (10 M cells, the     483 MB
largest grid read)
50,000 findings, 2.7 MB                         113 MB
50,000 findings, 9.9 MB (long notes)            161 MB
============================================  =========
"""

from __future__ import annotations

IMPORTS_AT_ONCE = 2
"""Workbooks read, checked and planned at the same time in one process."""

CHILD_BASE_BYTES = 64_000_000
"""The child's interpreter and python-calamine, before any workbook (30 MB measured)."""

CHILD_BYTES_PER_GRID_CELL = 48
"""Each cell of the grid the child may build, empty ones included (a
grid spans A1 to the last used cell): python-calamine's own grid, then
the Python lists (483 MB measured for 10 million cells)."""

CHILD_BYTES_PER_FILE_BYTE = 30
"""Each byte of the file: the values it holds once unpacked (about 10
times the file's size measured; three times that here)."""


def child_memory_bytes(file_bytes: int, max_grid_cells: int, ceiling: int) -> int:
    """The address space (``RLIMIT_AS``) of the child that parses a file of
    ``file_bytes`` bytes: enough for the interpreter, for the largest grid
    the child reads (``max_grid_cells``; a larger one is refused with its
    own message) and for the file's values, never more than ``ceiling``.

    A 10 kB file may take 0.5 GB (a stray cell far down the sheet makes a
    large grid of empty cells), a 9.9 MB one 0.84 GB."""
    if file_bytes < 0 or max_grid_cells < 0 or ceiling <= 0:
        raise ValueError("sizes must not be negative")
    need = CHILD_BASE_BYTES + CHILD_BYTES_PER_GRID_CELL * max_grid_cells + CHILD_BYTES_PER_FILE_BYTE * file_bytes
    return min(ceiling, need)


def place(position: int, busy: int, capacity: int) -> int:
    """Where the workbook ``position`` places from the front of the
    queue (0: the first waiting) stands, while ``busy`` of ``capacity``
    imports run: 0 when it may start now, else its place in the queue
    (1: the next to start)."""
    if position < 0 or busy < 0 or capacity < 1:
        raise ValueError("position and busy must not be negative, capacity at least 1")
    free = max(0, capacity - busy)
    return 0 if position < free else position - free + 1


LARGE_FILE_BYTES = 1_000_000
"""A workbook at least this large is a large one: imported by the app in
a worker process (:func:`isolate`), and followed by giving freed memory
back (:func:`release_after`)."""


def isolate(file_bytes: int) -> bool:
    """Whether the app imports a file of ``file_bytes`` bytes in a worker
    process of its own, which returns all its memory when it exits: worth
    the worker's start (about 1 s) for a large file, whose import allocates
    hundreds of megabytes (about 200 MB for 50,000 rows), not for the usual
    small return (a few hundred rows: a fraction of a second in-process)."""
    return file_bytes >= LARGE_FILE_BYTES


def release_after(file_bytes: int) -> bool:
    """Whether the import of a file of ``file_bytes`` bytes is large enough
    for the process to give freed memory back afterwards: a full garbage
    collection costs about 0.1 s in the app, worth it after an import that
    allocated hundreds of megabytes, not after a small one."""
    return file_bytes >= LARGE_FILE_BYTES
