"""Cached reads for the Overview page (see :mod:`components.data`): each is
called with its ``data_access.overview`` query's arguments, without the
engine, e.g. ``data_overview.headline(quarter, countries)``."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from data_access import overview

from .data import reader

headline = reader(overview.headline)
finding_change_counts = reader(overview.finding_change_counts)
finding_changes = reader(overview.finding_changes)
priority_changes = reader(overview.priority_changes)
milestone_changes = reader(overview.milestone_changes)
overdue_findings = reader(overview.overdue_findings)
overdue_count = reader(overview.overdue_count)
priorities_in_status = reader(overview.priorities_in_status)
returns_tracker = reader(overview.returns_tracker)
finding_trend = reader(overview.finding_trend)
priority_trend = reader(overview.priority_trend)


def change_summary(quarter: str, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """What changed in the quarter, counted per area and kind of change, from
    the cached parts the Overview also shows (no query twice)."""
    return overview.summarise_changes(
        finding_change_counts(quarter, countries),
        priority_changes(quarter, countries),
        milestone_changes(quarter, countries),
    )
