"""How the Audit findings page shows its figures: the tiles, the charts
(burn-down, status breakdown, ageing, remediation speed), the tables
(weakest spots, speed, the findings list) and one finding's timeline in
words. Built from what :mod:`components.data_findings` reads; the rules
(overdue, ageing bands, remediation speed, timeline) come from
``data_access.rules.findings``; the page lays them out.

Functions that return a chart return it with its data as the download
offers it: ``(chart, download)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import altair as alt
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from data_access.rules import findings as rules
from data_access.rules.reference import FINDING_DOMAINS, FINDING_SEVERITIES
from data_access.rules.status import GOOD_DOWN, GOOD_UP, NEUTRAL
from data_access.rules.text import plain_frame

from . import charts, kpi, theme
from . import formatting as fmt
from .data import records
from .i18n import label, t
from .layout import escape

TILE_POLARITY = {
    "open": GOOD_DOWN,
    "in progress": NEUTRAL,
    "remediated": GOOD_UP,
    "verified": GOOD_UP,
    "risk accepted": NEUTRAL,
    "overdue": GOOD_DOWN,
    "median_days_to_remediate": GOOD_DOWN,
}
WEAK_TINT = 0.35  # strength of a severity's colour behind a weakest-spots cell
TIMELINE_TINT = 0.3  # strength of a status's colour behind a timeline's status
BREAKDOWN_WIDTH = 930  # px the facets of a status breakdown share
SPEED_MEASURES = ("remediated", "verified")
LIST_COLUMNS = (  # the findings list's columns, in order
    "finding_id",
    "severity",
    "status",
    "due_date",
    "days_overdue",
    "facility",
    "domain",
    "owner",
    "title",
    "audit_date",
    "status_quarter",
    "country",
)


def _tilted(quarters: Sequence[str]) -> int:
    """Quarter labels tilted when there are many."""
    return -45 if len(quarters) > 10 else 0


def days_text(days: Any) -> str:
    """Days overdue as text (empty when not overdue: a blank reads better than "None")."""
    return "" if days is None or pd.isna(days) else fmt.number(days)


# --------------------------------------------------------------------------- tiles


def tile_value(metric: str, value: Any) -> int | None:
    """A tile's figure: days rounded to whole days, counts as they are."""
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if metric == "median_days_to_remediate" else int(value)


def headline_tiles(headline: pd.DataFrame, quarter: str, end: Any) -> list[kpi.Tile]:
    """One tile per headline figure: findings per status, overdue, median days
    to remediate (``end``: the quarter's last day)."""
    return [
        kpi.Tile(
            label=t(f"findings.tile.{r.metric}"),
            value=tile_value(r.metric, r.value),
            previous=tile_value(r.metric, r.previous),
            polarity=TILE_POLARITY[r.metric],
            help=t(f"findings.tile.{r.metric}.help", quarter=quarter, end=fmt.date(end)),
            key=r.metric,
        )
        for r in records(headline)
    ]


# --------------------------------------------------------------------------- burn-down and weakest spots


def burn_down(
    bd: pd.DataFrame, quarters: Sequence[str], quarter: str, countries: str
) -> tuple[charts.Spec, pd.DataFrame]:
    """Open findings per quarter and severity, overdue ones as a line, the
    selected quarter marked (later quarters lighter). ``countries``: the
    selection in words."""
    c_q, c_s = t("findings.burn.col.quarter"), t("findings.burn.col.severity")
    c_open, c_over = t("findings.burn.col.open"), t("findings.burn.col.overdue")
    table = pd.DataFrame(
        {
            c_q: bd["quarter"],
            c_s: [label("severity", s) for s in bd["severity"]],
            c_open: bd["open"],
            c_over: bd["overdue"],
        }
    )
    overdue = (
        bd.groupby("quarter")["overdue"]
        .sum()
        .reindex(list(quarters), fill_value=0)
        .rename_axis(c_q)
        .reset_index(name=c_over)
    )
    severities = tuple(s for s in theme.ORDER["severity"] if s in set(bd["severity"]))
    return _burn_down_chart(table, overdue, severities, list(quarters), quarter, countries), table


@charts.cached
def _burn_down_chart(
    table: pd.DataFrame, overdue: pd.DataFrame, severities: tuple[str, ...], quarters: list[str], q: str, countries: str
) -> alt.TopLevelMixin:
    c_q, c_s = t("findings.burn.col.quarter"), t("findings.burn.col.severity")
    c_open, c_over = t("findings.burn.col.open"), t("findings.burn.col.overdue")
    order = {label("severity", s): i for i, s in enumerate(theme.ORDER["severity"])}
    bars_data = table.assign(_order=table[c_s].map(order), _later=[x > q for x in table[c_q]])
    x = alt.X(
        f"{c_q}:N",
        sort=quarters,
        scale=alt.Scale(domain=quarters),
        title=t("findings.burn.axis.quarter"),
        axis=alt.Axis(labelAngle=_tilted(quarters)),
    )
    bars = (
        alt.Chart(bars_data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(f"sum({c_open}):Q", title=t("findings.burn.axis.open"), axis=alt.Axis(format=",d", tickMinStep=1)),
            color=charts.status_colour(c_s, "severity", severities),
            order=alt.Order("_order:Q", sort="ascending"),
            opacity=alt.Opacity("_later:N", scale=alt.Scale(domain=[False, True], range=[1.0, 0.4]), legend=None),
            tooltip=[
                alt.Tooltip(f"{c_q}:N"),
                alt.Tooltip(f"{c_s}:N"),
                alt.Tooltip(f"{c_open}:Q", format=",d"),
                alt.Tooltip(f"{c_over}:Q", format=",d"),
            ],
        )
    )
    line = (
        alt.Chart(overdue.assign(series=t("findings.burn.overdue_series")))
        .mark_line(point=True, color=theme.BLACK, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y(f"{c_over}:Q"),
            strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip(f"{c_q}:N"), alt.Tooltip(f"{c_over}:Q", format=",d")],
        )
    )
    marker = pd.DataFrame({c_q: [q], "label": [t("findings.burn.as_at")]})
    rule = alt.Chart(marker).mark_rule(color=theme.MUTED, strokeDash=[5, 4], strokeWidth=2).encode(x=x)
    text = (
        alt.Chart(marker)
        .mark_text(align="left", dx=4, dy=-4, baseline="top", color=theme.MUTED, fontSize=12)
        .encode(x=x, y=alt.value(0), text="label:N")
    )
    return charts.titled(
        alt.layer(bars, line, rule, text).resolve_scale(color="independent"),
        t("findings.burn.title"),
        t("findings.burn.subtitle", countries=countries, quarter=q),
    )


def weakest_spots(fd: pd.DataFrame, names: Mapping[str, str]) -> Styler:
    """The facilities with the most serious open findings, weakest first:
    per domain, how many are open and the worst severity, its colour behind."""
    domains = [d for d in FINDING_DOMAINS if d in set(fd["domain"])]
    rows = []
    for (country, _fid, name), g in fd.groupby(["country", "facility_id", "facility"], sort=False):
        by_domain = {r.domain: r for r in records(g)}
        open_total, overdue_total = int(g["open"].sum()), int(g["overdue"].sum())
        worst = min(
            (s for s in g["worst_open_severity"] if isinstance(s, str)),
            key=lambda s: theme.ORDER["severity"].index(s),
            default=None,
        )
        row = {t("findings.weak.col.facility"): name, t("findings.weak.col.country"): names.get(str(country), country)}
        style = {}
        for d in domains:
            r = by_domain.get(d)
            column = label("finding_domain", d)
            if r is None:
                row[column] = ""
            elif r.open:
                row[column] = _weak_cell(r.open, r.worst_open_severity)
                style[column] = theme.tint(theme.colour("severity", r.worst_open_severity), WEAK_TINT)
            else:
                row[column] = t("findings.weak.none_open")
        row[t("findings.weak.col.total")] = (
            _weak_cell(open_total, worst) if open_total else t("findings.weak.none_open")
        )
        if worst:
            style[t("findings.weak.col.total")] = theme.tint(theme.colour("severity", worst), WEAK_TINT)
        row[t("findings.weak.col.overdue")] = overdue_total
        rows.append((rules.weakness_key(worst, open_total, overdue_total), name, row, style))
    rows.sort(key=lambda r: (r[0], r[1]))
    table = pd.DataFrame([r[2] for r in rows])
    backgrounds = [r[3] for r in rows]

    def paint(col: pd.Series) -> list[str]:
        return [
            f"background-color: {backgrounds[i][col.name]}" if col.name in backgrounds[i] else ""
            for i in range(len(col))
        ]

    return plain_frame(table).style.apply(paint, axis=0)


def _weak_cell(n: int, severity: str | None) -> str:
    return t("findings.weak.cell", n=n, severity=label("severity", severity))


# --------------------------------------------------------------------------- status breakdown


def status_breakdown(
    counts: pd.DataFrame, per: str, dim: str, names: Mapping[str, str], quarter: str, countries: str
) -> tuple[charts.Spec, pd.DataFrame]:
    """Findings per status of each country (``per`` "country") or facility
    ("facility_id"), one facet per domain or severity (``dim``)."""
    c_group = t("findings.breakdown.col.country" if per == "country" else "findings.breakdown.col.facility")
    c_dim = t(f"findings.breakdown.col.{dim}")
    kind = "finding_domain" if dim == "domain" else "severity"
    groups = counts["facility"] if per == "facility_id" else counts["country"].map(lambda c: names.get(c, c))
    table = pd.DataFrame(
        {
            c_group: groups,
            c_dim: [label(kind, v) for v in counts[dim]],
            t("findings.breakdown.col.status"): [label("finding_status", s) for s in counts["status"]],
            t("findings.breakdown.col.findings"): counts["findings"],
            t("findings.breakdown.col.overdue"): counts["overdue"],
        }
    )
    values = FINDING_DOMAINS if dim == "domain" else FINDING_SEVERITIES
    dims_present = [label(kind, v) for v in values if v in set(counts[dim])]
    statuses = tuple(s for s in theme.ORDER["finding_status"] if s in set(counts["status"]))
    chart = _breakdown_chart(table, per, dim, dims_present, statuses, quarter, countries)
    return chart, table


@charts.cached
def _breakdown_chart(
    table: pd.DataFrame,
    per: str,
    dim: str,
    dims_present: list[str],
    statuses: tuple[str, ...],
    q: str,
    countries: str,
) -> alt.TopLevelMixin:
    c_group = t("findings.breakdown.col.country" if per == "country" else "findings.breakdown.col.facility")
    c_dim = t(f"findings.breakdown.col.{dim}")
    c_status, c_n = t("findings.breakdown.col.status"), t("findings.breakdown.col.findings")
    c_over = t("findings.breakdown.col.overdue")
    per_name = t(f"findings.breakdown.per_name.{'country' if per == 'country' else 'facility'}")
    status_order = {label("finding_status", s): i for i, s in enumerate(theme.ORDER["finding_status"])}
    group_order = list(dict.fromkeys(table.groupby(c_group, sort=False)[c_n].sum().sort_values(ascending=False).index))
    label_width = 210 if per == "facility_id" else 95
    width = max(120, int((BREAKDOWN_WIDTH - label_width - 12 * len(dims_present)) / max(1, len(dims_present))))
    base = (
        alt.Chart(table.assign(_order=table[c_status].map(status_order)))
        .mark_bar()
        .encode(
            y=alt.Y(f"{c_group}:N", title=None, sort=group_order, axis=alt.Axis(labelLimit=label_width)),
            x=alt.X(
                f"sum({c_n}):Q",
                title=t("findings.breakdown.axis.findings"),
                axis=alt.Axis(format=",d", tickMinStep=1),
            ),
            color=charts.status_colour(c_status, "finding_status", statuses),
            order=alt.Order("_order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{c_group}:N"),
                alt.Tooltip(f"{c_dim}:N"),
                alt.Tooltip(f"{c_status}:N"),
                alt.Tooltip(f"{c_n}:Q", format=",d"),
                alt.Tooltip(f"{c_over}:Q", format=",d"),
            ],
        )
        .properties(width=width, height=alt.Step(20 if per == "country" else 17))
    )
    chart = base.facet(
        column=alt.Column(
            f"{c_dim}:N", sort=dims_present, title=None, header=alt.Header(labelFontSize=14, labelFontWeight=600)
        ),
        spacing=12,
    )
    return charts.titled(
        chart,
        t(f"findings.breakdown.{dim}_title", per=per_name),
        t("findings.breakdown.subtitle", countries=countries, quarter=q),
    )


# --------------------------------------------------------------------------- ageing and speed


def ageing(
    rows: pd.DataFrame, bands: Sequence[rules.Band], prefix: str, quarter: str
) -> tuple[charts.Spec, pd.DataFrame]:
    """Findings per band (of age, or of days past due: ``prefix``
    "findings.age" or "findings.late") and severity."""
    c_band, c_sev, c_n = t("findings.age.col.band"), t("findings.age.col.severity"), t("findings.age.col.findings")
    table = pd.DataFrame(
        {
            c_band: [t(f"findings.band.{b}") for b in rows["band"]],
            c_sev: [label("severity", s) for s in rows["severity"]],
            c_n: rows["findings"],
        }
    )
    band_labels = [t(f"findings.band.{b.key}") for b in bands]
    n = fmt.number(int(rows["findings"].sum()))
    return _ageing_chart(table, band_labels, prefix, quarter, n), table


@charts.cached
def _ageing_chart(table: pd.DataFrame, band_labels: list[str], prefix: str, q: str, n: str) -> alt.TopLevelMixin:
    return charts.stacked_bars(
        table,
        kind="severity",
        title=t(f"{prefix}.title"),
        subtitle=t(f"{prefix}.subtitle", quarter=q, n=n),
        x_title=t(f"{prefix}.axis.band"),
        y_title=t(f"{prefix}.axis.findings"),
        x_sort=band_labels,
    )


def _naming(key: str | None, names: Mapping[str, str]) -> Callable[[Any], str]:
    """How a group of the remediation speed reads: a country's name, a domain."""
    if key == "country":
        return lambda c: names.get(c, c)
    return lambda d: label("finding_domain", d)


def speed(
    frame: pd.DataFrame, key: str, names: Mapping[str, str], quarter: str, countries: str
) -> tuple[charts.Spec, pd.DataFrame]:
    """Median days to remediated and to verified per country or domain (``key``)."""
    c_group, c_measure, c_days = (
        t("findings.speed.col.group"),
        t("findings.speed.col.measure"),
        t("findings.speed.col.days"),
    )
    naming = _naming(key, names)
    long = pd.DataFrame(
        [
            {
                c_group: naming(r[key]),
                c_measure: t(f"findings.speed.measure.{m}"),
                c_days: None if pd.isna(r[f"median_days_to_{m}"]) else float(r[f"median_days_to_{m}"]),
            }
            for _, r in frame.iterrows()
            for m in SPEED_MEASURES
        ]
    )
    long = long.dropna(subset=[c_days])
    order = [naming(v) for v in frame[key]]
    return _speed_chart(long, key, order, quarter, countries), long


@charts.cached
def _speed_chart(long: pd.DataFrame, key: str, order: list[str], q: str, countries: str) -> alt.TopLevelMixin:
    c_group, c_measure, c_days = (
        t("findings.speed.col.group"),
        t("findings.speed.col.measure"),
        t("findings.speed.col.days"),
    )
    measures = [t(f"findings.speed.measure.{m}") for m in SPEED_MEASURES]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(f"{c_group}:N", title=t(f"findings.speed.col.{key}"), sort=order),
            xOffset=alt.XOffset(f"{c_measure}:N", sort=measures),
            y=alt.Y(f"{c_days}:Q", title=t("findings.speed.axis.days"), axis=alt.Axis(format=",d")),
            color=alt.Color(
                f"{c_measure}:N",
                title=c_measure,
                sort=measures,
                scale=alt.Scale(domain=measures, range=[theme.SKY_BLUE, theme.GREEN]),
            ),
            tooltip=[
                alt.Tooltip(f"{c_group}:N"),
                alt.Tooltip(f"{c_measure}:N"),
                alt.Tooltip(f"{c_days}:Q", format=",.0f"),
            ],
        )
    )
    return charts.titled(
        chart, t(f"findings.speed.by_{key}_title"), t("findings.speed.subtitle", countries=countries, quarter=q)
    )


def speed_table(
    overall: pd.DataFrame,
    by_country: pd.DataFrame,
    by_domain: pd.DataFrame,
    names: Mapping[str, str],
    quarter: str,
    countries: str,
) -> pd.DataFrame:
    """Punctuality and counts of remediation: overall, per country, per domain."""
    c_by, c_group = t("findings.speed.col.by"), t("findings.speed.col.group")
    rows = []
    for by_label, frame, key in (
        (t("findings.speed.all"), overall, None),
        (t("findings.speed.col.country"), by_country, "country"),
        (t("findings.speed.col.domain"), by_domain, "domain"),
    ):
        naming = _naming(key, names)
        for _, r in frame.iterrows():
            rows.append(
                {
                    c_by: by_label,
                    c_group: countries if key is None else naming(r[key]),
                    t("findings.speed.col.findings"): int(r["findings"]),
                    t("findings.speed.col.remediated"): int(r["remediated"]),
                    t("findings.speed.col.median_remediated"): r["median_days_to_remediated"],
                    t("findings.speed.col.verified"): int(r["verified"]),
                    t("findings.speed.col.median_verified"): r["median_days_to_verified"],
                    t("findings.speed.col.due", quarter=quarter): int(r["due"]),
                    t("findings.speed.col.on_time"): int(r["on_time"]),
                    t("findings.speed.col.on_time_share"): (
                        None if pd.isna(r["on_time_share"]) else float(r["on_time_share"]) * 100
                    ),
                }
            )
    return pd.DataFrame(rows)


def speed_columns(quarter: str) -> dict[str, Any]:
    """How the columns of :func:`speed_table` are drawn, with their help."""
    return {
        t("findings.speed.col.median_remediated"): st.column_config.NumberColumn(
            format="%.0f", help=t("findings.speed.help.median_remediated")
        ),
        t("findings.speed.col.median_verified"): st.column_config.NumberColumn(
            format="%.0f", help=t("findings.speed.help.median_verified")
        ),
        t("findings.speed.col.due", quarter=quarter): st.column_config.NumberColumn(
            help=t("findings.speed.help.due", quarter=quarter)
        ),
        t("findings.speed.col.on_time"): st.column_config.NumberColumn(help=t("findings.speed.help.on_time")),
        t("findings.speed.col.on_time_share"): st.column_config.ProgressColumn(
            format="%.0f%%", min_value=0, max_value=100, help=t("findings.speed.help.on_time_share")
        ),
    }


def remediated_per_quarter(flow: pd.DataFrame, quarters: list[str], countries: str) -> tuple[charts.Spec, pd.DataFrame]:
    """How many findings reached "remediated" in each quarter."""
    c_q, c_rem = t("findings.speed.col.quarter"), t("findings.speed.col.remediated_in_quarter")
    data = (
        pd.DataFrame({c_q: flow["remediated_quarter"], c_rem: flow["remediated"]})
        .set_index(c_q)
        .reindex(quarters, fill_value=0)
        .rename_axis(c_q)
        .reset_index()
    )
    return _flow_chart(data, quarters, countries), data


@charts.cached
def _flow_chart(data: pd.DataFrame, quarters: list[str], countries: str) -> alt.TopLevelMixin:
    c_q, c_rem = t("findings.speed.col.quarter"), t("findings.speed.col.remediated_in_quarter")
    chart = (
        alt.Chart(data)
        .mark_bar(color=theme.SKY_BLUE)
        .encode(
            x=alt.X(
                f"{c_q}:N",
                title=t("findings.speed.axis.quarter"),
                sort=quarters,
                axis=alt.Axis(labelAngle=_tilted(quarters)),
            ),
            y=alt.Y(f"{c_rem}:Q", title=t("findings.speed.axis.remediated"), axis=alt.Axis(format=",d", tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{c_q}:N"), alt.Tooltip(f"{c_rem}:Q", format=",d")],
        )
    )
    return charts.titled(chart, t("findings.speed.flow_title"), t("findings.speed.flow_subtitle", countries=countries))


# --------------------------------------------------------------------------- the findings list


def sort_labels() -> dict[str, str]:
    """The list's sort orders in words."""
    return {k: t(f"findings.list.sort.{k}") for k in rules.SORT_KEYS}


def findings_table(rows: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The findings with readable column labels and translated values (also
    what the list's download contains)."""
    return plain_frame(
        pd.DataFrame(
            {
                t("findings.list.col.finding_id"): rows["finding_id"],
                t("findings.list.col.country"): [names.get(c, c) for c in rows["country"]],
                t("findings.list.col.facility"): rows["facility"],
                t("findings.list.col.audit_date"): pd.to_datetime(rows["audit_date"]).dt.date,
                t("findings.list.col.domain"): [label("finding_domain", d) for d in rows["domain"]],
                t("findings.list.col.severity"): [label("severity", s) for s in rows["severity"]],
                t("findings.list.col.title"): rows["title"],
                t("findings.list.col.status"): [label("finding_status", s) for s in rows["status"]],
                t("findings.list.col.due_date"): pd.to_datetime(rows["due_date"]).dt.date,
                t("findings.list.col.days_overdue"): [days_text(d) for d in rows["days_overdue"]],
                t("findings.list.col.owner"): rows["owner"],
                t("findings.list.col.status_quarter"): rows["status_quarter"],
                t("findings.list.col.status_note"): rows["status_note"],
                t("findings.list.col.recommendation"): rows["recommendation"],
            }
        )
    )


def findings_columns() -> tuple[list[str], dict[str, Any]]:
    """The list's columns in order, and how some of them are drawn."""
    order = [t(f"findings.list.col.{c}") for c in LIST_COLUMNS]
    config = {
        t("findings.list.col.title"): st.column_config.TextColumn(width="large"),
        t("findings.list.col.due_date"): st.column_config.DateColumn(format="D MMM YYYY"),
        t("findings.list.col.audit_date"): st.column_config.DateColumn(format="D MMM YYYY"),
        t("findings.list.col.finding_id"): st.column_config.TextColumn(pinned=True),
        t("findings.list.col.days_overdue"): st.column_config.TextColumn(alignment="right"),
    }
    return order, config


# --------------------------------------------------------------------------- one finding's timeline


def timeline_facts(facts: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The finding's title line and its facts line (Markdown)."""
    return [
        t("findings.timeline.title", id=escape(facts["finding_id"]), title=escape(facts["title"])),
        t(
            "findings.timeline.facts",
            facility=escape(facts["facility"]),
            country=escape(names.get(facts["country"], facts["country"])),
            domain=label("finding_domain", facts["domain"]),
            audit=fmt.date(facts["audit_date"]),
            severity=theme.badge("severity", facts["severity"]),
        ),
    ]


def timeline_state(now: rules.TimelineRow, quarter: str) -> str:
    """The finding's state as at the quarter, overdue days included."""
    state = t(
        "findings.timeline.state",
        quarter=quarter,
        status=theme.badge("finding_status", now.status),
        due=fmt.date(now.due_date),
        owner=escape(now.owner or t("common.none")),
    )
    if now.overdue:
        state += " " + t("findings.timeline.overdue", days=fmt.number(now.days_overdue))
    return state


def describe(r: rules.TimelineRow) -> str:
    """What changed in a quarter of a finding's timeline, in words."""
    parts = []
    for change in r.changes:
        if change == rules.RAISED:
            parts.append(t("findings.timeline.raised", status=label("finding_status", r.status)))
        elif change == rules.STATUS:
            parts.append(
                t(
                    "findings.timeline.status",
                    before=label("finding_status", r.previous_status),
                    after=label("finding_status", r.status),
                )
            )
        elif change == rules.DUE_DATE:
            parts.append(t("findings.timeline.due", before=fmt.date(r.previous_due_date), after=fmt.date(r.due_date)))
        elif change == rules.OWNER:
            parts.append(
                t(
                    "findings.timeline.owner",
                    before=r.previous_owner or t("common.none"),
                    after=r.owner or t("common.none"),
                )
            )
        elif change == rules.NOTE:
            parts.append(t("findings.timeline.note"))
        elif change == rules.UNCHANGED:
            parts.append(t("findings.timeline.unchanged"))
    return " · ".join(parts)


def source_text(source: Mapping[str, Any] | None) -> str | None:
    """Who reported a quarter's state: the upload's file and who sent it."""
    if not source:
        return None
    return t(
        "findings.timeline.source",
        file=source.get("file_name") or t("common.none"),
        who=source.get("uploaded_by") or t("common.none"),
    )


def timeline_table(rows: Sequence[rules.TimelineRow]) -> Styler:
    """The timeline, latest quarter first: each status on its colour, the
    quarters nothing was reported for muted."""
    c_q, c_status = t("findings.timeline.col.quarter"), t("findings.timeline.col.status")
    table = pd.DataFrame(
        [
            {
                c_q: r.quarter,
                c_status: label("finding_status", r.status),
                t("findings.timeline.col.changes"): describe(r),
                t("findings.timeline.col.note"): r.note if r.reported else None,
                t("findings.timeline.col.due_date"): r.due_date,
                t("findings.timeline.col.owner"): r.owner,
                t("findings.timeline.col.overdue"): days_text(r.days_overdue),
                t("findings.timeline.col.reported_by"): source_text(r.source) if r.reported else None,
            }
            for r in reversed(rows)
        ]
    )
    muted = [not r.reported for r in reversed(rows)]
    colours = [theme.tint(theme.colour("finding_status", r.status), TIMELINE_TINT) for r in reversed(rows)]

    def paint(row: pd.Series) -> list[str]:
        i = cast(int, row.name)  # the table's index is its row number
        base = f"color: {theme.MUTED}; font-style: italic" if muted[i] else ""
        return [f"background-color: {colours[i]}" if c == c_status else base for c in row.index]

    return plain_frame(table).style.apply(paint, axis=1)


def timeline_columns() -> dict[str, Any]:
    """How the columns of :func:`timeline_table` are drawn."""
    return {
        t("findings.timeline.col.quarter"): st.column_config.TextColumn(pinned=True),
        t("findings.timeline.col.changes"): st.column_config.TextColumn(width="medium"),
        t("findings.timeline.col.note"): st.column_config.TextColumn(width="large"),
        t("findings.timeline.col.due_date"): st.column_config.DateColumn(format="D MMM YYYY"),
        t("findings.timeline.col.overdue"): st.column_config.TextColumn(alignment="right"),
    }
