"""Rules of the Map page, as plain functions (no database, no Streamlit).

- **Colour classes.** A facility is coloured either by the worst severity
  among its open findings (open or in progress) or by the share of its
  findings remediated (remediated or verified, out of all findings raised by
  the quarter). Facilities without findings get a class of their own, so
  "nothing open" is never confused with "never audited".
- **Marker size**: the circle's area grows with the number of open
  findings, from a minimum that keeps a facility without open findings
  visible, up to a cap.
- **City-level coordinates.** Positions sent to the browser are rounded to
  :data:`CITY_DECIMALS` decimals (about 1 km) and the map cannot be zoomed in
  beyond :data:`MAX_ZOOM`, where one pixel is about that size: the map never
  shows more precision than the data has.
- **The view** fits a bounding box (the selected countries) into the map's
  size on the Web Mercator projection, as deck.gl's ``fitBounds`` does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .normalise import has_value, is_missing
from .reference import FINDING_SEVERITIES

# --------------------------------------------------------------------------- colour classes

BY_SEVERITY, BY_REMEDIATION = "severity", "remediation"
COLOUR_MODES: tuple[str, ...] = (BY_SEVERITY, BY_REMEDIATION)

NONE_OPEN = "none_open"  # audited, no finding open
NOT_AUDITED = "not_audited"  # no finding recorded by the quarter
SEVERITY_CLASSES: tuple[str, ...] = (*FINDING_SEVERITIES, NONE_OPEN, NOT_AUDITED)

# Share of findings remediated: [0, 50%), [50%, 80%), [80%, 100%), 100%.
REMEDIATION_BANDS: tuple[float, float] = (0.5, 0.8)
UNDER_HALF, HALF_TO_80, OVER_80, ALL_REMEDIATED, NO_FINDINGS = (
    "under_50",
    "50_to_80",
    "80_to_100",
    "all",
    "no_findings",
)
REMEDIATION_CLASSES: tuple[str, ...] = (UNDER_HALF, HALF_TO_80, OVER_80, ALL_REMEDIATED, NO_FINDINGS)


def severity_class(worst_open_severity: str | None, findings: int) -> str:
    """The worst open severity; ``none_open`` when findings exist but none is
    open; ``not_audited`` when no finding has been recorded."""
    if not is_missing(worst_open_severity) and worst_open_severity in FINDING_SEVERITIES:
        return str(worst_open_severity)
    return NONE_OPEN if findings and findings > 0 else NOT_AUDITED


def remediation_class(share: float | None, findings: int) -> str:
    """The band of the share remediated (see :data:`REMEDIATION_BANDS`)."""
    if not findings or findings <= 0 or not has_value(share):
        return NO_FINDINGS
    return _remediation_band(share)


def _remediation_band(share: float) -> str:
    low, high = REMEDIATION_BANDS
    if share >= 1:
        return ALL_REMEDIATED
    if share >= high:
        return OVER_80
    if share >= low:
        return HALF_TO_80
    return UNDER_HALF


def colour_class(mode: str, *, worst_open_severity: str | None, remediated_share: float | None, findings: int) -> str:
    if mode == BY_REMEDIATION:
        return remediation_class(remediated_share, findings)
    if mode == BY_SEVERITY:
        return severity_class(worst_open_severity, findings)
    raise ValueError(f"unknown colour mode: {mode!r}")


def classes(mode: str) -> tuple[str, ...]:
    """The classes of a mode, in legend order (worst first)."""
    return REMEDIATION_CLASSES if mode == BY_REMEDIATION else SEVERITY_CLASSES


# --------------------------------------------------------------------------- marker size

MIN_RADIUS_PX = 6.0
AREA_PER_FINDING = 45.0  # squared pixels added to radius**2 per open finding
MAX_RADIUS_PX = 26.0
SIZE_LEGEND: tuple[int, ...] = (0, 1, 5, 10)  # open findings shown in the size legend


def marker_radius(open_findings: int | None) -> float:
    """Radius in pixels: the circle's area grows by the same amount for each
    open finding (radius**2 = 6**2 + 45 * open): 6 px with nothing open,
    9 px with one, 16.2 px with five, 22.1 px with ten, at most 26 px."""
    n = max(int(open_findings), 0) if has_value(open_findings) else 0
    return min(math.sqrt(MIN_RADIUS_PX**2 + AREA_PER_FINDING * n), MAX_RADIUS_PX)


def size_cap() -> float:
    """The open count at which circles stop growing."""
    return (MAX_RADIUS_PX**2 - MIN_RADIUS_PX**2) / AREA_PER_FINDING


# --------------------------------------------------------------------------- precision

CITY_DECIMALS = 2  # 0.01 degree: about 1.1 km of latitude
MIN_ZOOM = 2.5
MAX_ZOOM = 6.0  # at zoom 6 a pixel is about 0.011 degrees of longitude (512 px tiles): the data's precision


def city_level(value: Any) -> float | None:
    """A coordinate rounded to city level; None when missing."""
    if is_missing(value):
        return None
    return round(float(value), CITY_DECIMALS)


def has_position(latitude: Any, longitude: Any) -> bool:
    return not (is_missing(latitude) or is_missing(longitude))


# --------------------------------------------------------------------------- the view

TILE_SIZE = 512  # deck.gl's MapView: zoom 0 shows the world 512 px wide
MAX_MERCATOR_LAT = 85.051129


@dataclass(frozen=True)
class View:
    latitude: float
    longitude: float
    zoom: float


Bounds = tuple[float, float, float, float]  # west, south, east, north


def union_bounds(boxes: Iterable[Bounds | None]) -> Bounds | None:
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    return (min(b[0] for b in known), min(b[1] for b in known), max(b[2] for b in known), max(b[3] for b in known))


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, MAX_MERCATOR_LAT), -MAX_MERCATOR_LAT)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_view(
    bounds: Bounds,
    width: float,
    height: float,
    *,
    padding: float = 24,
    min_zoom: float = MIN_ZOOM,
    max_zoom: float = MAX_ZOOM,
) -> View:
    """The centre and zoom that show ``bounds`` whole in a ``width`` x
    ``height`` pixel map (Web Mercator), with ``padding`` pixels around."""
    west, south, east, north = bounds
    if east < west or north < south:
        raise ValueError(f"empty bounds: {bounds!r}")
    usable_w, usable_h = max(width - 2 * padding, 1), max(height - 2 * padding, 1)
    span_x = math.radians(east - west)  # Mercator x in radians
    y_south, y_north = _mercator_y(south), _mercator_y(north)
    span_y = y_north - y_south
    # world width in pixels at zoom z: TILE_SIZE * 2**z, i.e. 2*pi radians
    zooms = []
    if span_x > 0:
        zooms.append(math.log2(usable_w * 2 * math.pi / (TILE_SIZE * span_x)))
    if span_y > 0:
        zooms.append(math.log2(usable_h * 2 * math.pi / (TILE_SIZE * span_y)))
    zoom = min(zooms) if zooms else max_zoom
    zoom = max(min(zoom, max_zoom), min_zoom)
    return View(
        latitude=round(_latitude((y_south + y_north) / 2), 4),
        longitude=round((west + east) / 2, 4),
        zoom=round(zoom, 2),
    )
