"""How the Country profiles page shows its figures: the wording of figures,
shares and sources, the tiles, the tables and the charts of one country and
of the comparison. Built from what :mod:`components.data_countries` reads;
the rules of the shares come from ``data_access.rules.countries``; the page
lays them out.

Functions that return a chart return it with its data as the download
offers it: ``(chart, download)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

import altair as alt
import pandas as pd

from data_access.rules import countries as rules
from data_access.rules.quarters import Quarter, parse_quarter
from data_access.rules.text import plain, plain_frame

from . import charts, kpi, theme
from . import formatting as fmt
from .i18n import has, label, t
from .layout import escape

FACILITY_AXIS = ("prisons_total", "pretrial_centres")  # indicators counting places, not people
COMPARED = ("ve_prisoners", "ftf_detainees")  # the figures compared absolute and per 100 prisoners
TILE_COUNTS = ("prisoners_total", "ve_prisoners", "ftf_detainees")


# --------------------------------------------------------------------------- wording


def ind_label(code: str, fallback: str | None = None) -> str:
    """An indicator's name (the catalogue's label when the messages lack it)."""
    key = f"countries.indicator.{code}"
    return t(key) if has(key) else (fallback or code)


def ind_short(code: str, fallback: str | None = None) -> str:
    """An indicator's short name, for chart titles and tiles."""
    key = f"countries.short.{code}"
    return t(key) if has(key) else ind_label(code, fallback)


def source_text(kind: Any, by: Any, at: Any, file: Any, *, markdown: bool = False) -> str:
    """Where a figure comes from: the report, or an upload (file, when, who).
    The file's and the uploader's names are untrusted: escaped for Markdown
    (a caption, a tooltip) with ``markdown``, else plain (a table, a chart)."""
    if rules.is_report(kind):
        return t("countries.source.report")
    shown = escape if markdown else plain
    return t(
        "countries.source.upload",
        file=shown(file) if file else t("common.none"),
        when=fmt.date(at),
        who=shown(by) if by else t("common.none"),
    )


def figure_text(value: Any, approximate: Any = False) -> str:
    return fmt.number(value, approx=bool(approximate))


def share_text(unit: str, value: Any, approximate: Any = False) -> str:
    """A derived share: a percentage or a number per 100 prisoners, with as
    many decimals as it needs to say something."""
    if fmt.missing(value):
        return t("fmt.missing")
    if unit == rules.SHARE:
        text = fmt.percent(value, decimals=rules.decimals_for(value * 100))
    else:
        text = fmt.number(value, decimals=rules.decimals_for(value))
    return t("fmt.approx", value=text) if approximate else text


def carried_text(text: str, quarter: Any) -> str:
    """A figure reported for an earlier quarter, with that quarter."""
    return t("countries.tile.carried", label=text, quarter=quarter)


def share_note(code: str, d: pd.Series) -> str:
    """What a derived share means and why it is approximate, mixed or missing."""
    parts = [t(f"countries.share_help.{code}")]
    if d["approximate"]:
        parts.append(t("countries.share.approx_because", inputs=_inputs(d["approximate_inputs"])))
    if d["mixed_quarters"]:
        parts.append(t("countries.share.mixed", num=d["numerator_quarter"], den=d["denominator_quarter"]))
    if d["missing_inputs"]:
        parts.append(t("countries.share.missing", inputs=_inputs(d["missing_inputs"])))
    return " ".join(parts)


def _inputs(codes: Any) -> str:
    return ", ".join(ind_short(i) for i in str(codes).split(",") if i)


def _sources(frame: pd.DataFrame, prefix: str = "") -> list[str]:
    columns = [f"{prefix}source_{part}" for part in ("kind", "by", "at", "file")]
    return [source_text(*s) for s in zip(*(frame[c] for c in columns), strict=False)]


def _quarter(text: str) -> Quarter:
    quarter = parse_quarter(text)
    if quarter is None:
        raise ValueError(f"not a quarter: {text!r}")
    return quarter


def quarter_end(quarter: str) -> str:
    """The quarter's last day (figures are as at then), ISO-formatted."""
    return _quarter(quarter).end.isoformat()


# --------------------------------------------------------------------------- one country: tiles and tables


def profile_tiles(figures: pd.DataFrame, shares: pd.DataFrame, before: pd.DataFrame) -> list[kpi.Tile]:
    """The headline figures and their shares per 100 prisoners (``figures``
    indexed by indicator, ``shares`` and ``before``, the previous quarter's,
    by share)."""

    def count(code: str) -> kpi.Tile:
        if code not in figures.index:
            return kpi.Tile(label=t(f"countries.tile.{code}"), value=None, help=t("countries.tile.not_reported"))
        r = figures.loc[code]
        text = t(f"countries.tile.{code}")
        if r["carried"]:
            text = carried_text(text, r["quarter"])
        help_ = t(
            "countries.tile.help",
            quarter=r["quarter"],
            source=source_text(r["source_kind"], r["source_by"], r["source_at"], r["source_file"], markdown=True),
        )
        return kpi.Tile(
            label=text,
            value=r["value"],
            previous=r["previous_value"],
            approximate=bool(r["approximate"]),
            help=help_,
            key=code,
        )

    def share(code: str) -> kpi.Tile:
        d = cast(pd.Series, shares.loc[code]) if code in shares.index else None  # the index holds each share once
        unit = rules.SHARE_BY_CODE[code].unit
        text = t(f"countries.tile.{code}")
        if d is None or fmt.missing(d["value"]):
            return kpi.Tile(label=text, value=None, help=t("countries.tile.not_reported"))
        if d["carried"]:
            text = carried_text(text, d["quarter"])
        prev = before.loc[code, "value"] if code in before.index else None
        return kpi.Tile(
            label=text,
            value=d["value"],
            previous=prev,
            kind=kpi.SHARE if unit == rules.SHARE else kpi.COUNT,
            approximate=bool(d["approximate"]),
            decimals=rules.decimals_for(d["value"] * (100 if unit == rules.SHARE else 1)),
            help=share_note(code, d),
            key=code,
        )

    return [
        count("prisoners_total"),
        count("ve_prisoners"),
        share("ve_per_100"),
        count("ftf_detainees"),
        share("ftf_per_100"),
    ]


def key_figures_table(figures: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Every figure as at the quarter beside its baseline, with sources and notes."""
    notes = []
    for r in figures.itertuples():
        note = r.note if isinstance(r.note, str) else ""
        if isinstance(r.baseline_note, str) and r.baseline_note and r.baseline_note != note:
            note = (note + " · " if note else "") + t("countries.figures.baseline_note", note=r.baseline_note)
        notes.append(note)
    baseline_sources = [
        t("countries.source.with_quarter", source=s, quarter=bq)
        for s, bq in zip(_sources(figures, "baseline_"), figures["baseline_quarter"], strict=False)
    ]
    return plain_frame(
        pd.DataFrame(
            {
                t("countries.col.indicator"): [
                    ind_label(c, lb) for c, lb in zip(figures["indicator"], figures["label"], strict=False)
                ],
                t("countries.col.figure", quarter=quarter): [
                    figure_text(v, a) for v, a in zip(figures["value"], figures["approximate"], strict=False)
                ],
                t("countries.col.reported_for"): figures["quarter"],
                t("countries.col.baseline"): [
                    figure_text(v, a)
                    for v, a in zip(figures["baseline_value"], figures["baseline_approximate"], strict=False)
                ],
                t("countries.col.change_since_baseline"): [
                    t("fmt.missing") if fmt.missing(d) else fmt.signed(d) for d in figures["change_since_baseline"]
                ],
                t("countries.col.source"): _sources(figures),
                t("countries.col.baseline_source"): baseline_sources,
                t("countries.col.note"): notes,
            }
        )
    )


def shares_table(shares: pd.DataFrame) -> pd.DataFrame:
    """Each derived share with what it is computed from."""
    rows = []
    for _, d in shares.iterrows():
        formula = t("fmt.missing")
        if not d["missing_inputs"]:
            formula = t(
                "countries.share.formula",
                num=figure_text(d["numerator_value"], d["numerator_approximate"]),
                num_label=t(f"countries.unit.{d['numerator']}"),
                den=figure_text(d["denominator_value"], d["denominator_approximate"]),
                den_label=t(f"countries.unit.{d['denominator']}"),
            )
        rows.append(
            {
                t("countries.col.measure"): t(f"countries.share.{d['share']}"),
                t("countries.col.value"): share_text(d["unit"], d["value"], d["approximate"]),
                t("countries.col.reported_for"): d["quarter"] if isinstance(d["quarter"], str) else t("fmt.missing"),
                t("countries.col.computed_from"): formula,
                t("countries.col.note"): share_note(d["share"], d),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- charts over time


def time_axis(first: str, last: str) -> alt.X:
    """Quarters on a time axis: each point at the end of its quarter (figures are
    as at the quarter's end), a tick a year, from the first quarter to the last."""
    return alt.X(
        "date:T",
        title=t("countries.axis.quarter"),
        scale=alt.Scale(
            domain=[
                _quarter(first).start.isoformat(),
                (_quarter(last).end + dt.timedelta(days=45)).isoformat(),
            ]
        ),
        axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelFontSize=11, grid=False),
    )


def indicator_chart(
    rows: pd.DataFrame, code: str, base: pd.Series | None, first: str, last: str, country: str
) -> tuple[charts.Spec, pd.DataFrame]:
    """One indicator of a country over time (``rows``, its figures up to the
    quarter ``last``; ``base``, its key figure with the baseline)."""
    title = ind_short(code, rows["label"].iloc[0])
    kinds = []
    for qq, approx in zip(rows["quarter"], rows["approximate"], strict=False):
        if base is not None and qq == base["baseline_quarter"]:
            kinds.append(t("countries.series.kind_baseline"))
        else:
            kinds.append(t("countries.series.kind_approx") if approx else t("countries.series.kind_reported"))
    frame = pd.DataFrame(
        {
            "quarter": rows["quarter"].to_numpy(),
            "date": [quarter_end(x) for x in rows["quarter"]],
            "value": rows["value"].astype(float).to_numpy(),
            "kind": kinds,
            "shown": [figure_text(v, a) for v, a in zip(rows["value"], rows["approximate"], strict=False)],
            "source": _sources(rows),
        }
    )
    y_title = t("countries.axis.facilities") if code in FACILITY_AXIS else t("countries.axis.people")
    baseline = None
    if base is not None and not fmt.missing(base["baseline_value"]):
        baseline = (
            float(base["baseline_value"]),
            figure_text(base["baseline_value"], base["baseline_approximate"]),
            base["baseline_quarter"],
        )
    download = pd.DataFrame(
        {
            t("countries.col.country"): country,
            t("countries.col.indicator"): title,
            t("countries.col.reported_for"): frame["quarter"],
            t("countries.col.value"): frame["value"],
            t("countries.col.approximate"): rows["approximate"].astype(bool).to_numpy(),
            t("countries.series.legend"): frame["kind"],
            t("countries.col.source"): frame["source"],
        }
    )
    return _series_chart(frame, title, y_title, first, last, baseline), download


@charts.cached
def _series_chart(
    frame: pd.DataFrame, title: str, y_title: str, first: str, last: str, baseline: tuple[float, str, str] | None
) -> alt.TopLevelMixin:
    """One indicator over time: the reported values, marked by kind, and the
    baseline (value, its text, its quarter) as a dashed rule."""
    kind_domain = [
        t("countries.series.kind_baseline"),
        t("countries.series.kind_reported"),
        t("countries.series.kind_approx"),
    ]
    x = time_axis(first, last)
    y = alt.Y(
        "value:Q",
        title=y_title,
        scale=alt.Scale(zero=False, nice=True),
        axis=alt.Axis(format=",~d", tickMinStep=1, tickCount=4, labelFontSize=11),
    )
    chart_base = alt.Chart(frame)
    line = chart_base.mark_line(color=theme.BLUE, strokeWidth=2).encode(x=x, y=y)
    points = chart_base.mark_point(size=60, filled=True, opacity=1).encode(
        x=x,
        y="value:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=kind_domain, range=[theme.ORANGE, theme.BLUE, theme.SKY_BLUE]),
            legend=alt.Legend(title=None, orient="top", labelFontSize=11, symbolSize=60, offset=4),
        ),
        shape=alt.Shape(
            "kind:N", scale=alt.Scale(domain=kind_domain, range=["diamond", "circle", "triangle-up"]), legend=None
        ),
        tooltip=[
            alt.Tooltip("quarter:N", title=t("countries.col.reported_for")),
            alt.Tooltip("shown:N", title=title),
            alt.Tooltip("kind:N", title=t("countries.series.legend")),
            alt.Tooltip("source:N", title=t("countries.col.source")),
        ],
    )
    layers: list[alt.Chart] = [line, points]
    subtitle = None
    if baseline is not None:
        value, text, quarter = baseline
        subtitle = t("countries.series.baseline_subtitle", value=text, quarter=quarter)
        layers.insert(
            0,
            alt.Chart(pd.DataFrame({"baseline": [value]}))
            .mark_rule(color=theme.ORANGE, strokeDash=[5, 4], strokeWidth=1.5)
            .encode(y="baseline:Q"),
        )
    return charts.titled(alt.layer(*layers), title, subtitle)


# --------------------------------------------------------------------------- activities


def activity_tiles(running: pd.DataFrame, quarter: str) -> list[kpi.Tile]:
    """Activities and participants since the report, and this quarter's participants."""
    total = running.iloc[-1]
    now = running[running["quarter"] == quarter]
    now_row = now.iloc[0] if len(now) else None
    return [
        kpi.Tile(
            label=t("countries.activities.tile_activities"),
            value=int(total["cumulative_activities"]),
            help=t("countries.activities.tile_since_help"),
        ),
        kpi.Tile(
            label=t("countries.activities.tile_participants"),
            value=int(total["cumulative_participants"]),
            help=t("countries.activities.tile_since_help"),
        ),
        kpi.Tile(
            label=t("countries.activities.tile_women"),
            value=total["cumulative_female_share"],
            kind=kpi.SHARE,
            help=t("countries.activities.tile_women_help"),
        ),
        kpi.Tile(
            label=t("countries.activities.tile_quarter", quarter=quarter),
            value=int(now_row["participants"]) if now_row is not None else 0,
            help=t("countries.activities.tile_quarter_help", quarter=quarter),
        ),
    ]


def participants_by_type(returns: pd.DataFrame) -> tuple[charts.Spec, pd.DataFrame]:
    """Participants per quarter and type of activity, from the returns (not the report)."""
    data = pd.DataFrame(
        {
            t("countries.col.quarter"): returns["quarter"],
            t("countries.col.type"): [label("activity_type", v) for v in returns["type"]],
            t("countries.col.participants"): returns["participants"],
        }
    )
    return _participants_chart(data, list(dict.fromkeys(returns["quarter"]))), data


@charts.cached
def _participants_chart(data: pd.DataFrame, quarters: list[str]) -> alt.TopLevelMixin:
    return (
        charts.stacked_bars(
            data,
            kind=None,
            title=t("countries.activities.by_type_title"),
            subtitle=t("countries.activities.by_type_subtitle"),
            x_title=t("countries.axis.quarter"),
            y_title=t("countries.axis.participants"),
            x_sort=quarters,
        )
        .encode(
            x=alt.X(
                f"{t('countries.col.quarter')}:N",
                title=t("countries.axis.quarter"),
                sort=quarters,
                axis=alt.Axis(labelAngle=-45, labelFontSize=11),
            )
        )
        .configure_legend(columns=3)
    )


def activities_download(running: pd.DataFrame) -> pd.DataFrame:
    """The running totals, as the download of the activity charts."""
    return pd.DataFrame(
        {
            t("countries.col.quarter"): running["quarter"],
            t("countries.col.activities"): running["activities"],
            t("countries.col.participants"): running["participants"],
            t("countries.col.women"): running["female_participants"],
            t("countries.col.women_share"): running["female_share"],
            t("countries.col.cumulative_participants"): running["cumulative_participants"],
            t("countries.col.cumulative_women_share"): running["cumulative_female_share"],
        }
    )


def _running_labels(running: pd.DataFrame, report_quarters: tuple[str, ...]) -> list[str]:
    """The quarters of the running totals, the report's named as such."""
    return [t("countries.activities.report_quarter") if x in report_quarters else x for x in running["quarter"]]


@charts.cached
def women_share(running: pd.DataFrame, report_quarters: tuple[str, ...], last: str) -> alt.TopLevelMixin:
    """The share of women among participants, per quarter and since the report."""
    labels = _running_labels(running, report_quarters)
    dates = [quarter_end(x) for x in running["quarter"]]
    per_q, since = t("countries.activities.women_per_quarter"), t("countries.activities.women_since")
    frame = pd.concat(
        [
            pd.DataFrame({"quarter": labels, "date": dates, "share": running["female_share"], "series": per_q}),
            pd.DataFrame(
                {"quarter": labels, "date": dates, "share": running["cumulative_female_share"], "series": since}
            ),
        ]
    ).dropna(subset=["share"])
    frame["shown"] = [fmt.percent(v) for v in frame["share"]]
    women = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=time_axis(running["quarter"].iloc[0], last),
            y=alt.Y(
                "share:Q",
                title=t("countries.axis.women_share"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=".0%"),
            ),
            color=alt.Color(
                "series:N",
                title=None,
                sort=[per_q, since],
                scale=alt.Scale(domain=[per_q, since], range=[theme.PURPLE, theme.GREY]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                sort=[per_q, since],
                title=None,
                scale=alt.Scale(domain=[per_q, since], range=[[1, 0], [5, 4]]),
            ),
            tooltip=[
                alt.Tooltip("quarter:N", title=t("countries.col.quarter")),
                alt.Tooltip("series:N", title=t("countries.col.measure")),
                alt.Tooltip("shown:N", title=t("countries.col.women_share")),
            ],
        )
    )
    return charts.titled(women, t("countries.activities.women_title"), t("countries.activities.women_subtitle"))


@charts.cached
def cumulative_participants(running: pd.DataFrame, report_quarters: tuple[str, ...], last: str) -> alt.TopLevelMixin:
    """Participants added up since the report."""
    frame = pd.DataFrame(
        {
            "quarter": _running_labels(running, report_quarters),
            "date": [quarter_end(x) for x in running["quarter"]],
            "cumulative": running["cumulative_participants"],
            "series": t("countries.col.participants"),
        }
    )
    cum = (
        alt.Chart(frame)
        .mark_line(point=True, color=theme.BLUE)
        .encode(
            x=time_axis(running["quarter"].iloc[0], last),
            y=alt.Y("cumulative:Q", title=t("countries.axis.cumulative"), axis=alt.Axis(format=",d")),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=[theme.BLUE])),
            tooltip=[
                alt.Tooltip("quarter:N", title=t("countries.col.quarter")),
                alt.Tooltip("cumulative:Q", title=t("countries.axis.cumulative"), format=",d"),
            ],
        )
    )
    return charts.titled(cum, t("countries.activities.cumulative_title"), t("countries.activities.cumulative_subtitle"))


def activity_table(by_type: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Per type of activity: the quarter's and the total activities,
    participants and share of women."""
    totals = by_type.groupby("type", sort=True)[
        ["activities", "participants", "female_participants", "share_base"]
    ].sum()
    this_q = by_type[by_type["quarter"] == quarter].set_index("type")
    return plain_frame(
        pd.DataFrame(
            {
                t("countries.col.type"): [label("activity_type", v) for v in totals.index],
                t("countries.col.quarter_activities", quarter=quarter): [
                    fmt.number(this_q["activities"].get(v, 0)) for v in totals.index
                ],
                t("countries.col.quarter_participants", quarter=quarter): [
                    fmt.number(this_q["participants"].get(v, 0)) for v in totals.index
                ],
                t("countries.col.quarter_women_share", quarter=quarter): [
                    fmt.percent(
                        rules.female_share(this_q["female_participants"].get(v, 0), this_q["share_base"].get(v, 0))
                    )
                    for v in totals.index
                ],
                t("countries.col.total_activities"): [fmt.number(v) for v in totals["activities"]],
                t("countries.col.total_participants"): [fmt.number(v) for v in totals["participants"]],
                t("countries.col.total_women"): [fmt.number(v) for v in totals["female_participants"]],
                t("countries.col.total_women_share"): [
                    fmt.percent(rules.female_share(w, b))
                    for w, b in zip(totals["female_participants"], totals["share_base"], strict=False)
                ],
            }
        )
    )


# --------------------------------------------------------------------------- facilities


def facility_cells(r: Any) -> list[str]:
    """A facility's row: name (pilot marked), type and city, open and
    overdue findings, the worst open severity (Markdown)."""
    name = f"**{escape(r.name)}**"
    if r.pilot:
        name += " " + f":blue-badge[{t('countries.facilities.pilot')}]"
    place = " · ".join(
        x
        for x in (
            label("facility_type", r.type) if isinstance(r.type, str) else "",
            escape(r.city) if isinstance(r.city, str) else "",
        )
        if x
    )
    return [
        name,
        place or t("common.none"),
        f":orange-badge[{fmt.number(r.open)}]" if r.open else fmt.number(r.open),
        f":red-badge[{fmt.number(r.overdue)}]" if r.overdue else fmt.number(r.overdue),
        t("common.none") if fmt.missing(r.worst_open_severity) else theme.badge("severity", r.worst_open_severity),
    ]


# --------------------------------------------------------------------------- comparison


def not_current(status: pd.DataFrame, scope: Sequence[str], names: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The countries whose figures are carried from an earlier quarter (with
    it) and those with none (``status`` indexed by country)."""
    carried = [
        names.get(c, c) + f" ({str(status.loc[c, 'last_quarter'])})"
        for c in scope
        if c in status.index and status.loc[c, "status"] == rules.CARRIED
    ]
    missing = [names.get(c, c) for c in scope if c in status.index and status.loc[c, "status"] == rules.NONE]
    return carried, missing


def comparison_tables(
    comp: pd.DataFrame, scope: Sequence[str], names: Mapping[str, str], quarter: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The figures of the countries side by side: absolute, and per 100 prisoners."""

    def cell(r: pd.Series) -> str:
        text = figure_text(r["value"], r["approximate"])
        return carried_text(text, r["quarter"]) if r["carried"] else text

    def per_cell(r: pd.Series) -> str:
        if fmt.missing(r["per_100"]):
            return t("fmt.missing")
        text = share_text(rules.PER_100, r["per_100"], r["per_100_approximate"])
        return carried_text(text, r["per_100_quarter"]) if r["carried"] or (r["per_100_quarter"] != quarter) else text

    cols = [names.get(c, c) for c in scope]
    codes = [c for c in rules.PROFILE_INDICATORS if c in set(comp["indicator"])]
    absolute = pd.DataFrame(t("fmt.missing"), index=[ind_label(c) for c in codes], columns=cols)
    per = pd.DataFrame(
        t("fmt.missing"), index=[t(f"countries.per100.{c}") for c in rules.PER_100_INDICATORS], columns=cols
    )
    for _, r in comp.iterrows():
        absolute.loc[ind_label(r["indicator"]), names.get(r["country"], r["country"])] = cell(r)
        if r["indicator"] in rules.PER_100_INDICATORS:
            per.loc[t(f"countries.per100.{r['indicator']}"), names.get(r["country"], r["country"])] = per_cell(r)
    absolute.index.name = t("countries.col.indicator")
    per.index.name = t("countries.col.measure")
    return absolute, per


def compared_figures(
    comp: pd.DataFrame, names: Mapping[str, str], quarter: str
) -> tuple[pd.DataFrame, pd.DataFrame, str] | None:
    """The figures compared absolute and per 100 prisoners (:data:`COMPARED`):
    (the charts' data, the download, the subtitle); None when there are none."""
    focus = comp[comp["indicator"].isin(COMPARED)]
    if focus.empty:
        return None
    frame = pd.DataFrame(
        {
            "country": [names.get(c, c) for c in focus["country"]],
            "measure": [ind_short(c) for c in focus["indicator"]],
            "value": focus["value"].astype(float),
            "per_100": focus["per_100"].astype(float),
            "shown": [figure_text(v, a) for v, a in zip(focus["value"], focus["approximate"], strict=False)],
            "shown_per_100": [
                share_text(rules.PER_100, v, a)
                for v, a in zip(focus["per_100"], focus["per_100_approximate"], strict=False)
            ],
        }
    )
    download = pd.DataFrame(
        {
            t("countries.col.country"): frame["country"],
            t("countries.col.indicator"): frame["measure"],
            t("countries.col.value"): frame["value"],
            t("countries.col.approximate"): focus["approximate"].astype(bool).to_numpy(),
            t("countries.col.per_100"): frame["per_100"],
        }
    )
    subtitle = t("countries.compare.chart_subtitle", quarter=quarter)
    if focus["approximate"].any():
        subtitle = t("countries.compare.chart_subtitle_approx", quarter=quarter)
    return frame, download, subtitle


def _country_colour(cols: list[str]) -> alt.Color:
    return alt.Color(
        "country:N",
        title=t("countries.col.country"),
        sort=cols,
        scale=alt.Scale(domain=cols, range=list(theme.PALETTE[: len(cols)])),
    )


@charts.cached
def compared_bars(frame: pd.DataFrame, field: str, cols: list[str], subtitle: str) -> alt.TopLevelMixin:
    """The compared figures per country, ``field`` "value" (absolute) or
    "per_100" (per 100 prisoners)."""
    if field == "value":
        shown, title, y_title, fmt_ = "shown", t("countries.compare.abs_chart"), t("countries.axis.people"), ",d"
    else:
        shown, title, y_title = "shown_per_100", t("countries.compare.per_chart"), t("countries.axis.per_100")
        fmt_ = ",.1f"
    measures = [ind_short(c) for c in COMPARED]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("measure:N", title=None, sort=measures, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("country:N", sort=cols),
            y=alt.Y(f"{field}:Q", title=y_title, axis=alt.Axis(format=fmt_)),
            color=_country_colour(cols),
            tooltip=[
                alt.Tooltip("country:N", title=t("countries.col.country")),
                alt.Tooltip("measure:N", title=t("countries.col.indicator")),
                alt.Tooltip(f"{shown}:N", title=y_title),
            ],
        )
    )
    return charts.titled(bars, title, subtitle)


def share_trend(
    rows: pd.DataFrame, code: str, names: Mapping[str, str], cols: list[str], quarters: Sequence[str]
) -> tuple[charts.Spec, pd.DataFrame]:
    """A share per 100 prisoners of each country per quarter (``rows``: the
    share's series; ``cols``: the countries' names in order)."""
    frame = pd.DataFrame(
        {
            "quarter": rows["quarter"],
            "date": [quarter_end(x) for x in rows["quarter"]],
            "country": [names.get(c, c) for c in rows["country"]],
            "value": rows["value"].astype(float),
            "shown": [
                share_text(rules.PER_100, v, a) for v, a in zip(rows["value"], rows["approximate"], strict=False)
            ],
        }
    )
    download = pd.DataFrame(
        {
            t("countries.col.country"): frame["country"],
            t("countries.col.quarter"): frame["quarter"],
            t(f"countries.share.{code}"): frame["value"],
            t("countries.col.approximate"): rows["approximate"].astype(bool).to_numpy(),
        }
    )
    return _share_trend_chart(frame, code, cols, quarters[0], quarters[-1]), download


@charts.cached
def _share_trend_chart(frame: pd.DataFrame, code: str, cols: list[str], first: str, last: str) -> alt.TopLevelMixin:
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=time_axis(first, last),
            y=alt.Y("value:Q", title=t("countries.axis.per_100"), axis=alt.Axis(format=",.1f")),
            color=_country_colour(cols),
            tooltip=[
                alt.Tooltip("country:N", title=t("countries.col.country")),
                alt.Tooltip("quarter:O", title=t("countries.col.quarter")),
                alt.Tooltip("shown:N", title=t(f"countries.share.{code}")),
            ],
        )
    )
    return charts.titled(lines, t(f"countries.share.{code}"), t("countries.compare.trend_subtitle"))
