"""Cached reads for the Map page (see :mod:`components.data`): each is
called with its ``data_access.maps`` query's arguments, without the engine,
e.g. ``data_map.facility_open_findings(quarter, facility_id)``. The
facilities themselves are a shared read (``data.facilities``)."""

from __future__ import annotations

from data_access import maps as map_queries

from .data import reader

facility_finding_counts = reader(map_queries.facility_finding_counts)
facility_open_findings = reader(map_queries.facility_open_findings)
