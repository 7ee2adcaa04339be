"""How the Priorities page shows its figures: the tiles, the table of every
priority with the rule's verdict, the questions for the meeting, one
priority's facts, progress chart, milestones and narrative, and the
programme-wide charts. Built from what :mod:`components.data_priorities`
reads; the rules come from ``data_access.rules.priorities``; the page lays
them out.

Functions that return a chart return it with its data as the download
offers it: ``(chart, download)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from data_access.priorities import FLAG_POLARITY, FLAGS
from data_access.rules import priorities as rule
from data_access.rules import status as rag
from data_access.rules.text import plain, plain_frame

from . import charts, kpi, theme
from . import formatting as fmt
from .i18n import label, t
from .layout import escape

STATUS = "priority_status"
STATUS_TINT = 0.22  # strength of a status's colour behind it in the table
ATTENTION_TINT = 0.35  # strength of the yellow behind a check that needs attention
TABLE_COLUMNS = (
    "country",
    "id",
    "title",
    "reported",
    "computed",
    "check",
    "progress",
    "trend",
    "target",
    "last_update",
)
MILESTONE_SHAPES = ["circle", "diamond", "triangle-up", "cross"]  # planned, done, late, dropped


@dataclass(frozen=True)
class AsAt:
    """The moment the page shows: the quarter, the previous one, the
    quarter's last day, and per priority the quarter since which its
    progress has not moved."""

    quarter: str
    previous: str | None
    end: dt.date
    unchanged_since: Mapping[str, str | None] = field(default_factory=dict)

    def since(self, priority_id: str) -> str:
        return self.unchanged_since.get(priority_id) or self.quarter


def percent(value: Any, decimals: int = 0) -> str:
    """Progress (0 to 100) as a percentage."""
    return fmt.percent(None if fmt.missing(value) else float(value) / 100, decimals=decimals)


def status_style(status: str | None) -> str:
    """A table cell's style for a status: a light wash of its colour, dark text."""
    if not status:
        return ""
    return f"background-color: {theme.tint(theme.colour(STATUS, status), STATUS_TINT)}; color: {theme.TEXT}"


# --------------------------------------------------------------------------- tiles


def flag_tiles(now: Mapping[str, int], before: Mapping[str, int] | None, quarter: str) -> list[kpi.Tile]:
    """One tile per flag of ``data_access.priorities.FLAGS``: priorities per
    status, disagreeing with the rule, slipping."""
    return [
        kpi.Tile(
            label=label(STATUS, flag) if flag in theme.ORDER[STATUS] else t(f"priorities.tile.{flag}"),
            value=now[flag],
            previous=before[flag] if before else None,
            polarity=FLAG_POLARITY[flag],
            help=t(f"priorities.tile.{flag}.help", quarter=quarter, gap=fmt.number(rule.AT_RISK_GAP)),
            key=f"prio_{flag}",
        )
        for flag in FLAGS
    ]


# --------------------------------------------------------------------------- the rule's verdict in words


def why_rule(r: Any, at: AsAt, short: bool = False) -> str:
    """Why the rule gives its status, in words."""
    key = f"priorities.reason{'_short' if short else ''}.{r.reason}"
    gap = 0.0 if fmt.missing(r.gap) else float(r.gap)
    return t(
        key,
        progress=percent(r.progress_pct),
        expected=percent(r.expected_progress, decimals=1),
        as_at=fmt.date(at.end),
        target=fmt.date(r.target_date),
        gap=fmt.number(abs(gap), decimals=1),
        limit=fmt.number(rule.AT_RISK_GAP),
        position=t("priorities.ahead" if gap < 0 else "priorities.below", gap=fmt.number(abs(gap), decimals=1)),
    )


def checks(r: Any, at: AsAt) -> list[str]:
    """What the table's check column says: the rule's other status, worse
    than the previous quarter, stalled."""
    out = []
    if r.disagreement:
        out.append(t("priorities.check.disagree", status=label(STATUS, r.computed_status)))
    if r.worsened:
        out.append(t("priorities.check.worsened", quarter=at.previous))
    if r.stalled:
        out.append(t("priorities.check.stalled", since=at.since(r.priority_id)))
    return out


def slipping_parts(r: Any, at: AsAt) -> list[str]:
    """Why a priority is slipping: its status worsened, its progress stalled."""
    out = []
    if r.worsened:
        out.append(
            t(
                "priorities.questions.worsened",
                before=theme.badge(STATUS, r.previous_status),
                previous=at.previous,
                now=theme.badge(STATUS, r.status),
                quarter=at.quarter,
            )
        )
    if r.stalled:
        out.append(t("priorities.questions.stalled", progress=percent(r.progress_pct), since=at.since(r.priority_id)))
    return out


def question(r: Any, at: AsAt) -> str:
    """A priority to ask about in the meeting: its flags, why, and its narrative."""
    parts = []
    if r.disagreement:
        parts.append(
            t(
                "priorities.questions.disagree",
                reported=theme.badge(STATUS, r.status),
                computed=theme.badge(STATUS, r.computed_status),
                why=why_rule(r, at, short=True),
            )
        )
    parts += slipping_parts(r, at)
    why = (
        t("priorities.questions.narrative", quarter=r.last_update, text=escape(r.narrative))
        if r.narrative
        else t("priorities.questions.no_narrative")
    )
    return t(
        "priorities.questions.line",
        id=escape(r.priority_id),
        title=escape(r.title),
        country=escape(r.country_name),
        flags=" ".join(
            ([t("priorities.badge.disagree")] if r.disagreement else [])
            + ([t("priorities.badge.slipping")] if r.slipping else [])
        ),
        parts="; ".join(parts),
        why=why,
    )


# --------------------------------------------------------------------------- every priority


def priorities_table(table: pd.DataFrame, trend_of: Mapping[str, list], at: AsAt) -> Styler:
    """Every priority: reported status beside the rule's, the checks,
    progress and its trend; statuses on their colour, checks needing
    attention on yellow."""
    col = {k: t(f"priorities.col.{k}") for k in TABLE_COLUMNS}
    shown = pd.DataFrame(
        {
            col["country"]: table["country_name"],
            col["id"]: table["priority_id"],
            col["title"]: table["title"],
            col["reported"]: [label(STATUS, s) for s in table["status"]],
            col["computed"]: [
                label(STATUS, s) if s else t("priorities.not_computed") for s in table["computed_status"]
            ],
            col["check"]: [" · ".join(checks(r, at)) for r in table.itertuples()],
            col["progress"]: table["progress_pct"],
            col["trend"]: [trend_of.get(pid, []) for pid in table["priority_id"]],
            col["target"]: [fmt.date(d) for d in table["target_date"]],
            col["last_update"]: table["last_update"],
        }
    )
    reported, computed = list(table["status"]), list(table["computed_status"])
    attention = [bool(r.disagreement or r.slipping) for r in table.itertuples()]
    flagged = f"background-color: {theme.tint(theme.YELLOW, ATTENTION_TINT)}; font-weight: 600"
    return (
        plain_frame(shown)
        .style.apply(lambda c: [status_style(s) for s in reported], subset=[col["reported"]], axis=0)
        .apply(lambda c: [status_style(s) for s in computed], subset=[col["computed"]], axis=0)
        .apply(lambda c: [flagged if a else "" for a in attention], subset=[col["check"]], axis=0)
        .format({col["progress"]: lambda v: percent(v)})
    )


def priorities_columns(first: str, quarter: str) -> dict[str, Any]:
    """How the columns of :func:`priorities_table` are drawn, with their help
    (``first``: the first quarter of the trend)."""
    col = {k: t(f"priorities.col.{k}") for k in TABLE_COLUMNS}
    return {
        col["country"]: st.column_config.TextColumn(width=80),
        col["id"]: st.column_config.TextColumn(width=58, pinned=True),
        col["title"]: st.column_config.TextColumn(width=140, help=t("priorities.col.title.help")),
        col["reported"]: st.column_config.TextColumn(width=76, help=t("priorities.col.reported.help")),
        col["computed"]: st.column_config.TextColumn(width=76, help=t("priorities.col.computed.help")),
        col["check"]: st.column_config.TextColumn(width=140, help=t("priorities.col.check.help")),
        col["progress"]: st.column_config.ProgressColumn(
            width=90, min_value=0, max_value=100, format="%d%%", help=t("priorities.col.progress.help")
        ),
        col["trend"]: st.column_config.LineChartColumn(
            width=70, y_min=0, y_max=100, help=t("priorities.col.trend.help", first=first, quarter=quarter)
        ),
        col["target"]: st.column_config.TextColumn(width=82),
        col["last_update"]: st.column_config.TextColumn(width=74, help=t("priorities.col.last_update.help")),
    }


# --------------------------------------------------------------------------- one priority


def option(r: Any) -> str:
    """A priority as the picker lists it (a select box: plain text)."""
    return t("priorities.detail.option", id=plain(r.priority_id), country=r.country_name, title=plain(r.title))


def facts(r: Any) -> str:
    return t(
        "priorities.detail.facts",
        country=r.country_name,
        theme=escape(r.theme) if r.theme else t("priorities.no_theme"),
        target=fmt.date(r.target_date),
        first=r.first_quarter,
        last=r.last_update,
    )


def verdict(r: Any) -> str:
    """The reported status beside the rule's, with the priority's flags."""
    parts = [
        t("priorities.detail.reported", status=theme.badge(STATUS, r.status)),
        t(
            "priorities.detail.computed",
            status=theme.badge(STATUS, r.computed_status) if r.computed_status else t("priorities.not_computed"),
        ),
    ]
    if r.disagreement:
        parts.append(t("priorities.badge.disagree"))
    if r.slipping:
        parts.append(t("priorities.badge.slipping"))
    return " · ".join(parts)


def explanation(r: Any, at: AsAt) -> str:
    """The rule's line, why it gives its status, and why the priority slips."""
    parts = [why_rule(r, at)]
    if r.target_date:
        parts.insert(
            0,
            t(
                "priorities.detail.line",
                start=fmt.date(r.start_date),
                first=r.first_quarter,
                target=fmt.date(r.target_date),
            ),
        )
    for why in slipping_parts(r, at):
        parts.append(t("priorities.detail.slipping", check=why))
    return " ".join(parts)


def _reported(path: pd.DataFrame) -> list[str]:
    return [t("priorities.chart.reported_yes") if x else t("priorities.chart.reported_no") for x in path["reported"]]


def progress(path: pd.DataFrame, r: Any, at: AsAt) -> tuple[charts.Spec, pd.DataFrame]:
    """A priority's reported progress against the rule's line (``path``: its
    progress per quarter)."""
    download = pd.DataFrame(
        {
            t("priorities.chart.col.quarter"): path["quarter"],
            t("priorities.chart.col.quarter_end"): path["quarter_end"],
            t("priorities.chart.col.status"): [label(STATUS, s) for s in path["status"]],
            t("priorities.chart.col.progress"): path["progress_pct"],
            t("priorities.chart.col.expected"): [
                None if fmt.missing(v) else round(float(v), 1) for v in path["expected_progress"]
            ],
            t("priorities.chart.col.reported"): _reported(path),
        }
    )
    chart = _progress_chart(r.priority_id, path, r.start_date, r.target_date, at.end, at.quarter)
    return chart, download


@charts.cached
def _progress_chart(pid: str, path: pd.DataFrame, start_date, target_date, as_at, q: str) -> alt.TopLevelMixin:
    """Reported progress against the straight line to the target and the
    at-risk threshold below it, as at the quarter."""
    line = pd.DataFrame(rule.rule_lines(start_date, target_date, as_at))
    names = {
        "reported": t("priorities.chart.series.reported"),
        rule.LINE: t("priorities.chart.series.line"),
        rule.THRESHOLD: t("priorities.chart.series.threshold", gap=fmt.number(rule.AT_RISK_GAP)),
    }
    x_title, y_title = t("priorities.chart.axis.date"), t("priorities.chart.axis.progress")
    reported_pts = pd.DataFrame(
        {
            "date": pd.to_datetime(path["quarter_end"]),
            "series": names["reported"],
            "value": path["progress_pct"].astype(float),
            "quarter": path["quarter"],
            "status": [label(STATUS, s) for s in path["status"]],
            "reported": _reported(path),
        }
    )
    lines = pd.DataFrame(
        {
            "date": pd.to_datetime(line["date"]) if not line.empty else pd.Series(dtype="datetime64[ns]"),
            "series": [names[s] for s in line.get("series", [])],
            "value": line.get("value", pd.Series(dtype=float)),
        }
    )
    series_order = [names["reported"], names[rule.LINE], names[rule.THRESHOLD]]
    series_scale = alt.Scale(domain=series_order, range=[theme.BLUE, theme.MUTED, theme.ORANGE])
    dash_scale = alt.Scale(domain=series_order, range=[[1, 0], [6, 4], [2, 3]])
    x = alt.X("date:T", title=x_title, axis=alt.Axis(format="%Y", tickCount="year"))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[0, 100]), axis=alt.Axis(values=[0, 25, 50, 75, 100]))
    legend = alt.Legend(
        title=t("priorities.chart.legend.series"), symbolType="stroke", symbolStrokeWidth=2.5, columns=1, labelLimit=320
    )
    both = pd.concat([reported_pts[["date", "series", "value"]], lines], ignore_index=True)
    line_layer = (
        alt.Chart(both)
        .mark_line()
        .encode(
            x=x,
            y=y,
            color=alt.Color("series:N", scale=series_scale, legend=legend),
            strokeDash=alt.StrokeDash("series:N", scale=dash_scale, legend=legend),
        )
    )
    point_layer = (
        alt.Chart(reported_pts)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill(
                "status:N",
                scale=theme.scale(STATUS, list(path["status"])),
                legend=alt.Legend(title=t("priorities.chart.legend.status"), symbolType="circle"),
            ),
            stroke=alt.value("white"),
            tooltip=[
                alt.Tooltip("quarter:N", title=t("priorities.chart.tooltip.quarter")),
                alt.Tooltip("status:N", title=t("priorities.chart.tooltip.status")),
                alt.Tooltip("value:Q", title=y_title, format=".0f"),
                alt.Tooltip("reported:N", title=t("priorities.chart.tooltip.reported")),
            ],
        )
    )
    rule_layer = alt.Chart(
        pd.DataFrame({"date": [pd.Timestamp(as_at)], "text": [t("priorities.chart.as_at", quarter=q)]})
    )
    now_rule = rule_layer.mark_rule(color=theme.LIGHT_GREY, strokeDash=[2, 2]).encode(x="date:T")
    return charts.titled(
        alt.layer(line_layer, point_layer, now_rule),
        t("priorities.chart.progress_title", id=plain(pid)),
        t("priorities.chart.progress_subtitle", quarter=q),
    )


def _timing(ms: pd.DataFrame, none: str = "") -> list[str]:
    return [t(f"priorities.timing.{x}") if x else none for x in ms["timing"]]


def milestones(ms: pd.DataFrame, r: Any, at: AsAt) -> tuple[charts.Spec, pd.DataFrame]:
    """A priority's milestones on a time line (``ms``: its milestones)."""
    download = pd.DataFrame(
        {
            t("priorities.milestones.col.milestone"): ms["milestone"],
            t("priorities.milestones.col.status"): [label("milestone_status", s) for s in ms["status"]],
            t("priorities.milestones.col.due"): ms["due_date"],
            t("priorities.milestones.col.done"): ms["completed_on"],
            t("priorities.milestones.col.timing"): _timing(ms),
            t("priorities.milestones.col.last_update"): ms["last_update"],
        }
    )
    return _milestone_chart(r.priority_id, ms, r.target_date, at.end, at.quarter), download


def milestones_height(ms: pd.DataFrame) -> int:
    """The milestone chart's height: a row per milestone."""
    return 44 * len(ms) + 170


@charts.cached
def _milestone_chart(pid: str, ms: pd.DataFrame, target_date, as_at, q: str) -> alt.TopLevelMixin:
    """The milestones on a time line: due (ring), done or expected (mark),
    the quarter's end and the priority's target date."""
    x_title = t("priorities.milestones.axis.date")
    frame = pd.DataFrame(
        {
            "milestone": ms["milestone"],
            "status": [label("milestone_status", s) for s in ms["status"]],
            "date": pd.to_datetime(ms["date"]),
            "due": pd.to_datetime(ms["due_date"]),
            "done": pd.to_datetime(ms["completed_on"]),
            "due_text": [fmt.date(d) for d in ms["due_date"]],
            "done_text": [fmt.date(d) for d in ms["completed_on"]],
            "timing": _timing(ms),
            "last_update": ms["last_update"],
        }
    )
    order = list(frame["milestone"])
    # The milestone names are the axis: a vertical axis title would only collide with them.
    y = alt.Y("milestone:N", title=None, sort=order, axis=alt.Axis(labelLimit=330))
    tooltip = [
        alt.Tooltip("milestone:N", title=t("priorities.milestones.col.milestone")),
        alt.Tooltip("status:N", title=t("priorities.milestones.col.status")),
        alt.Tooltip("due_text:N", title=t("priorities.milestones.col.due")),
        alt.Tooltip("done_text:N", title=t("priorities.milestones.col.done")),
        alt.Tooltip("timing:N", title=t("priorities.milestones.col.timing")),
        alt.Tooltip("last_update:N", title=t("priorities.milestones.col.last_update")),
    ]
    base = alt.Chart(frame)
    x_axis = alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 6})
    span = (
        base.transform_filter("isValid(datum.done)")
        .mark_rule(color=theme.LIGHT_GREY, strokeWidth=2)
        .encode(x=alt.X("due:T", title=x_title, axis=x_axis), x2="done:T", y=y)
    )
    due = base.mark_point(shape="circle", filled=False, size=90, color=theme.MUTED, strokeWidth=1.5).encode(
        x=alt.X("due:T", title=x_title, axis=x_axis), y=y, tooltip=tooltip
    )
    point = base.mark_point(filled=True, size=130, opacity=1).encode(
        x=alt.X("date:T", title=x_title, axis=x_axis),
        y=y,
        color=alt.Color(
            "status:N",
            scale=theme.scale("milestone_status"),
            legend=alt.Legend(title=t("priorities.milestones.legend")),
        ),
        shape=alt.Shape(
            "status:N",
            scale=alt.Scale(domain=theme.sort_order("milestone_status"), range=MILESTONE_SHAPES),
            legend=alt.Legend(title=t("priorities.milestones.legend")),
        ),
        tooltip=tooltip,
    )
    marks = pd.DataFrame(
        {
            "date": [pd.Timestamp(as_at)] + ([pd.Timestamp(target_date)] if target_date else []),
            "what": [t("priorities.chart.as_at", quarter=q)]
            + ([t("priorities.milestones.target")] if target_date else []),
            "row": [0, 1][: 1 + bool(target_date)],
        }
    )
    refs = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], color=theme.MUTED)
        .encode(x="date:T", tooltip=[alt.Tooltip("what:N", title=t("priorities.milestones.reference"))])
    )
    # Labels of the two marks, right-aligned against their line, one above the other.
    ref_text = [
        alt.Chart(marks[marks["row"] == i])
        .mark_text(align="right", dx=-4, baseline="top", color=theme.MUTED, fontSize=12)
        .encode(x="date:T", y=alt.value(2 + 15 * i), text="what:N")
        for i in range(len(marks))
    ]
    return charts.titled(
        alt.layer(span, due, point, refs, *ref_text),
        t("priorities.milestones.title", id=plain(pid)),
        t("priorities.milestones.subtitle", quarter=q),
    )


def milestones_table(ms: pd.DataFrame) -> pd.DataFrame:
    return plain_frame(
        pd.DataFrame(
            {
                t("priorities.milestones.col.milestone"): ms["milestone"],
                t("priorities.milestones.col.status"): [label("milestone_status", s) for s in ms["status"]],
                t("priorities.milestones.col.due"): [fmt.date(d) for d in ms["due_date"]],
                t("priorities.milestones.col.done"): [fmt.date(d) for d in ms["completed_on"]],
                t("priorities.milestones.col.timing"): _timing(ms, t("common.none")),
                t("priorities.milestones.col.last_update"): ms["last_update"],
            }
        )
    )


def thread_entry(e: Any) -> str:
    """A quarter of the narrative thread: status, progress, movement, the
    narrative and the next steps (Markdown)."""
    head = [f"**{e.quarter}**", theme.badge(STATUS, e.status), percent(e.progress)]
    if e.movement in (rag.IMPROVED, rag.WORSENED, rag.STARTED):
        head.append(
            t(
                "priorities.thread.moved",
                movement=label("movement", e.movement),
                before=theme.badge(STATUS, e.previous_status),
            )
        )
    lines = [" · ".join(head)]
    if e.narrative:
        lines.append(escape(e.narrative))
    else:
        lines.append(
            f"_{t('priorities.thread.first' if e.movement == rag.NEW else 'priorities.thread.no_new_narrative')}_"
        )
    if e.next_steps:
        lines.append(t("priorities.thread.next_steps", text=escape(e.next_steps)))
    return "  \n".join(lines)


# --------------------------------------------------------------------------- programme-wide


def by_country(counts: pd.DataFrame, quarter: str) -> tuple[charts.Spec, pd.DataFrame]:
    """Priorities per country and status."""
    data = pd.DataFrame(
        {
            t("priorities.programme.col.country"): counts["country_name"],
            t("priorities.programme.col.status"): [label(STATUS, s) for s in counts["status"]],
            t("priorities.programme.col.priorities"): counts["priorities"],
        }
    )
    return _by_country_chart(data, quarter), data


@charts.cached
def _by_country_chart(data: pd.DataFrame, q: str) -> alt.TopLevelMixin:
    return charts.stacked_bars(
        data,
        kind=STATUS,
        title=t("priorities.programme.by_country"),
        subtitle=t("priorities.programme.subtitle", quarter=q),
        x_title=t("priorities.programme.axis.country"),
        y_title=t("priorities.programme.axis.priorities"),
    )


def by_theme(counts: pd.DataFrame, quarter: str) -> tuple[charts.Spec, pd.DataFrame]:
    """Priorities per theme and status, the largest themes first."""
    themes = [x[:1].upper() + x[1:] if x else t("priorities.no_theme") for x in counts["theme"]]
    data = pd.DataFrame(
        {
            t("priorities.programme.col.theme"): themes,
            t("priorities.programme.col.status"): [label(STATUS, s) for s in counts["status"]],
            t("priorities.programme.col.priorities"): counts["priorities"],
        }
    )
    return _by_theme_chart(data, quarter), data


@charts.cached
def _by_theme_chart(data: pd.DataFrame, q: str) -> alt.TopLevelMixin:
    theme_col, status_col, n_col = (
        t("priorities.programme.col.theme"),
        t("priorities.programme.col.status"),
        t("priorities.programme.col.priorities"),
    )
    totals = data.groupby(theme_col)[n_col].sum().sort_values(ascending=False)
    present = [s for s in theme.ORDER[STATUS] if label(STATUS, s) in set(data[status_col])]
    order = {label(STATUS, s): i for i, s in enumerate(theme.ORDER[STATUS])}
    bars = (
        alt.Chart(data.assign(_order=data[status_col].map(order)))
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{theme_col}:N",
                title=t("priorities.programme.axis.theme"),
                sort=list(totals.index),
                axis=alt.Axis(labelLimit=200),
            ),
            x=alt.X(
                f"sum({n_col}):Q",
                title=t("priorities.programme.axis.priorities"),
                axis=alt.Axis(tickMinStep=1, format=",d"),
            ),
            color=alt.Color(
                f"{status_col}:N", scale=theme.scale(STATUS, present), title=t("priorities.programme.col.status")
            ),
            order=alt.Order("_order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{theme_col}:N"),
                alt.Tooltip(f"{status_col}:N"),
                alt.Tooltip(f"{n_col}:Q", format=",d"),
            ],
        )
    )
    return charts.titled(bars, t("priorities.programme.by_theme"), t("priorities.programme.subtitle", quarter=q))


def countries_table(table: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Per country: priorities, how many per status, disagreeing, slipping
    (``table``: every priority assessed; ``counts``: per country and status)."""
    summary = (
        table.groupby(["country", "country_name"], sort=True)
        .agg(
            priorities=("priority_id", "count"),
            disagree=("disagreement", lambda s: int(s.notna().sum())),
            slipping=("slipping", "sum"),
        )
        .reset_index()
    )
    per_status = counts.pivot_table(index="country", columns="status", values="priorities", aggfunc="sum", fill_value=0)
    out = pd.DataFrame(
        {
            t("priorities.programme.col.country"): summary["country_name"],
            t("priorities.programme.col.priorities"): summary["priorities"],
        }
    )
    for s in theme.ORDER[STATUS]:
        out[label(STATUS, s)] = [
            int(per_status.loc[c, s]) if s in per_status.columns and c in per_status.index else 0
            for c in summary["country"]
        ]
    out[t("priorities.tile.disagree")] = summary["disagree"].astype(int)
    out[t("priorities.tile.slipping")] = summary["slipping"].astype(int)
    return plain_frame(out)
