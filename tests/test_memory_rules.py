"""The rules of bounded memory (data_access/rules/memory.py): the parsing
child's memory limit as a function of the file's size, the place of a
workbook in the queue, which files are large; and the preview that keeps
only its first rows (data_access/rules/preview.py). Plain functions: no
threads, processes, database or Streamlit."""

from __future__ import annotations

import pytest

from data_access.importer import RowChange
from data_access.rules import memory
from data_access.rules.memory import child_memory_bytes, isolate, place, release_after
from data_access.rules.preview import preview
from data_access.workbook import Limits

GB = 1_000_000_000
CELLS = Limits().max_grid_cells


def test_the_childs_memory_limit_grows_with_the_file_and_stays_under_the_ceiling():
    small, large = child_memory_bytes(10_000, CELLS, 2 * GB), child_memory_bytes(9_900_000, CELLS, 2 * GB)
    assert small < large < 2 * GB  # no longer a flat 2 GB
    assert large - small == memory.CHILD_BYTES_PER_FILE_BYTE * (9_900_000 - 10_000)
    # What the child was measured to need fits: a 10 million cell grid (483 MB)
    # from any file, and a 9.9 MB return of 50,000 rows (161 MB) on top.
    assert small > 483_000_000
    assert large - child_memory_bytes(0, CELLS, 2 * GB) > 161_000_000
    assert large < 0.9 * GB
    # The ceiling (Limits.memory_bytes) wins, and a smaller grid needs less.
    assert child_memory_bytes(9_900_000, CELLS, 500_000_000) == 500_000_000
    assert child_memory_bytes(10_000, 1_000, 2 * GB) < small
    with pytest.raises(ValueError):
        child_memory_bytes(-1, CELLS, GB)


def test_places_in_the_queue_count_from_the_next_to_start():
    # Two slots, none busy: the first two waiting start, the third is next.
    assert [place(i, 0, 2) for i in range(4)] == [0, 0, 1, 2]
    # Both busy: everyone waits, the first in the queue is number 1.
    assert [place(i, 2, 2) for i in range(3)] == [1, 2, 3]
    assert [place(i, 1, 2) for i in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError):
        place(0, 0, 0)


def test_large_files_are_imported_apart_and_followed_by_a_release():
    assert not isolate(200_000) and not release_after(200_000)  # a usual return: a few hundred rows
    assert isolate(2_700_000) and release_after(9_900_000)
    assert memory.IMPORTS_AT_ONCE == 2


def test_the_preview_keeps_its_first_rows_and_the_whole_counts():
    changes = [RowChange("Findings", f"F{i}", "added", {"status": (None, "open")}) for i in range(5)]
    changes += [RowChange("Findings", "G", "updated", {"status": ("open", "verified"), "owner": (None, "Chief")})]
    changes += [RowChange("Findings", f"R{i}", "removed", {"status": ("open", None)}) for i in range(3)]
    changes += [RowChange("Findings", f"U{i}", "unchanged") for i in range(4)]
    whole, cut = preview(changes)[0], preview(changes, max_rows=2)[0]
    assert cut.counts == whole.counts == {"added": 5, "updated": 1, "unchanged": 4, "removed": 3}
    assert cut.totals == whole.totals == {"added": 5, "changed": 2, "removed": 3, "unchanged": 4}
    assert cut.added["key"].tolist() == ["F0", "F1"] and len(whole.added) == 5
    assert len(cut.changed) == 2 and len(cut.removed) == 2 and cut.unchanged_keys == ["U0", "U1"]
    assert (cut.left_out("added"), cut.left_out("changed"), cut.left_out("removed")) == (3, 0, 1)
    assert (whole.left_out("added"), whole.left_out("removed")) == (0, 0)
    counts_only = preview(changes, max_rows=0)[0]
    assert counts_only.added.empty and counts_only.changes_anything
