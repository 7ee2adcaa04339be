"""Reads on behalf of a person: the one place that decides what a read may
cover for an :class:`~data_access.rules.access.Actor`.

Every read of the app goes through here (``components.data.reader`` for
the pages, :func:`read` for tests and the command line), so a page cannot
show what lies outside the person's countries even if it forgets to ask:

* a ``countries`` argument (None or empty: every country) is narrowed to
  the person's scope; when nothing is left the read covers no country
  (:data:`~data_access.rules.scope.NOTHING`), never every country;
* an argument naming one item (``finding_id``, ``facility_id``,
  ``priority_id``) is checked: when the item's country is outside the
  scope the read is asked for an ID no item has, so it answers exactly what
  it answers for an unknown ID ("not found", of the right shape);
* the list of countries (:func:`data_access.queries.countries`) keeps the
  countries in scope only.

A query with none of these must be listed in :data:`UNSCOPED`, saying why
it may be read by anyone; :func:`plan` refuses any other, so a new read
cannot be added without deciding what it may cover.

The rules themselves (plain functions) are in :mod:`data_access.rules.scope`.
:func:`record_export` records a download of data (a chart, a table) in the
audit trail, once the person may export.
:func:`withheld` tells a page that an item a link names exists but is
outside the person's access, so it can say so instead of "unknown".
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Engine, func, select

from . import audit, queries, sample, sql
from .models import Country, Facility, Finding, Priority
from .rules import scope as rules
from .rules.access import AccessError, Actor, refusal

R = TypeVar("R")

CountriesOf = Callable[[str, str], Sequence[str]]
"""Looks up the countries of an item: ``(kind, item_id) -> codes``."""


def country_names(engine: Engine) -> pd.DataFrame:
    """Every country of the programme: ``code`` and ``name`` only, no
    figures and no texts (see :data:`UNSCOPED`)."""
    return sql.frame(engine, select(Country.code, Country.name).order_by(Country.name))


UNSCOPED: dict[Callable[..., Any], str] = {
    queries.quarters_with_data: "the quarters for which any data is stored: the quarter filter's options, "
    "the same for everyone; they say nothing about a country",
    sample.sample_loaded: "whether the illustrative sample is loaded (the banner saying so)",
    sample.is_empty: "whether the database holds any data at all (first start)",
    country_names: "the programme's countries by name, without figures: a link naming a country outside "
    "the person's access is then told apart from one that does not exist",
}
"""The reads anyone may make in full, and why."""

ROW_FILTERS: dict[Callable[..., Any], str] = {queries.countries: "code"}
"""Reads without a ``countries`` argument whose rows are kept when the
country in the named column is in scope."""

_ITEMS = {
    "finding": (Finding.finding_id, Finding.country_code),
    "facility": (Facility.facility_id, Facility.country_code),
    "priority": (Priority.priority_id, Priority.country_code),
}


@dataclass(frozen=True)
class Plan:
    """How a query is narrowed: its signature, whether it takes
    ``countries``, the arguments naming items (argument, kind), the column
    its rows are filtered on, or why it is not narrowed at all."""

    name: str
    signature: inspect.Signature
    countries: bool
    items: tuple[tuple[str, str], ...]
    rows: str | None
    unscoped: str | None


@functools.cache
def plan(query: Callable[..., Any]) -> Plan:
    """How reads of ``query`` (a function of an engine and its arguments)
    are narrowed; TypeError for a query no rule covers."""
    name = f"{query.__module__}.{query.__qualname__}"
    signature = inspect.signature(query)
    params = list(signature.parameters)[1:]  # the first is the engine
    items = tuple((p, rules.ID_PARAMETERS[p]) for p in params if p in rules.ID_PARAMETERS)
    found = Plan(name, signature, "countries" in params, items, ROW_FILTERS.get(query), UNSCOPED.get(query))
    if not (found.countries or found.items or found.rows or found.unscoped):
        raise TypeError(
            f"{name}: nothing says what this read may cover for a person; give it a countries argument "
            "or list it in data_access.scoped (ROW_FILTERS or UNSCOPED)"
        )
    return found


def countries_of(engine: Engine, kind: str, item_id: str) -> tuple[str, ...]:
    """The countries of the item of ``kind`` with the ID ``item_id``: its
    own (matched exactly), or those of the items matching it ignoring case
    and spaces around it, as the lookups of the pages accept it; none when
    no item has it."""
    key, country = _ITEMS[kind]
    wanted = (item_id or "").strip()
    if not wanted:
        return ()
    with engine.connect() as conn:
        found = list(conn.execute(select(country).where(key == wanted)).scalars())
        if not found:
            found = list(conn.execute(select(country).where(func.lower(key) == wanted.lower())).scalars())
    return tuple(sorted(set(found)))


def arguments(actor: Actor, query: Callable[..., Any], given: Mapping[str, Any], lookup: CountriesOf) -> dict[str, Any]:
    """The arguments (by name, without the engine) with which ``actor`` may
    make the read ``query(**given)``: ``countries`` narrowed (and always
    present), items outside the scope replaced by an ID no item has.
    ``lookup`` gives an item's countries (:func:`countries_of`, or a
    cached version of it)."""
    p = plan(query)
    out = dict(given)
    if p.countries:
        out["countries"] = rules.read_countries(actor, out.get("countries"))
    if rules.limited(actor):
        for param, kind in p.items:
            item = out.get(param)
            if (
                isinstance(item, str)
                and item != rules.NO_ITEM
                and not all(rules.item_visible(actor, c) for c in lookup(kind, item))
            ):
                out[param] = rules.NO_ITEM
    return out


def result(actor: Actor, query: Callable[..., R], value: R) -> R:
    """What ``query`` returned, with the rows outside ``actor``'s scope left
    out where :data:`ROW_FILTERS` says so."""
    column = plan(query).rows
    if column is None or not rules.limited(actor) or not isinstance(value, pd.DataFrame):
        return value
    kept = value[value[column].isin(rules.visible(actor, value[column]))].reset_index(drop=True)
    return kept


def read(engine: Engine, actor: Actor, query: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``query(engine, *args, **kwargs)`` as ``actor`` may make it (not
    cached): for tests, the command line and anything outside the app."""
    p = plan(query)
    bound = p.signature.bind(engine, *args, **kwargs)
    given = dict(bound.arguments)
    given.pop(next(iter(p.signature.parameters)))
    narrowed = arguments(actor, query, given, functools.partial(countries_of, engine))
    return result(actor, query, query(engine, **narrowed))


def withheld(actor: Actor, kind: str, item_id: str, lookup: CountriesOf) -> str | None:
    """The country of the item of ``kind`` named ``item_id`` when it exists
    but lies outside ``actor``'s scope (a page then says so instead of
    "unknown"); None when it is in scope or does not exist."""
    outside = [c for c in lookup(kind, item_id) if not rules.item_visible(actor, c)]
    return outside[0] if outside else None


def record_export(
    engine: Engine,
    actor: Actor,
    what: str,
    format: str,
    filters: Mapping[str, Any],
    **detail: Any,
) -> None:
    """Record that ``actor`` exported ``what`` (a dataset, or a chart's
    title) as ``format`` (``png``, ``csv``...) with ``filters`` (the filters
    in force): one ``export`` event. A person who may not export gets
    :class:`~data_access.rules.access.AccessError` and a ``refused`` event."""
    why = refusal(actor, "export")
    if why is not None:
        # the detail cannot be named "action" (log's own argument): "attempted" says what was refused
        audit.log(engine, actor, "refused", attempted="export", reason=why.key, what=what, format=format)
        raise AccessError(why)
    audit.log(engine, actor, "export", what=what, format=format, filters=dict(filters), **detail)
