"""Cached reads for the pages, and getting the database ready.

Every read goes through ``data_access`` (the only code that talks to the
database) and is cached with ``st.cache_data``, keyed by the database URL
and the arguments, for :data:`TTL` seconds (so a return imported from the
command line shows up within that time). The upload page calls
:func:`clear` after a successful upload so that everyone sees it at once.

A cached read is made by :func:`reader` from a ``data_access`` query and is
called with the query's own arguments, without the engine:
``data_overview.headline(quarter, countries)`` runs
``data_access.overview.headline(engine, quarter, countries)``. Reads shared
by every area live here; each page area keeps its own in
``components/data_<area>.py``.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from data_access import config, db, queries, sample

from .i18n import t

TTL = 120  # seconds
SAMPLE_ENV = "DASHBOARD_LOAD_SAMPLE"  # "0" / "false" / "no": never load the sample data

P = ParamSpec("P")
R = TypeVar("R")

_cached: list[Any] = []
_prepared: set[str] = set()
_prepare_lock = threading.Lock()


def database_url() -> str:
    return config.database_url()


def engine(url: str | None = None) -> Engine:
    return db.connect(url or database_url())


def scope(countries: Iterable[str] | None) -> list[str] | None:
    """The countries to query: the selection sorted (so that the same
    selection is one cache entry), None for all."""
    return sorted(countries) if countries else None


def reader(query: Callable[Concatenate[Engine, P], R]) -> Callable[P, R]:
    """The cached read of ``query(engine, ...)``: called with the query's own
    arguments, without the engine, on the configured database. A
    ``countries`` argument is the global selection, empty for all countries
    (see :func:`scope`)."""
    signature = inspect.signature(query)

    def run(url: str, *args: Any, **kwargs: Any) -> R:
        return query(engine(url), *args, **kwargs)

    functools.update_wrapper(run, query)  # the cache is keyed on the query's module, name and code
    cached = st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)(run)
    _cached.append(cached)

    @functools.wraps(query)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(None, *args, **kwargs)
        if "countries" in bound.arguments:
            bound.arguments["countries"] = scope(bound.arguments["countries"])
        return cached(database_url(), *bound.args[1:], **bound.kwargs)

    return read


def records(frame: pd.DataFrame) -> Iterable[Any]:
    """The rows of a frame a read returned, as named tuples (``r.status``).
    Typed loosely on purpose: a column holds whatever its query gives."""
    return frame.itertuples()


def clear() -> None:
    """Forget every cached read (after an upload or a restore)."""
    for cached in _cached:
        cached.clear()


# --------------------------------------------------------------------------- shared by the pages

countries = reader(queries.countries)  # every country, with its programme texts
quarters = reader(queries.quarters_with_data)
sample_loaded = reader(sample.sample_loaded)
is_empty = reader(sample.is_empty)
facilities = reader(queries.facility_findings_summary)  # every facility with its findings as at a quarter


# --------------------------------------------------------------------------- start-up


def sample_enabled() -> bool:
    return os.environ.get(SAMPLE_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def prepare_database() -> None:
    """Bring the database to the latest schema and, on the very first start
    of an empty database, load the sample data, showing progress. Runs the
    work once per database per process; stops the page with guidance when
    the database cannot be reached."""
    url = database_url()
    if url in _prepared:
        return
    with _prepare_lock:
        if url in _prepared:
            return
        try:
            with st.spinner(t("startup.preparing")):
                eng = engine(url)
            if sample_enabled() and sample.is_empty(eng):
                _load_sample(eng)
        except Exception as exc:  # the database is down or misconfigured: say so, do not crash
            st.error(
                t("startup.failed", url=config.describe(url), error=f"{type(exc).__name__}: {exc}"),
                icon=":material/database:",
            )
            st.stop()
        _prepared.add(url)


def _load_sample(eng: Engine) -> None:
    bar = st.progress(0.0, text=t("startup.loading_sample"))

    def progress(fraction: float, _message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t("startup.loading_sample"))

    with st.spinner(t("startup.loading_sample_spinner")):
        sample.load_sample(eng, progress)
    bar.empty()
    clear()
