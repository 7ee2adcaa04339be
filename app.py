"""Steering Dashboard: the app shell.

Sets up the page, gets the database ready (migrations; the sample data on
the very first start of an empty database), decides who is using it
(sign-in, or local mode), registers the pages that person may see, draws
the global filters and the banners, then runs the current page.
Everything else lives in ``pages/`` (layout), ``components/`` (shared UI)
and ``data_access/`` (database and rules).

    streamlit run app.py
"""

import streamlit as st

from components import auth, data, data_admin, errors, filters, layout, nav, theme
from components.i18n import t

st.set_page_config(
    page_title=t("app.title"), page_icon=theme.favicon(), layout="wide", initial_sidebar_state=theme.SIDEBAR_WIDTH
)
with errors.guard("the app shell"):  # an unexpected error: a short message with a reference, the rest in the log
    theme.apply()
    data.prepare_database()
    data_admin.purge_due()  # the audit trail's retention (DASHBOARD_AUDIT_DAYS), at most once a day
    person = auth.gate()
    page = nav.navigation(person)
    if nav.uses_filters(page):
        filters.sidebar()
    auth.sidebar(person)
    layout.sample_banner()
    nav.run(page)
