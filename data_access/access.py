"""Accounts: who has which role for which countries, stored in the database.

Every function that changes an account takes the acting person (an
:class:`~data_access.rules.access.Actor`), checks the rules of
:mod:`data_access.rules.access` and raises
:class:`~data_access.rules.access.AccessError` (carrying a message) when the
change is refused or its input is bad: nothing is then written. A change is
written with exactly one audit event, in the same transaction.

E-mails are stored lower-case. The last administrator can be neither
removed nor demoted. The first administrator comes from the command line
(``python -m data_access users add``) or from ``DASHBOARD_ADMINS``
(:func:`bootstrap_admins`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from . import audit
from .messages import Message
from .models import AccessRequest, Country, User, UserCountry
from .rules.access import AccessError, Actor, check_countries, check_email, check_role, person_name, refusal

ADMINS_ENV = "DASHBOARD_ADMINS"
BOOTSTRAP = Actor(ADMINS_ENV, ADMINS_ENV, "admin", via="local")
"""Who creates the administrators listed in ``DASHBOARD_ADMINS``."""

USER_COLUMNS = ("email", "name", "role", "countries", "created_at", "created_by")


def _allowed(actor: Actor, target_role: str | None) -> None:
    why = refusal(actor, "manage_users", target_role=target_role)
    if why is not None:
        raise AccessError(why)


def _known_countries(conn: Connection) -> list[str]:
    return list(conn.execute(select(Country.code).order_by(Country.code)).scalars())


def _role_of(conn: Connection, email: str) -> str | None:
    return conn.execute(select(User.role).where(User.email == email)).scalar()


def _countries_of(conn: Connection, email: str) -> frozenset[str]:
    return frozenset(conn.execute(select(UserCountry.country_code).where(UserCountry.email == email)).scalars())


def _managed_role(conn: Connection, actor: Actor, email: str) -> str:
    """The role of the account ``email``, which ``actor`` must be allowed to manage."""
    role = _role_of(conn, email)
    if role is None:
        raise AccessError(Message("access.unknown_user", {"email": email}))
    _allowed(actor, role)
    return role


def _admins(conn: Connection) -> int:
    """How many administrators there are, locking their rows until the
    transaction ends (on PostgreSQL; SQLite's write lock is already held), so
    that two concurrent demotions cannot leave none."""
    return len(conn.execute(select(User.email).where(User.role == "admin").with_for_update()).all())


def _set_countries(conn: Connection, email: str, countries: Iterable[str]) -> None:
    conn.execute(delete(UserCountry).where(UserCountry.email == email))
    rows = [{"email": email, "country_code": c} for c in sorted(countries)]
    if rows:
        conn.execute(insert(UserCountry), rows)


def _write(engine: Engine) -> Connection:
    """A connection whose transaction takes the write lock at once on SQLite,
    so that two changes (e.g. demoting the last two admins) queue."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def add_user(
    engine: Engine,
    actor: Actor,
    email: str,
    role: str,
    countries: Iterable[str] = (),
    name: str | None = None,
    address: str | None = None,
) -> None:
    """Create the account ``email`` with ``role`` limited to ``countries``
    (none: every country; a coordinator needs one). Grants a pending access
    request of the same e-mail. ``address``: where the actor is (the
    browser's address, for the audit trail), when known."""
    email, role = check_email(email), check_role(role)
    _allowed(actor, role)
    with _write(engine) as conn, conn.begin():
        codes = check_countries(role, countries, _known_countries(conn))
        if _role_of(conn, email) is not None:
            raise AccessError(Message("access.user_exists", {"email": email}))
        conn.execute(
            insert(User).values(
                email=email,
                name=person_name(name),
                role=role,
                created_at=audit.now(),
                created_by=actor.email,
            )
        )
        _set_countries(conn, email, codes)
        conn.execute(
            update(AccessRequest)
            .where(AccessRequest.email == email, AccessRequest.status == "pending")
            .values(status="granted")
        )
        audit.record(
            conn, actor, "user.add", address=address, email=email, role=role, countries=sorted(codes), name=name
        )


def set_role(
    engine: Engine,
    actor: Actor,
    email: str,
    role: str,
    countries: Iterable[str] | None = None,
    address: str | None = None,
) -> None:
    """Change the role of ``email`` (and its countries when given; None keeps
    them). The actor must be allowed to manage both the old and the new role;
    the last administrator cannot be demoted."""
    email, role = check_email(email), check_role(role)
    _allowed(actor, role)
    with _write(engine) as conn, conn.begin():
        old = _managed_role(conn, actor, email)
        wanted = _countries_of(conn, email) if countries is None else countries
        codes = check_countries(role, wanted, _known_countries(conn))
        if old == "admin" and role != "admin" and _admins(conn) <= 1:
            raise AccessError(Message("access.last_admin", {"email": email}))
        conn.execute(update(User).where(User.email == email).values(role=role))
        _set_countries(conn, email, codes)
        audit.record(
            conn, actor, "user.set_role", address=address, email=email, role=role, old_role=old, countries=sorted(codes)
        )


def remove_user(engine: Engine, actor: Actor, email: str, address: str | None = None) -> None:
    """Delete the account ``email`` (the last administrator cannot be removed)."""
    email = check_email(email)
    _allowed(actor, None)
    with _write(engine) as conn, conn.begin():
        old = _managed_role(conn, actor, email)
        if old == "admin" and _admins(conn) <= 1:
            raise AccessError(Message("access.last_admin", {"email": email}))
        conn.execute(delete(UserCountry).where(UserCountry.email == email))
        conn.execute(delete(User).where(User.email == email))
        audit.record(conn, actor, "user.remove", address=address, email=email, role=old)


def list_users(engine: Engine, actor: Actor) -> pd.DataFrame:
    """The accounts, by e-mail, with the columns of :data:`USER_COLUMNS`
    (``name`` and ``countries`` empty when none: ``countries`` are the codes
    joined with ", ", empty for every country)."""
    _allowed(actor, None)
    with engine.connect() as conn:
        users = conn.execute(
            select(User.email, User.name, User.role, User.created_at, User.created_by).order_by(User.email)
        ).all()
        scoped: dict[str, list[str]] = {}
        for email, code in conn.execute(
            select(UserCountry.email, UserCountry.country_code).order_by(UserCountry.country_code)
        ):
            scoped.setdefault(email, []).append(code)
    return pd.DataFrame(
        [
            (u.email, u.name or "", u.role, ", ".join(scoped.get(u.email, [])), u.created_at, u.created_by)
            for u in users
        ],
        columns=list(USER_COLUMNS),
    )


def actor_for(
    engine: Engine, email: str, name: str | None = None, via: Literal["app", "cli", "local"] = "app"
) -> Actor:
    """The :class:`Actor` of a signed-in person: their role and countries,
    or role None when ``email`` has no account. ``name`` (the identity
    provider's) defaults to the name stored with the account."""
    key = (email or "").strip().lower()
    with engine.connect() as conn:
        row = conn.execute(select(User.role, User.name).where(User.email == key)).first()
        role, stored = (row.role, row.name) if row is not None else (None, None)
        countries = _countries_of(conn, key) if role is not None else frozenset()
    return Actor(key, (name or stored or "").strip(), role, countries, via)


def request_access(engine: Engine, actor: Actor, address: str | None = None) -> bool:
    """Record that ``actor`` (signed in, without an account) asks for access;
    False when they already have an account or a pending request."""
    email = check_email(actor.email)
    with _write(engine) as conn, conn.begin():
        if _role_of(conn, email) is not None:
            return False
        pending = conn.execute(
            select(AccessRequest.id).where(AccessRequest.email == email, AccessRequest.status == "pending")
        ).first()
        if pending is not None:
            return False
        conn.execute(
            insert(AccessRequest).values(
                email=email, name=person_name(actor.name), requested_at=audit.now(), status="pending"
            )
        )
        audit.record(conn, actor, "access.request", address=address, email=email)
    return True


def dismiss_request(engine: Engine, actor: Actor, request_id: int, address: str | None = None) -> None:
    """Close the pending access request ``request_id`` without giving an
    account (the person may ask again); one ``access.dismiss`` event."""
    _allowed(actor, None)
    with _write(engine) as conn, conn.begin():
        email = conn.execute(
            select(AccessRequest.email).where(AccessRequest.id == request_id, AccessRequest.status == "pending")
        ).scalar()
        if email is None:
            raise AccessError(Message("access.unknown_request", {"id": request_id}))
        conn.execute(update(AccessRequest).where(AccessRequest.id == request_id).values(status="dismissed"))
        audit.record(conn, actor, "access.dismiss", address=address, email=email, request_id=request_id)


def access_requests(engine: Engine, actor: Actor, status: str | None = "pending") -> pd.DataFrame:
    """The access requests (of ``status``; None: all), oldest first: id,
    email, name, requested_at, status."""
    _allowed(actor, None)
    q = select(
        AccessRequest.id, AccessRequest.email, AccessRequest.name, AccessRequest.requested_at, AccessRequest.status
    ).order_by(AccessRequest.requested_at, AccessRequest.id)
    if status is not None:
        q = q.where(AccessRequest.status == status)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["id", "email", "name", "requested_at", "status"])


def bootstrap_admins(engine: Engine, emails: str | Iterable[str] | None = None) -> list[str]:
    """Create an administrator for each e-mail of ``emails`` (a
    comma-separated string or a list; default: ``$DASHBOARD_ADMINS``) that
    has no account yet, acting as :data:`BOOTSTRAP`; return the e-mails
    created. Existing accounts are left as they are. A malformed e-mail
    raises :class:`AccessError`."""
    text = os.environ.get(ADMINS_ENV, "") if emails is None else emails
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = list(dict.fromkeys(check_email(e) for e in items if e.strip()))
    created = []
    for email in wanted:
        with engine.connect() as conn:
            exists = _role_of(conn, email) is not None
        if not exists:
            add_user(engine, BOOTSTRAP, email, "admin")
            created.append(email)
    return created
