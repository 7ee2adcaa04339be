"""Audit findings: what is still open, what is late, whether remediation is
speeding up or stalling, and one finding's whole story. Everything is the
state at the end of the selected quarter, rebuilt from the status history.

Layout and widgets only: figures come from ``components.data_findings``
(cached ``data_access.findings`` queries, every filter applied in SQL), how
they read, the tables and the charts from ``components.view_findings``, the
rules (overdue, ageing bands, remediation speed, timeline) from
``data_access.rules.findings``, the look from ``components``.

Links: ``?facility=<facility_id>`` (comma-separated for several) preselects
the facility filter and follows it; ``?finding=<finding_id>`` opens that
finding's timeline. A facility or finding outside the person's access is
not shown: the page says it is outside their access (``components.outside``).
"""

import zlib

import streamlit as st

from components import charts, data, data_findings, exports, filters, kpi, layout, links, outside, view_findings
from components import formatting as fmt
from components.i18n import label, t, tn
from components.layout import escape
from data_access.findings import NO_FILTER, FindingFilter
from data_access.rules import findings as rules
from data_access.rules.quarters import parse_quarter
from data_access.rules.reference import FINDING_DOMAINS, FINDING_SEVERITIES, FINDING_STATUSES
from data_access.rules.text import plain

K = "findings_"  # prefix of this page's widget keys
FACILITY_KEY, DOMAIN_KEY, SEVERITY_KEY = K + "facility", K + "domain", K + "severity"
STATUS_KEY, OWNER_KEY, OVERDUE_KEY = K + "status", K + "owner", K + "overdue"
TAB_KEY, PER_KEY, FINDING_KEY = K + "tab", K + "per", K + "finding_id"
SEARCH_KEY, SORT_KEY, DESC_KEY, PAGE_KEY, SIZE_KEY = K + "search", K + "sort", K + "desc", K + "page", K + "size"
WEAK_SPOTS = 25  # facilities in the weakest-spots table
CHART_HEIGHT = 340  # lower, a long vertical axis title would overflow the plot and cut the chart's title
FLOW_HEIGHT = 280
WEAK_ROWS, LIST_ROWS, TIMELINE_ROWS = 11, 11, 12  # rows shown before a table scrolls

f = filters.current()

if f.quarter is None:
    layout.page_header(t("findings.title"))
    layout.no_data()
    st.stop()

q = f.quarter
Q = parse_quarter(q)
compared = f.previous_quarter if f.previous_has_data else None
layout.page_header(
    t("findings.title_as_at", quarter=q),
    t("findings.subtitle", countries=f.countries_label(), quarter=q, previous=compared)
    if compared
    else t("findings.subtitle_first", countries=f.countries_label(), quarter=q),
)
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]


# --------------------------------------------------------------------------- the page's filters

facilities = data.facilities(q, f.countries)
facility_names = dict(zip(facilities["facility_id"], facilities["name"], strict=False))
owner_options = data_findings.owners(q, f.countries)

# A link names facilities (?facility=...) to filter by, or a finding (?finding=...) to open.
linked = links.arrived(links.FACILITY)
if linked is not None:
    known, ignored = links.match(linked, facility_names)
    st.session_state[FACILITY_KEY] = known
    links.say_ignored("findings.link_ignored", outside.say_withheld("facility", ignored))
linked_finding = links.arrived(links.FINDING)
if linked_finding:
    st.session_state[FINDING_KEY] = linked_finding[0]
    st.session_state[TAB_KEY] = t("findings.tab.list")

filters.keep_valid(FACILITY_KEY, facility_names)
filters.keep_valid(OWNER_KEY, owner_options)


def _clear_filters() -> None:
    for key in (FACILITY_KEY, DOMAIN_KEY, SEVERITY_KEY, STATUS_KEY, OWNER_KEY):
        st.session_state[key] = []
    st.session_state[OVERDUE_KEY] = False


cols = st.columns([2.9, 1.6, 1.6, 1.8, 2.1, 1.7], gap="small", vertical_alignment="bottom")
cols[0].multiselect(
    t("findings.filter.facility"),
    list(facility_names),
    key=FACILITY_KEY,
    format_func=lambda fid: t(
        "findings.filter.facility_option", name=plain(facility_names.get(fid, fid)), id=plain(fid)
    ),
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.facility_help"),
    persist_state="session",
)
cols[1].multiselect(
    t("findings.filter.domain"),
    list(FINDING_DOMAINS),
    key=DOMAIN_KEY,
    format_func=lambda v: label("finding_domain", v),
    placeholder=t("findings.filter.all"),
    persist_state="session",
)
cols[2].multiselect(
    t("findings.filter.severity"),
    list(FINDING_SEVERITIES),
    key=SEVERITY_KEY,
    format_func=lambda v: label("severity", v),
    placeholder=t("findings.filter.all"),
    persist_state="session",
)
cols[3].multiselect(
    t("findings.filter.status"),
    list(FINDING_STATUSES),
    key=STATUS_KEY,
    format_func=lambda v: label("finding_status", v),
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.status_help"),
    persist_state="session",
)
cols[4].multiselect(
    t("findings.filter.owner"),
    owner_options,
    key=OWNER_KEY,
    format_func=plain,
    placeholder=t("findings.filter.all"),
    help=t("findings.filter.owner_help"),
    persist_state="session",
)
cols[5].toggle(
    t("findings.filter.overdue"), key=OVERDUE_KEY, help=t("findings.filter.overdue_help"), persist_state="session"
)

flt = FindingFilter(
    facilities=tuple(st.session_state.get(FACILITY_KEY) or ()),
    domains=tuple(st.session_state.get(DOMAIN_KEY) or ()),
    severities=tuple(st.session_state.get(SEVERITY_KEY) or ()),
    statuses=tuple(st.session_state.get(STATUS_KEY) or ()),
    owners=tuple(st.session_state.get(OWNER_KEY) or ()),
    overdue_only=bool(st.session_state.get(OVERDUE_KEY)),
)
links.mirror(links.FACILITY, flt.facilities)
filters.describe_page(flt)

total = data_findings.finding_count(q, f.countries, NO_FILTER)
if total == 0:
    layout.empty_state(
        t("findings.empty.title", countries=f.countries_label(), quarter=q),
        t("findings.empty.body", quarter=q),
        [t("findings.empty.step_quarter"), t("findings.empty.step_countries"), t("findings.empty.step_upload")],
        links=["upload"],
    )
    st.stop()

matching = data_findings.finding_count(q, f.countries, flt) if flt.active else total
line, button = st.columns([5, 1.3], vertical_alignment="center")
line.markdown(
    t("findings.matching", n=fmt.number(matching), total=fmt.number(total), quarter=q)
    if flt.active
    else t("findings.matching_all", total=fmt.number(total), quarter=q)
)
if flt.active:
    button.button(
        t("findings.filter.clear"),
        on_click=_clear_filters,
        icon=":material/filter_alt_off:",
        key=K + "clear",
        width="stretch",
    )

if matching == 0:
    layout.empty_state(
        t("findings.nomatch.title"),
        t("findings.nomatch.body", total=fmt.number(total), quarter=q, countries=f.countries_label()),
        [t("findings.nomatch.step")],
    )
    st.stop()

# --------------------------------------------------------------------------- tiles

headline = data_findings.headline(q, f.countries, flt)
kpi.tile_row(view_findings.headline_tiles(headline, q, Q.end), compared, per_row=7, dense_key=K + "tiles")


# --------------------------------------------------------------------------- tab: burn-down and weakest spots


def burn_down_section() -> None:
    quarters = list(f.quarters)
    bd = data_findings.burn_down(quarters[0], quarters[-1], f.countries, flt)
    if bd.empty:
        st.info(t("findings.burn.none"), icon=":material/info:")
        return
    chart, table = view_findings.burn_down(bd, quarters, q, f.countries_label())
    charts.show(
        chart, table, key=K + "burn_down", filename=f"open-findings-by-quarter_{q}", notes=notes, height=CHART_HEIGHT
    )
    st.caption(t("findings.burn.caption", quarter=q))


def weakest_spots_section() -> None:
    st.markdown(f"#### {t('findings.weak.title')}")
    fd, n_facilities = data_findings.weakest_spots(q, f.countries, flt, WEAK_SPOTS)
    if fd.empty:
        st.info(t("findings.weak.empty"), icon=":material/info:")
        return
    table = view_findings.weakest_spots(fd, f.names)
    n_shown = len(table.data)
    st.dataframe(table, hide_index=True, width="stretch", height=layout.table_height(n_shown, max_rows=WEAK_ROWS))
    st.caption(t("findings.weak.caption"))
    if n_facilities > n_shown:
        st.caption(t("findings.weak.limited", shown=n_shown, n=fmt.number(n_facilities)))


# --------------------------------------------------------------------------- tab: status breakdown


def breakdown_section() -> None:
    choices = {"country": t("findings.breakdown.per.country"), "facility_id": t("findings.breakdown.per.facility")}
    per = st.segmented_control(
        t("findings.breakdown.per"),
        list(choices),
        key=PER_KEY,
        default="country",
        required=True,
        format_func=choices.get,
    )
    per = per or "country"
    for dim in ("domain", "severity"):
        counts = data_findings.status_counts(q, f.countries, flt, (per, dim))
        chart, table = view_findings.status_breakdown(counts, per, dim, f.names, q, f.countries_label())
        charts.show(chart, table, key=f"{K}status_by_{dim}", filename=f"findings-status-by-{dim}_{q}", notes=notes)


# --------------------------------------------------------------------------- tab: ageing and speed


def ageing_section() -> None:
    ag = data_findings.ageing(q, f.countries, flt)
    left, right = st.columns(2, gap="large")
    for col, measure, bands, prefix in (
        (left, "age", rules.AGE_BANDS, "findings.age"),
        (right, "past_due", rules.PAST_DUE_BANDS, "findings.late"),
    ):
        rows = ag[ag["measure"] == measure]
        with col:
            if rows.empty:
                st.info(t(f"{prefix}.none", quarter=q), icon=":material/info:")
                continue
            chart, table = view_findings.ageing(rows, bands, prefix, q)
            charts.show(
                chart,
                table,
                key=f"{K}{measure}",
                filename=f"findings-{measure.replace('_', '-')}_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )


def speed_section() -> None:
    st.markdown(f"#### {t('findings.speed.heading')}")
    st.caption(t("findings.speed.caption", quarter=q))
    overall = data_findings.remediation_speed(q, f.countries, flt, ())
    if overall.empty or int(overall["remediated"].iloc[0]) == 0:
        st.info(t("findings.speed.none", quarter=q), icon=":material/info:")
        return
    by_country = data_findings.remediation_speed(q, f.countries, flt, ("country",))
    by_domain = data_findings.remediation_speed(q, f.countries, flt, ("domain",))
    left, right = st.columns(2, gap="large")
    for col, frame, key in ((left, by_country, "country"), (right, by_domain, "domain")):
        chart, long = view_findings.speed(frame, key, f.names, q, f.countries_label())
        with col:
            charts.show(
                chart,
                long,
                key=f"{K}speed_{key}",
                filename=f"remediation-days-by-{key}_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )

    # punctuality and counts
    st.markdown(f"##### {t('findings.speed.table_title')}")
    st.dataframe(
        view_findings.speed_table(overall, by_country, by_domain, f.names, q, f.countries_label()),
        hide_index=True,
        width="stretch",
        column_config=view_findings.speed_columns(q),
    )

    # the flow: how many findings reached "remediated" each quarter
    flow = data_findings.remediation_speed(q, f.countries, flt, ("remediated_quarter",))
    if not flow.empty:
        chart, table = view_findings.remediated_per_quarter(
            flow, [x for x in f.quarters if x <= q], f.countries_label()
        )
        charts.show(
            chart,
            table,
            key=f"{K}speed_flow",
            filename=f"findings-remediated-per-quarter_{q}",
            notes=notes,
            height=FLOW_HEIGHT,
        )


# --------------------------------------------------------------------------- tab: findings and timelines

SORT_LABELS = view_findings.sort_labels()


def _pick_row(table_key: str, ids: list[str]) -> None:
    rows = st.session_state[table_key].selection.rows
    if rows and rows[0] < len(ids):
        st.session_state[FINDING_KEY] = ids[rows[0]]


def list_section() -> None:
    c1, c2, c3, c4 = st.columns([3.2, 2, 1.2, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("findings.list.search"),
        key=SEARCH_KEY,
        placeholder=t("findings.list.search_placeholder"),
        persist_state="session",
        icon=":material/search:",
    )
    sort = c2.selectbox(
        t("findings.list.sort"),
        list(rules.SORT_KEYS),
        key=SORT_KEY,
        format_func=SORT_LABELS.get,
        persist_state="session",
    )
    descending = c3.toggle(t("findings.list.descending"), key=DESC_KEY, persist_state="session")
    size = c4.selectbox(
        t("findings.list.page_size"),
        list(rules.PAGE_SIZES),
        index=rules.PAGE_SIZES.index(rules.DEFAULT_PAGE_SIZE),
        key=SIZE_KEY,
        persist_state="session",
    )
    search = (search or "").strip()
    signature = repr((flt, search, sort, descending, size, q, f.countries))
    if st.session_state.get(K + "_list_signature") != signature:  # another list: back to its first page
        st.session_state[K + "_list_signature"] = signature
        st.session_state[PAGE_KEY] = 1
    page = max(1, int(st.session_state.get(PAGE_KEY) or 1))
    rows, count = data_findings.findings_list(q, f.countries, flt, search, sort, descending, size, (page - 1) * size)
    if count == 0:
        st.info(t("findings.list.none", search=escape(search)), icon=":material/search_off:")
        return
    pages = rules.page_count(count, size)
    if page > pages:
        page = pages
        rows, count = data_findings.findings_list(
            q, f.countries, flt, search, sort, descending, size, (page - 1) * size
        )
    offset = (page - 1) * size

    info, pager, download = st.columns([5, 1.1, 1.6], vertical_alignment="bottom")
    info.markdown(
        t(
            "findings.list.showing",
            first=fmt.number(offset + 1),
            last=fmt.number(offset + len(rows)),
            total=fmt.number(count),
            sort=SORT_LABELS[sort].lower(),
        )
    )
    if pages > 1:
        st.session_state[PAGE_KEY] = page
        pager.number_input(t("findings.list.page"), min_value=1, max_value=pages, step=1, key=PAGE_KEY)
    with download:
        exports.download_button(
            t("findings.list.download", n=fmt.number(count)),
            lambda: charts.data_csv(
                view_findings.findings_table(
                    data_findings.findings_list(q, f.countries, flt, search, sort, descending, None, 0)[0], f.names
                )
            ),
            what="findings",
            file_name=f"findings_{q}.csv",
            mime="text/csv",
            key=K + "download",
            page_filters={"search": search, "sort": sort, "descending": descending},
            icon=":material/download:",
            help=t("findings.list.download_help", quarter=q),
            width="stretch",
        )

    ids = list(rows["finding_id"])
    table_key = f"{K}table_{zlib.crc32((signature + str(page)).encode()):08x}"  # a new list: no stale selection
    column_order, column_config = view_findings.findings_columns()
    st.dataframe(
        view_findings.findings_table(rows, f.names),
        hide_index=True,
        width="stretch",
        height=layout.table_height(len(rows), max_rows=LIST_ROWS),
        key=table_key,
        on_select=lambda: _pick_row(table_key, ids),
        selection_mode="single-row",
        column_order=column_order,
        column_config=column_config,
    )


def timeline_section() -> None:
    st.markdown(f"#### {t('findings.timeline.heading')}")
    wanted = st.text_input(
        t("findings.timeline.pick"),
        key=FINDING_KEY,
        placeholder=t("findings.timeline.pick_placeholder"),
        help=t("findings.timeline.pick_help"),
        persist_state="session",
        icon=":material/timeline:",
        width=460,
    )
    wanted = (wanted or "").strip()
    links.mirror(links.FINDING, wanted)
    if not wanted:
        st.caption(t("findings.timeline.hint"))
        return
    facts = data_findings.finding(wanted)
    if facts is None:
        if not outside.say_withheld("finding", [wanted]):
            return  # outside the person's access: said so
        st.warning(t("findings.timeline.unknown", id=escape(wanted)), icon=":material/search_off:")
        return
    fid = facts["finding_id"]
    rows, later = data_findings.finding_timeline(fid, q)
    if not rows:
        st.info(t("findings.timeline.not_yet", id=escape(fid), quarter=q), icon=":material/schedule:")
        return
    if facts["country"] not in f.scope:
        st.caption(t("findings.timeline.outside", country=escape(f.names.get(facts["country"], facts["country"]))))
    for line in view_findings.timeline_facts(facts, f.names):
        st.markdown(line)
    st.markdown(view_findings.timeline_state(rows[-1], q))
    if facts.get("recommendation"):
        st.markdown(t("findings.timeline.recommendation", text=escape(facts["recommendation"])))
    changes = rules.status_changes(rows)
    st.caption(
        t(
            "findings.timeline.summary",
            quarter=q,
            first=rows[0].quarter,
            changes=tn("findings.timeline.changes_count", len(changes) - 1),
        )
    )
    st.dataframe(
        view_findings.timeline_table(rows),
        hide_index=True,
        width="stretch",
        height=layout.table_height(len(rows), max_rows=TIMELINE_ROWS),
        column_config=view_findings.timeline_columns(),
    )
    if later:
        st.caption(tn("findings.timeline.later", later, quarter=q))


# --------------------------------------------------------------------------- the tabs

tab_labels = [t("findings.tab.progress"), t("findings.tab.breakdown"), t("findings.tab.speed"), t("findings.tab.list")]
tabs = st.tabs(tab_labels, key=TAB_KEY, on_change="rerun")
with tabs[0]:
    if tabs[0].open is not False:
        burn_down_section()
        weakest_spots_section()
with tabs[1]:
    if tabs[1].open is not False:
        breakdown_section()
with tabs[2]:
    if tabs[2].open is not False:
        ageing_section()
        speed_section()
with tabs[3]:
    if tabs[3].open is not False:
        list_section()
        timeline_section()
