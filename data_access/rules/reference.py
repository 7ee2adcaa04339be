"""Reference data of the quarterly-return contract: countries, the indicator
catalogue and every enumerated value.

Plain data, no database: the schema seeds itself from here, the importer
validates against it and the template builds its dropdown lists from it, so
the three can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    name: str  # English short name
    # Bounding box (degrees) used to check facility coordinates.
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float


# Bounding boxes are generous by a few tenths of a degree around the borders.
COUNTRIES: tuple[Country, ...] = (
    Country("IRQ", "Iraq", 29.0, 37.5, 38.7, 48.8),
    Country("KAZ", "Kazakhstan", 40.5, 55.5, 46.4, 87.4),
    Country("KGZ", "Kyrgyzstan", 39.1, 43.3, 69.2, 80.3),
    Country("TJK", "Tajikistan", 36.6, 41.1, 67.3, 75.2),
)

COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    is_count: bool = True  # counts must be whole numbers
    sort_order: int = 0


INDICATORS: tuple[Indicator, ...] = (
    Indicator("prisoners_total", "Number of prisoners", sort_order=1),
    Indicator("prisoners_female", "Number of female prisoners", sort_order=2),
    Indicator("prisoners_pretrial", "Prisoners in pre-trial detention", sort_order=3),
    Indicator("prisons_total", "Number of prisons", sort_order=4),
    Indicator("pretrial_centres", "Number of pre-trial detention centres", sort_order=5),
    Indicator("ve_prisoners", "Number of violent extremist prisoners", sort_order=6),
    Indicator("ftf_detainees", "Number of foreign terrorist fighter detainees", sort_order=7),
    Indicator("repatriated_total", "People repatriated from conflict zones (cumulative)", sort_order=8),
    Indicator("repatriated_men", "of whom men", sort_order=9),
    Indicator("repatriated_women", "of whom women", sort_order=10),
    Indicator("repatriated_children", "of whom children", sort_order=11),
)

INDICATOR_CODES = tuple(i.code for i in INDICATORS)

# (part, whole): part must not exceed whole.
INDICATOR_BOUNDS: tuple[tuple[str, str], ...] = (
    ("prisoners_female", "prisoners_total"),
    ("prisoners_pretrial", "prisoners_total"),
    ("ve_prisoners", "prisoners_total"),
    ("pretrial_centres", "prisons_total"),
)
REPATRIATION_PARTS = ("repatriated_men", "repatriated_women", "repatriated_children")

# A change larger than this against the previous quarter is a warning.
INDICATOR_CHANGE_WARNING = 0.5

FACILITY_TYPES = ("prison", "pre-trial centre", "training centre", "other")
FINDING_DOMAINS = ("physical", "procedural", "dynamic", "other")
FINDING_SEVERITIES = ("critical", "high", "medium", "low")
FINDING_STATUSES = ("open", "in progress", "remediated", "verified", "risk accepted")
PRIORITY_STATUSES = ("not started", "on track", "at risk", "off track", "completed")
MILESTONE_STATUSES = ("planned", "done", "late", "dropped")
ACTIVITY_TYPES = (
    "training",
    "e-learning",
    "workshop",
    "exchange visit",
    "equipment",
    "infrastructure",
    "other",
)

# Findings whose status is one of these count as open (and can be overdue).
OPEN_FINDING_STATUSES = ("open", "in progress")
# Order of the remediation lifecycle; moving to a lower rank is a warning.
FINDING_STATUS_RANK = {
    "open": 0,
    "in progress": 1,
    "remediated": 2,
    "risk accepted": 2,
    "verified": 3,
}
