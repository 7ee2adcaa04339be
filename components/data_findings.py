"""Cached reads for the Audit findings page (see :mod:`components.data`).

Pages call these without the database URL: ``data_findings.headline(countries, quarter, flt)``.
``countries`` is the global selection (empty: all), ``flt`` a
:class:`data_access.findings.FindingFilter` (hashable, part of the cache key).
"""

from __future__ import annotations

import pandas as pd

from data_access import findings, queries

from .data import cached_read, engine, scope


@cached_read
def facilities(url: str, countries: tuple[str, ...]) -> pd.DataFrame:
    return queries.facilities(engine(url), scope(countries))[["country", "facility_id", "name", "city", "pilot"]]


@cached_read
def owners(url: str, countries: tuple[str, ...], quarter: str) -> list[str]:
    return findings.owners(engine(url), quarter, scope(countries))


@cached_read
def finding_count(url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter) -> int:
    return findings.finding_count(engine(url), quarter, scope(countries), flt)


@cached_read
def headline(url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter) -> pd.DataFrame:
    return findings.headline(engine(url), quarter, scope(countries), flt)


@cached_read
def status_counts(
    url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter, by: tuple[str, ...]
) -> pd.DataFrame:
    return findings.status_counts(engine(url), quarter, scope(countries), flt, by)


@cached_read
def burn_down(url: str, countries: tuple[str, ...], first: str, last: str, flt: findings.FindingFilter) -> pd.DataFrame:
    return findings.burn_down(engine(url), first, last, scope(countries), flt)


@cached_read
def weakest_spots(
    url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter, limit: int
) -> tuple[pd.DataFrame, int]:
    return findings.weakest_spots(engine(url), quarter, scope(countries), flt, limit)


@cached_read
def ageing(url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter) -> pd.DataFrame:
    return findings.ageing(engine(url), quarter, scope(countries), flt)


@cached_read
def remediation_speed(
    url: str, countries: tuple[str, ...], quarter: str, flt: findings.FindingFilter, by: tuple[str, ...]
) -> pd.DataFrame:
    return findings.remediation_speed(engine(url), quarter, scope(countries), flt, by)


@cached_read
def findings_page(
    url: str,
    countries: tuple[str, ...],
    quarter: str,
    flt: findings.FindingFilter,
    search: str,
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int,
) -> tuple[pd.DataFrame, int]:
    return findings.findings_list(engine(url), quarter, scope(countries), flt, search, sort, descending, limit, offset)


@cached_read
def finding(url: str, finding_id: str) -> dict | None:
    return findings.finding(engine(url), finding_id)


@cached_read
def finding_timeline(url: str, finding_id: str, quarter: str):
    return findings.finding_timeline(engine(url), finding_id, quarter)
