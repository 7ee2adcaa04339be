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

Every read is made for the acting person (``components.auth.actor()``):
:mod:`data_access.scoped` narrows its arguments to the person's countries
before the cache is looked up, so the cache is keyed by what the read may
cover (people with the same scope share entries) and no page can read
outside the person's scope, even one that forgets to ask. A query that no
rule of :mod:`data_access.scoped` covers cannot be made a reader.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from data_access import config, db, queries, sample, scoped
from data_access.rules.access import Actor

from .i18n import t

TTL = 120  # seconds
SAMPLE_ENV = "DASHBOARD_LOAD_SAMPLE"  # "0" / "false" / "no": never load the sample data

P = ParamSpec("P")
R = TypeVar("R")

_cached: list[Any] = []
_readers: list[Callable[..., Any]] = []
_prepared: set[str] = set()
_prepare_lock = threading.Lock()


def database_url() -> str:
    return config.database_url()


def engine(url: str | None = None) -> Engine:
    return db.connect(url or database_url())


def scope(countries: Iterable[str] | None) -> list[str] | None:
    """The countries of a selection as a read is keyed: sorted (so that the
    same selection is one cache entry), None for all. The acting person's
    scope is applied on top of this by every reader."""
    return sorted(countries) if countries else None


_acting: ContextVar[Actor | None] = ContextVar("acting_person", default=None)


@contextmanager
def acting(person: Actor) -> Iterator[None]:
    """Make the reads inside the block for ``person``: for code that runs
    outside the page's run, such as a download's file made when clicked
    (there is no session to ask for the acting person then)."""
    token = _acting.set(person)
    try:
        yield
    finally:
        _acting.reset(token)


def _person() -> Actor:
    found = _acting.get()
    if found is not None:
        return found
    from .auth import actor  # components.auth reads through this module

    return actor()


def _countries_of(url: str, kind: str, item_id: str) -> tuple[str, ...]:
    return scoped.countries_of(engine(url), kind, item_id)


_cached_countries_of = st.cache_data(ttl=TTL, show_spinner=False, max_entries=1024)(_countries_of)
_cached.append(_cached_countries_of)


def lookup(url: str | None = None) -> scoped.CountriesOf:
    """The countries of an item (``(kind, item_id) -> codes``), cached."""
    return functools.partial(_cached_countries_of, url or database_url())


def reader(query: Callable[Concatenate[Engine, P], R]) -> Callable[P, R]:
    """The cached read of ``query(engine, ...)`` for the acting person:
    called with the query's own arguments, without the engine, on the
    configured database. A ``countries`` argument is the global selection,
    empty for all countries (see :func:`scope`); the read covers those of
    them in the person's scope (:func:`data_access.scoped.arguments`)."""
    plan = scoped.plan(query)  # refuses a query that no scoping rule covers
    signature = plan.signature
    first = next(iter(signature.parameters))

    def run(url: str, *args: Any, **kwargs: Any) -> R:
        return query(engine(url), *args, **kwargs)

    functools.update_wrapper(run, query)  # the cache is keyed on the query's module, name and code
    cached = st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)(run)
    _cached.append(cached)
    _readers.append(query)

    @functools.wraps(query)
    def read(*args: P.args, **kwargs: P.kwargs) -> R:
        person = _person()
        bound = signature.bind(None, *args, **kwargs)
        given = {k: v for k, v in bound.arguments.items() if k != first}
        if "countries" in given:
            given["countries"] = scope(given["countries"])
        url = database_url()
        narrowed = scoped.arguments(person, query, given, lookup(url))
        return scoped.result(person, query, cached(url, **narrowed))

    return read


def readers() -> list[Callable[..., Any]]:
    """The queries made into readers so far (the tests check each is scoped)."""
    return list(_readers)


def records(frame: pd.DataFrame) -> Iterable[Any]:
    """The rows of a frame a read returned, as named tuples (``r.status``).
    Typed loosely on purpose: a column holds whatever its query gives."""
    return frame.itertuples()


def clear() -> None:
    """Forget every cached read (after an upload or a restore)."""
    for cached in _cached:
        cached.clear()


# --------------------------------------------------------------------------- shared by the pages

# Scoped like every reader (data_access.scoped): the countries, facilities and findings of the
# person's countries only. quarters, sample_loaded, is_empty and country_names are the same for
# everyone (data_access.scoped.UNSCOPED says why each may be).
countries = reader(queries.countries)  # the countries in scope, with their programme texts
quarters = reader(queries.quarters_with_data)
sample_loaded = reader(sample.sample_loaded)
is_empty = reader(sample.is_empty)
facilities = reader(queries.facility_findings_summary)  # every facility with its findings as at a quarter
country_names = reader(scoped.country_names)  # every country's code and name (links, notices)


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
            from data_access import incident

            from .auth import sign_in_configured  # auth and layout read through this module
            from .layout import escape

            if sign_in_configured():  # a shared server: the details go to its log, not to whoever opens the page
                ref = incident.report(exc, "preparing the database")
                st.error(t("error.unexpected", ref=ref), icon=":material/database:")
            else:  # local mode: the person at this computer runs the database too
                st.error(
                    t("startup.failed", url=escape(config.describe(url)), error=escape(f"{type(exc).__name__}: {exc}")),
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
