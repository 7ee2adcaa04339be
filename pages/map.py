"""Map: the selected countries' facilities and the state of their audit
findings, drawn offline (borders shipped with the app, no basemap), with a
table of the same facilities, a facility panel linking to its findings, and
a static version of the map for slides. Layout only: figures come from
``components.data_map``, layers and rules from ``components.map_layers`` and
``data_access.rules.maps``."""

import pandas as pd
import streamlit as st

from components import charts, data_map, filters, layout, map_layers, nav, theme
from components import format as fmt
from components.i18n import label, t, tn
from components.layout import escape
from data_access.rules import maps as rules

MODE_KEY, PILOTS_KEY, FACILITY_KEY = "map_colour_by", "map_pilots_only", "map_facility"
DECK_KEY, TABLE_KEY, TABLE_IDS_KEY = "map_deck", "map_table", "_map_table_ids"
STATIC_KEY = "map_static_open"
OPEN_LINES = 5
TABLE_ROW_PX, TABLE_MAX_PX = 35, 740

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

everything = data_map.facilities(f.countries, q)
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


def _place(city, country: str) -> str:
    return ", ".join(p for p in (city, names.get(country, country)) if isinstance(p, str) and p)


option_labels = {
    fid: f"{name} ({city if isinstance(city, str) and city else names.get(country, country)})"
    for fid, name, city, country in zip(
        shown["facility_id"], shown["name"], shown["city"], shown["country"], strict=False
    )
}


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
            place = _place(r["city"], r["country"])
            lines = [
                t("map.facility.heading", name=escape(r["name"])),
                (theme.badge("facility", "pilot", t("map.facility.pilot_badge")) + " " if r["pilot"] else "")
                + t("map.facility.kind", type=map_layers.facility_type(r["type"]), place=escape(place)),
            ]
            if r["findings"]:
                lines.append(
                    t(
                        "map.facility.counts",
                        findings=fmt.number(r["findings"]),
                        open=fmt.number(r["open"]),
                        overdue=fmt.number(r["overdue"]),
                    )
                )
                lines.append(
                    t(
                        "map.facility.remediated",
                        share=fmt.percent(r["remediated_share"]),
                        n=fmt.number(r["remediated"]),
                        total=fmt.number(r["findings"]),
                    )
                )
                if r["worst_open_severity"] and not pd.isna(r["worst_open_severity"]):
                    lines.append(t("map.facility.worst", badge=theme.badge("severity", r["worst_open_severity"])))
            else:
                lines.append(t("map.facility.no_findings", quarter=q))
            lines.append(
                t(
                    "map.facility.audit",
                    date=t("map.tip.never") if fmt.missing(r["last_audit"]) else fmt.date(r["last_audit"]),
                )
            )
            st.markdown("  \n".join(lines))
            link_params = {"facility": chosen, **filters.to_query(f.countries, q, f.all_countries)}
            if not nav.link(
                "findings", label=t("map.facility.link"), icon=":material/fact_check:", query_params=link_params
            ):
                st.caption(t("map.facility.link_missing"))
        if r["findings"]:
            with b:
                counts = data_map.finding_counts(chosen, q)
                st.markdown(t("map.facility.table_heading", quarter=q))
                grid = counts.pivot_table(
                    index="severity", columns="status", values="findings", aggfunc="sum", fill_value=0
                )
                severities = [s for s in theme.ORDER["severity"] if s in grid.index]
                statuses = [s for s in theme.ORDER["finding_status"] if s in grid.columns]
                grid = grid.loc[severities, statuses]
                grid.columns = [label("finding_status", s) for s in statuses]
                grid.index = [label("severity", s) for s in severities]
                grid.index.name = t("map.col.severity")
                st.dataframe(
                    grid,
                    width="stretch",
                    key="map_facility_grid",
                    column_config={col: st.column_config.NumberColumn(width=80) for col in grid.columns},
                )
            with c:
                st.markdown(t("map.facility.open_heading"))
                open_rows = data_map.open_findings(chosen, q)

                def _line(o) -> str:
                    key = (
                        "map.facility.open_line_no_due"
                        if o.due_date is None or pd.isna(o.due_date)
                        else "map.facility.open_line_overdue"
                        if o.overdue
                        else "map.facility.open_line"
                    )
                    return t(
                        key,
                        severity=theme.badge("severity", o.severity),
                        id=escape(o.finding_id),
                        title=escape(o.title),
                        due=fmt.date(o.due_date),
                    )

                if open_rows.empty:
                    st.markdown(t("map.facility.none_open", quarter=q))
                layout.bullet_list([_line(o) for o in open_rows.itertuples()], limit=OPEN_LINES)

# --------------------------------------------------------------------------- the table

st.markdown(f"#### {t('map.table.title')}")
table = pd.DataFrame(
    {
        t("map.col.facility"): shown["name"],
        t("map.col.place"): [_place(city, c) for city, c in zip(shown["city"], shown["country"], strict=False)],
        t("map.col.type"): [map_layers.facility_type(v) for v in shown["type"]],
        t("map.col.pilot"): shown["pilot"].astype(bool),
        t("map.col.open"): shown["open"],
        t("map.col.overdue"): shown["overdue"],
        t("map.col.remediated"): shown["remediated_share"] * 100,
        t("map.col.worst"): [
            map_layers.class_label(rules.severity_class(s, n))
            for s, n in zip(shown["worst_open_severity"], shown["findings"], strict=False)
        ],
        t("map.col.last_audit"): pd.to_datetime(shown["last_audit"]),
    }
)
if not unplaced.empty:
    table[t("map.col.on_map")] = [t("map.no") if i in set(unplaced["facility_id"]) else t("map.yes") for i in ids]
st.session_state[TABLE_IDS_KEY] = ids
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    key=TABLE_KEY,
    on_select=_picked_in_table,
    selection_mode="single-row",
    height=min(TABLE_ROW_PX * (len(table) + 1) + 3, TABLE_MAX_PX),
    column_config={
        t("map.col.facility"): st.column_config.TextColumn(width=200),
        t("map.col.place"): st.column_config.TextColumn(width=135),
        t("map.col.type"): st.column_config.TextColumn(width=95),
        t("map.col.pilot"): st.column_config.CheckboxColumn(width=50, help=t("map.col.pilot_help")),
        t("map.col.open"): st.column_config.NumberColumn(width=50, help=t("map.col.open_help")),
        t("map.col.overdue"): st.column_config.NumberColumn(width=65, help=t("map.col.overdue_help")),
        t("map.col.remediated"): st.column_config.ProgressColumn(
            min_value=0, max_value=100, format="%.0f%%", width=90, help=t("map.col.remediated_help")
        ),
        t("map.col.worst"): st.column_config.TextColumn(width=100, help=t("map.col.worst_help")),
        t("map.col.last_audit"): st.column_config.DateColumn(format="D MMM YYYY", width=90),
    },
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
