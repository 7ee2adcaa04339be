"""What a link asks for that lies outside the acting person's access: the
notice that says so, instead of the item or of "unknown".

The reads themselves are narrowed in ``data_access`` (:mod:`data_access.scoped`,
applied by every reader of :mod:`components.data`): a page never gets data
outside the person's countries. These helpers only let a page tell "outside
your access" apart from "does not exist", for the countries of
``?countries=`` and ``?country=``, and the items of ``?facility=``,
``?finding=`` and ``?priority=``.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from data_access import scoped
from data_access.rules import scope as rules

from . import data, links
from .auth import actor
from .i18n import t
from .layout import escape


def every_country() -> dict[str, str]:
    """Every country of the programme, code -> name (names only)."""
    frame = data.country_names()
    return dict(zip(frame["code"], frame["name"], strict=False))


def notice(codes: Iterable[str]) -> None:
    """Say that the countries ``codes`` (none: nothing said) are outside the
    person's access, naming them."""
    names = every_country()
    codes = list(dict.fromkeys(codes))
    if codes:
        shown = ", ".join(escape(names.get(c, c)) for c in codes)
        st.warning(t("auth.outside_access", countries=shown), icon=":material/lock:")


def split_countries(values: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """The countries a link names (codes or names, any case) split into
    (codes in the person's scope, codes outside it, values naming no country)."""
    known, unknown = links.match(values, every_country(), every_country())
    inside, outside = rules.partition(actor(), known)
    return inside, outside, unknown


def withheld(kind: str, item_id: str) -> str | None:
    """The country of the item (``finding``, ``facility``, ``priority``)
    when it exists outside the person's access; None otherwise."""
    return scoped.withheld(actor(), kind, item_id, data.lookup())


def say_withheld(kind: str, item_ids: Iterable[str]) -> list[str]:
    """Show the notice for the items of ``item_ids`` outside the person's
    access and return the others (those that do not exist)."""
    outside: list[str] = []
    rest: list[str] = []
    for item in item_ids:
        country = withheld(kind, item)
        if country is None:
            rest.append(item)
        else:
            outside.append(country)
    notice(outside)
    return rest
