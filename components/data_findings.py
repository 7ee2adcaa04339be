"""Cached reads for the Audit findings page (see :mod:`components.data`):
each is called with its ``data_access.findings`` query's arguments, without
the engine, e.g. ``data_findings.headline(quarter, countries, flt)``.
``countries`` is the global selection (empty: all), ``flt`` a
:class:`data_access.findings.FindingFilter` (hashable, part of the cache
key). The facilities of the filter are a shared read (``data.facilities``).
"""

from __future__ import annotations

from data_access import findings

from .data import reader

owners = reader(findings.owners)
finding_count = reader(findings.finding_count)
headline = reader(findings.headline)
status_counts = reader(findings.status_counts)
burn_down = reader(findings.burn_down)
weakest_spots = reader(findings.weakest_spots)
ageing = reader(findings.ageing)
remediation_speed = reader(findings.remediation_speed)
findings_list = reader(findings.findings_list)
finding = reader(findings.finding)
finding_timeline = reader(findings.finding_timeline)
