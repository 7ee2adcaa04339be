"""Cached reads for the pages, and getting the database ready.

Every read goes through ``data_access`` (the only code that talks to the
database) and is cached with ``st.cache_data``, keyed by the database URL
and the arguments, for :data:`TTL` seconds (so a return imported from the
command line shows up within that time). The upload page calls
:func:`clear` after a successful upload so that everyone sees it at once.

Pages call the wrappers without a URL: ``data.headline(countries, quarter)``.
Each page area keeps its own wrappers in ``components/data_<area>.py``,
decorated with :func:`cached_read` so that :func:`clear` forgets them too.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from data_access import config, db, overview, queries, sample

from .i18n import t

TTL = 120  # seconds
SAMPLE_ENV = "DASHBOARD_LOAD_SAMPLE"  # "0" / "false" / "no": never load the sample data

_cached: list[Any] = []
_prepared: set[str] = set()
_prepare_lock = threading.Lock()


def database_url() -> str:
    return config.database_url()


def engine(url: str | None = None):
    return db.connect(url or database_url())


def cached_read(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache ``fn(url, *args)`` and expose it as ``wrapper(*args)`` using the
    configured database URL."""
    cached = st.cache_data(ttl=TTL, show_spinner=False, max_entries=512)(fn)
    _cached.append(cached)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return cached(database_url(), *args, **kwargs)

    wrapper.clear = cached.clear  # type: ignore[attr-defined]
    return wrapper


def clear() -> None:
    """Forget every cached read (after an upload or a restore)."""
    for cached in _cached:
        cached.clear()


def scope(countries) -> list[str] | None:
    return sorted(countries) if countries else None


# --------------------------------------------------------------------------- reference


@cached_read
def countries(url: str) -> pd.DataFrame:
    return queries.countries(engine(url))[["code", "name"]]


@cached_read
def quarters(url: str) -> list[str]:
    return queries.quarters_with_data(engine(url))


@cached_read
def sample_loaded(url: str) -> bool:
    return sample.sample_loaded(engine(url))


@cached_read
def is_empty(url: str) -> bool:
    return sample.is_empty(engine(url))


# --------------------------------------------------------------------------- overview


@cached_read
def headline(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return overview.headline(engine(url), quarter, scope(countries))


@cached_read
def finding_change_counts(url: str, countries: tuple[str, ...], quarter: str) -> dict[str, int]:
    return overview.finding_change_counts(engine(url), quarter, scope(countries))


def change_summary(countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    """From the cached parts the Overview also shows (no query twice)."""
    return overview.summarise_changes(
        finding_change_counts(countries, quarter),
        priority_changes(countries, quarter),
        milestone_changes(countries, quarter),
    )


@cached_read
def finding_changes(url: str, countries: tuple[str, ...], quarter: str, limit: int | None = None) -> pd.DataFrame:
    return overview.finding_changes(engine(url), quarter, scope(countries), limit=limit)


@cached_read
def priority_changes(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return overview.priority_changes(engine(url), quarter, scope(countries))


@cached_read
def milestone_changes(url: str, countries: tuple[str, ...], quarter: str) -> pd.DataFrame:
    return overview.milestone_changes(engine(url), quarter, scope(countries))


@cached_read
def overdue_findings(url: str, countries: tuple[str, ...], quarter: str, limit: int | None = None) -> pd.DataFrame:
    return overview.overdue_findings(engine(url), quarter, scope(countries), limit=limit)


@cached_read
def overdue_count(url: str, countries: tuple[str, ...], quarter: str) -> int:
    return overview.overdue_count(engine(url), quarter, scope(countries))


@cached_read
def priorities_in_status(
    url: str, countries: tuple[str, ...], quarter: str, statuses: tuple[str, ...] = ("off track",)
) -> pd.DataFrame:
    return overview.priorities_in_status(engine(url), quarter, scope(countries), statuses)


@cached_read
def returns_tracker(url: str, countries: tuple[str, ...], first: str, last: str) -> pd.DataFrame:
    return overview.returns_tracker(engine(url), first, last, scope(countries))


@cached_read
def finding_trend(url: str, countries: tuple[str, ...], quarters: tuple[str, ...]) -> pd.DataFrame:
    return overview.finding_trend(engine(url), quarters, scope(countries))


@cached_read
def priority_trend(url: str, countries: tuple[str, ...], quarters: tuple[str, ...]) -> pd.DataFrame:
    return overview.priority_trend(engine(url), quarters, scope(countries))


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


def _load_sample(eng) -> None:
    bar = st.progress(0.0, text=t("startup.loading_sample"))

    def progress(fraction: float, _message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t("startup.loading_sample"))

    with st.spinner(t("startup.loading_sample_spinner")):
        sample.load_sample(eng, progress)
    bar.empty()
    clear()
