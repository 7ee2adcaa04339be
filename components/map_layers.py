"""The facilities map, drawn without any internet: pydeck layers over country
borders shipped with the app, and the same map as a static Altair chart for
export.

No tile server, no token: the deck has ``map_provider=None`` and keeps
pydeck's default ``map_style`` placeholder (``"__MAP_STYLE__"``), which
Streamlit's front end reads as "no basemap". (Passing ``map_style=None``
instead makes the front end fall back to a Carto basemap fetched from the
internet; :func:`deck` refuses any spec with a map style.) The geography is
``components/geo/borders.geojson`` (Natural Earth, public domain; see
``components/geo/README.md``): the selected programme countries are
highlighted, the other programme countries lighter, their neighbours faint,
on a pale sea.

Facility positions are rounded to city level before they leave the server
(:func:`data_access.rules.maps.city_level`) and the map cannot be zoomed
beyond :data:`data_access.rules.maps.MAX_ZOOM`.
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Iterable
from pathlib import Path

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from data_access.rules import maps as rules
from data_access.rules.reference import COUNTRY_BY_CODE, FINDING_SEVERITIES
from data_access.rules.text import plain

from . import formatting as fmt
from . import theme
from .charts import titled
from .data import records
from .i18n import label, t

BORDERS_FILE = Path(__file__).resolve().parent / "geo" / "borders.geojson"

# Layer ids: stable, so that a selection on the map survives reruns.
SEA, BORDERS, LABELS, PILOT_RINGS, FACILITIES = "sea", "borders", "country-labels", "pilot-rings", "facilities"

# Country tiers: selected programme country, other programme country, neighbour.
SELECTED, PROGRAMME, NEIGHBOUR = "selected", "programme", "neighbour"
TIER_FILL = {SELECTED: "#D5DEE8", PROGRAMME: "#E6EAEF", NEIGHBOUR: "#F3F3F1"}
TIER_LINE = {SELECTED: "#5F6B76", PROGRAMME: "#9AA5B1", NEIGHBOUR: "#C9CCD1"}
TIER_LINE_PX = {SELECTED: 1.4, PROGRAMME: 1.0, NEIGHBOUR: 0.6}
SEA_FILL = "#EEF4F8"
LABEL_COLOUR = "#52606D"
MARKER_LINE = "#1F2933"
PILOT_RING = "#1F2933"
PILOT_RING_GAP_PX = 4.0
PILOT_RING_PX = 2.5

# Colour of each class (severity and remediation share), from the theme.
CLASS_COLOURS: dict[str, str] = {
    **{s: theme.colour("severity", s) for s in FINDING_SEVERITIES},
    rules.NONE_OPEN: theme.GREEN,
    rules.NOT_AUDITED: theme.LIGHT_GREY,
    rules.UNDER_HALF: theme.VERMILLION,
    rules.HALF_TO_80: theme.ORANGE,
    rules.OVER_80: theme.SKY_BLUE,
    rules.ALL_REMEDIATED: theme.GREEN,
    rules.NO_FINDINGS: theme.LIGHT_GREY,
}

MAP_HEIGHT = 450  # px: with the header, fits a 1280x720 screen
MAP_WIDTH_GUESS = 660  # px: the map column at 1280x720 with the sidebar open (used to fit the view)


def rgb(hex_colour: str, alpha: int = 255) -> list[int]:
    """A colour as pydeck takes it: ``[r, g, b, alpha]``."""
    return [*theme.rgb(hex_colour), alpha]


# While a facility is selected, Streamlit's front end draws every object that
# is not selected, in every layer, at an alpha of at most 102 (of 255). The
# sea and the countries are therefore drawn at that alpha from the start, in
# colours pre-mixed to look exactly like TIER_FILL / SEA_FILL on the white
# page: selecting a facility then fades the other facilities, not the map.
BASE_ALPHA = 102


def premixed(target_hex: str, below: str, alpha: int = BASE_ALPHA) -> list[int]:
    """The colour that, drawn at ``alpha`` over ``below``, shows as ``target_hex``."""
    return [*theme.untint(target_hex, alpha / 255, below), alpha]


def sea_rgba() -> list[int]:
    return premixed(SEA_FILL, theme.WHITE)


def land_rgba(tier: str) -> list[int]:
    return premixed(TIER_FILL[tier], SEA_FILL)


def class_label(value: str) -> str:
    if value in FINDING_SEVERITIES:
        return label("severity", value)
    return t(f"map.class.{value}")


# --------------------------------------------------------------------------- geography


@functools.lru_cache(maxsize=1)
def borders() -> dict:
    """The borders FeatureCollection (read once per process)."""
    return json.loads(BORDERS_FILE.read_text(encoding="utf-8"))


def region() -> rules.Bounds:
    """The region the borders file covers: west, south, east, north."""
    w, s, e, n = borders()["source"]["region"]
    return float(w), float(s), float(e), float(n)


def country_bounds(codes: Iterable[str]) -> rules.Bounds | None:
    """Bounding box of the countries' borders (the reference bounding box for
    a country the borders file lacks)."""
    boxes = []
    by_code = {f["properties"]["iso_a3"]: f for f in borders()["features"] if f["properties"]["iso_a3"]}
    for code in codes:
        feature = by_code.get(code)
        if feature is not None:
            boxes.append(tuple(feature["bbox"]))
        elif code in COUNTRY_BY_CODE:
            c = COUNTRY_BY_CODE[code]
            boxes.append((c.lon_min, c.lat_min, c.lon_max, c.lat_max))
    return rules.union_bounds(boxes)


def fit(
    selected: Iterable[str], markers: pd.DataFrame, *, width: float = MAP_WIDTH_GUESS, height: float = MAP_HEIGHT
) -> rules.View:
    """The view showing the selected countries and every facility drawn."""
    boxes = [country_bounds(selected)]
    if not markers.empty:
        boxes.append(_marker_bounds(markers))
    bounds = rules.union_bounds(boxes) or region()
    return rules.fit_view(bounds, width, height)


def _marker_bounds(marks: pd.DataFrame) -> rules.Bounds:
    return (float(marks["lon"].min()), float(marks["lat"].min()), float(marks["lon"].max()), float(marks["lat"].max()))


def _tier(code: str | None, selected: set[str], programme: set[str]) -> str:
    if code in selected:
        return SELECTED
    return PROGRAMME if code in programme else NEIGHBOUR


def styled_borders(
    selected: Iterable[str], programme: Iterable[str], features: Iterable[dict] | None = None
) -> list[dict]:
    """The border features with their tier and colours in their properties,
    highlighted countries last (drawn on top)."""
    selected, programme = set(selected), set(programme)
    out = []
    for f in borders()["features"] if features is None else features:
        code = f["properties"]["iso_a3"]
        tier = _tier(code, selected, programme)
        props = {
            "iso_a3": code,
            "name": f["properties"]["name"],
            "tier": tier,
            "fill": TIER_FILL[tier],
            "line": TIER_LINE[tier],
            "fill_rgb": land_rgba(tier),
            "line_rgb": rgb(TIER_LINE[tier]),
            "line_px": TIER_LINE_PX[tier],
        }
        out.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    order = {NEIGHBOUR: 0, PROGRAMME: 1, SELECTED: 2}
    return sorted(out, key=lambda f: order[f["properties"]["tier"]])


def _expand(bounds: rules.Bounds, share: float = 0.5, at_least: float = 5.0) -> rules.Bounds:
    w, s, e, n = bounds
    dx, dy = max((e - w) * share, at_least), max((n - s) * share, at_least)
    rw, rs, re_, rn = region()
    return (max(w - dx, rw), max(s - dy, rs), min(e + dx, re_), min(n + dy, rn))


@functools.lru_cache(maxsize=64)
def _light_features(box: rules.Bounds, tolerance: float) -> str:
    """The borders clipped to ``box`` and simplified for a static chart of
    that extent (a JSON string, so that the cached value cannot be changed)."""
    from .geo.make_borders import clip, rounded, simplify

    out = []
    w, s, e, n = box
    for f in borders()["features"]:
        fw, fs, fe, fn = f["bbox"]
        if fe < w or fw > e or fn < s or fs > n:
            continue
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        kept = []
        for poly in polys:
            rings = [rounded(simplify(clip([tuple(p) for p in r], box), tolerance), 2) for r in poly]
            if len(rings[0]) >= 4:  # else the outer ring lies outside the box
                kept.append([r for r in rings if len(r) >= 4])
        if kept:
            out.append(
                {
                    "type": "Feature",
                    "properties": f["properties"],
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    return json.dumps(out, separators=(",", ":"))


def light_borders(bounds: rules.Bounds, width_px: float) -> tuple[rules.Bounds, list[dict]]:
    """The box drawn around ``bounds`` and the borders inside it, simplified
    to a quarter of a pixel of a ``width_px`` wide chart."""
    w, s, e, n = (round(v, 1) for v in _expand(bounds))
    box = (w, s, e, n)
    tolerance = round(max((box[2] - box[0]) / width_px / 4, 0.005), 3)
    return box, json.loads(_light_features(box, tolerance))


def country_labels(codes: Iterable[str], names: dict[str, str]) -> pd.DataFrame:
    by_code = {f["properties"]["iso_a3"]: f for f in borders()["features"] if f["properties"]["iso_a3"]}
    rows = [
        {
            "text": names.get(c, c),
            "lon": by_code[c]["properties"]["label"][0],
            "lat": by_code[c]["properties"]["label"][1],
        }
        for c in codes
        if c in by_code
    ]
    return pd.DataFrame(rows, columns=["text", "lon", "lat"])


# --------------------------------------------------------------------------- facilities

MARKER_COLUMNS = [
    "facility_id",
    "name",
    "country",
    "lon",
    "lat",
    "pilot",
    "open",
    "overdue",
    "findings",
    "colour_class",
    "class_label",
    "colour",
    "radius",
    "ring_radius",
    "tip_place",
    "tip_pilot",
    "tip_findings",
    "tip_state",
    "tip_audit",
]


@st.cache_data(ttl=120, max_entries=64, show_spinner=False)
def markers(facilities: pd.DataFrame, mode: str, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per facility with a position: what the map draws and its
    tooltip says, coordinates at city level, largest circles first (so that
    a smaller one in the same city stays visible on top). Cached on its
    arguments: thousands of tooltips take a while to write."""
    names = names or {}
    rows = []
    for r in records(facilities):
        if not rules.has_position(r.latitude, r.longitude):
            continue
        cls = rules.colour_class(
            mode, worst_open_severity=r.worst_open_severity, remediated_share=r.remediated_share, findings=r.findings
        )
        radius = rules.marker_radius(r.open)
        # The tooltip's values are untrusted: one plain line each (Streamlit HTML-escapes them in the tooltip).
        place = ", ".join(plain(p) for p in (r.city, names.get(r.country, r.country)) if p and not pd.isna(p))
        rows.append(
            {
                "facility_id": r.facility_id,
                "name": plain(r.name),
                "country": r.country,
                "lon": rules.city_level(r.longitude),
                "lat": rules.city_level(r.latitude),
                "pilot": bool(r.pilot),
                "open": int(r.open),
                "overdue": int(r.overdue),
                "findings": int(r.findings),
                "colour_class": cls,
                "class_label": class_label(cls),
                "colour": tuple(rgb(CLASS_COLOURS[cls])),
                "radius": radius,
                "ring_radius": radius + PILOT_RING_GAP_PX,
                "tip_place": t("map.tip.place", type=facility_type(r.type), place=place or t("fmt.missing")),
                "tip_pilot": t("map.tip.pilot") if r.pilot else t("map.tip.not_pilot"),
                "tip_findings": t("map.tip.findings", open=fmt.number(r.open), overdue=fmt.number(r.overdue)),
                "tip_state": state_text(r.worst_open_severity, r.remediated_share, r.remediated, r.findings),
                "tip_audit": t("map.tip.audit", date=fmt.date(r.last_audit) if r.last_audit else t("map.tip.never")),
            }
        )
    df = pd.DataFrame(rows, columns=MARKER_COLUMNS)
    return df.sort_values(["radius", "pilot", "name"], ascending=[False, True, True], kind="stable", ignore_index=True)


def state_text(worst_open_severity, share, remediated, findings) -> str:
    """One line: the worst open severity and the share remediated."""
    if not findings:
        return t("map.tip.no_findings")
    severity = rules.severity_class(worst_open_severity, findings)
    return t(
        "map.tip.state",
        severity=class_label(severity),
        share=fmt.percent(share),
        n=fmt.number(remediated),
        total=fmt.number(findings),
    )


def facility_type(value: str | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return t("map.type.unknown")
    key = f"map.type.{value}"
    return t(key) if t(key) != key else str(value)


TOOLTIP_HTML = (
    "<div style='max-width:280px'><b>{name}</b><br/>{tip_place}<br/>{tip_pilot}<br/>{tip_findings}"
    "<br/>{tip_state}<br/>{tip_audit}</div>"
)
TOOLTIP_STYLE = {
    "backgroundColor": "white",
    "color": theme.TEXT,
    "fontSize": "13px",
    "lineHeight": "1.35",
    "border": "1px solid #C8CDD2",
    "borderRadius": "4px",
    "padding": "6px 8px",
    "fontFamily": theme.FONT,
}


@st.cache_resource(ttl=120, max_entries=32, show_spinner=False)
def deck(
    marks: pd.DataFrame, *, selected: Iterable[str], programme: Iterable[str], names: dict[str, str], view: rules.View
) -> pdk.Deck:
    """The interactive map: sea, borders, country names, pilot rings and
    facilities; no basemap. One deck object per set of arguments, shared
    (never changed once built): its JSON, thousands of facilities and the
    borders, is written once."""
    selected, programme = list(selected), list(programme)
    west, south, east, north = region()
    sea = pdk.Layer(
        "SolidPolygonLayer",
        id=SEA,
        data=[{"polygon": [[west, south], [east, south], [east, north], [west, north]]}],
        get_polygon="polygon",
        get_fill_color=sea_rgba(),
        pickable=False,
    )
    border_layer = pdk.Layer(
        "GeoJsonLayer",
        id=BORDERS,
        data={"type": "FeatureCollection", "features": styled_borders(selected, programme)},
        stroked=True,
        filled=True,
        get_fill_color="properties.fill_rgb",
        get_line_color="properties.line_rgb",
        get_line_width="properties.line_px",
        line_width_units="'pixels'",
        pickable=False,
    )
    labels = pdk.Layer(
        "TextLayer",
        id=LABELS,
        data=country_labels(programme, names),
        get_position=["lon", "lat"],
        get_text="text",
        get_size=15,
        size_units="'pixels'",
        get_color=rgb(LABEL_COLOUR, 200),
        font_family=f"'{theme.FONT}'",
        font_weight=600,
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        pickable=False,
        character_set="'auto'",
    )
    data = marks.to_dict(orient="records")
    rings = pdk.Layer(
        "ScatterplotLayer",
        id=PILOT_RINGS,
        data=[m for m in data if m["pilot"]],
        get_position=["lon", "lat"],
        get_radius="ring_radius",
        radius_units="'pixels'",
        stroked=True,
        filled=False,
        get_line_color=rgb(PILOT_RING),
        get_line_width=PILOT_RING_PX,
        line_width_units="'pixels'",
        pickable=False,
    )
    points = pdk.Layer(
        "ScatterplotLayer",
        id=FACILITIES,
        data=data,
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_units="'pixels'",
        get_fill_color="colour",
        stroked=True,
        get_line_color=rgb(MARKER_LINE, 220),
        get_line_width=1,
        line_width_units="'pixels'",
        pickable=True,
        auto_highlight=True,
        highlight_color=[255, 255, 255, 90],
    )
    d = CompactDeck(
        layers=[sea, border_layer, labels, rings, points],
        initial_view_state=pdk.ViewState(
            latitude=view.latitude,
            longitude=view.longitude,
            zoom=view.zoom,
            min_zoom=rules.MIN_ZOOM,
            max_zoom=rules.MAX_ZOOM,
            pitch=0,
            bearing=0,
        ),
        views=[pdk.View(type="MapView", controller={"dragRotate": False, "touchRotate": False})],
        map_provider=None,  # no basemap, no tiles, no token; keep map_style at its default placeholder
        tooltip={"html": TOOLTIP_HTML, "style": TOOLTIP_STYLE},
    )
    check_offline(d)
    return d


class CompactDeck(pdk.Deck):
    """A deck serialised without indentation: pydeck indents its JSON, which
    more than quintuples what the borders weigh on the way to the browser."""

    def to_json(self) -> str:
        memo = self.__dict__.get("_json_memo")  # unset while serialising: None attributes are left out
        if memo is None:
            memo = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
            self._json_memo = memo
        return memo


def check_offline(d: pdk.Deck) -> None:
    """Refuse a deck that would make the browser fetch a basemap or any URL."""
    spec = json.loads(d.to_json())
    style = spec.get("mapStyle")
    if style not in (None, "__MAP_STYLE__") or spec.get("mapProvider"):
        raise ValueError(f"the map must not use a basemap: mapStyle={style!r}")
    if "mapStyle" not in spec:
        # Without the placeholder Streamlit's front end falls back to a Carto basemap.
        raise ValueError("the deck must keep pydeck's map_style placeholder")
    for layer in spec.get("layers", []):
        if isinstance(layer.get("data"), str):
            raise ValueError(f"layer {layer.get('id')} loads its data from a URL")


# --------------------------------------------------------------------------- legend


def _dot(colour: str, size: int = 12, ring: bool = False) -> str:
    border = f"{PILOT_RING_PX:.0f}px solid {PILOT_RING}" if ring else f"1px solid {MARKER_LINE}"
    fill = "transparent" if ring else colour
    return (
        f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:50%;"
        f"background:{fill};border:{border};vertical-align:middle;margin-right:6px'></span>"
    )


def legend_html(mode: str, counts: dict[str, int]) -> str:
    """The map's legend (pydeck draws none): colour classes with how many
    facilities each, circle sizes, the pilot ring."""
    title = t(f"map.legend.{mode}")
    items = "".join(
        f"<div style='margin:2px 0'>{_dot(CLASS_COLOURS[c])}{html.escape(class_label(c))}"
        f"<span style='color:{theme.MUTED}'> · {fmt.number(counts.get(c, 0))}</span></div>"
        for c in rules.classes(mode)
    )
    sizes = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:10px'>"
        f"{_dot('#FFFFFF', int(2 * rules.marker_radius(n)))}{n}</span>"
        for n in rules.SIZE_LEGEND
    )
    return (
        f"<div style='font-family:{theme.FONT};font-size:0.85rem;color:{theme.TEXT};line-height:1.3'>"
        f"<div style='font-weight:600;margin-bottom:4px'>{html.escape(title)}</div>{items}"
        f"<div style='font-weight:600;margin:8px 0 2px'>{html.escape(t('map.legend.size'))}</div>"
        f"<div style='display:flex;align-items:center;flex-wrap:wrap'>{sizes}</div>"
        f"<div style='margin-top:6px'>{_dot('#FFFFFF', 16, ring=True)}{html.escape(t('map.legend.pilot'))}</div>"
        f"</div>"
    )


# --------------------------------------------------------------------------- the static map (export)

STATIC_HEIGHT = 460
STATIC_WIDTH = 720  # the export width (charts.EXPORT_WIDTH); on screen the chart fills its container


def static_chart(
    marks: pd.DataFrame,
    *,
    selected: Iterable[str],
    programme: Iterable[str],
    names: dict[str, str],
    mode: str,
    title: str,
    subtitle: str,
) -> alt.LayerChart:
    """The same map as an Altair chart (``mark_geoshape`` over the same
    borders, Mercator), for PNG/SVG export through ``charts.show``."""
    selected, programme = list(selected), list(programme)
    bounds = country_bounds(selected) or region()
    if not marks.empty:
        bounds = rules.union_bounds([bounds, _marker_bounds(marks)]) or bounds
    w, s, e, n = (float(v) for v in bounds)
    # d3 fits the projection to this feature's bounds (a MultiPoint has no winding to get wrong).
    fit_to = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "MultiPoint", "coordinates": [[w, s], [e, s], [e, n], [w, n]]},
    }
    box, features = light_borders((w, s, e, n), STATIC_WIDTH)
    bw, bs, be, bn = box
    sea_feature = {
        "type": "Feature",
        "properties": {"fill": SEA_FILL},
        "geometry": {"type": "Polygon", "coordinates": [[[bw, bs], [bw, bn], [be, bn], [be, bs], [bw, bs]]]},
    }
    sea = (
        alt.Chart(alt.Data(values=[sea_feature]))
        .mark_geoshape(stroke=None, clip=True)
        .encode(color=alt.Color("properties.fill:N", scale=None))
    )
    shapes = (
        alt.Chart(alt.Data(values=styled_borders(selected, programme, features)))
        .mark_geoshape(clip=True)
        .encode(
            color=alt.Color("properties.fill:N", scale=None),
            stroke=alt.Stroke("properties.line:N", scale=None),
            strokeWidth=alt.StrokeWidth("properties.line_px:Q", scale=None),
        )
    )
    labels_df = country_labels(programme, names)
    labels = (
        alt.Chart(labels_df)
        .mark_text(fontSize=14, fontWeight=600, color=LABEL_COLOUR, opacity=0.85, clip=True)
        .encode(longitude="lon:Q", latitude="lat:Q", text="text:N")
    )
    order = [c for c in rules.classes(mode)]
    present = [c for c in order if c in set(marks["colour_class"])] or order
    data = marks[["name", "lon", "lat", "pilot", "open", "overdue", "class_label", "colour_class"]].copy()
    data["pilot_text"] = [t("map.tip.pilot") if p else t("map.tip.not_pilot") for p in data["pilot"]]
    data["ring_area"] = [math.pi * (r + PILOT_RING_GAP_PX) ** 2 for r in marks["radius"]]
    legend_title = t(f"map.legend.{mode}")
    # The same sizes as the interactive map: area linear in the open count, capped.
    size_scale = alt.Scale(
        domain=[0, rules.size_cap()],
        range=[math.pi * rules.MIN_RADIUS_PX**2, math.pi * rules.MAX_RADIUS_PX**2],
        clamp=True,
    )
    rings = (
        alt.Chart(data[data["pilot"]])
        .mark_point(shape="circle", filled=False, color=PILOT_RING, strokeWidth=PILOT_RING_PX, opacity=1, clip=True)
        .encode(longitude="lon:Q", latitude="lat:Q", size=alt.Size("ring_area:Q", scale=None))
    )
    points = (
        alt.Chart(data)
        .mark_circle(opacity=1, stroke=MARKER_LINE, strokeWidth=1, clip=True)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            color=alt.Color(
                "class_label:N",
                title=legend_title,
                legend=alt.Legend(symbolType="circle", symbolStrokeColor=MARKER_LINE, symbolStrokeWidth=1),
                scale=alt.Scale(domain=[class_label(c) for c in present], range=[CLASS_COLOURS[c] for c in present]),
            ),
            size=alt.Size(
                "open:Q",
                title=t("map.legend.size"),
                scale=size_scale,
                legend=alt.Legend(
                    values=list(rules.SIZE_LEGEND),
                    symbolType="circle",
                    symbolFillColor="#FFFFFF",
                    symbolStrokeColor=MARKER_LINE,
                    symbolStrokeWidth=1,
                    symbolOpacity=1,
                ),
            ),
            order=alt.Order("open:Q", sort="descending"),
            tooltip=[
                alt.Tooltip("name:N", title=t("map.col.facility")),
                alt.Tooltip("pilot_text:N", title=t("map.col.pilot")),
                alt.Tooltip("open:Q", title=t("map.col.open")),
                alt.Tooltip("overdue:Q", title=t("map.col.overdue")),
                alt.Tooltip("class_label:N", title=legend_title),
            ],
        )
    )
    chart = (
        alt.layer(sea, shapes, labels, rings, points)
        .project(type="mercator", fit=fit_to)
        .resolve_scale(color="independent", size="independent", stroke="independent", strokeWidth="independent")
        .properties(width="container", height=STATIC_HEIGHT)
    )
    return titled(chart, title, subtitle)
