"""How the Audit trail page reads: events as a table (details in words),
the labels of actions and of how a person acted, and the export's shape.

Everything in an event came from people or files (names, e-mails, file
names): it is shown in ``st.dataframe`` (plain text), and exported through
the formula-safe writers of :mod:`components.charts`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from data_access.rules.text import plain_frame

from .i18n import has, label, t

DETAIL_ORDER = (
    "what", "status", "email", "role", "old_role", "countries", "name", "upload_id", "restored", "file_name",
    "errors", "warnings", "format", "filters", "rows", "action", "reason",
)  # fmt: skip
"""Details named first, in this order (the rest follow alphabetically): what
happened before the particulars."""


def action_label(action: str) -> str:
    """``user.add`` -> "Account added" (the code itself when the catalogue lacks it)."""
    return label("admin.audit.action", action)


def via_label(via: str) -> str:
    return label("admin.audit.via", via)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return t("admin.audit.yes") if value else t("admin.audit.no")
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_value_text(v)}" for k, v in value.items())
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | tuple | Mapping) and not value)


def detail_text(raw: str | None) -> str:
    """An event's detail (JSON) in words: ``{"email": "a@b.org", "role":
    "viewer", "countries": []}`` -> "e-mail: a@b.org; role: viewer". Keys
    come in :data:`DETAIL_ORDER`, named as the catalogue names them; empty
    values are left out; text that is not JSON is shown as it is."""
    if not raw:
        return ""
    try:
        detail = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(detail, Mapping):
        return _value_text(detail)
    parts = []
    first = [k for k in DETAIL_ORDER if k in detail]
    for key in first + sorted(k for k in detail if k not in DETAIL_ORDER):
        value = detail[key]
        if _empty(value):
            continue
        name = t(f"admin.audit.detail.{key}") if has(f"admin.audit.detail.{key}") else key
        parts.append(f"{name}: {_value_text(value)}")
    return "; ".join(parts)


def _utc(at: pd.Series) -> pd.Series:
    """Timestamps as naive UTC (what a table and a spreadsheet show)."""
    return pd.to_datetime(at, utc=True).dt.tz_localize(None)


def trail_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events for the page: when (UTC), who, what, where, details, then
    the person's name, how they acted and from which address."""
    return plain_frame(
        pd.DataFrame(
            {
                t("admin.audit.col.at"): _utc(events["at"]),
                t("admin.audit.col.person"): events["actor_email"],
                t("admin.audit.col.action"): [action_label(a) for a in events["action"]],
                t("admin.audit.col.country"): events["country"].fillna(""),
                t("admin.audit.col.quarter"): events["quarter"].fillna(""),
                t("admin.audit.col.detail"): [detail_text(d) for d in events["detail"]],
                t("admin.audit.col.name"): events["actor_name"].fillna(""),
                t("admin.audit.col.via"): [via_label(v) for v in events["via"]],
                t("admin.audit.col.address"): events["address"].fillna(""),
            }
        )
    )


def export_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events for a file: like :func:`trail_table`, with the time as
    ISO text (``2026-10-26 14:03:07``, UTC), the action's code next to its
    words and the event's number, so that a row can be cited."""
    return pd.DataFrame(
        {
            t("admin.audit.col.id"): events["id"],
            t("admin.audit.col.at"): _utc(events["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            t("admin.audit.col.person"): events["actor_email"],
            t("admin.audit.col.name"): events["actor_name"].fillna(""),
            t("admin.audit.col.via"): list(events["via"]),
            t("admin.audit.col.action_code"): list(events["action"]),
            t("admin.audit.col.action"): [action_label(a) for a in events["action"]],
            t("admin.audit.col.country"): events["country"].fillna(""),
            t("admin.audit.col.quarter"): events["quarter"].fillna(""),
            t("admin.audit.col.detail"): [detail_text(d) for d in events["detail"]],
            t("admin.audit.col.address"): events["address"].fillna(""),
        }
    )
