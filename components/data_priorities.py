"""Cached reads for the Priorities page (see :mod:`components.data`).

Pages call these without the database URL: ``data_priorities.assessed(countries, quarter)``.
"""

from __future__ import annotations

import pandas as pd

from data_access import priorities

from .data import cached_read, engine, scope


@cached_read
def assessed(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return priorities.priorities_assessed(engine(url), quarter, scope(countries))


@cached_read
def progress_trends(url: str, countries: tuple[str, ...], first: str, last: str) -> pd.DataFrame:
    return priorities.progress_trends(engine(url), first, last, scope(countries))


@cached_read
def status_counts(url: str, countries: tuple[str, ...], quarter: str, by: str) -> pd.DataFrame:
    return priorities.status_counts(engine(url), quarter, scope(countries), by=by)


@cached_read
def thread(url: str, priority_id: str, quarter: str) -> pd.DataFrame:
    return priorities.narrative_thread(engine(url), priority_id, quarter)


@cached_read
def progress_path(url: str, priority_id: str, quarter: str) -> pd.DataFrame:
    return priorities.progress_path(engine(url), priority_id, quarter)


@cached_read
def milestones(url: str, priority_id: str, quarter: str) -> pd.DataFrame:
    return priorities.milestone_timeline(engine(url), quarter, priority_id)
