"""What a person sees when something goes wrong that nobody foresaw.

A short message with an incident reference (``error.unexpected``); the
traceback goes to the server's log under the same reference
(:mod:`data_access.incident`), so the person can quote it and the operator
find it. Streamlit's own display of an error is off (``client.showErrorDetails
= "none"`` in ``.streamlit/config.toml``): no SQL, parameters or file paths
reach the page, also for an error outside :func:`guard`.

``st.stop()`` and ``st.rerun()`` pass through: Streamlit signals them with
exceptions outside ``Exception`` (``ScriptControlException``).

With ``DASHBOARD_RAISE_ERRORS=1`` the error goes on to Streamlit instead
(which logs it and, with the shipped configuration, shows only that an
error happened): the tests set it, so that AppTest records a page's error
as an exception and the browser tests see it, as before the guard.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import FragmentHandledException

from data_access import incident

from .i18n import t

RAISE_ENV = "DASHBOARD_RAISE_ERRORS"


@contextmanager
def guard(what: str) -> Iterator[None]:
    """Run the block; should it raise, show the short message with a fresh
    incident reference and log the error under it (``what``: what was being
    done, for the log)."""
    try:
        yield
    except FragmentHandledException:  # a fragment's error: Streamlit has logged it and shown its redacted notice
        raise
    except Exception as exc:
        if os.environ.get(RAISE_ENV) == "1":
            raise
        ref = incident.report(exc, what)
        st.error(t("error.unexpected", ref=ref), icon=":material/error:")
