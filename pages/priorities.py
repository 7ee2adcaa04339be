"""Priorities: the priorities for 2024 onwards of the selected countries, as
at the selected quarter. Which are on track, which are slipping, and why:
reported status beside the status an explicit rule computes, slipping
flags, and per priority its progress against the rule's line, milestones
and quarterly narrative. Layout only: figures come from
``components.data_priorities`` (cached ``data_access.priorities`` queries and
rules), the look from ``components``."""

import functools

import altair as alt
import pandas as pd
import streamlit as st

from components import charts, filters, kpi, layout, theme
from components import data_priorities as dp
from components import formatting as fmt
from components.i18n import label, t
from components.layout import escape
from data_access.priorities import FLAG_POLARITY, FLAGS, flag_counts
from data_access.rules import priorities as rule
from data_access.rules import status as rag
from data_access.rules.quarters import parse_quarter

TAB_KEY = "priorities_tab"
PRIORITY_KEY = "priorities_selected"
PRIORITY_PARAM = "priority"  # the URL names the priority shown once one is picked: ?priority=KGZ-P3
CHOSEN_KEY = "_priorities_chosen"  # the priority last picked (or opened by a link) in this session
URL_SEEN_KEY = "_priorities_url"  # the priority parameter as the page last left it
TABLE_GEN_KEY = "_priorities_table_generation"
CHART_HEIGHT = 300
PROGRESS_HEIGHT = 400
ROW_HEIGHT = 35
STATUS = "priority_status"

f = filters.current()

if f.quarter is None:
    layout.page_header(t("prio.title"))
    layout.no_data()
    st.stop()

q, p = f.quarter, f.previous_quarter
as_at = parse_quarter(q).end
compared = p if f.previous_has_data else None
table = dp.assessed(f.countries, q)
n_not_started = int((table["status"] == "not started").sum()) if not table.empty else 0
not_started_note = t("prio.subtitle_not_started", n=n_not_started) if n_not_started else ""

layout.page_header(
    t("prio.title_as_at", quarter=q),
    t("prio.subtitle", countries=f.countries_label(), n=len(table), previous=p, not_started=not_started_note)
    if compared
    else t("prio.subtitle_first", countries=f.countries_label(), n=len(table), not_started=not_started_note),
)

if table.empty:
    layout.empty_state(
        t("prio.empty.title"), t("prio.empty.body", countries=f.countries_label(), quarter=q), links=["upload"]
    )
    st.stop()

# --------------------------------------------------------------------------- tiles

now_counts = flag_counts(table)
before_counts = flag_counts(dp.assessed(f.countries, p)) if compared else None


def _tile_label(flag: str) -> str:
    return label(STATUS, flag) if flag in theme.ORDER[STATUS] else t(f"prio.tile.{flag}")


kpi.tile_row(
    [
        kpi.Tile(
            label=_tile_label(flag),
            value=now_counts[flag],
            previous=before_counts[flag] if before_counts else None,
            polarity=FLAG_POLARITY[flag],
            help=t(f"prio.tile.{flag}.help", quarter=q, gap=fmt.number(rule.AT_RISK_GAP)),
            key=f"prio_{flag}",
        )
        for flag in FLAGS
    ],
    compared,
    per_row=len(FLAGS),
)

# --------------------------------------------------------------------------- shared pieces

trends = dp.progress_trends(f.countries, f.quarters[0], q)
trend_of = dict(zip(trends["priority_id"], trends["trend"], strict=False))
since = dict(zip(trends["priority_id"], trends["unchanged_since"], strict=False))
rows = {r.priority_id: r for r in table.itertuples()}
ids = list(table["priority_id"])
flagged = [r.priority_id for r in table.itertuples() if r.disagreement or r.slipping]


def _pct(value) -> str:
    return fmt.percent(None if fmt.missing(value) else float(value) / 100)


def _pct1(value) -> str:
    return fmt.percent(None if fmt.missing(value) else float(value) / 100, decimals=1)


def _why_rule(r, short: bool = False) -> str:
    """Why the rule gives its status, in words."""
    key = f"prio.reason{'_short' if short else ''}.{r.reason}"
    gap = 0.0 if fmt.missing(r.gap) else float(r.gap)
    return t(
        key,
        progress=_pct(r.progress_pct),
        expected=_pct1(r.expected_progress),
        as_at=fmt.date(as_at),
        target=fmt.date(r.target_date),
        gap=fmt.number(abs(gap), decimals=1),
        limit=fmt.number(rule.AT_RISK_GAP),
        position=t("prio.ahead" if gap < 0 else "prio.below", gap=fmt.number(abs(gap), decimals=1)),
    )


def _checks(r) -> list[str]:
    out = []
    if r.disagreement:
        out.append(t("prio.check.disagree", status=label(STATUS, r.computed_status)))
    if r.worsened:
        out.append(t("prio.check.worsened", previous=label(STATUS, r.previous_status), quarter=p))
    if r.stalled:
        out.append(t("prio.check.stalled", since=since.get(r.priority_id) or q))
    return out


def _wash(hexcode: str, alpha: float = 0.22) -> str:
    r, g, b = (int(hexcode.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _slipping_parts(r) -> list[str]:
    out = []
    if r.worsened:
        out.append(
            t(
                "prio.questions.worsened",
                before=theme.badge(STATUS, r.previous_status),
                previous=p,
                now=theme.badge(STATUS, r.status),
                quarter=q,
            )
        )
    if r.stalled:
        out.append(t("prio.questions.stalled", progress=_pct(r.progress_pct), since=since.get(r.priority_id) or q))
    return out


def _tint(status: str | None) -> str:
    """A cell style for a status: a light wash of its colour, dark text."""
    if not status:
        return ""
    return f"background-color: {_wash(theme.colour(STATUS, status))}; color: {theme.TEXT}"


def _priority_name(pid: str) -> str:
    r = rows[pid]
    return t("prio.detail.option", id=pid, country=r.country_name, title=r.title)


tab_labels = [t("prio.tab.all"), t("prio.tab.detail"), t("prio.tab.programme")]


def _open_selected(table_key: str) -> None:
    """A row clicked in the table: show that priority in the detail tab."""
    selection = st.session_state.get(table_key)
    picked = list(selection.selection.rows) if selection is not None else []
    if picked and picked[0] < len(ids):
        st.session_state[PRIORITY_KEY] = ids[picked[0]]
        st.session_state[CHOSEN_KEY] = ids[picked[0]]
        st.session_state[TAB_KEY] = tab_labels[1]
        st.session_state[TABLE_GEN_KEY] = st.session_state.get(TABLE_GEN_KEY, 0) + 1  # a fresh, unselected table


def _picked() -> None:
    st.session_state[CHOSEN_KEY] = st.session_state.get(PRIORITY_KEY)


# A link naming a priority (?priority=KGZ-P3) opens it; afterwards the selection drives the URL. The
# value the page last wrote is remembered: the address still holds it for one run after a new pick, and
# that is not a link. Arriving from another page (no selection yet), any named priority is a link.
linked = st.query_params.get(PRIORITY_PARAM)
if linked in rows and (linked != st.session_state.get(URL_SEEN_KEY) or PRIORITY_KEY not in st.session_state):
    st.session_state[PRIORITY_KEY] = st.session_state[CHOSEN_KEY] = linked
    st.session_state[TAB_KEY] = tab_labels[1]

all_tab, detail_tab, programme_tab = st.tabs(tab_labels, key=TAB_KEY, on_change="rerun")

# --------------------------------------------------------------------------- all priorities

with all_tab:
    col = {
        k: t(f"prio.col.{k}")
        for k in (
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
    }
    shown = pd.DataFrame(
        {
            col["country"]: table["country_name"],
            col["id"]: table["priority_id"],
            col["title"]: table["title"],
            col["reported"]: [label(STATUS, s) for s in table["status"]],
            col["computed"]: [label(STATUS, s) if s else t("prio.not_computed") for s in table["computed_status"]],
            col["check"]: [" · ".join(_checks(r)) for r in table.itertuples()],
            col["progress"]: table["progress_pct"],
            col["trend"]: [trend_of.get(pid, []) for pid in table["priority_id"]],
            col["target"]: [fmt.date(d) for d in table["target_date"]],
            col["last_update"]: table["last_update"],
        }
    )
    reported, computed = list(table["status"]), list(table["computed_status"])
    attention = [bool(r.disagreement or r.slipping) for r in table.itertuples()]
    styled = (
        shown.style.apply(lambda c: [_tint(s) for s in reported], subset=[col["reported"]], axis=0)
        .apply(lambda c: [_tint(s) for s in computed], subset=[col["computed"]], axis=0)
        .apply(
            lambda c: [
                f"background-color: {_wash(theme.YELLOW, 0.35)}; font-weight: 600" if a else "" for a in attention
            ],
            subset=[col["check"]],
            axis=0,
        )
        .format({col["progress"]: lambda v: _pct(v)})
    )
    generation = st.session_state.get(TABLE_GEN_KEY, 0)
    table_key = f"priorities_table_{generation}"
    st.dataframe(
        styled,
        key=table_key,
        on_select=functools.partial(_open_selected, table_key),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=min(38 + ROW_HEIGHT * len(shown), 38 + ROW_HEIGHT * 12),
        column_config={
            col["country"]: st.column_config.TextColumn(width=80),
            col["id"]: st.column_config.TextColumn(width=58, pinned=True),
            col["title"]: st.column_config.TextColumn(width=140, help=t("prio.col.title.help")),
            col["reported"]: st.column_config.TextColumn(width=76, help=t("prio.col.reported.help")),
            col["computed"]: st.column_config.TextColumn(width=76, help=t("prio.col.computed.help")),
            col["check"]: st.column_config.TextColumn(width=140, help=t("prio.col.check.help")),
            col["progress"]: st.column_config.ProgressColumn(
                width=90, min_value=0, max_value=100, format="%d%%", help=t("prio.col.progress.help")
            ),
            col["trend"]: st.column_config.LineChartColumn(
                width=70, y_min=0, y_max=100, help=t("prio.col.trend.help", first=f.quarters[0], quarter=q)
            ),
            col["target"]: st.column_config.TextColumn(width=82),
            col["last_update"]: st.column_config.TextColumn(width=74, help=t("prio.col.last_update.help")),
        },
    )
    st.caption(t("prio.rule", gap=fmt.number(rule.AT_RISK_GAP), stalled=rule.STALLED_QUARTERS))

    st.markdown(f"#### {t('prio.questions.title')}")
    if not flagged:
        st.success(t("prio.questions.none", quarter=q), icon=":material/check_circle:")
    for pid in flagged:
        r = rows[pid]
        parts = []
        if r.disagreement:
            parts.append(
                t(
                    "prio.questions.disagree",
                    reported=theme.badge(STATUS, r.status),
                    computed=theme.badge(STATUS, r.computed_status),
                    why=_why_rule(r, short=True),
                )
            )
        parts += _slipping_parts(r)
        why = (
            t("prio.questions.narrative", quarter=r.last_update, text=escape(r.narrative))
            if r.narrative
            else t("prio.questions.no_narrative")
        )
        st.markdown(
            t(
                "prio.questions.line",
                id=escape(pid),
                title=escape(r.title),
                country=escape(r.country_name),
                flags=" ".join(
                    ([t("prio.badge.disagree")] if r.disagreement else [])
                    + ([t("prio.badge.slipping")] if r.slipping else [])
                ),
                parts="; ".join(parts),
                why=why,
            )
        )
    st.caption(t("prio.questions.hint"))

# --------------------------------------------------------------------------- one priority


def _progress_chart(pid: str, r) -> None:
    path = dp.progress_path(pid, q)
    chart = _progress_spec(pid, path, r.start_date, r.target_date, as_at, q)
    download = pd.DataFrame(
        {
            t("prio.chart.col.quarter"): path["quarter"],
            t("prio.chart.col.quarter_end"): path["quarter_end"],
            t("prio.chart.col.status"): [label(STATUS, s) for s in path["status"]],
            t("prio.chart.col.progress"): path["progress_pct"],
            t("prio.chart.col.expected"): [
                None if fmt.missing(v) else round(float(v), 1) for v in path["expected_progress"]
            ],
            t("prio.chart.col.reported"): [
                t("prio.chart.reported_yes") if x else t("prio.chart.reported_no") for x in path["reported"]
            ],
        }
    )
    charts.show(
        chart,
        download,
        key=f"prio_progress_{pid}",
        filename=f"priority-progress_{pid}_{q}",
        notes=[t("prio.chart.note", id=pid, quarter=q)],
        height=PROGRESS_HEIGHT,
    )


@charts.cached
def _progress_spec(pid: str, path: pd.DataFrame, start_date, target_date, as_at, q: str) -> alt.TopLevelMixin:
    """Reported progress against the straight line to the target and the
    at-risk threshold below it, as at the quarter."""
    line = pd.DataFrame(rule.rule_lines(start_date, target_date, as_at))
    names = {
        "reported": t("prio.chart.series.reported"),
        rule.LINE: t("prio.chart.series.line"),
        rule.THRESHOLD: t("prio.chart.series.threshold", gap=fmt.number(rule.AT_RISK_GAP)),
    }
    x_title, y_title = t("prio.chart.axis.date"), t("prio.chart.axis.progress")
    reported_pts = pd.DataFrame(
        {
            "date": pd.to_datetime(path["quarter_end"]),
            "series": names["reported"],
            "value": path["progress_pct"].astype(float),
            "quarter": path["quarter"],
            "status": [label(STATUS, s) for s in path["status"]],
            "reported": [t("prio.chart.reported_yes") if x else t("prio.chart.reported_no") for x in path["reported"]],
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
        title=t("prio.chart.legend.series"), symbolType="stroke", symbolStrokeWidth=2.5, columns=1, labelLimit=320
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
                legend=alt.Legend(title=t("prio.chart.legend.status"), symbolType="circle"),
            ),
            stroke=alt.value("white"),
            tooltip=[
                alt.Tooltip("quarter:N", title=t("prio.chart.tooltip.quarter")),
                alt.Tooltip("status:N", title=t("prio.chart.tooltip.status")),
                alt.Tooltip("value:Q", title=y_title, format=".0f"),
                alt.Tooltip("reported:N", title=t("prio.chart.tooltip.reported")),
            ],
        )
    )
    rule_layer = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(as_at)], "text": [t("prio.chart.as_at", quarter=q)]}))
    now_rule = rule_layer.mark_rule(color=theme.LIGHT_GREY, strokeDash=[2, 2]).encode(x="date:T")
    return charts.titled(
        alt.layer(line_layer, point_layer, now_rule),
        t("prio.chart.progress_title", id=pid),
        t("prio.chart.progress_subtitle", quarter=q),
    )


def _milestone_chart(pid: str, r, ms: pd.DataFrame) -> None:
    chart = _milestone_spec(pid, ms, r.target_date, as_at, q)
    download = pd.DataFrame(
        {
            t("prio.milestones.col.milestone"): ms["milestone"],
            t("prio.milestones.col.status"): [label("milestone_status", s) for s in ms["status"]],
            t("prio.milestones.col.due"): ms["due_date"],
            t("prio.milestones.col.done"): ms["completed_on"],
            t("prio.milestones.col.timing"): [t(f"prio.timing.{x}") if x else "" for x in ms["timing"]],
            t("prio.milestones.col.last_update"): ms["last_update"],
        }
    )
    charts.show(
        chart,
        download,
        key=f"prio_milestones_{pid}",
        filename=f"priority-milestones_{pid}_{q}",
        notes=[t("prio.chart.note", id=pid, quarter=q)],
        height=44 * len(ms) + 170,
    )


@charts.cached
def _milestone_spec(pid: str, ms: pd.DataFrame, target_date, as_at, q: str) -> alt.TopLevelMixin:
    """The milestones on a time line: due (ring), done or expected (mark),
    the quarter's end and the priority's target date."""
    x_title = t("prio.milestones.axis.date")
    frame = pd.DataFrame(
        {
            "milestone": ms["milestone"],
            "status": [label("milestone_status", s) for s in ms["status"]],
            "date": pd.to_datetime(ms["date"]),
            "due": pd.to_datetime(ms["due_date"]),
            "done": pd.to_datetime(ms["completed_on"]),
            "due_text": [fmt.date(d) for d in ms["due_date"]],
            "done_text": [fmt.date(d) for d in ms["completed_on"]],
            "timing": [t(f"prio.timing.{x}") if x else "" for x in ms["timing"]],
            "last_update": ms["last_update"],
        }
    )
    order = list(frame["milestone"])
    # The milestone names are the axis: a vertical axis title would only collide with them.
    y = alt.Y("milestone:N", title=None, sort=order, axis=alt.Axis(labelLimit=330))
    tooltip = [
        alt.Tooltip("milestone:N", title=t("prio.milestones.col.milestone")),
        alt.Tooltip("status:N", title=t("prio.milestones.col.status")),
        alt.Tooltip("due_text:N", title=t("prio.milestones.col.due")),
        alt.Tooltip("done_text:N", title=t("prio.milestones.col.done")),
        alt.Tooltip("timing:N", title=t("prio.milestones.col.timing")),
        alt.Tooltip("last_update:N", title=t("prio.milestones.col.last_update")),
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
            "status:N", scale=theme.scale("milestone_status"), legend=alt.Legend(title=t("prio.milestones.legend"))
        ),
        shape=alt.Shape(
            "status:N",
            scale=alt.Scale(
                domain=theme.sort_order("milestone_status"), range=["circle", "diamond", "triangle-up", "cross"]
            ),
            legend=alt.Legend(title=t("prio.milestones.legend")),
        ),
        tooltip=tooltip,
    )
    marks = pd.DataFrame(
        {
            "date": [pd.Timestamp(as_at)] + ([pd.Timestamp(target_date)] if target_date else []),
            "what": [t("prio.chart.as_at", quarter=q)] + ([t("prio.milestones.target")] if target_date else []),
            "row": [0, 1][: 1 + bool(target_date)],
        }
    )
    refs = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], color=theme.MUTED)
        .encode(x="date:T", tooltip=[alt.Tooltip("what:N", title=t("prio.milestones.reference"))])
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
        t("prio.milestones.title", id=pid),
        t("prio.milestones.subtitle", quarter=q),
    )


def _thread(pid: str) -> None:
    entries = dp.thread(pid, q)
    st.markdown(f"**{t('prio.thread.title')}**")
    with st.container(height=PROGRESS_HEIGHT, border=True):
        for e in entries.itertuples():
            head = [f"**{e.quarter}**", theme.badge(STATUS, e.status), _pct(e.progress)]
            if e.movement in (rag.IMPROVED, rag.WORSENED, rag.STARTED):
                head.append(
                    t(
                        "prio.thread.moved",
                        movement=label("movement", e.movement),
                        before=theme.badge(STATUS, e.previous_status),
                    )
                )
            lines = [" · ".join(head)]
            if e.narrative:
                lines.append(escape(e.narrative))
            else:
                lines.append(f"_{t('prio.thread.first' if e.movement == rag.NEW else 'prio.thread.no_new_narrative')}_")
            if e.next_steps:
                lines.append(t("prio.thread.next_steps", text=escape(e.next_steps)))
            st.markdown("  \n".join(lines))
    st.caption(t("prio.thread.hint"))


with detail_tab:
    default = flagged[0] if flagged else ids[0]
    pid = st.selectbox(
        t("prio.detail.select"),
        ids,
        index=ids.index(default),
        key=PRIORITY_KEY,
        format_func=_priority_name,
        on_change=_picked,
        help=t("prio.detail.select_help"),
    )
    if st.session_state.get(CHOSEN_KEY) == pid:
        if st.query_params.get(PRIORITY_PARAM) != pid:
            st.query_params[PRIORITY_PARAM] = pid
        st.session_state[URL_SEEN_KEY] = pid
    else:  # the priority shown is the default one, not a picked one
        if PRIORITY_PARAM in st.query_params:
            del st.query_params[PRIORITY_PARAM]
        st.session_state[URL_SEEN_KEY] = None
    r = rows[pid]
    st.markdown(f"#### {escape(pid)} · {escape(r.title)}")
    st.caption(
        t(
            "prio.detail.facts",
            country=r.country_name,
            theme=escape(r.theme) if r.theme else t("prio.no_theme"),
            target=fmt.date(r.target_date),
            first=r.first_quarter,
            last=r.last_update,
        )
    )
    verdict = [
        t("prio.detail.reported", status=theme.badge(STATUS, r.status)),
        t(
            "prio.detail.computed",
            status=theme.badge(STATUS, r.computed_status) if r.computed_status else t("prio.not_computed"),
        ),
    ]
    if r.disagreement:
        verdict.append(t("prio.badge.disagree"))
    if r.slipping:
        verdict.append(t("prio.badge.slipping"))
    st.markdown(" · ".join(verdict))
    explanation = [_why_rule(r)]
    if r.target_date:
        explanation.insert(
            0,
            t("prio.detail.line", start=fmt.date(r.start_date), first=r.first_quarter, target=fmt.date(r.target_date)),
        )
    for why in _slipping_parts(r):
        explanation.append(t("prio.detail.slipping", check=why))
    st.markdown(" ".join(explanation))

    ms = dp.milestones(pid, q)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _progress_chart(pid, r)
    with right:
        _thread(pid)
    st.markdown(f"**{t('prio.milestones.heading')}**")
    if ms.empty:
        st.info(t("prio.milestones.none", quarter=q), icon=":material/flag:")
    else:
        done = int((ms["status"] == "done").sum())
        behind = int(ms["timing"].isin([rule.PAST_DUE]).sum())
        st.caption(t("prio.milestones.summary", done=done, total=len(ms), behind=behind, quarter=q))
        _milestone_chart(pid, r, ms)
        st.dataframe(
            pd.DataFrame(
                {
                    t("prio.milestones.col.milestone"): ms["milestone"],
                    t("prio.milestones.col.status"): [label("milestone_status", s) for s in ms["status"]],
                    t("prio.milestones.col.due"): [fmt.date(d) for d in ms["due_date"]],
                    t("prio.milestones.col.done"): [fmt.date(d) for d in ms["completed_on"]],
                    t("prio.milestones.col.timing"): [
                        t(f"prio.timing.{x}") if x else t("common.none") for x in ms["timing"]
                    ],
                    t("prio.milestones.col.last_update"): ms["last_update"],
                }
            ),
            hide_index=True,
            width="stretch",
        )

# --------------------------------------------------------------------------- programme-wide

with programme_tab:
    notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]
    by_country = dp.status_counts(f.countries, q, "country")
    by_theme = dp.status_counts(f.countries, q, "theme")
    c1, c2 = st.columns(2, gap="large")
    with c1:
        data = pd.DataFrame(
            {
                t("prio.programme.col.country"): by_country["country_name"],
                t("prio.programme.col.status"): [label(STATUS, s) for s in by_country["status"]],
                t("prio.programme.col.priorities"): by_country["priorities"],
            }
        )
        chart = charts.stacked_bars(
            data,
            x=t("prio.programme.col.country"),
            y=t("prio.programme.col.priorities"),
            colour=t("prio.programme.col.status"),
            kind=STATUS,
            title=t("prio.programme.by_country"),
            subtitle=t("prio.programme.subtitle", quarter=q),
            x_title=t("prio.programme.axis.country"),
            y_title=t("prio.programme.axis.priorities"),
            legend_title=t("prio.programme.col.status"),
        )
        charts.show(
            chart, data, key="prio_by_country", filename=f"priorities-by-country_{q}", notes=notes, height=CHART_HEIGHT
        )
    with c2:
        themes = [x[:1].upper() + x[1:] if x else t("prio.no_theme") for x in by_theme["theme"]]
        data = pd.DataFrame(
            {
                t("prio.programme.col.theme"): themes,
                t("prio.programme.col.status"): [label(STATUS, s) for s in by_theme["status"]],
                t("prio.programme.col.priorities"): by_theme["priorities"],
            }
        )
        theme_col, status_col, n_col = (
            t("prio.programme.col.theme"),
            t("prio.programme.col.status"),
            t("prio.programme.col.priorities"),
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
                    title=t("prio.programme.axis.theme"),
                    sort=list(totals.index),
                    axis=alt.Axis(labelLimit=200),
                ),
                x=alt.X(
                    f"sum({n_col}):Q",
                    title=t("prio.programme.axis.priorities"),
                    axis=alt.Axis(tickMinStep=1, format=",d"),
                ),
                color=alt.Color(
                    f"{status_col}:N", scale=theme.scale(STATUS, present), title=t("prio.programme.col.status")
                ),
                order=alt.Order("_order:Q", sort="ascending"),
                tooltip=[
                    alt.Tooltip(f"{theme_col}:N"),
                    alt.Tooltip(f"{status_col}:N"),
                    alt.Tooltip(f"{n_col}:Q", format=",d"),
                ],
            )
        )
        chart = charts.titled(bars, t("prio.programme.by_theme"), t("prio.programme.subtitle", quarter=q))
        charts.show(
            chart, data, key="prio_by_theme", filename=f"priorities-by-theme_{q}", notes=notes, height=CHART_HEIGHT
        )

    summary = (
        table.groupby(["country", "country_name"], sort=True)
        .agg(
            priorities=("priority_id", "count"),
            disagree=("disagreement", lambda s: int(s.notna().sum())),
            slipping=("slipping", "sum"),
        )
        .reset_index()
    )
    counts = by_country.pivot_table(index="country", columns="status", values="priorities", aggfunc="sum", fill_value=0)
    overview_table = pd.DataFrame(
        {
            t("prio.programme.col.country"): summary["country_name"],
            t("prio.programme.col.priorities"): summary["priorities"],
        }
    )
    for s in theme.ORDER[STATUS]:
        overview_table[label(STATUS, s)] = [
            int(counts.loc[c, s]) if s in counts.columns and c in counts.index else 0 for c in summary["country"]
        ]
    overview_table[t("prio.tile.disagree")] = summary["disagree"].astype(int)
    overview_table[t("prio.tile.slipping")] = summary["slipping"].astype(int)
    st.markdown(f"**{t('prio.programme.table_title', quarter=q)}**")
    st.dataframe(overview_table, hide_index=True, width="stretch")
