"""How the Upload and Upload history pages show a check's problems and the
history of uploads. Reads and writes go through
:mod:`components.data_upload`; the pages lay these out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from data_access.rules.text import plain, plain_frame

from . import formatting as fmt
from .i18n import label, t

PROBLEMS_SHOWN = 500  # problems listed at the most (the annotated workbook marks them all)


def issues_table(issues: Sequence[Any]) -> pd.DataFrame:
    """Problems found in a workbook (errors or warnings: each with its
    ``place``, ``value`` and ``message``), the first :data:`PROBLEMS_SHOWN`."""
    shown = issues[:PROBLEMS_SHOWN]
    return plain_frame(
        pd.DataFrame(
            {
                t("upload.col.place"): [i.place for i in shown],
                t("upload.col.value"): [i.value for i in shown],
                t("upload.col.problem"): [i.message for i in shown],
            }
        )
    )


def stored_warnings_table(warnings: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The warnings stored with an upload (dicts), as :func:`issues_table` shows them."""
    return plain_frame(
        pd.DataFrame(
            {
                t("upload.col.place"): [w["place"] for w in warnings],
                t("upload.col.value"): [w.get("value", "") for w in warnings],
                t("upload.col.problem"): [w["message"] for w in warnings],
            }
        )
    )


def changed_text(counts: Mapping[str, Mapping[str, int]] | None) -> str:
    """Rows an upload changed, per sheet: "Findings 3, Priorities 1"."""
    if not counts:
        return ""
    parts = []
    for sheet, c in counts.items():
        n = c.get("added", 0) + c.get("updated", 0) + c.get("removed", 0)
        if n:
            parts.append(f"{sheet} {n}")
    return ", ".join(parts) or "0"


def history_note(r: Any) -> str:
    """Which upload superseded this one, or which one it restored."""
    notes = []
    if pd.notna(r.superseded_by_id):
        notes.append(t("history.superseded_by", id=int(r.superseded_by_id)))
    if pd.notna(r.restored_from_id):
        notes.append(t("history.restored_from", id=int(r.restored_from_id)))
    return "; ".join(notes)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Every upload: when, who, which file, for what, what it changed."""
    return plain_frame(
        pd.DataFrame(
            {
                t("history.col.id"): history["id"],
                t("history.col.uploaded_at"): [fmt.datetime(v) for v in history["uploaded_at"]],
                t("history.col.uploaded_by"): history["uploaded_by"],
                t("history.col.file"): history["file_name"],
                t("history.col.country"): history["country"],
                t("history.col.quarter"): history["quarter"],
                t("history.col.kind"): [label("upload_kind", k) for k in history["kind"]],
                t("history.col.status"): [label("status", s) for s in history["status"]],
                t("history.col.changes"): [changed_text(c) for c in history["counts"]],
                t("history.col.warnings"): [len(w or []) for w in history["warnings"]],
                t("history.col.note"): [history_note(r) for r in history.itertuples()],
                t("history.col.sha256"): history["sha256"],
            }
        )
    )


def history_option(r: Any) -> str:
    """An upload as the picker lists it (a select box: plain text)."""
    return f"#{int(r.id)} · {r.country or ''} {r.quarter or ''} · {plain(r.file_name)} · {label('status', r.status)}"
