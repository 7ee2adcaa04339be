"""What a read may cover for a person (data_access.rules.scope), table-driven,
without a database or Streamlit."""

from __future__ import annotations

import pytest

from data_access.rules.access import Actor
from data_access.rules.scope import (
    NO_COUNTRY,
    NOTHING,
    item_visible,
    limited,
    partition,
    read_countries,
    visible,
)

ALL = ("IRQ", "KAZ", "KGZ", "TJK")


def person(role: str | None, countries: tuple[str, ...] = ()) -> Actor:
    return Actor(f"{role}@example.org", "", role, frozenset(countries))


VIEWER_ALL = person("viewer")
VIEWER_KGZ = person("viewer", ("KGZ",))
VIEWER_TWO = person("viewer", ("KGZ", "TJK"))
COORDINATOR_TJK = person("coordinator", ("TJK",))
MANAGER = person("manager", ("TJK",))  # a manager's countries are ignored
ADMIN = person("admin")
NO_ACCOUNT = person(None)


@pytest.mark.parametrize(("who", "requested", "expected"), [
    # every country: no filter at all
    (VIEWER_ALL, None, None),
    (VIEWER_ALL, [], None),
    (ADMIN, None, None),
    (MANAGER, None, None),
    # a selection, sorted, each once
    (VIEWER_ALL, ["TJK", "IRQ", "TJK"], ("IRQ", "TJK")),
    (MANAGER, ["IRQ"], ("IRQ",)),
    # a limited person asking for every country gets theirs
    (VIEWER_KGZ, None, ("KGZ",)),
    (VIEWER_KGZ, (), ("KGZ",)),
    (VIEWER_TWO, None, ("KGZ", "TJK")),
    (COORDINATOR_TJK, None, ("TJK",)),
    # ... and a selection narrowed to their scope
    (VIEWER_TWO, ["TJK", "IRQ"], ("TJK",)),
    (COORDINATOR_TJK, ["TJK"], ("TJK",)),
    # nothing left: no country at all, never every country
    (VIEWER_KGZ, ["IRQ"], NOTHING),
    (COORDINATOR_TJK, ["KGZ", "IRQ"], NOTHING),
    (NO_ACCOUNT, None, NOTHING),
    (NO_ACCOUNT, ["KGZ"], NOTHING),
])  # fmt: skip
def test_read_countries(who, requested, expected):
    assert read_countries(who, requested) == expected


def test_nothing_names_no_country():
    assert NOTHING == (NO_COUNTRY,) and NO_COUNTRY not in ALL and len(NOTHING) == 1  # not empty: empty is "all"


@pytest.mark.parametrize(("who", "country", "expected"), [
    (VIEWER_ALL, "IRQ", True),
    (ADMIN, "IRQ", True),
    (MANAGER, "IRQ", True),
    (VIEWER_KGZ, "KGZ", True),
    (VIEWER_KGZ, "IRQ", False),
    (COORDINATOR_TJK, "KGZ", False),
    (NO_ACCOUNT, "KGZ", False),
    # an item that does not exist is let through: the read itself says "not found"
    (VIEWER_KGZ, None, True),
    (NO_ACCOUNT, None, True),
])  # fmt: skip
def test_item_visible(who, country, expected):
    assert item_visible(who, country) is expected


@pytest.mark.parametrize(("who", "codes", "inside", "outside"), [
    (VIEWER_KGZ, ["IRQ"], [], ["IRQ"]),
    (VIEWER_KGZ, ["KGZ", "IRQ", "KGZ"], ["KGZ"], ["IRQ"]),
    (VIEWER_TWO, ["TJK", "KAZ", "KGZ"], ["TJK", "KGZ"], ["KAZ"]),
    (VIEWER_ALL, ["IRQ", "KAZ"], ["IRQ", "KAZ"], []),
    (MANAGER, list(ALL), list(ALL), []),
    (NO_ACCOUNT, ["KGZ"], [], ["KGZ"]),
    (VIEWER_KGZ, [], [], []),
])  # fmt: skip
def test_partition_and_visible(who, codes, inside, outside):
    assert partition(who, codes) == (inside, outside)
    assert visible(who, dict.fromkeys(codes)) == inside


@pytest.mark.parametrize(("who", "expected"), [
    (VIEWER_ALL, False),
    (ADMIN, False),
    (MANAGER, False),
    (VIEWER_KGZ, True),
    (COORDINATOR_TJK, True),
    (NO_ACCOUNT, True),
])  # fmt: skip
def test_limited(who, expected):
    assert limited(who) is expected
