"""The upload preview: per sheet, new rows, changed values (before -> after),
unchanged and removed rows, from the importer's change records."""

from __future__ import annotations

import datetime as dt

from data_access.importer import RowChange
from data_access.rules.preview import pages_changed, preview, show_value


def test_rows_are_grouped_per_sheet_in_the_order_of_the_return():
    changes = [
        RowChange("Findings", "F1", "updated", {"status": ("open", "in progress"), "owner": (None, "Chief")}),
        RowChange("Indicators", "prisoners_total", "added", {"value": (None, 12500.0)}),
        RowChange("Findings", "F2", "unchanged"),
        RowChange("Findings", "F3", "removed", {"status": ("open", None)}),
    ]
    ind, fin = preview(changes)
    assert (ind.sheet, fin.sheet) == ("Indicators", "Findings")
    assert ind.counts == {"added": 1, "updated": 0, "unchanged": 0, "removed": 0}
    assert ind.added.to_dict("records") == [{"key": "prisoners_total", "value": "12,500"}]
    assert fin.counts == {"added": 0, "updated": 1, "unchanged": 1, "removed": 1}
    assert fin.changed.values.tolist() == [["F1", "status", "open", "in progress"], ["F1", "owner", "", "Chief"]]
    assert fin.removed.to_dict("records") == [{"key": "F3", "status": "open"}]
    assert fin.unchanged_keys == ["F2"]


def test_values_read_as_people_write_them():
    assert [show_value(v) for v in (None, True, 73715.0, 2.5, dt.date(2024, 3, 31), "x")] == [
        "",
        "yes",
        "73,715",
        "2.5",
        "2024-03-31",
        "x",
    ]


def test_pages_to_visit_follow_the_sheets_that_changed():
    changes = [
        RowChange("Findings", "F1", "updated", {"status": ("open", "verified")}),
        RowChange("Priorities", "P1", "unchanged"),
    ]
    assert pages_changed(preview(changes)) == ["overview", "findings", "map"]
