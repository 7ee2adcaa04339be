"""components/nav.py: a first request straight to a page runs inside the app
shell, through Streamlit's public API only."""

from __future__ import annotations

import ast

from streamlit.testing.v1 import AppTest

from components import nav
from tests.apptest_support import ROOT, new_app, run


def test_a_first_request_straight_to_a_page_runs_inside_the_shell(sample_url):
    """AppTest starts every run with Streamlit's pages-directory mode undecided,
    like a fresh server: a first request for /findings runs pages/findings.py
    on its own until the page restarts the run through app.py."""
    at = new_app({"countries": "KGZ", "quarter": "2025-Q2"})
    run(at.switch_page("pages/findings.py"))  # before any other run: identified by its file name
    assert at.markdown[0].value == "### Audit findings · 2025-Q2"
    # the shell ran: the global filters are in the sidebar, read from the link
    assert at.sidebar.multiselect[0].label == "Countries" and at.sidebar.multiselect[0].value == ["KGZ"]
    assert at.sidebar.selectbox[0].label == "As at quarter" and at.sidebar.selectbox[0].value == "2025-Q2"
    assert at.query_params == {"countries": "KGZ", "quarter": "2025-Q2"}
    assert any("illustrative" in i.value for i in at.info)  # the sample banner, drawn by app.py only
    assert "_nav_rerouted" not in at.session_state  # the restart left nothing behind


def _page_run_as_the_entry_script():
    import streamlit as st

    from components import nav

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    nav.ensure_shell()
    st.markdown(f"runs={st.session_state['runs']}")


def test_a_page_run_as_the_entry_script_is_not_restarted_forever():
    at = AppTest.from_function(_page_run_as_the_entry_script, default_timeout=60).run()
    assert not at.exception
    assert at.markdown[0].value == "runs=2"  # one restart, then the page runs on its own
    at.run()
    assert at.markdown[0].value == "runs=4"


ALLOWED_IMPORTS = ("__future__", "contextvars", "dataclasses", "pathlib", "streamlit", "data_access.rules.access")


def test_nav_uses_no_private_streamlit_api():
    """The shell used to be forced by writing ``PagesManager.uses_pages_directory``."""
    source = (ROOT / "components" / "nav.py").read_text(encoding="utf-8")
    assert "PagesManager" not in source and "uses_pages_directory" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            assert node.level or node.module in (
                "__future__",
                "contextvars",
                "dataclasses",
                "pathlib",
                "streamlit",
                "data_access.rules.access",
            )
        elif isinstance(node, ast.Import):
            assert {a.name for a in node.names} <= {"streamlit"}


def test_the_shell_marks_only_its_own_page_run():
    assert not nav._in_shell.get()
    seen = []

    class Page:
        def run(self):
            seen.append(nav._in_shell.get())

    nav.run(Page())  # type: ignore[arg-type]
    assert seen == [True] and not nav._in_shell.get()
