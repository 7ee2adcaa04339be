"""How the Overview shows its figures: the headline tiles, the lines of
"what changed" and of the alerts, the returns tracker and the trend charts.
Built from what :mod:`components.data_overview` reads; the page lays them
out."""

from __future__ import annotations

from typing import NamedTuple

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from data_access.overview import METRIC_POLARITY, SHARE_METRICS
from data_access.rules.text import plain_frame

from . import charts, kpi, theme
from . import formatting as fmt
from .data import records
from .i18n import label, t, tn
from .layout import escape

# Counts of "what changed" shown even when zero; the others only when some changed.
ALWAYS_COUNTED = {
    "finding": ("raised", "remediated", "verified"),
    "priority": ("improved", "worsened"),
    "milestone": ("reached", "late"),
}


class Trend(NamedTuple):
    by: str  # the query's column the bars are coloured by
    counted: str  # the query's column counted
    by_title: str  # message keys: the columns, the chart's title and its vertical axis
    count_title: str
    title: str
    axis: str


TRENDS = {  # by status kind
    "severity": Trend(
        "severity",
        "open",
        "trends.col.severity",
        "trends.col.open_findings",
        "trends.findings_title",
        "trends.axis.findings",
    ),
    "priority_status": Trend(
        "status",
        "priorities",
        "trends.col.status",
        "trends.col.priorities",
        "trends.priorities_title",
        "trends.axis.priorities",
    ),
}


# --------------------------------------------------------------------------- tiles


def headline_tiles(headline: pd.DataFrame, quarter: str, year: int, n_countries: int) -> list[kpi.Tile]:
    """One tile per headline metric (``headline`` indexed by metric)."""

    def help_text(metric: str, row: pd.Series) -> str:
        text = t(f"metric.{metric}.help", quarter=quarter, year=year)
        if row["countries"] is not None and not pd.isna(row["countries"]):
            text += " " + t("metric.reporting", n=int(row["countries"]), total=n_countries)
        return text

    tiles = []
    for metric, row in headline.iterrows():
        m = str(metric)
        tiles.append(
            kpi.Tile(
                label=t(f"metric.{m}", year=year),
                value=row["value"],
                previous=row["previous"],
                kind=kpi.SHARE if m in SHARE_METRICS else kpi.COUNT,
                approximate=bool(row["approximate"]),
                polarity=METRIC_POLARITY[m],
                help=help_text(m, row),
                key=m,
            )
        )
    return tiles


# --------------------------------------------------------------------------- what changed


def change_lines(summary: pd.Series, received: int, expected: int, quarter: str) -> list[str]:
    """One line per area: how many findings, priorities and milestones
    changed in which way (``summary``: counts indexed by area and change),
    and how many returns arrived."""

    def parts(area: str) -> str:
        counts = summary.loc[area]
        return " · ".join(
            tn(f"changes.{area}.{c}", int(n)) for c, n in counts.items() if c in ALWAYS_COUNTED[area] or n
        )

    return [
        t("changes.findings", items=parts("finding")),
        t("changes.priorities", items=parts("priority")),
        t("changes.milestones", items=parts("milestone")),
        t("changes.returns", received=received, expected=expected, quarter=quarter),
    ]


def _id_title(id_: object, title: object) -> dict[str, str]:
    """A priority's or a finding's id and title, escaped for Markdown."""
    return {"id": escape(id_), "title": escape(title)}


def priority_change_lines(priorities: pd.DataFrame) -> list[str]:
    return [
        t(
            "changes.priority_line",
            **_id_title(r.priority_id, r.title),
            before=theme.badge("priority_status", r.previous_status) if r.previous_status else t("common.none"),
            after=theme.badge("priority_status", r.status),
            change=label("movement", r.change),
        )
        for r in records(priorities)
    ]


def milestone_change_lines(milestones: pd.DataFrame) -> list[str]:
    return [
        t(
            "changes.milestone_line",
            id=escape(r.priority_id),
            name=escape(r.milestone),
            status=theme.badge("milestone_status", r.status),
            due=fmt.date(r.due_date),
        )
        for r in records(milestones)
    ]


def finding_changes_table(findings: pd.DataFrame) -> pd.DataFrame:
    return plain_frame(
        pd.DataFrame(
            {
                t("changes.col.change"): [label("finding_change", c) for c in findings["change"]],
                t("changes.col.severity"): [label("severity", v) for v in findings["severity"]],
                t("changes.col.finding"): findings["finding_id"],
                t("changes.col.title"): findings["title"],
                t("changes.col.facility"): findings["facility"],
            }
        )
    )


# --------------------------------------------------------------------------- alerts


def missing_returns_line(missing: pd.DataFrame, quarter: str) -> str:
    return t(
        "alerts.missing_returns",
        quarter=quarter,
        countries=", ".join(f"**{escape(n)}**" for n in missing["name"]),
    )


def overdue_lines(overdue: pd.DataFrame) -> list[str]:
    return [
        t(
            "alerts.overdue_line",
            severity=theme.badge("severity", r.severity),
            **_id_title(r.finding_id, r.title),
            facility=escape(r.facility),
            due=fmt.date(r.due_date),
            days=fmt.number(r.days_overdue),
        )
        for r in records(overdue)
    ]


def off_track_lines(off_track: pd.DataFrame) -> list[str]:
    return [
        t(
            "alerts.off_track_line",
            **_id_title(r.priority_id, r.title),
            progress=fmt.percent((r.progress_pct or 0) / 100),
        )
        for r in records(off_track)
    ]


# --------------------------------------------------------------------------- returns tracker


def tracker_cell(r: pd.Series) -> str:
    """A country's return for a quarter, as the tracker shows it: missing,
    the baseline, or received with its date; how many uploads it replaced."""
    if not r["received"]:
        return t("tracker.missing")
    when = (
        fmt.short_date(r["submitted_on"])
        if r["submitted_on"] is not None
        else fmt.short_date(pd.Timestamp(r["uploaded_at"]).date())
    )
    text = t("tracker.baseline") if r["kind"] == "baseline" else t("tracker.received", when=when)
    if r["superseded"]:
        text += " " + t("tracker.superseded_mark", n=r["superseded"])
    return text


def tracker_grid(tracker: pd.DataFrame, window: list[str]) -> Styler:
    """Countries by quarters, each cell a :func:`tracker_cell`, missing
    returns highlighted."""
    cells = tracker.assign(cell=[tracker_cell(r) for _, r in tracker.iterrows()])
    table = cells.pivot(index="name", columns="quarter", values="cell")[window]
    table.index.name = t("tracker.country")
    received = cells.pivot(index="name", columns="quarter", values="received")[window].astype(bool)
    missing = f"background-color: {theme.MISSING_BACKGROUND}; color: {theme.MISSING_TEXT}"
    return table.style.apply(lambda col: [("" if ok else missing) for ok in received[col.name]], axis=0)


def tracker_details(tracker: pd.DataFrame) -> pd.DataFrame:
    """Who sent each return received, latest quarter first."""
    details = tracker[tracker["received"].astype(bool)].sort_values(["quarter_idx", "name"], ascending=[False, True])
    return plain_frame(
        pd.DataFrame(
            {
                t("tracker.col.country"): details["name"],
                t("tracker.col.quarter"): details["quarter"],
                t("tracker.col.kind"): [label("upload_kind", k) for k in details["kind"]],
                t("tracker.col.submitted_on"): [fmt.date(d) for d in details["submitted_on"]],
                t("tracker.col.prepared_by"): details["prepared_by"],
                t("tracker.col.uploaded_by"): details["uploaded_by"],
                t("tracker.col.uploaded_at"): [fmt.datetime(d) for d in details["uploaded_at"]],
                t("tracker.col.superseded"): details["superseded"],
            }
        )
    )


# --------------------------------------------------------------------------- trends


def trend_data(trend: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A trend with readable columns (the chart's data and its download):
    open findings per severity (``kind`` "severity") or priorities per
    status ("priority_status"), per quarter."""
    spec = TRENDS[kind]
    return pd.DataFrame(
        {
            t("trends.col.quarter"): trend["quarter"],
            t(spec.by_title): [label(kind, v) for v in trend[spec.by]],
            t(spec.count_title): trend[spec.counted],
        }
    )


@charts.cached
def trend_chart(data: pd.DataFrame, kind: str, subtitle: str) -> alt.TopLevelMixin:
    """Stacked bars of a :func:`trend_data` per quarter."""
    spec = TRENDS[kind]
    return charts.stacked_bars(
        data,
        kind=kind,
        title=t(spec.title),
        subtitle=subtitle,
        x_title=t("trends.axis.quarter"),
        y_title=t(spec.axis),
    )
