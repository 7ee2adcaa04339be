"""Overview: where the programme stands in the selected quarter and what
changed since the previous one. Layout only: figures come from
``components.data_overview`` (cached ``data_access`` queries), how they read
and the charts from ``components.view_overview``, the look from
``components``."""

import streamlit as st

from components import charts, data_overview, filters, kpi, layout, view_overview
from components import formatting as fmt
from components.i18n import t
from data_access.rules.quarters import parse_quarter

TREND_QUARTERS = 8
ALERT_LINES = 5
LIST_LIMIT = 50  # longer lists stop here and point to the Audit findings page
CHANGES_ROWS = 8  # rows of the changed findings shown before the table scrolls
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

headline = data_overview.headline(q, f.countries).set_index("metric")
kpi.tile_row(view_overview.headline_tiles(headline, q, parse_quarter(q).year, len(f.scope)), compared, per_row=6)

# --------------------------------------------------------------------------- what changed / alerts

tracker_now = data_overview.returns_tracker(q, q, f.countries)
received_now = tracker_now[tracker_now["received"].astype(bool)]
missing_now = tracker_now[~tracker_now["received"].astype(bool)]

left, right = st.columns(2, gap="large")

with left:
    st.markdown(f"#### {t('changes.title', previous=p)}")
    findings = data_overview.finding_changes(q, f.countries, limit=LIST_LIMIT)
    priorities = data_overview.priority_changes(q, f.countries)
    milestones = data_overview.milestone_changes(q, f.countries)
    summary = data_overview.change_summary(q, f.countries).set_index(["area", "change"])["n"]
    lines = view_overview.change_lines(summary, len(received_now), len(tracker_now), q)
    st.markdown("\n".join(f"- {line}" for line in lines))

    if not (findings.empty and priorities.empty and milestones.empty):
        with st.expander(t("changes.details")):
            if not priorities.empty:
                st.markdown(f"**{t('changes.priorities_heading')}**")
                layout.bullet_list(view_overview.priority_change_lines(priorities))
            if not milestones.empty:
                st.markdown(f"**{t('changes.milestones_heading')}**")
                layout.bullet_list(view_overview.milestone_change_lines(milestones))
            if not findings.empty:
                st.markdown(f"**{t('changes.findings_heading')}**")
                st.dataframe(
                    view_overview.finding_changes_table(findings),
                    hide_index=True,
                    width="stretch",
                    height=layout.table_height(len(findings), max_rows=CHANGES_ROWS),
                )
                n_changed = int(summary.loc["finding"].sum())
                if n_changed > len(findings):
                    st.caption(t("changes.findings_limited", shown=len(findings), n=fmt.number(n_changed)))

with right:
    st.markdown(f"#### {t('alerts.title')}")
    overdue = data_overview.overdue_findings(q, f.countries, limit=LIST_LIMIT)
    n_overdue = data_overview.overdue_count(q, f.countries)
    off_track = data_overview.priorities_in_status(q, f.countries, ("off track",))
    if overdue.empty and off_track.empty and missing_now.empty:
        st.success(t("alerts.none", quarter=q), icon=":material/check_circle:")
    if not missing_now.empty:
        st.markdown(view_overview.missing_returns_line(missing_now, q))
    if not overdue.empty:
        st.markdown(t("alerts.overdue_title", n=fmt.number(n_overdue)))
        layout.bullet_list(view_overview.overdue_lines(overdue), limit=ALERT_LINES)
        if n_overdue > len(overdue):
            st.caption(t("alerts.overdue_limited", shown=len(overdue), n=fmt.number(n_overdue)))
    if not off_track.empty:
        st.markdown(t("alerts.off_track_title", n=len(off_track)))
        layout.bullet_list(view_overview.off_track_lines(off_track), limit=ALERT_LINES)

# --------------------------------------------------------------------------- returns tracker

window = f.window(TREND_QUARTERS)
st.markdown(f"#### {t('tracker.title')}")
tracker = data_overview.returns_tracker(window[0], window[-1], f.countries)
st.dataframe(view_overview.tracker_grid(tracker, window), width="stretch", hide_index=False)
st.caption(t("tracker.legend"))

with st.expander(t("tracker.details", first=window[0], last=window[-1])):
    st.dataframe(view_overview.tracker_details(tracker), width="stretch", hide_index=True)

# --------------------------------------------------------------------------- trends

st.markdown(f"#### {t('trends.title')}")
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]
trends = (
    ("severity", data_overview.finding_trend, "overview_findings_trend", "open-findings-by-severity"),
    ("priority_status", data_overview.priority_trend, "overview_priorities_trend", "priorities-by-status"),
)
for col, (kind, read, key, filename) in zip(st.columns(2, gap="large"), trends, strict=True):
    with col:
        trend = view_overview.trend_data(read(tuple(window), f.countries), kind)
        charts.show(
            view_overview.trend_chart(trend, kind, f.countries_label()),
            trend,
            key=key,
            filename=f"{filename}_{q}",
            notes=notes,
            height=CHART_HEIGHT,
        )
