"""Cached reads for the Country profiles page (see ``components.data``):
each wraps a ``data_access`` query, keyed by database URL and arguments,
and is forgotten by ``components.data.clear()`` after an upload.

Pages call them without the URL: ``data_profiles.key_figures(("TJK",), "2026-Q3")``.
"""

from __future__ import annotations

import pandas as pd

from data_access import countries as country_queries
from data_access import queries

from .data import cached_read, engine, scope


@cached_read
def context(url: str) -> pd.DataFrame:
    """Every country with its programme background and achievements texts."""
    return queries.countries(engine(url))


@cached_read
def data_status(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.data_status(engine(url), quarter, scope(countries))


@cached_read
def key_figures(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.key_figures(engine(url), quarter, scope(countries))


@cached_read
def derived_shares(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.derived_shares(engine(url), quarter, scope(countries))


@cached_read
def comparison(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.comparison(engine(url), quarter, scope(countries))


@cached_read
def share_series(url: str, countries: tuple[str, ...], quarters: tuple[str, ...]) -> pd.DataFrame:
    return country_queries.share_series(engine(url), list(quarters), scope(countries))


@cached_read
def indicator_history(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return queries.indicator_history(engine(url), scope(countries), up_to=quarter)


@cached_read
def activity_by_quarter(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.activity_by_quarter(engine(url), scope(countries), up_to=quarter)


@cached_read
def activity_running_totals(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return country_queries.activity_running_totals(engine(url), scope(countries), up_to=quarter)


@cached_read
def facilities(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    """Facilities with their findings as at the quarter, pilot prisons first."""
    return queries.facility_findings_summary(engine(url), quarter, scope(countries))
