"""Who may do what (data_access.rules.access), table-driven for every role
(and no account) x action x country, without a database."""

from __future__ import annotations

import pytest

from data_access.messages import ENGLISH
from data_access.rules.access import (
    ACTIONS,
    ROLES,
    AccessError,
    Actor,
    check_countries,
    check_email,
    check_role,
    may,
    refusal,
    visible_countries,
    withheld_countries,
)

ALL = ("IRQ", "KAZ", "KGZ", "TJK")
OWN, OTHER = "TJK", "KAZ"  # a scoped person's own country, and one outside their scope

# Whether each role may do each action: for their own country, for another
# country, and asked without a country. Viewers and coordinators here are
# limited to TJK; managers and admins carry TJK too, which they ignore.
ALLOWED: dict[str | None, dict[str, tuple[bool, bool, bool]]] = {
    None: {action: (False, False, False) for action in ACTIONS},
    "viewer": {
        "read": (True, False, True),
        "export": (True, False, True),
        "check": (False, False, False),
        "upload": (False, False, False),
        "restore": (False, False, False),
        "download_upload": (False, False, False),
        "manage_users": (False, False, False),
        "read_audit": (False, False, False),
    },
    "coordinator": {
        "read": (True, False, True),
        "export": (True, False, True),
        "check": (True, False, True),
        "upload": (True, False, True),
        "restore": (False, False, False),
        "download_upload": (True, False, True),  # a file they uploaded themselves
        "manage_users": (False, False, False),
        "read_audit": (False, False, False),
    },
    "manager": {a: (True, True, True) for a in ACTIONS} | {"read_audit": (False, False, False)},
    "admin": {a: (True, True, True) for a in ACTIONS},
}

CASES = [
    (role, action, country, expected)
    for role, table in ALLOWED.items()
    for action, answers in table.items()
    for country, expected in zip((OWN, OTHER, None), answers, strict=True)
]


def person(role: str | None, countries: tuple[str, ...] = (OWN,)) -> Actor:
    return Actor("me@example.org", "Me", role, frozenset(countries) if role else frozenset())


@pytest.mark.parametrize(("role", "action", "country", "expected"), CASES)
def test_every_role_action_and_country(role, action, country, expected):
    who = person(role)
    uploader = who.email if action == "download_upload" else None
    assert may(who, action, country, uploader=uploader) is expected
    why = refusal(who, action, country, uploader=uploader)
    assert (why is None) is expected
    if why is not None:
        assert why.key in ENGLISH and str(why)  # an English sentence the command line can print


def test_the_table_covers_every_role_and_action():
    assert set(ALLOWED) == {None, *ROLES}
    assert all(set(table) == set(ACTIONS) for table in ALLOWED.values())


@pytest.mark.parametrize(("role", "countries"), [("viewer", ()), ("manager", ()), ("admin", ())])
def test_no_countries_means_every_country(role, countries):
    who = person(role, countries)
    assert all(may(who, "read", c) and may(who, "export", c) for c in ALL)


def test_a_refusal_says_why():
    assert str(refusal(person(None), "read")) == "Signed in as me@example.org, but you have no access yet."
    assert str(refusal(person("viewer"), "upload", OWN)).startswith("Your role (viewer) does not allow uploading")
    assert str(refusal(person("coordinator"), "upload", OTHER)) == "KAZ is outside your access (your countries: TJK)."


@pytest.mark.parametrize(("role", "own_file", "country", "expected"), [
    ("coordinator", True, OWN, True),
    ("coordinator", False, OWN, False),
    ("coordinator", True, OTHER, False),
    ("manager", False, OTHER, True),
    ("admin", False, OWN, True),
    ("viewer", True, OWN, False),
])  # fmt: skip
def test_coordinators_download_only_their_own_files_for_their_countries(role, own_file, country, expected):
    who = person(role)
    uploader = "ME@Example.org " if own_file else "someone@example.org"
    assert may(who, "download_upload", country, uploader=uploader) is expected
    if role == "coordinator" and not own_file:
        assert refusal(who, "download_upload", country, uploader=uploader).key == "access.refused.not_uploader"


@pytest.mark.parametrize("actor_role", ROLES)
@pytest.mark.parametrize("target_role", ROLES)
def test_managers_manage_viewers_and_coordinators_admins_manage_everyone(actor_role, target_role):
    expected = actor_role == "admin" or (actor_role == "manager" and target_role in ("viewer", "coordinator"))
    assert may(person(actor_role), "manage_users", target_role=target_role) is expected


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        may(person("admin"), "delete_everything")


@pytest.mark.parametrize(("role", "requested", "shown", "withheld"), [
    ("viewer", None, ["TJK"], ["IRQ", "KAZ", "KGZ"]),
    ("viewer", ["IRQ"], [], ["IRQ"]),
    ("viewer", ["TJK", "IRQ"], ["TJK"], ["IRQ"]),
    ("coordinator", ["TJK"], ["TJK"], []),
    ("manager", None, None, []),
    ("manager", ["IRQ"], ["IRQ"], []),
    ("admin", None, None, []),
    (None, None, [], list(ALL)),
])  # fmt: skip
def test_visible_countries_narrow_a_request_to_the_scope(role, requested, shown, withheld):
    who = person(role)
    assert visible_countries(who, requested, ALL) == shown
    assert withheld_countries(who, requested, ALL) == withheld


def test_an_unlimited_viewer_sees_every_country():
    assert visible_countries(person("viewer", ()), None, ALL) is None


@pytest.mark.parametrize("text", [" Ana.Lopez@Example.ORG ", "a+b@x.io"])
def test_valid_emails_are_trimmed_and_lower_case(text):
    assert check_email(text) == text.strip().lower()


@pytest.mark.parametrize("text", ["", "ana", "ana@", "@x.org", "ana@x", "a b@x.org", "a@b@x.org", "a@x.org, b@y.org"])
def test_malformed_emails_are_refused(text):
    with pytest.raises(AccessError) as caught:
        check_email(text)
    assert caught.value.message.key == "access.invalid.email" and "is not an e-mail address" in str(caught.value)


def test_roles_are_checked():
    assert check_role(" Manager") == "manager"
    with pytest.raises(AccessError, match='"boss" is not a role: use one of viewer, coordinator, manager, admin'):
        check_role("boss")


def test_country_codes_are_checked_and_a_coordinator_needs_one():
    assert check_countries("coordinator", ["tjk", "KGZ"]) == frozenset({"TJK", "KGZ"})
    assert check_countries("viewer", []) == frozenset()
    with pytest.raises(AccessError, match='"FRA" is not a country code: use one of IRQ, KAZ, KGZ, TJK'):
        check_countries("viewer", ["FRA"])
    with pytest.raises(AccessError, match="A coordinator needs at least one country"):
        check_countries("coordinator", [])
