"""What an upload will change, arranged for people: per sheet, the new rows,
the changed values (before -> after), the unchanged count and the rows the
new return no longer lists. Plain functions over the importer's
``RowChange`` records; no database, no Streamlit.

A preview may keep only the first rows of each table (``max_rows``): the
Upload page shows :data:`PREVIEW_ROWS` and keeps nothing else of the
check, so that a 50,000-row return does not hold 50,000 rows per session
(the counts stay whole)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from .normalise import is_missing
from .sheets import SHEET_BY_NAME

PREVIEW_ROWS = 1_000
"""Rows of each table (new, changed, removed) the Upload page shows and keeps."""

SHEET_ORDER = ("Indicators", "Facilities", "Findings", "Priorities", "Milestones", "Activities")
ACTIONS = ("added", "updated", "unchanged", "removed")


class ChangeLike(Protocol):
    sheet: str
    key: str
    action: str
    changes: dict[str, tuple[Any, Any]]


@dataclass
class SheetPreview:
    sheet: str
    counts: dict[str, int]
    added: pd.DataFrame  # key + the new row's values
    changed: pd.DataFrame  # key, column, before, after: one row per changed value
    removed: pd.DataFrame  # key + the values that go
    unchanged_keys: list[str] = field(default_factory=list)
    # Rows of each table before any were left out: "added", "changed", "removed", "unchanged".
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        return any(self.counts[a] for a in ("added", "updated", "removed"))

    def left_out(self, table: str) -> int:
        """Rows of ``table`` ("added", "changed", "removed") not kept."""
        kept = {"added": self.added, "changed": self.changed, "removed": self.removed}[table]
        return max(0, self.totals.get(table, len(kept)) - len(kept))


def show_value(v: Any) -> str:
    """A stored or parsed value as a person reads it."""
    if is_missing(v):
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    if isinstance(v, (int,)):
        return f"{v:,}"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _columns(sheet: str) -> list[str]:
    spec = SHEET_BY_NAME.get(sheet)
    return spec.column_names if spec else []


def preview(changes: Iterable[ChangeLike], max_rows: int | None = None) -> list[SheetPreview]:
    """One :class:`SheetPreview` per sheet that the workbook contains, in the
    order of the return's sheets; with ``max_rows``, each table (and the
    unchanged keys) keeps its first ``max_rows`` rows only, and ``totals``
    says how many there were."""
    if max_rows is not None and max_rows < 0:
        raise ValueError("max_rows must not be negative")
    room = (lambda rows: len(rows) < max_rows) if max_rows is not None else (lambda rows: True)
    by_sheet: dict[str, list[ChangeLike]] = {}
    for ch in changes:
        by_sheet.setdefault(ch.sheet, []).append(ch)
    out = []
    for sheet in sorted(by_sheet, key=lambda s: SHEET_ORDER.index(s) if s in SHEET_ORDER else 99):
        items = by_sheet[sheet]
        key_name = "key"
        cols = [
            c
            for c in _columns(sheet)
            if c not in ("facility_id", "finding_id", "priority_id", "activity_id", "indicator")
        ] or []
        counts = dict.fromkeys(ACTIONS, 0)
        added: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        unchanged: list[str] = []
        changed_total = 0
        for ch in items:
            counts[ch.action] += 1
            if ch.action == "added":
                if room(added):
                    row = {key_name: ch.key}
                    row.update({c: show_value(after) for c, (_, after) in ch.changes.items()})
                    added.append(row)
            elif ch.action == "updated":
                changed_total += len(ch.changes)
                for c, (b, a) in ch.changes.items():
                    if not room(changed):
                        break
                    changed.append({key_name: ch.key, "column": c, "before": show_value(b), "after": show_value(a)})
            elif ch.action == "removed":
                if room(removed):
                    row = {key_name: ch.key}
                    row.update({c: show_value(before) for c, (before, _) in ch.changes.items()})
                    removed.append(row)
            elif room(unchanged):
                unchanged.append(ch.key)
        added_df = pd.DataFrame(added)
        if not added_df.empty:
            ordered = [key_name] + [c for c in cols if c in added_df.columns]
            added_df = added_df[ordered + [c for c in added_df.columns if c not in ordered]]
        out.append(
            SheetPreview(
                sheet,
                counts,
                added_df,
                pd.DataFrame(changed, columns=[key_name, "column", "before", "after"]),
                pd.DataFrame(removed),
                unchanged,
                dict(
                    added=counts["added"],
                    changed=changed_total,
                    removed=counts["removed"],
                    unchanged=counts["unchanged"],
                ),
            )
        )
    return out


# Which pages show what each sheet feeds (keys of components.nav).
PAGES_FOR_SHEET = {
    "Indicators": ("overview", "countries"),
    "Facilities": ("countries", "map"),
    "Findings": ("overview", "findings", "map"),
    "Priorities": ("overview", "priorities"),
    "Milestones": ("priorities",),
    "Activities": ("overview", "countries"),
}


def pages_changed(previews: Iterable[SheetPreview]) -> list[str]:
    """Pages worth visiting after the upload, in a stable order, without repeats."""
    seen: list[str] = []
    for p in previews:
        if p.changes_anything:
            for page in PAGES_FOR_SHEET.get(p.sheet, ()):
                if page not in seen:
                    seen.append(page)
    return seen
