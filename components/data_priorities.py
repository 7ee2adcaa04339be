"""Cached reads for the Priorities page (see :mod:`components.data`): each
is called with its ``data_access.priorities`` query's arguments, without
the engine, e.g. ``data_priorities.priorities_assessed(quarter, countries)``."""

from __future__ import annotations

from data_access import priorities

from .data import reader

priorities_assessed = reader(priorities.priorities_assessed)
progress_trends = reader(priorities.progress_trends)
status_counts = reader(priorities.status_counts)
narrative_thread = reader(priorities.narrative_thread)
progress_path = reader(priorities.progress_path)
milestone_timeline = reader(priorities.milestone_timeline)
