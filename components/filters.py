"""The global filters: countries and the "as at" quarter.

They live in the sidebar, drawn by ``app.py`` on every run, so every page
sees the same selection and it survives page switches (widgets of the
entrypoint keep their state). They are mirrored in the URL query string::

    ?countries=IRQ,KAZ&quarter=2025-Q2

- On the first run of a browser session the URL seeds the widgets (unknown
  codes and quarters are ignored, with a notice); without parameters the
  default is all countries and the latest quarter with data.
- The countries offered are those of the acting person's scope (every
  country unless their account is limited to some). A link naming countries
  outside it shows them nothing of those countries and says they are
  outside their access (not "unknown"); the reads are narrowed in
  ``data_access`` whatever the page asks (:mod:`data_access.scoped`). For a
  limited person the address always names their countries, so a link they
  copy opens the same view for someone who sees more.
- On every run the URL is rewritten from the widgets when it differs, so a
  copied link always opens the same view. ``countries`` is left out when
  all countries are shown; ``quarter`` is always written, so a link keeps
  pointing at the quarter it was copied for even after newer returns arrive.

Pages read the selection with :func:`current`. Reading and writing the
address goes through :mod:`components.links`, like every link of the app.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from data_access.rules import scope as scope_rules
from data_access.rules.quarters import parse_quarter

from . import data, links
from . import outside as outside_access
from .auth import actor
from .i18n import t

COUNTRIES_PARAM = links.COUNTRIES
QUARTER_PARAM = links.QUARTER
COUNTRIES_KEY = "filter_countries"
QUARTER_KEY = "filter_quarter"
_SEEDED_KEY = "_filters_seeded"
_STATE_KEY = "_filters"
_PAGE_KEY = "_filters_of_page"  # the current page's own filters, as an export records them


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...]  # the selection; empty means all countries
    quarter: str | None  # None only when there is no data at all
    all_countries: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    quarters: tuple[str, ...] = ()  # every quarter with data, oldest first
    limited: bool = False  # the person sees only the countries of all_countries, not every one

    @property
    def scope(self) -> tuple[str, ...]:
        """Countries to query: the selection, or all of them."""
        return self.countries or self.all_countries

    @property
    def all_selected(self) -> bool:
        return not self.countries or set(self.countries) >= set(self.all_countries)

    @property
    def previous_quarter(self) -> str | None:
        q = parse_quarter(self.quarter)
        return str(q.previous()) if q else None

    @property
    def previous_has_data(self) -> bool:
        return self.previous_quarter in self.quarters

    def window(self, n: int) -> list[str]:
        """The last ``n`` quarters with data up to the selected one, oldest first."""
        if self.quarter is None:
            return []
        upto = [q for q in self.quarters if q <= self.quarter]
        return upto[-n:]

    def countries_label(self) -> str:
        if self.all_selected and not self.limited:
            return t("filters.all_countries")
        return ", ".join(self.names.get(c, c) for c in self.scope)


# --------------------------------------------------------------------------- query string (pure functions)


def from_query(
    params: Mapping[str, str | list[str]], countries: Mapping[str, str], quarters: Iterable[str]
) -> tuple[list[str], str | None, list[str]]:
    """Read the filters from query parameters.

    ``countries`` maps ISO code -> name (codes or names are accepted, any
    case); ``quarters`` are the quarters with data. Returns (country codes,
    quarter or None, the parameter values that were ignored)."""
    chosen, ignored = links.match(links.split(params.get(COUNTRIES_PARAM)), countries, countries)
    quarter = None
    for v in links.split(params.get(QUARTER_PARAM))[-1:]:
        q = parse_quarter(v)
        if q is not None and str(q) in set(quarters):
            quarter = str(q)
        else:
            ignored.append(v)
    return chosen, quarter, ignored


def to_query(countries: Iterable[str], quarter: str | None, all_countries: Iterable[str]) -> dict[str, str]:
    """Query parameters for a selection (see the module docstring)."""
    out: dict[str, str] = {}
    chosen = [c for c in all_countries if c in set(countries)]
    if chosen and set(chosen) != set(all_countries):
        out[COUNTRIES_PARAM] = ",".join(chosen)
    if quarter:
        out[QUARTER_PARAM] = quarter
    return out


# --------------------------------------------------------------------------- the sidebar


def sidebar() -> Filters:
    """Draw the filters in the sidebar, sync them with the URL and return them."""
    person = actor()
    limited = scope_rules.limited(person)
    st.session_state.pop(_PAGE_KEY, None)  # each page describes its own filters anew on every run
    countries = data.countries()  # those in the person's scope
    names = dict(zip(countries["code"], countries["name"], strict=False))
    codes = tuple(countries["code"])
    quarters = tuple(data.quarters())
    latest = quarters[-1] if quarters else None
    state = st.session_state

    if not state.get(_SEEDED_KEY):
        params = {k: list(links.read(k)) for k in (COUNTRIES_PARAM, QUARTER_PARAM)}
        chosen, quarter, ignored = from_query(params, outside_access.every_country(), quarters)
        inside, outside = scope_rules.partition(person, chosen)
        state[COUNTRIES_KEY] = [c for c in inside if c in names]
        state[QUARTER_KEY] = quarter or latest
        state[_SEEDED_KEY] = True
        links.say_ignored("filters.ignored", ignored)
        outside_access.notice(outside)
    # Keep the state valid when the data changed under it (new quarter, new country).
    state[COUNTRIES_KEY] = [c for c in state.get(COUNTRIES_KEY, []) if c in names]
    if state.get(QUARTER_KEY) not in quarters:
        state[QUARTER_KEY] = latest

    with st.sidebar:
        st.markdown(f"**{t('filters.heading')}**")
        st.multiselect(
            t("filters.countries"),
            options=codes,
            format_func=lambda c: names.get(c, c),
            key=COUNTRIES_KEY,
            placeholder=t("scope.all_yours") if limited else t("filters.all_countries"),
            help=t("scope.countries_help", countries=", ".join(names.values()))
            if limited
            else t("filters.countries_help"),
        )
        st.selectbox(
            t("filters.quarter"),
            options=list(reversed(quarters)),
            key=QUARTER_KEY,
            disabled=not quarters,
            placeholder=t("filters.no_quarters"),
            help=t("filters.quarter_help"),
        )

    selected = Filters(
        countries=tuple(c for c in codes if c in state[COUNTRIES_KEY]),
        quarter=state[QUARTER_KEY],
        all_countries=codes,
        names=names,
        quarters=quarters,
        limited=limited,
    )
    _sync_url(selected)
    state[_STATE_KEY] = selected
    return selected


def _sync_url(f: Filters) -> None:
    if f.limited:  # the person's countries, named: a link they copy shows the same to anyone
        wanted = to_query(f.scope, f.quarter, tuple(outside_access.every_country()))
    else:
        wanted = to_query(f.countries, f.quarter, f.all_countries)
    for k in (COUNTRIES_PARAM, QUARTER_PARAM):
        links.write(k, wanted.get(k))


def keep_valid(key: str, options: Iterable[str]) -> None:
    """Drop the values of a page's multiselect (its session state ``key``)
    that are no longer offered, e.g. after the countries or the quarter changed."""
    value = list(st.session_state.get(key) or [])
    allowed = set(options)
    kept = [v for v in value if v in allowed]
    if kept != value:
        st.session_state[key] = kept


def current() -> Filters:
    """The filters drawn by the sidebar in this run (for pages)."""
    from .nav import ensure_shell

    ensure_shell()
    f = st.session_state.get(_STATE_KEY)
    if f is None:  # a page run without the app shell (should not happen)
        return sidebar()
    return f


def describe_page(*parts: Any, **values: Any) -> None:
    """Name the current page's own filters (dataclasses such as a
    ``FindingFilter``, or values by name) for :func:`described`; empty
    values are left out. Valid for this run only."""
    found: dict[str, Any] = {}
    for part in parts:
        found.update(dataclasses.asdict(part))
    found.update(values)
    st.session_state[_PAGE_KEY] = {k: list(v) if isinstance(v, tuple) else v for k, v in found.items() if v}


def described(**extra: Any) -> dict[str, Any]:
    """The filters in force, as an export records them: the countries the
    view covers and the quarter, the page's own filters
    (:func:`describe_page`) and ``extra``."""
    out: dict[str, Any] = {}
    f = st.session_state.get(_STATE_KEY)
    if isinstance(f, Filters):
        out["countries"] = list(f.scope)
        out["quarter"] = f.quarter
    out.update(st.session_state.get(_PAGE_KEY) or {})
    out.update({k: v for k, v in extra.items() if v not in (None, "", (), [])})
    return out
