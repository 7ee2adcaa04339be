"""Cached reads for the Country profiles page (see :mod:`components.data`):
each is called with its ``data_access`` query's arguments, without the
engine, e.g. ``data_countries.key_figures("2026-Q3", ("TJK",))``. The
countries' programme texts and their facilities are shared reads
(``data.countries``, ``data.facilities``)."""

from __future__ import annotations

from data_access import countries as country_queries
from data_access import queries

from .data import reader

data_status = reader(country_queries.data_status)
key_figures = reader(country_queries.key_figures)
derived_shares = reader(country_queries.derived_shares)
comparison = reader(country_queries.comparison)
share_series = reader(country_queries.share_series)
indicator_series = reader(queries.indicator_history)
activity_by_quarter = reader(country_queries.activity_by_quarter)
activity_running_totals = reader(country_queries.activity_running_totals)
