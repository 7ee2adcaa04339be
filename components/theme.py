"""The dashboard's visual language, defined once.

Colours follow the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; statuses are always shown with their name
too, never by colour alone. ``.streamlit/config.toml`` maps Streamlit's
named colours (``red``, ``orange``, ...) onto the same palette, so badges,
metric deltas and charts agree.

``apply()`` is called once per run by ``app.py``: it registers the Altair
chart theme and adds the few style rules that keep the Overview readable on
a 1280x720 projector.
"""

from __future__ import annotations

import functools
from collections.abc import Collection

import altair as alt
import streamlit as st

from data_access.rules import reference as ref
from data_access.rules import status as rules

from .i18n import label

# Okabe-Ito, plus a neutral grey.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"

# Categorical palette for series without a meaning of their own (e.g. countries).
PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, SKY_BLUE, VERMILLION, PURPLE, YELLOW, GREY)

TEXT = "#1F2933"
MISSING_BACKGROUND = "#FBE3D3"  # a missing return in a grid
MISSING_TEXT = "#8A3B00"
MUTED = "#5F6B76"
FONT = "Source Sans Pro, Source Sans, Liberation Sans, Arial, sans-serif"

WHITE = "#FFFFFF"

# The Streamlit named colour (badges) that ``.streamlit/config.toml`` maps onto each palette colour.
NAMED: dict[str, str] = {
    GREEN: "green",
    ORANGE: "orange",
    VERMILLION: "red",
    BLUE: "blue",
    SKY_BLUE: "blue",
    YELLOW: "yellow",
    GREY: "gray",
    LIGHT_GREY: "gray",
}

# status kind -> value -> colour
COLOURS: dict[str, dict[str, str]] = {
    "priority_status": {  # RAG
        "on track": GREEN,
        "at risk": ORANGE,
        "off track": VERMILLION,
        "completed": BLUE,
        "not started": GREY,
    },
    "severity": {"critical": VERMILLION, "high": ORANGE, "medium": YELLOW, "low": SKY_BLUE},
    "finding_status": {  # remediation status
        "open": VERMILLION,
        "in progress": ORANGE,
        "remediated": SKY_BLUE,
        "verified": GREEN,
        "risk accepted": GREY,
    },
    "milestone_status": {"planned": SKY_BLUE, "done": GREEN, "late": VERMILLION, "dropped": LIGHT_GREY},
    "return_status": {"received": GREEN, "missing": VERMILLION},
}

# Display order of each kind's values.
ORDER: dict[str, tuple[str, ...]] = {
    "priority_status": rules.PRIORITY_DISPLAY_ORDER,
    "severity": rules.SEVERITY_ORDER,
    "finding_status": rules.FINDING_STATUS_ORDER,
    "milestone_status": ref.MILESTONE_STATUSES,
    "return_status": ("received", "missing"),
}


def colour(kind: str, value: str) -> str:
    """The hex colour of a status value (grey for an unknown one)."""
    return COLOURS.get(kind, {}).get(value, GREY)


def named_colour(kind: str, value: str) -> str:
    """The Streamlit named colour of a status value, for badges."""
    return NAMED[colour(kind, value)]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#D55E00"`` -> ``(213, 94, 0)``."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def tint(hex_colour: str, strength: float, below: str = WHITE) -> str:
    """The colour laid at ``strength`` (0 to 1) over ``below`` (the page's
    white): a light version of a theme colour for table cells, on which dark
    text stays readable. ``tint(RED, 0.3)`` is what ``RED`` at 30 % opacity
    shows on white, as an opaque hex colour."""
    top, under = rgb(hex_colour), rgb(below)
    return "#" + "".join(f"{round(b + (c - b) * strength):02X}" for c, b in zip(top, under, strict=True))


def untint(hex_colour: str, strength: float, below: str = WHITE) -> tuple[int, int, int]:
    """The inverse of :func:`tint`: the colour that, laid at ``strength`` over
    ``below``, shows as ``hex_colour``. Raises ValueError when no colour
    can (the target is too far from ``below`` for that strength)."""
    target, under = rgb(hex_colour), rgb(below)
    r, g, b = (round((c - (1 - strength) * u) / strength) for c, u in zip(target, under, strict=True))
    if not all(0 <= v <= 255 for v in (r, g, b)):
        raise ValueError(f"{hex_colour} cannot be shown at strength {strength} over {below}")
    return r, g, b


def badge(kind: str, value: str, text: str | None = None) -> str:
    """Markdown for a coloured badge carrying the value's (translated) name."""
    body = (text if text is not None else label(kind, value)).replace("[", "(").replace("]", ")")
    return f":{named_colour(kind, value)}-badge[{body}]"


def scale(kind: str, values: Collection[str] | None = None) -> alt.Scale:
    """An Altair colour scale mapping a kind's (translated) values to its colours,
    in display order; pass the values present to restrict the legend."""
    order = [v for v in ORDER[kind] if values is None or v in values]
    return alt.Scale(domain=[label(kind, v) for v in order], range=[colour(kind, v) for v in order])


def sort_order(kind: str) -> list[str]:
    return [label(kind, v) for v in ORDER[kind]]


# --------------------------------------------------------------------------- charts

THEME_NAME = "steering_dashboard"


def chart_config() -> alt.theme.ThemeConfig:
    """Altair/Vega-Lite config shared by every chart (screen and export)."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 280},
            "title": {
                "fontSize": 17,
                "fontWeight": 600,
                "anchor": "start",
                "color": TEXT,
                "offset": 10,
                "subtitleFontSize": 13,
                "subtitleColor": MUTED,
            },
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "titleFontWeight": 600,
                "titleColor": TEXT,
                "labelColor": TEXT,
                "gridColor": "#E6E9ED",
                "domainColor": "#9AA5B1",
                "tickColor": "#9AA5B1",
            },
            "axisX": {"labelAngle": 0},
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 13,
                "titleFontWeight": 600,
                "orient": "bottom",
                "direction": "horizontal",
                "symbolType": "square",
                "labelColor": TEXT,
                "titleColor": TEXT,
            },
            "range": {"category": list(PALETTE)},
            "bar": {"cornerRadiusEnd": 1},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 60, "filled": True},
        }
    }


_registered = False


def register_chart_theme() -> None:
    global _registered
    if not _registered:  # alt.theme.names() reads the package entry points: slow, once is enough
        if THEME_NAME not in alt.theme.names():
            alt.theme.register(THEME_NAME, enable=False)(chart_config)
        _registered = True
    if alt.theme.active != THEME_NAME:
        alt.theme.enable(THEME_NAME)


# --------------------------------------------------------------------------- page style

SIDEBAR_WIDTH = 250  # px: leaves room for six tiles a row on a 1280 px projector


@functools.lru_cache(maxsize=1)
def favicon():
    """The browser tab icon, drawn here: an icon name or emoji would make the
    browser fetch it from the internet."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((2, 2, 62, 62), radius=12, fill=BLUE)
    for i, (h, c) in enumerate(((22, "#FFFFFF"), (34, "#FFFFFF"), (46, ORANGE))):
        x = 12 + i * 15
        d.rectangle((x, 54 - h, x + 10, 54), fill=c)
    return img


_CSS = """
<style>
/* Projector (1280x720): use the width, keep the tiles compact so two rows
   of six fit on one screen, let labels wrap instead of being cut. */
.stMainBlockContainer, .block-container { padding-left: 1.5rem !important; padding-right: 1.5rem !important;
  max-width: 100% !important; }
[data-testid="stMetric"] { padding: 0.45rem 0.65rem 0.5rem 0.65rem !important; }
[data-testid="stMetricLabel"] { min-height: 3.45em; align-items: flex-start !important; }
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  font-size: 0.85rem !important; line-height: 1.15 !important; color: #3E4C59; }
[data-testid="stMetricValue"] .stMarkdownEllipsis { overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricDelta"] { font-size: 0.85rem; }
</style>
"""


def dense_tiles_css(container_key: str) -> str:
    """Style for a row of seven tiles (in the container of that key): slightly
    smaller labels, so that none breaks inside a word on a 1280 px screen."""
    scope = f".st-key-{container_key}"
    return f"""<style>
{scope} [data-testid="stMetric"] {{ padding-left: 0.55rem !important; padding-right: 0.45rem !important; }}
{scope} [data-testid="stMetricLabel"] p {{ font-size: 0.8rem !important; word-break: normal !important;
  overflow-wrap: normal !important; }}
</style>"""


def apply() -> None:
    """Chart theme and page style; call once per run, before any output."""
    register_chart_theme()
    st.html(_CSS)
