"""Audit trail: who did what, when, from where, for administrators.

Filters by person, action, country and dates (UTC days; by default the last
30 days, or the whole trail); the events as a table; an export as CSV or
XLSX (formula-safe), itself recorded in the trail when the file is made.
Nothing here edits or deletes an event: the trail is append-only, and only
the retention setting (``DASHBOARD_AUDIT_DAYS``) drops old events.

Layout and widgets only: reads go through ``components.data_admin``
(uncached), which passes the acting person to ``data_access.audit``
(administrators only); the table's shape comes from
``components.view_audit``."""

import datetime as dt

import streamlit as st

from components import data, data_admin, layout, nav, view_audit
from components import formatting as fmt
from components.charts import XLSX_TYPE
from components.i18n import t, tn
from data_access.audit import EVENT_ACTIONS
from data_access.rules.text import plain

K = "audit_"  # prefix of this page's widget keys
DEFAULT_DAYS = 30  # the period shown on arrival: today and the 29 days before
TRAIL_ROWS = 20  # events shown before the table scrolls

nav.ensure_shell()
why = data_admin.refused("read_audit")
if why is not None:  # the page is not listed for this person; opened anyway, it shows nothing
    st.error(why, icon=":material/lock:")
    st.stop()

layout.page_header(t("admin.audit.title"), t("admin.audit.subtitle"))
days, problem = data_admin.retention()
if problem is not None:
    st.warning(t("admin.audit.retention_invalid", problem=problem), icon=":material/warning:")
elif days is None:
    st.caption(t("admin.audit.retention_all"))
else:
    st.caption(tn("admin.audit.retention_days", days))

countries = data.countries()
names = dict(zip(countries["code"], countries["name"], strict=True))
today = dt.datetime.now(dt.UTC).date()

c1, c2, c3, c4, c5 = st.columns([2.6, 2.2, 1.6, 2.4, 1.4], vertical_alignment="bottom")
person = c1.selectbox(
    t("admin.audit.filter.person"),
    [None, *data_admin.people()],
    key=K + "person",
    format_func=lambda p: t("admin.audit.filter.everyone") if p is None else plain(p),
)
action = c2.selectbox(
    t("admin.audit.filter.action"),
    [None, *EVENT_ACTIONS],
    key=K + "action",
    format_func=lambda a: t("admin.audit.filter.any_action") if a is None else view_audit.action_label(a),
)
country = c3.selectbox(
    t("admin.audit.filter.country"),
    [None, *sorted(names)],
    key=K + "country",
    format_func=lambda c: t("admin.audit.filter.any_country") if c is None else names.get(c, c),
    help=t("admin.audit.filter.country_help"),
)
every_date = c5.toggle(t("admin.audit.filter.all_dates"), key=K + "all_dates")
dates = c4.date_input(
    t("admin.audit.filter.dates"),
    value=(today - dt.timedelta(days=DEFAULT_DAYS - 1), today),
    key=K + "dates",
    format="YYYY-MM-DD",
    disabled=every_date,
    help=t("admin.audit.filter.dates_help"),
)
chosen = () if every_date else tuple(dates) if isinstance(dates, tuple | list) else (dates,)
since = chosen[0] if chosen else None
until = chosen[1] if len(chosen) > 1 else None
f = data_admin.TrailFilter(person, action, country, since, until)
events = data_admin.trail(f)

if since is None:
    period = t("admin.audit.period.all")
elif until is None:
    period = t("admin.audit.period.from", since=fmt.date(since))
else:
    period = t("admin.audit.period.between", since=fmt.date(since), until=fmt.date(until))

if events.empty:
    filtered = person is not None or action is not None or country is not None
    layout.empty_state(
        t("admin.audit.empty.title", period=period),
        t("admin.audit.empty.body"),
        [t("admin.audit.empty.step_filters")] * filtered
        + [t("admin.audit.empty.step_dates")] * (since is not None)
        + [t("admin.audit.empty.step_retention")] * (days is not None),
    )
    st.stop()

line, csv_col, xlsx_col = st.columns([5, 1.2, 1.2], vertical_alignment="center")
line.markdown(tn("admin.audit.count", len(events), period=period))
title = t("admin.audit.export_title")
stem = f"audit-trail_{since or 'start'}_{until or today}"
for col, ext, mime, icon in (
    (csv_col, "csv", "text/csv", ":material/table:"),
    (xlsx_col, "xlsx", XLSX_TYPE, ":material/grid_on:"),
):
    col.download_button(
        t(f"admin.audit.export_{ext}"),
        data=data_admin.trail_export(f, ext, view_audit.export_table, title),
        file_name=f"{stem}.{ext}",
        mime=mime,
        key=f"{K}export_{ext}",
        on_click="ignore",
        icon=icon,
        width="stretch",
        help=t("admin.audit.export_help"),
    )

table = view_audit.trail_table(events)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=layout.table_height(len(table), max_rows=TRAIL_ROWS),
    column_config={
        t("admin.audit.col.at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
        t("admin.audit.col.detail"): st.column_config.TextColumn(width="large"),
    },
)
st.caption(t("admin.audit.table_help"))
