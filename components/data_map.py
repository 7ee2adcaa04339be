"""Cached reads for the Map page (see :mod:`components.data`): pages call
them without the database URL, e.g. ``data_map.facilities(countries, quarter)``."""

from __future__ import annotations

import pandas as pd

from data_access import maps as map_queries
from data_access import queries

from .data import cached_read, engine, scope


@cached_read
def facilities(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    """Every facility of the countries with its findings as at the quarter."""
    return queries.facility_findings_summary(engine(url), quarter, scope(countries))


@cached_read
def finding_counts(url: str, facility_id: str, quarter: str) -> pd.DataFrame:
    return map_queries.facility_finding_counts(engine(url), quarter, facility_id)


@cached_read
def open_findings(url: str, facility_id: str, quarter: str, limit: int | None = None) -> pd.DataFrame:
    return map_queries.facility_open_findings(engine(url), quarter, facility_id, limit)
