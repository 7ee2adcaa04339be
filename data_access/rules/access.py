"""Who may do what, as plain functions and data: no database, no Streamlit.

Roles, from least to most (:data:`ROLES`):

* **viewer**: read every page and export charts and tables, for the
  countries in scope (all unless the account is limited to some);
* **coordinator**: a viewer who may also check and upload returns for their
  own countries only (a coordinator always has at least one country), and
  download the files they uploaded themselves for those countries;
* **manager**: everything for every country (their countries are ignored):
  restore, download any uploaded file, manage viewers and coordinators;
* **admin**: a manager who may also manage managers and admins and read the
  audit trail.

A person is an :class:`Actor`; someone signed in without an account has the
role ``None`` and may do nothing. :func:`may` answers one question
(``may(actor, "upload", "TJK")``); asked without a country it answers
"may this person do this for some country" (what a page needs to decide
whether to show a button). :func:`refusal` says why not, as a
:class:`~data_access.messages.Message`. :func:`visible_countries` narrows the
countries a page asks for to those in scope.

The validation functions (:func:`check_email`, :func:`check_role`,
:func:`check_countries`) return the normalised value or raise
:class:`AccessError`, which carries the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..messages import Message
from .reference import COUNTRY_BY_CODE

ROLES: tuple[str, ...] = ("viewer", "coordinator", "manager", "admin")
"""The roles, from least to most rights."""

VIA: tuple[str, ...] = ("app", "cli", "local")
"""How a person acts: signed in to the app, at the command line, or in the
app's local mode (the person at the machine)."""

ACTIONS: tuple[str, ...] = (
    "read",
    "export",
    "check",
    "upload",
    "restore",
    "download_upload",
    "manage_users",
    "read_audit",
)
"""What the rules decide: read pages, export data, check a return (dry
run), upload one, restore an old upload, download an uploaded file, manage
accounts, read the audit trail."""

# The least role each action needs.
NEEDS: dict[str, str] = {
    "read": "viewer",
    "export": "viewer",
    "check": "coordinator",
    "upload": "coordinator",
    "restore": "manager",
    "download_upload": "coordinator",
    "manage_users": "manager",
    "read_audit": "admin",
}

# Roles whose country list limits what they may see and do.
SCOPED_ROLES = frozenset({"viewer", "coordinator"})

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"'\x00-\x1f]+@[^@\s,;<>()\[\]\"'\x00-\x1f]+\.[^@\s,;<>()\[\]\"'.\x00-\x1f]{2,}$")

# What the database stores of a person (data_access/models.py takes its
# column lengths from here): an e-mail address of at most EMAIL_MAX_CHARS
# characters (the longest an address can be), a name of at most NAME_MAX_CHARS.
EMAIL_MAX_CHARS = 254
NAME_MAX_CHARS = 200


class AccessError(ValueError):
    """A refused or invalid access request; ``message`` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Actor:
    """A person acting: ``role`` None when they have no account;
    ``countries`` empty means every country; ``via`` one of :data:`VIA`."""

    email: str
    name: str = ""
    role: str | None = None
    countries: frozenset[str] = field(default_factory=frozenset)
    via: Literal["app", "cli", "local"] = "app"

    @property
    def label(self) -> str:
        """How the person is named in a record: ``Name <email>`` or the e-mail."""
        return f"{self.name} <{self.email}>" if self.name and self.name != self.email else self.email


def rank(role: str | None) -> int:
    """The role's place in :data:`ROLES` (-1 for no account)."""
    return ROLES.index(role) if role in ROLES else -1


def at_least(actor: Actor, role: str) -> bool:
    return rank(actor.role) >= rank(role)


def scope(actor: Actor) -> frozenset[str] | None:
    """The countries the person may see and act on; None: every country."""
    if actor.role is None:
        return frozenset()
    if actor.role in SCOPED_ROLES and actor.countries:
        return actor.countries
    return None


def in_scope(actor: Actor, country: str | None) -> bool:
    """Whether ``country`` (None: no particular country) is in the person's scope."""
    s = scope(actor)
    return country is None or s is None or country in s


def refusal(
    actor: Actor,
    action: str,
    country: str | None = None,
    *,
    uploader: str | None = None,
    target_role: str | None = None,
) -> Message | None:
    """Why ``actor`` may not do ``action`` (for ``country`` when given), or
    None when they may. ``uploader`` is the e-mail of whoever uploaded the
    file (``download_upload``); ``target_role`` the role given, changed or
    removed (``manage_users``)."""
    if action not in NEEDS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    if actor.role is None:
        return Message("access.refused.no_account", {"email": actor.email})
    if not at_least(actor, NEEDS[action]):
        return Message(f"access.refused.{action}", {"role": actor.role})
    if not in_scope(actor, country):
        return Message("access.refused.country", {"country": country, "countries": ", ".join(sorted(actor.countries))})
    if (
        action == "download_upload"
        and not at_least(actor, "manager")
        and uploader is not None
        and uploader.strip().lower() != actor.email.strip().lower()
    ):
        return Message("access.refused.not_uploader", {"uploader": uploader})
    if (
        action == "manage_users"
        and target_role is not None
        and rank(target_role) >= rank("manager")
        and not at_least(actor, "admin")
    ):
        return Message("access.refused.manage_role", {"role": target_role})
    return None


def may(
    actor: Actor,
    action: str,
    country: str | None = None,
    *,
    uploader: str | None = None,
    target_role: str | None = None,
) -> bool:
    """Whether ``actor`` may do ``action``: for ``country`` when given, else
    for some country (see :func:`refusal` for the other arguments)."""
    return refusal(actor, action, country, uploader=uploader, target_role=target_role) is None


def visible_countries(actor: Actor, requested: Iterable[str] | None, all_codes: Sequence[str]) -> list[str] | None:
    """The countries a read may cover: ``requested`` (None: all of
    ``all_codes``) narrowed to the person's scope. None means every country
    (no filter needed); an empty list means none."""
    s = scope(actor)
    if requested is None:
        return None if s is None else [c for c in all_codes if c in s]
    wanted = list(dict.fromkeys(requested))
    return wanted if s is None else [c for c in wanted if c in s]


def withheld_countries(actor: Actor, requested: Iterable[str] | None, all_codes: Sequence[str]) -> list[str]:
    """The countries of ``requested`` (None: all of ``all_codes``) outside
    the person's scope: what a page says is outside their access."""
    wanted = list(dict.fromkeys(all_codes if requested is None else requested))
    shown = visible_countries(actor, wanted, all_codes)
    return [] if shown is None else [c for c in wanted if c not in shown]


# --------------------------------------------------------------------------- validation


def check_email(text: str) -> str:
    """The e-mail address, trimmed and lower-case; :class:`AccessError` when malformed."""
    email = (text or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > EMAIL_MAX_CHARS:
        raise AccessError(Message("access.invalid.email", {"email": text}))
    return email


def person_name(text: str | None) -> str | None:
    """A person's name as it is stored (an account's, a request's, an audit
    event's): trimmed, without control characters, cut to
    :data:`NAME_MAX_CHARS` (it only labels the person; the e-mail
    identifies them); None when empty."""
    name = "".join(c for c in (text or "") if c >= " " or c in "\t").strip()
    return name[:NAME_MAX_CHARS].rstrip() or None


def check_role(text: str) -> str:
    """The role, lower-case; :class:`AccessError` when it is not one of :data:`ROLES`."""
    role = (text or "").strip().lower()
    if role not in ROLES:
        raise AccessError(Message("access.invalid.role", {"role": text, "roles": ", ".join(ROLES)}))
    return role


def check_countries(role: str, codes: Iterable[str], known: Iterable[str] | None = None) -> frozenset[str]:
    """The ISO codes (upper-case) of an account of ``role``: each must be in
    ``known`` (default: the programme's countries), and a coordinator needs
    at least one. Managers and admins act for every country: their list is
    kept but ignored by the rules."""
    known_codes = sorted(COUNTRY_BY_CODE if known is None else known)
    result = set()
    for code in codes:
        c = (code or "").strip().upper()
        if c not in known_codes:
            raise AccessError(Message("access.invalid.country", {"country": code, "codes": ", ".join(known_codes)}))
        result.add(c)
    if role == "coordinator" and not result:
        raise AccessError(Message("access.invalid.no_country"))
    return frozenset(result)


# --------------------------------------------------------------------------- local mode

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this computer
    only. An empty address (Streamlit's default: every interface) is not."""
    import ipaddress

    text = (address or "").strip().lower()
    if not text:
        return False
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.strip("[]")).is_loopback
    except ValueError:
        return False


def local_actor(user: str | None = None) -> Actor:
    """The person at the machine in local mode (no sign-in configured): an
    administrator, named after the operating-system account."""
    import getpass

    name = user or getpass.getuser() or "local"
    return Actor(f"{name}@localhost", name, "admin", via="local")
