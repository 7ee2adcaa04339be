"""Overview: where the programme stands in the selected quarter and what
changed since the previous one. Layout only: figures come from
``components.data`` (cached ``data_access`` queries), the look from
``components``."""

import pandas as pd
import streamlit as st

from components import charts, data, filters, kpi, layout, theme
from components import formatting as fmt
from components.i18n import label, t, tn
from components.layout import escape
from data_access.overview import METRIC_POLARITY, SHARE_METRICS
from data_access.rules.quarters import parse_quarter

TREND_QUARTERS = 8
ALERT_LINES = 5
LIST_LIMIT = 50  # longer lists stop here and point to the Audit findings page
CHART_HEIGHT = 340

f = filters.current()

if f.quarter is None:
    layout.page_header(t("overview.title"))
    layout.no_data()
    st.stop()

q, p = f.quarter, f.previous_quarter
compared = p if f.previous_has_data else None
layout.page_header(
    t("overview.title_as_at", quarter=q),
    t("overview.subtitle", countries=f.countries_label(), previous=p)
    if compared
    else t("overview.subtitle_first", countries=f.countries_label()),
)

# --------------------------------------------------------------------------- headline tiles

headline = data.headline(f.countries, q).set_index("metric")
n_countries = len(f.scope)
year = parse_quarter(q).year


def _help(metric: str, row) -> str:
    text = t(f"metric.{metric}.help", quarter=q, year=year)
    if row["countries"] is not None and not pd.isna(row["countries"]):
        text += " " + t("metric.reporting", n=int(row["countries"]), total=n_countries)
    return text


tiles = [
    kpi.Tile(
        label=t(f"metric.{m}", year=year),
        value=row["value"],
        previous=row["previous"],
        kind=kpi.SHARE if m in SHARE_METRICS else kpi.COUNT,
        approximate=bool(row["approximate"]),
        polarity=METRIC_POLARITY[m],
        help=_help(m, row),
        key=m,
    )
    for m, row in headline.iterrows()
]
kpi.tile_row(tiles, compared, per_row=6)

# --------------------------------------------------------------------------- what changed / alerts

tracker_now = data.returns_tracker(f.countries, q, q)
received_now = tracker_now[tracker_now["received"].astype(bool)]
missing_now = tracker_now[~tracker_now["received"].astype(bool)]

left, right = st.columns(2, gap="large")

with left:
    st.markdown(f"#### {t('changes.title', previous=p)}")
    findings = data.finding_changes(f.countries, q, LIST_LIMIT)
    priorities = data.priority_changes(f.countries, q)
    milestones = data.milestone_changes(f.countries, q)

    summary = data.change_summary(f.countries, q).set_index(["area", "change"])["n"]
    always = {
        "finding": ("raised", "remediated", "verified"),
        "priority": ("improved", "worsened"),
        "milestone": ("reached", "late"),
    }

    def _parts(area: str) -> str:
        counts = summary.loc[area]
        return " · ".join(tn(f"changes.{area}.{c}", int(n)) for c, n in counts.items() if c in always[area] or n)

    lines = [
        t("changes.findings", items=_parts("finding")),
        t("changes.priorities", items=_parts("priority")),
        t("changes.milestones", items=_parts("milestone")),
        t("changes.returns", received=len(received_now), expected=len(tracker_now), quarter=q),
    ]
    st.markdown("\n".join(f"- {line}" for line in lines))

    if not (findings.empty and priorities.empty and milestones.empty):
        with st.expander(t("changes.details")):
            if not priorities.empty:
                st.markdown(f"**{t('changes.priorities_heading')}**")
                layout.bullet_list(
                    [
                        t(
                            "changes.priority_line",
                            id=escape(r.priority_id),
                            title=escape(r.title),
                            before=theme.badge("priority_status", r.previous_status)
                            if r.previous_status
                            else t("common.none"),
                            after=theme.badge("priority_status", r.status),
                            change=label("movement", r.change),
                        )
                        for r in priorities.itertuples()
                    ]
                )
            if not milestones.empty:
                st.markdown(f"**{t('changes.milestones_heading')}**")
                layout.bullet_list(
                    [
                        t(
                            "changes.milestone_line",
                            id=escape(r.priority_id),
                            name=escape(r.milestone),
                            status=theme.badge("milestone_status", r.status),
                            due=fmt.date(r.due_date),
                        )
                        for r in milestones.itertuples()
                    ]
                )
            if not findings.empty:
                st.markdown(f"**{t('changes.findings_heading')}**")
                st.dataframe(
                    pd.DataFrame(
                        {
                            t("changes.col.change"): [label("finding_change", c) for c in findings["change"]],
                            t("changes.col.severity"): [label("severity", v) for v in findings["severity"]],
                            t("changes.col.finding"): findings["finding_id"],
                            t("changes.col.title"): findings["title"],
                            t("changes.col.facility"): findings["facility"],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                    height=min(38 + 35 * len(findings), 320),
                )
                n_changed = int(summary.loc["finding"].sum())
                if n_changed > len(findings):
                    st.caption(t("changes.findings_limited", shown=len(findings), n=fmt.number(n_changed)))

with right:
    st.markdown(f"#### {t('alerts.title')}")
    overdue = data.overdue_findings(f.countries, q, LIST_LIMIT)
    n_overdue = data.overdue_count(f.countries, q)
    off_track = data.priorities_in_status(f.countries, q, ("off track",))
    if overdue.empty and off_track.empty and missing_now.empty:
        st.success(t("alerts.none", quarter=q), icon=":material/check_circle:")
    if not missing_now.empty:
        st.markdown(
            t(
                "alerts.missing_returns",
                quarter=q,
                n=len(missing_now),
                countries=", ".join(f"**{escape(n)}**" for n in missing_now["name"]),
            )
        )
    if not overdue.empty:
        st.markdown(t("alerts.overdue_title", n=fmt.number(n_overdue)))
        layout.bullet_list(
            [
                t(
                    "alerts.overdue_line",
                    severity=theme.badge("severity", r.severity),
                    id=escape(r.finding_id),
                    title=escape(r.title),
                    facility=escape(r.facility),
                    due=fmt.date(r.due_date),
                    days=fmt.number(r.days_overdue),
                )
                for r in overdue.itertuples()
            ],
            limit=ALERT_LINES,
        )
        if n_overdue > len(overdue):
            st.caption(t("alerts.overdue_limited", shown=len(overdue), n=fmt.number(n_overdue)))
    if not off_track.empty:
        st.markdown(t("alerts.off_track_title", n=len(off_track)))
        layout.bullet_list(
            [
                t(
                    "alerts.off_track_line",
                    status=theme.badge("priority_status", r.status),
                    id=escape(r.priority_id),
                    title=escape(r.title),
                    progress=fmt.percent((r.progress_pct or 0) / 100),
                )
                for r in off_track.itertuples()
            ],
            limit=ALERT_LINES,
        )

# --------------------------------------------------------------------------- returns tracker

window = f.window(TREND_QUARTERS)
st.markdown(f"#### {t('tracker.title')}")
tracker = data.returns_tracker(f.countries, window[0], window[-1])


def _cell(r) -> str:
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


grid = tracker.assign(cell=[_cell(r) for _, r in tracker.iterrows()])
table = grid.pivot(index="name", columns="quarter", values="cell")[window]
table.index.name = t("tracker.country")
missing_mask = grid.pivot(index="name", columns="quarter", values="received")[window].astype(bool)
styled = table.style.apply(
    lambda col: [
        ("" if ok else f"background-color: {theme.MISSING_BACKGROUND}; color: {theme.MISSING_TEXT}")
        for ok in missing_mask[col.name]
    ],
    axis=0,
)
st.dataframe(styled, width="stretch", hide_index=False)
st.caption(t("tracker.legend"))

with st.expander(t("tracker.details", first=window[0], last=window[-1])):
    details = grid[grid["received"].astype(bool)].sort_values(["quarter_idx", "name"], ascending=[False, True])
    st.dataframe(
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
        ),
        width="stretch",
        hide_index=True,
    )

# --------------------------------------------------------------------------- trends

st.markdown(f"#### {t('trends.title')}")
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]
c1, c2 = st.columns(2, gap="large")
with c1:
    ft = data.finding_trend(f.countries, tuple(window))
    ft_data = pd.DataFrame(
        {
            t("trends.col.quarter"): ft["quarter"],
            t("trends.col.severity"): [label("severity", s) for s in ft["severity"]],
            t("trends.col.open_findings"): ft["open"],
        }
    )
    chart = charts.stacked_bars(
        ft_data,
        x=t("trends.col.quarter"),
        y=t("trends.col.open_findings"),
        colour=t("trends.col.severity"),
        kind="severity",
        title=t("trends.findings_title"),
        subtitle=f.countries_label(),
        x_title=t("trends.axis.quarter"),
        y_title=t("trends.axis.findings"),
        legend_title=t("trends.col.severity"),
    )
    charts.show(
        chart,
        ft_data,
        key="overview_findings_trend",
        filename=f"open-findings-by-severity_{q}",
        notes=notes,
        height=CHART_HEIGHT,
    )
with c2:
    pt = data.priority_trend(f.countries, tuple(window))
    pt_data = pd.DataFrame(
        {
            t("trends.col.quarter"): pt["quarter"],
            t("trends.col.status"): [label("priority_status", s) for s in pt["status"]],
            t("trends.col.priorities"): pt["priorities"],
        }
    )
    chart = charts.stacked_bars(
        pt_data,
        x=t("trends.col.quarter"),
        y=t("trends.col.priorities"),
        colour=t("trends.col.status"),
        kind="priority_status",
        title=t("trends.priorities_title"),
        subtitle=f.countries_label(),
        x_title=t("trends.axis.quarter"),
        y_title=t("trends.axis.priorities"),
        legend_title=t("trends.col.status"),
    )
    charts.show(
        chart,
        pt_data,
        key="overview_priorities_trend",
        filename=f"priorities-by-status_{q}",
        notes=notes,
        height=CHART_HEIGHT,
    )
