"""Every download of data from the app (a chart as PNG/SVG, its data as
CSV/XLSX, a table): the one place an export is made and recorded.

:func:`download_button` draws the button, for people who may export (the
rules of :mod:`data_access.rules.access`); the file is made only when it
is clicked, and each click records exactly one ``export`` event in the
audit trail (:func:`data_access.scoped.record_export`): what was exported
(the dataset, or the chart's title), the format, the file name and the
filters in force (:func:`components.filters.described`).

The file is made outside the page's run (Streamlit calls it from a worker
thread when the browser asks for it), where there is no session to ask who
is acting: the acting person, the database and the filters are taken when
the button is drawn, and the reads the file needs are made for that person
(:func:`components.data.acting`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from data_access import scoped

from . import data, filters
from .auth import actor, allowed


def recorded(
    content: Callable[[], bytes],
    *,
    what: str,
    file_name: str,
    filters_in_force: Mapping[str, Any],
) -> Callable[[], bytes]:
    """``content`` as a download's deferred data: made for the acting
    person of this run, then recorded as one export of ``what`` in the
    format of ``file_name``'s extension."""
    person = actor()
    url = data.database_url()
    fmt = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    recorded_filters = dict(filters_in_force)

    def make() -> bytes:
        with data.acting(person):
            payload = content()
        scoped.record_export(data.engine(url), person, what, fmt, recorded_filters, file_name=file_name)
        return payload

    return make


def download_button(
    label: str,
    content: Callable[[], bytes],
    *,
    what: str,
    file_name: str,
    mime: str,
    key: str,
    page_filters: Mapping[str, Any] | None = None,
    **button: Any,
) -> bool:
    """A download button whose file (``content()``, made on click) is
    recorded as an export of ``what``; ``page_filters`` adds to the filters
    recorded (e.g. a table's search and sort). Not drawn for someone who
    may not export; returns whether it was drawn."""
    if not allowed("export"):
        return False
    in_force = filters.described(**(page_filters or {}))
    st.download_button(
        label,
        data=recorded(content, what=what, file_name=file_name, filters_in_force=in_force),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        **button,
    )
    return True
