"""Map: the selected countries' facilities and the state of their audit
findings, drawn offline (borders shipped with the app, no basemap), with a
table of the same facilities, a facility panel linking to its findings, and
a static version of the map for slides. Layout only: figures come from
``components.data`` and ``components.data_map``, layers from
``components.map_layers``, the panel and the table from
``components.view_map``, rules from ``data_access.rules.maps``."""

import streamlit as st

from components import charts, data, data_map, filters, layout, links, map_layers, nav, view_map
from components import formatting as fmt
from components.i18n import t, tn
from components.layout import escape
from data_access.rules import maps as rules

MODE_KEY, PILOTS_KEY, FACILITY_KEY = "map_colour_by", "map_pilots_only", "map_facility"
DECK_KEY, TABLE_KEY, TABLE_IDS_KEY = "map_deck", "map_table", "_map_table_ids"
STATIC_KEY = "map_static_open"
OPEN_LINES = 5
TABLE_ROWS = 20  # rows of the facilities table shown before it scrolls

f = filters.current()

if f.quarter is None:
    layout.page_header(t("map.title"))
    layout.no_data()
    st.stop()

q = f.quarter
layout.page_header(t("map.title_as_at", quarter=q), t("map.subtitle", countries=f.countries_label(), quarter=q))

# --------------------------------------------------------------------------- controls (beside the map)

left, right = st.columns([3, 1.15], gap="medium")
with right:
    mode = st.radio(
        t("map.colour_by"),
        rules.COLOUR_MODES,
        format_func=lambda m: t(f"map.mode.{m}"),
        key=MODE_KEY,
        help=t("map.colour_by_help"),
    )
    pilots_only = st.toggle(t("map.pilots_only"), key=PILOTS_KEY, help=t("map.pilots_only_help"))

filters.describe_page(colour_by=mode, pilots_only=pilots_only)
everything = data.facilities(q, f.countries)
shown = everything[everything["pilot"]] if pilots_only else everything
if shown.empty:
    with left:
        if everything.empty:
            layout.empty_state(
                t("map.empty.title"),
                t("map.empty.body", countries=f.countries_label()),
                [t("map.empty.step_countries"), t("map.empty.step_return")],
                links=["upload"],
            )
        else:
            st.info(t("map.empty.pilots", countries=f.countries_label()), icon=":material/filter_alt_off:")
    st.stop()

names = dict(f.names)
marks = map_layers.markers(shown, mode, names)
ids = list(shown["facility_id"])
by_id = shown.set_index("facility_id")


option_labels = view_map.options(shown, names)


def _option(fid: str) -> str:
    return option_labels.get(fid, fid)


# The chosen facility: from the map, the table or the list; kept valid when the selection changes.
if st.session_state.get(FACILITY_KEY) not in ids:
    st.session_state[FACILITY_KEY] = None


def _picked_on_map() -> None:
    objects = st.session_state[DECK_KEY].selection.get("objects", {}).get(map_layers.FACILITIES) or []
    if objects:
        st.session_state[FACILITY_KEY] = objects[0].get("facility_id")


def _picked_in_table() -> None:
    rows = st.session_state[TABLE_KEY].selection.get("rows") or []
    table_ids = st.session_state.get(TABLE_IDS_KEY) or []
    if rows and rows[0] < len(table_ids):
        st.session_state[FACILITY_KEY] = table_ids[rows[0]]


# --------------------------------------------------------------------------- the map and its panel

with left:
    view = map_layers.fit(f.scope, marks)
    deck = map_layers.deck(marks, selected=f.scope, programme=f.all_countries, names=names, view=view)
    st.pydeck_chart(
        deck,
        height=map_layers.MAP_HEIGHT,
        on_select=_picked_on_map,
        selection_mode="single-object",
        key=DECK_KEY,
        alt=t("map.alt", n=len(marks), countries=f.countries_label(), mode=t(f"map.mode.{mode}").lower()),
    )
    notes = [t("map.note.precision")]
    unplaced = shown[~shown["facility_id"].isin(marks["facility_id"])]
    if not unplaced.empty:
        notes.append(tn("map.note.unplaced", len(unplaced), names=", ".join(escape(n) for n in unplaced["name"])))
    st.caption(" ".join(notes))

with right:
    st.html(map_layers.legend_html(mode, marks["colour_class"].value_counts().to_dict()))
    st.selectbox(
        t("map.facility.choose"),
        ids,
        key=FACILITY_KEY,
        index=None,
        format_func=_option,
        placeholder=t("map.facility.placeholder"),
        help=t("map.note.click"),
    )
    if st.session_state.get(FACILITY_KEY) is None:
        st.caption(t("map.note.click"))

# --------------------------------------------------------------------------- the chosen facility

chosen = st.session_state.get(FACILITY_KEY)
if chosen is not None:
    r = by_id.loc[chosen]
    with st.container(border=True, key="map_facility_panel"):
        a, b, c = st.columns([1.05, 1.7, 1.25], gap="medium")
        with a:
            st.markdown("  \n".join(view_map.facility_lines(r, names, q)))
            link_params = {links.FACILITY: chosen, **filters.to_query(f.countries, q, f.all_countries)}
            if not nav.link(
                "findings", label=t("map.facility.link"), icon=":material/fact_check:", query_params=link_params
            ):
                st.caption(t("map.facility.link_missing"))
        if r["findings"]:
            with b:
                st.markdown(t("map.facility.table_heading", quarter=q))
                grid = view_map.findings_grid(data_map.facility_finding_counts(q, chosen))
                st.dataframe(
                    grid,
                    width="stretch",
                    key="map_facility_grid",
                    column_config={col: st.column_config.NumberColumn(width=80) for col in grid.columns},
                )
            with c:
                st.markdown(t("map.facility.open_heading"))
                open_rows = data_map.facility_open_findings(q, chosen)
                if open_rows.empty:
                    st.markdown(t("map.facility.none_open", quarter=q))
                layout.bullet_list([view_map.open_finding_line(o) for o in open_rows.itertuples()], limit=OPEN_LINES)

# --------------------------------------------------------------------------- the table

st.markdown(f"#### {t('map.table.title')}")
table = view_map.facilities_table(shown, names, unplaced)
st.session_state[TABLE_IDS_KEY] = ids
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key=TABLE_KEY,
    on_select=_picked_in_table,
    selection_mode="single-row",
    height=layout.table_height(len(table), max_rows=TABLE_ROWS),
    column_config=view_map.facilities_columns(),
)
st.caption(t("map.table.caption", n=fmt.number(len(shown))))

# --------------------------------------------------------------------------- static map for export

# Built only while the expander is open: the chart carries the borders, which costs time on every run.
static_box = st.expander(t("map.static.expander"), icon=":material/image:", key=STATIC_KEY, on_change="rerun")
if static_box.open:
    with static_box:
        static = map_layers.static_chart(
            marks,
            selected=f.scope,
            programme=f.all_countries,
            names=names,
            mode=mode,
            title=t("map.static.title", quarter=q),
            subtitle=t("map.static.subtitle", countries=f.countries_label(), mode=t(f"map.mode.{mode}").lower()),
        )
        charts.show(
            static,
            table,
            key="map_static",
            filename=f"facilities-map_{q}",
            notes=[t("charts.note_filters", countries=f.countries_label(), quarter=q)],
        )
