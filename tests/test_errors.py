"""No internals shown to people: an unexpected error in the app is a short
message with an incident reference, the traceback goes to the server's log
under it; ``st.stop()`` and ``st.rerun()`` still work through the guard;
Streamlit's own error display is off in the shipped configuration.

(The command line's one line is tested in test_cli.py; the importer's
rejection of what the database refuses in test_limits.py.)
"""

from __future__ import annotations

import logging
import re
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from components import errors
from components.locales import en
from data_access import incident
from tests.apptest_support import ROOT

SECRET = "VALUES (%(name)s) secret-parameter /srv/dashboard/data"


@pytest.fixture
def guarded(monkeypatch, caplog):
    """The guard as it runs in production (the tests' switch off), its log captured."""
    monkeypatch.delenv(errors.RAISE_ENV, raising=False)
    caplog.set_level(logging.ERROR, logger=incident.log.name)
    return caplog


def _shell_with_a_page():
    """The app shell's page run (nav.run) of a page that fails, stops or
    reruns as ``st.session_state.what`` says."""
    import streamlit as st
    from sqlalchemy.exc import DataError

    from components import nav

    class Page:
        url_path = "findings"

        def run(self) -> None:
            st.session_state.runs = st.session_state.get("runs", 0) + 1
            st.markdown(f"page run {st.session_state.runs}")
            what = st.session_state.get("what")
            if what == "fail":
                raise DataError("INSERT INTO facilities (name) VALUES (%(name)s)", {"name": "secret-parameter"}, None)
            if what == "stop":
                st.stop()
            if what == "rerun" and st.session_state.runs == 1:
                st.rerun()
            st.markdown("page end")

    nav.run(Page())  # type: ignore[arg-type]
    st.markdown("shell end")


def _app(what: str | None) -> AppTest:
    at = AppTest.from_function(_shell_with_a_page, default_timeout=60)
    if what:
        at.session_state["what"] = what
    return at.run()


def test_an_unexpected_error_shows_a_short_message_with_a_reference_and_logs_it(guarded):
    at = _app("fail")
    assert not at.exception
    [shown] = at.error
    m = re.fullmatch(re.escape(en.MESSAGES["error.unexpected"]).replace(r"\{ref\}", "([0-9a-f]{8})"), shown.value)
    assert m, shown.value
    ref = m.group(1)
    page = "\n".join(str(e.proto) for e in at.main)
    for internal in ("INSERT", "secret-parameter", "DataError", "Traceback", "sqlalchemy"):
        assert internal not in page, internal
    [logged] = [r for r in guarded.records if r.name == incident.log.name]
    assert ref in logged.getMessage() and "'findings'" in logged.getMessage()
    assert logged.exc_info is not None and "INSERT INTO facilities" in guarded.text  # the traceback, in the log
    assert [md.value for md in at.markdown] == ["page run 1", "shell end"]  # the page stopped; the shell went on


def test_each_error_gets_a_reference_of_its_own(guarded):
    first, second = _app("fail").error[0].value, _app("fail").error[0].value
    assert first != second


def test_st_stop_in_a_page_still_stops_the_run(guarded):
    at = _app("stop")
    assert not at.exception and not at.error
    assert [md.value for md in at.markdown] == ["page run 1"]  # not "shell end": the stop was not swallowed


def test_st_rerun_in_a_page_still_reruns(guarded):
    at = _app("rerun")
    assert not at.exception and not at.error
    assert [md.value for md in at.markdown] == ["page run 2", "page end", "shell end"]


def test_a_page_without_errors_runs_as_before(guarded):
    at = _app(None)
    assert not at.exception and not at.error and not guarded.records
    assert [md.value for md in at.markdown] == ["page run 1", "page end", "shell end"]


def test_the_tests_let_errors_through_to_apptest(monkeypatch):
    monkeypatch.setenv(errors.RAISE_ENV, "1")
    at = _app("fail")
    assert at.exception and not at.error  # what every other AppTest relies on to see a page's error


def test_streamlit_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_the_app_shell_runs_inside_the_guard():
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    body = source.split('with errors.guard("the app shell"):', 1)
    assert len(body) == 2, "app.py does not guard its shell"
    assert "nav.run(page)" in body[1] and "data.prepare_database()" in body[1]


# --------------------------------------------------------------------------- the database cannot be used at start


@pytest.mark.parametrize("signed_in", [False, True], ids=["local mode", "sign-in configured"])
def test_a_database_that_cannot_be_used_is_explained_to_its_owner_and_only_referenced_on_a_shared_server(
    signed_in, guarded, monkeypatch, tmp_path
):
    """Local mode: the person at this computer runs the database, so the
    address and the error are shown. With sign-in: whoever opens the page
    gets the reference only; the details are in the server's log."""
    from tests.apptest_support import AUTH_SECRETS, new_app

    address = tmp_path / "not-a-folder"
    address.write_text("a file where the database's folder should be")
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///{address}/dashboard.db")
    at = new_app()
    if signed_in:
        at.secrets["auth"] = dict(AUTH_SECRETS)
    at.run()
    shown = "\n".join(e.value for e in at.error)
    assert not at.exception and at.error
    if signed_in:
        assert "not-a-folder" not in shown and "sqlite" not in shown.lower()
        [ref] = re.findall(r"\b[0-9a-f]{8}\b", shown)
        assert any(ref in r.getMessage() and r.exc_info for r in guarded.records)
    else:
        assert "not\\-a\\-folder" in shown or "not-a-folder" in shown
