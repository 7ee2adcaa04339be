"""What a read may cover for a person, as plain functions: no database, no Streamlit.

:mod:`data_access.scoped` applies these to every read of the app; they
build on :mod:`data_access.rules.access` (:func:`~data_access.rules.access.scope`,
:func:`~data_access.rules.access.visible_countries`).

Two things a read can name:

* **countries** (the ``countries`` argument of the queries, None or empty
  meaning every country): narrowed to the person's scope by
  :func:`read_countries`. When nothing is left the answer is
  :data:`NOTHING`, a list naming no country, because the queries read an
  empty list as "every country";
* **one item** by its ID (a finding, a facility, a priority: the arguments
  of :data:`ID_PARAMETERS`): the read may go ahead only when the item's
  country is in scope (:func:`item_visible`); otherwise it is asked for
  :data:`NO_ITEM`, an ID no item has, so that it answers exactly what it
  answers for an unknown ID.

:func:`partition` splits the countries a link names into those in scope
and those outside, for the notice "outside your access".
"""

from __future__ import annotations

from collections.abc import Iterable

from .access import Actor, scope, visible_countries

NO_COUNTRY = "(none)"
"""A country code no country has."""

NOTHING: tuple[str, ...] = (NO_COUNTRY,)
"""The ``countries`` of a read that may cover no country: a list that
matches no row (an empty list would mean every country)."""

NO_ITEM = "(none)"
"""An ID no finding, facility or priority has: what an item outside the
person's scope is looked up as."""

ID_PARAMETERS: dict[str, str] = {
    "finding_id": "finding",
    "facility_id": "facility",
    "priority_id": "priority",
}
"""Query arguments that name one item, and the kind of item they name."""

ITEM_KINDS: tuple[str, ...] = ("finding", "facility", "priority")


def read_countries(actor: Actor, requested: Iterable[str] | None) -> tuple[str, ...] | None:
    """The ``countries`` argument of a read by ``actor`` asking for
    ``requested`` (None or empty: every country): None for every country
    (no filter), else the codes sorted (one cache entry per set of
    countries), or :data:`NOTHING` when none is left."""
    wanted = sorted(set(requested)) if requested else None
    allowed = scope(actor)
    shown = visible_countries(actor, wanted, sorted(allowed) if allowed is not None else ())
    if shown is None:
        return None
    return tuple(sorted(shown)) or NOTHING


def item_visible(actor: Actor, country: str | None) -> bool:
    """Whether ``actor`` may read an item of ``country``. None (no such
    item) is let through: the read itself then says it is unknown."""
    if country is None:
        return True
    allowed = scope(actor)
    return allowed is None or country in allowed


def visible(actor: Actor, codes: Iterable[str]) -> list[str]:
    """The ``codes`` in ``actor``'s scope, in their order."""
    allowed = scope(actor)
    return [c for c in codes if allowed is None or c in allowed]


def partition(actor: Actor, codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """The ``codes`` split into (in ``actor``'s scope, outside it), each in
    their order and once."""
    unique = list(dict.fromkeys(codes))
    inside = visible(actor, unique)
    return inside, [c for c in unique if c not in inside]


def limited(actor: Actor) -> bool:
    """Whether ``actor`` sees only some countries (or none)."""
    return scope(actor) is not None
