"""Rules of the Map page (no database, no Streamlit): colour classes,
marker sizes, city-level precision and fitting the view."""

from __future__ import annotations

import math

import pytest

from data_access.rules import maps as rules


@pytest.mark.parametrize(
    "worst, findings, expected",
    [
        ("critical", 5, "critical"),
        ("high", 1, "high"),
        ("medium", 2, "medium"),
        ("low", 9, "low"),
        (None, 4, rules.NONE_OPEN),
        (float("nan"), 4, rules.NONE_OPEN),
        (None, 0, rules.NOT_AUDITED),
        (float("nan"), 0, rules.NOT_AUDITED),
    ],
)
def test_severity_class(worst, findings, expected):
    assert rules.severity_class(worst, findings) == expected


@pytest.mark.parametrize(
    "share, findings, expected",
    [
        (0.0, 3, rules.UNDER_HALF),
        (0.49, 100, rules.UNDER_HALF),
        (0.5, 2, rules.HALF_TO_80),
        (0.79, 100, rules.HALF_TO_80),
        (0.8, 5, rules.OVER_80),
        (0.999, 1000, rules.OVER_80),
        (1.0, 7, rules.ALL_REMEDIATED),
        (None, 0, rules.NO_FINDINGS),
        (float("nan"), 0, rules.NO_FINDINGS),
        (0.0, 0, rules.NO_FINDINGS),
    ],
)
def test_remediation_class_bands(share, findings, expected):
    assert rules.remediation_class(share, findings) == expected


def test_colour_class_switches_on_the_mode_and_rejects_an_unknown_one():
    row = dict(worst_open_severity="high", remediated_share=0.9, findings=10)
    assert rules.colour_class(rules.BY_SEVERITY, **row) == "high"
    assert rules.colour_class(rules.BY_REMEDIATION, **row) == rules.OVER_80
    with pytest.raises(ValueError):
        rules.colour_class("rainbow", **row)
    assert rules.classes(rules.BY_SEVERITY)[0] == "critical"
    assert rules.classes(rules.BY_REMEDIATION)[-1] == rules.NO_FINDINGS


def test_marker_area_grows_by_the_same_amount_per_open_finding_up_to_a_cap():
    assert rules.marker_radius(0) == rules.MIN_RADIUS_PX == rules.marker_radius(None)
    assert rules.marker_radius(-3) == rules.MIN_RADIUS_PX
    assert rules.marker_radius(1) == pytest.approx(9.0)
    areas = [math.pi * rules.marker_radius(n) ** 2 for n in range(0, 12)]
    steps = {round(b - a, 6) for a, b in zip(areas, areas[1:], strict=False)}
    assert len(steps) == 1  # linear in the count
    assert rules.marker_radius(1000) == rules.MAX_RADIUS_PX
    cap = rules.size_cap()
    assert rules.marker_radius(math.floor(cap)) < rules.MAX_RADIUS_PX <= rules.marker_radius(math.ceil(cap))
    assert all(n < cap for n in rules.SIZE_LEGEND)


def test_coordinates_are_rounded_to_city_level():
    assert rules.city_level(38.559876) == 38.56
    assert rules.city_level("68.7912") == 68.79
    assert rules.city_level(None) is None and rules.city_level(float("nan")) is None
    assert rules.has_position(38.5, 68.8) and not rules.has_position(None, 68.8)
    assert not rules.has_position(38.5, float("nan"))
    # at the deepest zoom a pixel is about the data's precision, never finer
    degrees_per_pixel = 360 / (rules.TILE_SIZE * 2**rules.MAX_ZOOM)
    assert degrees_per_pixel >= 10**-rules.CITY_DECIMALS


def _project(lon, lat, view, width, height):
    """Pixel position of a point in a width x height Web Mercator view."""
    scale = rules.TILE_SIZE * 2**view.zoom / (2 * math.pi)
    x = width / 2 + scale * math.radians(lon - view.longitude)
    y = height / 2 - scale * (rules._mercator_y(lat) - rules._mercator_y(view.latitude))
    return x, y


@pytest.mark.parametrize(
    "bounds",
    [
        (69.23, 39.21, 80.25, 43.24),  # Kyrgyzstan: wide
        (38.77, 29.06, 48.55, 37.37),  # Iraq
        (38.77, 29.06, 87.32, 55.39),  # all four countries
        (67.35, 36.68, 75.12, 41.04),  # Tajikistan
    ],
)
def test_the_view_shows_the_bounds_whole_and_fills_one_dimension(bounds):
    width, height, padding = 660, 450, 24
    view = rules.fit_view(bounds, width, height, padding=padding)
    w, s, e, n = bounds
    x0, y0 = _project(w, n, view, width, height)
    x1, y1 = _project(e, s, view, width, height)
    tol = 1.5  # rounding of centre and zoom
    assert x0 >= padding - tol and y0 >= padding - tol
    assert x1 <= width - padding + tol and y1 <= height - padding + tol
    # tight: the box touches the padding on at least one axis
    assert min(x0 - padding, width - padding - x1) < tol or min(y0 - padding, height - padding - y1) < tol
    assert rules.MIN_ZOOM <= view.zoom <= rules.MAX_ZOOM


def test_the_view_never_zooms_beyond_city_level_or_out_beyond_the_minimum():
    one_city = rules.fit_view((68.79, 38.56, 68.79, 38.56), 660, 450)
    assert one_city.zoom == rules.MAX_ZOOM and (one_city.latitude, one_city.longitude) == (38.56, 68.79)
    world = rules.fit_view((-180, -80, 180, 80), 660, 450)
    assert world.zoom == rules.MIN_ZOOM
    with pytest.raises(ValueError):
        rules.fit_view((10, 10, 5, 20), 660, 450)


def test_union_of_bounds():
    assert rules.union_bounds([(1, 2, 3, 4), None, (0, 3, 2, 5)]) == (0, 2, 3, 5)
    assert rules.union_bounds([None]) is None and rules.union_bounds([]) is None


# --------------------------------------------------------------------------- the borders converter


def test_topojson_is_decoded_stitched_and_clipped():
    from components.geo import make_borders as mb

    # two unit squares sharing the arc x=1 (quantised: scale 1, translate 0; delta-encoded)
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [
            [[1, 0], [0, 1]],  # 0: shared edge (1,0)->(1,1)
            [[1, 1], [-1, 0], [0, -1], [1, 0]],  # 1: left square's other edges (1,1)->(0,1)->(0,0)->(1,0)
            [[1, 0], [1, 0], [0, 1], [-1, 0]],  # 2: right square's other edges (1,0)->(2,0)->(2,1)->(1,1)
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "417", "properties": {"name": "Left"}, "arcs": [[0, 1]]},
                    {"type": "Polygon", "id": "762", "properties": {"name": "Right"}, "arcs": [[2, -1]]},
                    {"type": "Polygon", "id": "999", "properties": {"name": "Far away"}, "arcs": [[2, -1]]},
                ],
            }
        },
    }
    arcs = mb.decode_arcs(topology)
    assert arcs[1] == [(1, 1), (0, 1), (0, 0), (1, 0)]
    assert mb.ring([0, 1], arcs) == [(1, 0), (1, 1), (0, 1), (0, 0), (1, 0)]
    assert mb.ring([2, -1], arcs) == [(1, 0), (2, 0), (2, 1), (1, 1), (1, 0)]
    # clipped to x <= 1.5: the right square is cut in half
    features = mb.build(topology, region=(-1, -1, 1.5, 2), tolerance=0)
    by_name = {f["properties"]["name"]: f for f in features}
    assert by_name["Left"]["properties"]["iso_a3"] == "KGZ" and by_name["Right"]["properties"]["iso_a3"] == "TJK"
    assert by_name["Right"]["bbox"] == [1, 0, 1.5, 1]
    assert by_name["Left"]["properties"]["label"] == [0.5, 0.5]
    assert by_name["Far away"]["properties"]["iso_a3"] is None
    # outside the region: dropped
    assert mb.build(topology, region=(5, 5, 6, 6), tolerance=0) == []


def test_simplification_keeps_the_ends_and_the_shape():
    from components.geo import make_borders as mb

    line = [(0, 0), (1, 0.001), (2, 0), (3, 1), (4, 0)]
    assert mb.simplify(line, 0.01) == [(0, 0), (2, 0), (3, 1), (4, 0)]
    assert mb.simplify(line, 0) == line
    assert mb.rounded([(1.23456, 2.0), (1.23449, 2.0001), (3, 4)]) == [[1.235, 2.0], [1.234, 2.0], [3, 4]]
