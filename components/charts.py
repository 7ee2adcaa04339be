"""The one way to put a chart on a page.

``show(chart, data, ...)`` draws an Altair chart with the dashboard's theme,
a title, axis titles with units and a legend, and a "Download" menu offering

- the chart as PNG (scale 3: sharp on slides) and SVG, rendered on the
  server by vl-convert, offline (no external data, fonts or scripts);
- its data as CSV and XLSX, where text that a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) is neutralised by :func:`data_access.xlsx_out.neutralise`.

Files are produced only when the button is clicked (deferred downloads),
and each download is recorded in the audit trail as an export of the
chart (its title) with the filters in force (:mod:`components.exports`).
The menu is shown to people who may export.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st
import vl_convert as vlc
from altair.utils.schemapi import UndefinedType

from data_access.xlsx_out import neutralise, new_workbook, to_bytes, write_rows

from . import exports, i18n, theme
from .auth import allowed
from .i18n import t

PNG_SCALE = 3  # 3x the on-screen size: ~2,200 px wide, sharp on a slide
EXPORT_WIDTH = 720  # width of "container"-wide charts when rendered off screen
EXPORT_HEIGHT = 300
SPEC_TTL = 600  # seconds a cached chart spec is kept (its data is part of the key)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

C = TypeVar("C", bound=alt.TopLevelMixin)


# --------------------------------------------------------------------------- building charts


def stacked_bars(
    data: pd.DataFrame,
    *,
    kind: str | None,
    title: str,
    x_title: str,
    y_title: str,
    subtitle: str | None = None,
    x: str | None = None,
    y: str | None = None,
    colour: str | None = None,
    legend_title: str | None = None,
    x_sort: list[str] | None = None,
) -> alt.Chart:
    """Stacked bars of ``y`` per ``x`` coloured by ``colour``: by default the
    first three columns of ``data``, in the order x, colour, y; the legend is
    titled with the colour column's name unless ``legend_title`` says
    otherwise. With a status ``kind`` (see :data:`theme.COLOURS`), the
    colours and order are that kind's; otherwise the categorical palette."""
    columns = [str(c) for c in data.columns]
    x, colour, y = x or columns[0], colour or columns[1], y or columns[2]
    legend_title = colour if legend_title is None else legend_title
    totals = data.groupby(colour, sort=False)[y].sum()
    present = [v for v in pd.unique(data[colour]) if totals.get(v, 0) > 0] or list(pd.unique(data[colour]))
    colour_scale: alt.Scale | UndefinedType = alt.Undefined
    legend_order = present
    if kind:
        scale = theme.scale(kind, None)
        legend_order = [v for v in scale.domain if v in present]
        rng = [c for v, c in zip(scale.domain, scale.range, strict=False) if v in present]
        colour_scale = alt.Scale(domain=legend_order, range=rng)
        order = {v: i for i, v in enumerate(scale.domain)}
    else:
        order = {v: i for i, v in enumerate(present)}
    frame = data.assign(_order=data[colour].map(order).fillna(len(order)))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=x_sort or "ascending"),
            y=alt.Y(f"sum({y}):Q", title=y_title, axis=alt.Axis(tickMinStep=1, format=",d")),
            color=alt.Color(
                f"{colour}:N",
                title=legend_title or "",
                scale=colour_scale,
                sort=legend_order,
            ),
            order=alt.Order("_order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{x}:N", title=x_title),
                alt.Tooltip(f"{colour}:N", title=legend_title or ""),
                alt.Tooltip(f"{y}:Q", title=y_title, format=",d"),
            ],
        )
    )
    return titled(chart, title, subtitle)


def status_colour(column: str, kind: str, present: Collection[str]) -> alt.Color:
    """Colour by a column of translated status values (of ``kind``, see
    :data:`theme.COLOURS`): the kind's colours and order, the legend
    restricted to the values ``present`` (untranslated) and titled with
    the column's name."""
    return alt.Color(f"{column}:N", title=column, scale=theme.scale(kind, present), sort=theme.sort_order(kind))


def titled(chart: C, title: str, subtitle: str | None = None) -> C:
    """The chart with its title (and subtitle): every chart shown needs one."""
    params: dict[str, Any] = {"text": title}
    if subtitle:
        params["subtitle"] = subtitle
    return chart.properties(title=alt.TitleParams(**params))


# --------------------------------------------------------------------------- export


class Spec(dict):
    """A chart already turned into its Vega-Lite spec (theme applied, data
    inline), as :func:`cached` builders return it."""


def cached(builder: Callable[..., alt.TopLevelMixin]) -> Callable[..., Spec]:
    """Decorate a function that builds an Altair chart from plain arguments
    (data frames, text, numbers): it then returns the chart's :class:`Spec`,
    cached on those arguments (``st.cache_data``). A rerun that shows the
    same data reuses the spec instead of building the chart again, which
    takes tens of milliseconds per chart. The language is part of the key:
    the builder's texts come from the catalogue."""

    def build(*args: Any, language: str, **kwargs: Any) -> Spec:
        return Spec(screen_spec(builder(*args, **kwargs)))

    functools.update_wrapper(build, builder)  # the cache is keyed on the builder's name and code
    spec = st.cache_data(ttl=SPEC_TTL, max_entries=256, show_spinner=False)(build)

    @functools.wraps(builder)
    def cached_spec(*args: Any, **kwargs: Any) -> Spec:
        return spec(*args, language=i18n.language(), **kwargs)

    return cached_spec


def _has_title(chart: alt.TopLevelMixin | Spec) -> bool:
    return bool(_title_text(chart))


def export_spec(chart: alt.TopLevelMixin | Spec) -> dict:
    """The Vega-Lite spec for off-screen rendering: theme applied, data
    inline, and a fixed size where the screen version fills its container."""
    theme.register_chart_theme()
    spec = dict(chart) if isinstance(chart, Spec) else chart.to_dict()
    if spec.get("width") in (None, "container"):
        spec["width"] = EXPORT_WIDTH
    if spec.get("height") in (None, "container"):
        spec["height"] = EXPORT_HEIGHT
    return spec


def to_png(chart: alt.TopLevelMixin | Spec, *, scale: float = PNG_SCALE) -> bytes:
    return vlc.vegalite_to_png(export_spec(chart), scale=scale, allowed_base_urls=[])


def to_svg(chart: alt.TopLevelMixin | Spec) -> bytes:
    return vlc.vegalite_to_svg(export_spec(chart), allowed_base_urls=[]).encode("utf-8")


def _plain_value(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    return neutralise(v)


def data_csv(data: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, so spreadsheets detect it) with formula text
    neutralised by :func:`neutralise`. Rows end in CRLF (RFC 4180), which
    makes the writer quote any text holding a carriage return: unquoted, a
    spreadsheet would start a new row there and run what follows as a
    formula (``data_access.xlsx_out.safe_csv`` writes LF and has that gap)."""
    out = data.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def data_xlsx(data: pd.DataFrame, *, title: str = "", notes: Iterable[str] = ()) -> bytes:
    """One sheet of data (text typed as text and neutralised, never a
    formula) and an "About" sheet naming the chart and its filters."""
    wb = new_workbook()
    ws = wb.create_sheet(_sheet_name(title or t("charts.sheet_data")))
    rows = [[_plain_value(v) for v in row] for row in data.itertuples(index=False, name=None)]
    write_rows(ws, [str(c) for c in data.columns], rows)
    about = wb.create_sheet(t("charts.sheet_about"))
    lines = [title, *notes, t("charts.generated", when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    write_rows(about, [t("charts.sheet_about")], [[neutralise(line)] for line in lines if line])
    return to_bytes(wb)


def _sheet_name(text: str) -> str:
    return (re.sub(r"[\[\]:*?/\\]", " ", text).strip() or "Data")[:31]


def slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()
    return s or "chart"


# --------------------------------------------------------------------------- on the page


def show(
    chart: alt.TopLevelMixin | Spec,
    data: pd.DataFrame,
    *,
    key: str,
    filename: str,
    notes: Iterable[str] = (),
    height: int | None = None,
) -> None:
    """Draw the chart (which must have a title) with its download menu.

    ``data`` is what the chart shows, with readable column names: it is
    what the CSV/XLSX downloads contain. ``filename`` is the file name
    without extension; ``notes`` (e.g. the filters) go into the XLSX."""
    if not _has_title(chart):
        raise ValueError("every chart needs a title: use charts.titled()")
    spec = Spec(chart) if isinstance(chart, Spec) else screen_spec(chart)
    if height:
        spec["height"] = height
    title = _title_text(chart)
    st.vega_lite_chart(spec, width="stretch", theme=None, alt=title)
    if not allowed("export"):
        return
    notes = list(notes)
    stem = slug(filename)
    files: list[tuple[str, Callable[[], bytes], str, str]] = [  # extension, content, type, icon
        ("png", lambda: to_png(chart), "image/png", ":material/image:"),
        ("svg", lambda: to_svg(chart), "image/svg+xml", ":material/draw:"),
        ("csv", lambda: data_csv(data), "text/csv", ":material/table:"),
        ("xlsx", lambda: data_xlsx(data, title=title, notes=notes), XLSX_TYPE, ":material/grid_on:"),
    ]
    with st.popover(t("charts.download"), icon=":material/download:", key=f"{key}__dl"):
        c1, c2 = st.columns(2, gap="small")
        for col, (ext, content, mime, icon) in zip((c1, c2, c1, c2), files, strict=True):
            with col:
                exports.download_button(
                    t(f"charts.{ext}"),
                    content,
                    what=title,
                    file_name=f"{stem}.{ext}",
                    mime=mime,
                    key=f"{key}__{ext}",
                    icon=icon,
                    width="stretch",
                    help=t(f"charts.{ext}_help"),
                )


def screen_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec for the page, theme applied and data
    inline (Streamlit sends the datasets as Arrow).

    Built once and without Altair's JSON-schema validation, which costs
    0.1-0.4 s per chart on every rerun (Streamlit's ``st.altair_chart``
    would build and validate it again). The charts are validated in the
    tests instead (``tests/test_charts_valid.py``)."""
    theme.register_chart_theme()
    return chart.to_dict(validate=False)


def _title_text(chart: alt.TopLevelMixin | Spec) -> str:
    """The chart's title text, read from the chart object (no spec built)."""
    title = chart.get("title") if isinstance(chart, Spec) else getattr(chart, "title", alt.Undefined)
    if isinstance(title, alt.TitleParams):
        title = title.text
    elif isinstance(title, dict):
        title = title.get("text", "")
    if title is alt.Undefined or title is None:
        return ""
    if isinstance(title, (list, tuple)):
        title = " ".join(str(x) for x in title)
    return str(title)
