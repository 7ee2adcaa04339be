"""Priorities: the priorities for 2024 onwards of the selected countries, as
at the selected quarter. Which are on track, which are slipping, and why:
reported status beside the status an explicit rule computes, slipping
flags, and per priority its progress against the rule's line, milestones
and quarterly narrative. Layout only: figures come from
``components.data_priorities`` (cached ``data_access.priorities`` queries and
rules), how they read and the charts from ``components.view_priorities``,
the look from ``components``.

Links: ``?priority=<priority_id>`` opens that priority; one outside the
person's access is not shown, the page says it is outside their access.
"""

import functools

import streamlit as st

from components import charts, data_priorities, filters, kpi, layout, links, outside, view_priorities
from components import formatting as fmt
from components.i18n import t
from components.layout import escape
from data_access.priorities import FLAGS, flag_counts
from data_access.rules import priorities as rule
from data_access.rules.quarters import parse_quarter

TAB_KEY = "priorities_tab"
PRIORITY_KEY = "priorities_selected"
CHOSEN_KEY = "_priorities_chosen"  # the priority last picked (or opened by a link) in this session
TABLE_GEN_KEY = "_priorities_table_generation"
CHART_HEIGHT = 300
PROGRESS_HEIGHT = 400
TABLE_ROWS = 12  # rows of the priorities table shown before it scrolls

f = filters.current()

if f.quarter is None:
    layout.page_header(t("priorities.title"))
    layout.no_data()
    st.stop()

q, p = f.quarter, f.previous_quarter
compared = p if f.previous_has_data else None
table = data_priorities.priorities_assessed(q, f.countries)
n_not_started = int((table["status"] == "not started").sum()) if not table.empty else 0
not_started_note = t("priorities.subtitle_not_started", n=n_not_started) if n_not_started else ""

layout.page_header(
    t("priorities.title_as_at", quarter=q),
    t("priorities.subtitle", countries=f.countries_label(), n=len(table), previous=p, not_started=not_started_note)
    if compared
    else t("priorities.subtitle_first", countries=f.countries_label(), n=len(table), not_started=not_started_note),
)

if table.empty:
    layout.empty_state(
        t("priorities.empty.title"),
        t("priorities.empty.body", countries=f.countries_label(), quarter=q),
        links=["upload"],
    )
    st.stop()

# --------------------------------------------------------------------------- tiles

before_counts = flag_counts(data_priorities.priorities_assessed(p, f.countries)) if compared else None
kpi.tile_row(view_priorities.flag_tiles(flag_counts(table), before_counts, q), compared, per_row=len(FLAGS))

# --------------------------------------------------------------------------- shared pieces

trends = data_priorities.progress_trends(f.quarters[0], q, f.countries)
trend_of = dict(zip(trends["priority_id"], trends["trend"], strict=False))
at = view_priorities.AsAt(
    quarter=q,
    previous=p,
    end=parse_quarter(q).end,
    unchanged_since=dict(zip(trends["priority_id"], trends["unchanged_since"], strict=False)),
)
rows = {r.priority_id: r for r in table.itertuples()}
ids = list(table["priority_id"])
flagged = [r.priority_id for r in table.itertuples() if r.disagreement or r.slipping]

tab_labels = [t("priorities.tab.all"), t("priorities.tab.detail"), t("priorities.tab.programme")]


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


# A link naming a priority (?priority=KGZ-P3) opens it; afterwards the selection drives the address. The
# value the page last wrote is not a link (the address still holds it for one run after a new pick).
# Arriving from another page (no selection yet), any named priority is a link.
linked = links.arrived(links.PRIORITY, again=PRIORITY_KEY not in st.session_state)
if linked:
    known, unknown = links.match(linked, ids)
    if known:
        st.session_state[PRIORITY_KEY] = st.session_state[CHOSEN_KEY] = known[0]
        st.session_state[TAB_KEY] = tab_labels[1]
    else:
        outside.say_withheld("priority", unknown[:1])

all_tab, detail_tab, programme_tab = st.tabs(tab_labels, key=TAB_KEY, on_change="rerun")

# --------------------------------------------------------------------------- all priorities

with all_tab:
    generation = st.session_state.get(TABLE_GEN_KEY, 0)
    table_key = f"priorities_table_{generation}"
    st.dataframe(
        view_priorities.priorities_table(table, trend_of, at),
        key=table_key,
        on_select=functools.partial(_open_selected, table_key),
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=layout.table_height(len(table), max_rows=TABLE_ROWS),
        column_config=view_priorities.priorities_columns(f.quarters[0], q),
    )
    st.caption(t("priorities.rule", gap=fmt.number(rule.AT_RISK_GAP), stalled=rule.STALLED_QUARTERS))

    st.markdown(f"#### {t('priorities.questions.title')}")
    if not flagged:
        st.success(t("priorities.questions.none", quarter=q), icon=":material/check_circle:")
    for pid in flagged:
        st.markdown(view_priorities.question(rows[pid], at))
    st.caption(t("priorities.questions.hint"))

# --------------------------------------------------------------------------- one priority

with detail_tab:
    default = flagged[0] if flagged else ids[0]
    pid = st.selectbox(
        t("priorities.detail.select"),
        ids,
        index=ids.index(default),
        key=PRIORITY_KEY,
        format_func=lambda i: view_priorities.option(rows[i]),
        on_change=_picked,
        help=t("priorities.detail.select_help"),
    )
    # The address names the priority once one is picked; the default one shown before that, not.
    links.mirror(links.PRIORITY, pid if st.session_state.get(CHOSEN_KEY) == pid else None)
    r = rows[pid]
    st.markdown(f"#### {escape(pid)} · {escape(r.title)}")
    st.caption(view_priorities.facts(r))
    st.markdown(view_priorities.verdict(r))
    st.markdown(view_priorities.explanation(r, at))

    ms = data_priorities.milestone_timeline(q, pid)
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart, download = view_priorities.progress(data_priorities.progress_path(pid, q), r, at)
        charts.show(
            chart,
            download,
            key=f"prio_progress_{pid}",
            filename=f"priority-progress_{pid}_{q}",
            notes=[t("priorities.chart.note", id=pid, quarter=q)],
            height=PROGRESS_HEIGHT,
        )
    with right:
        st.markdown(f"**{t('priorities.thread.title')}**")
        with st.container(height=PROGRESS_HEIGHT, border=True):
            for entry in data_priorities.narrative_thread(pid, q).itertuples():
                st.markdown(view_priorities.thread_entry(entry))
        st.caption(t("priorities.thread.hint"))
    st.markdown(f"**{t('priorities.milestones.heading')}**")
    if ms.empty:
        st.info(t("priorities.milestones.none", quarter=q), icon=":material/flag:")
    else:
        done = int((ms["status"] == "done").sum())
        behind = int(ms["timing"].isin([rule.PAST_DUE]).sum())
        st.caption(t("priorities.milestones.summary", done=done, total=len(ms), behind=behind, quarter=q))
        chart, download = view_priorities.milestones(ms, r, at)
        charts.show(
            chart,
            download,
            key=f"prio_milestones_{pid}",
            filename=f"priority-milestones_{pid}_{q}",
            notes=[t("priorities.chart.note", id=pid, quarter=q)],
            height=view_priorities.milestones_height(ms),
        )
        st.dataframe(view_priorities.milestones_table(ms), hide_index=True, width="stretch")

# --------------------------------------------------------------------------- programme-wide

with programme_tab:
    notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]
    by_country = data_priorities.status_counts(q, f.countries, by="country")
    by_theme = data_priorities.status_counts(q, f.countries, by="theme")
    for col, (chart, data, key, filename) in zip(
        st.columns(2, gap="large"),
        (
            (*view_priorities.by_country(by_country, q), "prio_by_country", "priorities-by-country"),
            (*view_priorities.by_theme(by_theme, q), "prio_by_theme", "priorities-by-theme"),
        ),
        strict=True,
    ):
        with col:
            charts.show(chart, data, key=key, filename=f"{filename}_{q}", notes=notes, height=CHART_HEIGHT)

    st.markdown(f"**{t('priorities.programme.table_title', quarter=q)}**")
    st.dataframe(view_priorities.countries_table(table, by_country), hide_index=True, width="stretch")
