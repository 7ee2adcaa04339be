"""Cached reads for the Country profiles page (see :mod:`components.data`):
each is called with its ``data_access`` query's arguments, without the
engine, e.g. ``data_countries.key_figures("2026-Q3", ("TJK",))``. The
countries' programme texts and their facilities are shared reads
(``data.countries``, ``data.facilities``)."""

from __future__ import annotations

from data_access import profiles

from .data import reader

data_status = reader(profiles.data_status)
key_figures = reader(profiles.key_figures)
derived_shares = reader(profiles.derived_shares)
comparison = reader(profiles.comparison)
share_series = reader(profiles.share_series)
indicator_series = reader(profiles.indicator_series)
activity_by_quarter = reader(profiles.activity_by_quarter)
activity_running_totals = reader(profiles.activity_running_totals)
