"""Country profiles: one country's figures as at the selected quarter next to
the 2019-2023 report's baseline, shares derived from them, the programme's
context, every indicator over time, activities and facilities; and a
comparison of the selected countries, absolute and per 100 prisoners.
Layout only: figures come from ``components.data_countries`` (cached
``data_access`` queries), how they read and the charts from
``components.view_countries``, shares and their rules from
``data_access.rules.countries``, the look from ``components``.

Links: ``?country=<code>`` (or ``compare``) opens that view; a country
outside the person's access is not shown, the page says so.
"""

import pandas as pd
import streamlit as st

from components import charts, data, data_countries, filters, kpi, layout, links, nav, outside, view_countries
from components import formatting as fmt
from components.i18n import t, tn
from components.layout import escape
from data_access.rules import countries as rules

VIEW_KEY = "countries_view"
COMPARE = "compare"
SERIES_HEIGHT = 230
CHART_HEIGHT = 300
CHARTS_PER_ROW = 3

f = filters.current()

if f.quarter is None:
    layout.page_header(t("countries.title"))
    layout.no_data()
    st.stop()

q = f.quarter
scope = list(f.scope)
names = f.names
compared = f.previous_quarter if f.previous_has_data else None
notes = [t("charts.note_filters", countries=f.countries_label(), quarter=q)]

layout.page_header(t("countries.title_as_at", quarter=q), t("countries.subtitle", countries=f.countries_label()))

# --------------------------------------------------------------------------- choosing the view

options = [*scope, COMPARE]
if st.session_state.get(VIEW_KEY) not in options:
    linked, unknown = links.match(links.read(links.COUNTRY), options, names)
    outside.notice(outside.split_countries(unknown)[1])
    st.session_state[VIEW_KEY] = (linked or options)[0]
view = st.segmented_control(
    t("countries.view"),
    options,
    key=VIEW_KEY,
    required=True,
    label_visibility="collapsed",
    format_func=lambda o: t("countries.compare_option", n=len(scope)) if o == COMPARE else names.get(o, o),
    help=t("countries.view_help"),
)
links.write(links.COUNTRY, view)


# =========================================================================== one country


def profile(c: str) -> None:
    name = names.get(c, c)
    status = data_countries.data_status(q, (c,)).iloc[0]
    figures = data_countries.key_figures(q, (c,))
    st.markdown(f"#### {escape(name)}")
    if status["status"] == rules.NONE:
        layout.empty_state(
            t("countries.none.title", country=name),
            t("countries.none.body", country=name, quarter=q),
            [t("empty.step_template"), t("empty.step_upload")],
            links=["upload"],
        )
        context(c)
        return
    if status["status"] == rules.CARRIED:
        st.warning(
            t("countries.carried", country=name, quarter=q, last=status["last_quarter"]), icon=":material/history:"
        )
    else:
        source = view_countries.source_text(
            status["upload_kind"], status["upload_by"], status["upload_at"], status["upload_file"], markdown=True
        )
        st.caption(t("countries.current", quarter=q, source=source))

    shares = data_countries.derived_shares(q, (c,)).set_index("share")
    before = pd.DataFrame(columns=["value"])
    if compared:
        before = data_countries.derived_shares(compared, (c,)).set_index("share")
    tiles = view_countries.profile_tiles(figures.set_index("indicator"), shares, before)
    kpi.tile_row(tiles, compared, per_row=len(tiles))

    tab_figures, tab_time, tab_activities, tab_facilities = st.tabs(
        [
            t("countries.tab.figures"),
            t("countries.tab.time"),
            t("countries.tab.activities"),
            t("countries.tab.facilities"),
        ]
    )
    with tab_figures:
        key_figures(figures)
        derived_shares(shares.reset_index())
        context(c)
    with tab_time:
        series(c, figures)
    with tab_activities:
        activities(c)
    with tab_facilities:
        facilities(c)


def key_figures(figures: pd.DataFrame) -> None:
    st.markdown(f"##### {t('countries.figures.title')}")
    st.caption(t("countries.figures.caption", quarter=q))
    table = view_countries.key_figures_table(figures, q)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="countries_key_figures",
        height=layout.table_height(len(table)),
        column_config={t("countries.col.note"): st.column_config.TextColumn(width="large")},
    )


def derived_shares(shares: pd.DataFrame) -> None:
    st.markdown(f"##### {t('countries.shares.title')}")
    st.caption(t("countries.shares.caption"))
    st.dataframe(view_countries.shares_table(shares), hide_index=True, width="stretch", key="countries_shares")


def context(c: str) -> None:
    ctx = data.countries().set_index("code")
    if c not in ctx.index:
        return
    row = ctx.loc[c]
    if not (isinstance(row["background"], str) or isinstance(row["achievements"], str)):
        return
    st.markdown(f"##### {t('countries.context.title')}")
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{t('countries.context.background')}**")
        st.markdown(escape(row["background"]) if isinstance(row["background"], str) else t("countries.context.none"))
    with right:
        st.markdown(f"**{t('countries.context.achievements')}**")
        st.markdown(
            escape(row["achievements"]) if isinstance(row["achievements"], str) else t("countries.context.none")
        )
    st.caption(t("countries.context.caption"))


# --------------------------------------------------------------------------- over time


def series(c: str, figures: pd.DataFrame) -> None:
    history = data_countries.indicator_series((c,), up_to=q)
    if history.empty:
        st.info(t("countries.series.none"), icon=":material/info:")
        return
    first = history["quarter"].min()
    st.caption(t("countries.series.caption"))
    base = figures.set_index("indicator")
    codes = list(dict.fromkeys(history["indicator"]))
    for start in range(0, len(codes), CHARTS_PER_ROW):
        cols = st.columns(CHARTS_PER_ROW, gap="medium")
        for col, code in zip(cols, codes[start : start + CHARTS_PER_ROW], strict=False):
            rows = history[history["indicator"] == code]
            b = base.loc[code] if code in base.index else None
            chart, download = view_countries.indicator_chart(rows, code, b, first, q, names.get(c, c))
            with col:
                charts.show(
                    chart,
                    download,
                    key=f"countries_series_{c}_{code}",
                    filename=f"{c}_{code}_{q}",
                    notes=notes,
                    height=SERIES_HEIGHT,
                )


# --------------------------------------------------------------------------- activities


def activities(c: str) -> None:
    by_type = data_countries.activity_by_quarter((c,), up_to=q)
    running = data_countries.activity_running_totals((c,), up_to=q)
    if by_type.empty:
        st.info(t("countries.activities.none", quarter=q), icon=":material/info:")
        return
    kpi.tile_row(view_countries.activity_tiles(running, q), None, per_row=4)

    returns = by_type[~by_type["from_report"] & (by_type["participants"] > 0)]
    report_quarters = tuple(sorted(set(by_type.loc[by_type["from_report"], "quarter"])))
    download = view_countries.activities_download(running)
    left, middle, right = st.columns(3, gap="medium")
    with left:
        if returns.empty:
            st.info(t("countries.activities.none_since_report"), icon=":material/info:")
        else:
            chart, by_type_download = view_countries.participants_by_type(returns)
            charts.show(
                chart,
                by_type_download,
                key=f"countries_activities_{c}",
                filename=f"{c}_participants-by-type_{q}",
                notes=notes,
                height=CHART_HEIGHT,
            )
    with middle:
        charts.show(
            view_countries.women_share(running, report_quarters, q),
            download,
            key=f"countries_women_{c}",
            filename=f"{c}_women-among-participants_{q}",
            notes=notes,
            height=CHART_HEIGHT,
        )
    with right:
        charts.show(
            view_countries.cumulative_participants(running, report_quarters, q),
            download,
            key=f"countries_cumulative_{c}",
            filename=f"{c}_participants-cumulative_{q}",
            notes=notes,
            height=CHART_HEIGHT,
        )

    st.markdown(f"##### {t('countries.activities.table_title')}")
    st.caption(t("countries.activities.table_caption", quarter=q))
    st.dataframe(
        view_countries.activity_table(by_type, q), hide_index=True, width="stretch", key=f"countries_activity_table_{c}"
    )


# --------------------------------------------------------------------------- facilities


def facilities(c: str) -> None:
    fac = data.facilities(q, (c,))
    if fac.empty:
        st.info(t("countries.facilities.none"), icon=":material/info:")
        return
    st.caption(t("countries.facilities.caption", quarter=q))
    widths = [4, 2.2, 1.2, 1.2, 1.6, 2.6]
    head = st.columns(widths, vertical_alignment="bottom")
    for col, key in zip(head, ("facility", "type_city", "open", "overdue", "worst", "link"), strict=False):
        col.markdown(f"**{t(f'countries.facilities.col.{key}')}**")
    for r in fac.itertuples():
        cols = st.columns(widths, vertical_alignment="center")
        for col, cell in zip(cols, view_countries.facility_cells(r), strict=False):
            col.markdown(cell)
        with cols[5]:
            if not nav.link(
                "findings",
                label=tn("countries.facilities.link", int(r.findings), n=fmt.number(r.findings)),
                icon=":material/fact_check:",
                query_params={links.FACILITY: r.facility_id},
                help=t("countries.facilities.link_help", facility=escape(r.name)),
            ):
                st.caption(t("countries.facilities.no_findings_page"))


# =========================================================================== comparison


def comparison() -> None:
    st.markdown(f"#### {tn('countries.compare.title', len(scope))}")
    if len(scope) == 1:
        st.info(t("countries.compare.one"), icon=":material/info:")
    comp = data_countries.comparison(q, tuple(scope))
    status = data_countries.data_status(q, tuple(scope)).set_index("country")
    carried, missing = view_countries.not_current(status, scope, names)
    if carried:
        st.warning(t("countries.compare.carried", quarter=q, countries=", ".join(carried)), icon=":material/history:")
    if missing:
        st.warning(t("countries.compare.missing", quarter=q, countries=", ".join(missing)), icon=":material/block:")
    st.caption(t("countries.compare.caption"))

    cols = [names.get(c, c) for c in scope]
    absolute, per = view_countries.comparison_tables(comp, scope, names, q)
    # side by side: absolute vs per 100 prisoners
    figures = view_countries.compared_figures(comp, names, q)
    if figures is not None:
        frame, download, subtitle = figures
        for col, field in zip(st.columns(2, gap="large"), ("value", "per_100"), strict=True):
            with col:
                charts.show(
                    view_countries.compared_bars(frame, field, cols, subtitle),
                    download,
                    key=f"countries_compare_{field}",
                    filename=f"comparison_{field}_{q}",
                    notes=notes,
                    height=CHART_HEIGHT,
                )

    st.markdown(f"##### {t('countries.compare.absolute')}")
    st.dataframe(absolute, width="stretch", key="countries_compare_absolute", height=layout.table_height(len(absolute)))
    st.markdown(f"##### {t('countries.compare.per_100')}")
    st.dataframe(per, width="stretch", key="countries_compare_per_100", height=layout.table_height(len(per)))

    # is it changing? shares per quarter
    quarters = tuple(x for x in f.quarters if x <= q)
    trend = data_countries.share_series(quarters, tuple(scope))
    if not trend.empty:
        st.markdown(f"##### {t('countries.compare.trend_title')}")
        for col, code in zip(st.columns(2, gap="large"), ("ve_per_100", "ftf_per_100"), strict=True):
            rows = trend[trend["share"] == code]
            if rows.empty:
                continue
            chart, download = view_countries.share_trend(rows, code, names, cols, quarters)
            with col:
                charts.show(
                    chart,
                    download,
                    key=f"countries_trend_{code}",
                    filename=f"comparison_{code}_by-quarter_{q}",
                    notes=notes,
                    height=CHART_HEIGHT,
                )


if view == COMPARE:
    comparison()
else:
    profile(view)
