"""The audit trail: an append-only record of who did what, when, from where.

:func:`record` appends one event inside the caller's transaction, so that an
event is stored exactly when the change it describes is. :func:`events`
reads them, newest first, filtered by person, action, country and date,
for an administrator only (the ``read_audit`` right: the reader is passed as
an :class:`~data_access.rules.access.Actor`). Nothing edits an event;
:func:`purge` drops the events older than the retention period
(``DASHBOARD_AUDIT_DAYS``; unset: keep everything) and records that it did,
as one ``audit.purge`` event. It is the only code that deletes events
(``tests/test_audit_append_only.py`` checks the source).

The actions are those of :data:`EVENT_ACTIONS`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from .models import AuditEvent
from .rules.access import AccessError, Actor, person_name, refusal

AUDIT_DAYS_ENV = "DASHBOARD_AUDIT_DAYS"
RETENTION = Actor(AUDIT_DAYS_ENV, AUDIT_DAYS_ENV, "admin", via="local")
"""Who the trail names as having purged old events (the retention setting)."""
EVENT_ACTIONS: tuple[str, ...] = (
    "sign_in",  # a person signed in to the app (once per browser session)
    "sign_out",
    "refused",  # detail: what was refused (action) and why (reason: a message key)
    "access.request",
    "return.check",  # a dry run; detail: status, errors, warnings, file_name, sha256
    "return.upload",  # detail: status (applied, rejected, identical, unreadable), errors, upload_id, file_name
    "upload.restore",  # detail: restored (the old upload), upload_id (the new one), status
    "upload.download",  # detail: upload_id, file_name
    "export",  # detail: what (dataset or chart), filters, format
    "user.add",
    "user.set_role",
    "user.remove",
    "access.dismiss",  # an access request dismissed without an account; detail: email, request_id
    "audit.purge",  # events older than the retention deleted; detail: days, deleted, before
)
"""Every action the trail records (the ``action`` column)."""

COLUMNS = ("id", "at", "actor_email", "actor_name", "via", "action", "country", "quarter", "detail", "address")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    country: str | None = None,
    quarter: str | None = None,
    address: str | None = None,
    **detail: Any,
) -> None:
    """Append one event for ``actor`` doing ``action`` (in ``conn``'s
    transaction); ``detail`` is stored as JSON (values that JSON cannot hold
    are stored as their text)."""
    _append(conn, actor, action, country, quarter, address, detail)


def _append(
    conn: Connection,
    actor: Actor,
    action: str,
    country: str | None,
    quarter: str | None,
    address: str | None,
    detail: dict[str, Any],
) -> None:
    conn.execute(
        insert(AuditEvent).values(
            at=now(),
            actor_email=actor.email,
            actor_name=person_name(actor.name),
            via=actor.via,
            action=action,
            country=country,
            quarter=quarter,
            detail=json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False),
            # an address is text (a test harness's stand-in object is not recorded)
            address=address[:64] if isinstance(address, str) else None,
        )
    )


def log(
    engine: Engine,
    actor: Actor,
    action: str,
    country: str | None = None,
    quarter: str | None = None,
    address: str | None = None,
    **detail: Any,
) -> None:
    """Append one event in a transaction of its own: for what changes
    nothing else (a sign-in, a refusal, a check, a download, an export)."""
    with engine.begin() as conn:
        record(conn, actor, action, country, quarter, address, **detail)


def refused(
    engine: Engine,
    actor: Actor,
    action: str,
    reason: str,
    country: str | None = None,
    quarter: str | None = None,
    address: str | None = None,
    **detail: Any,
) -> None:
    """Append a ``refused`` event in a transaction of its own: ``action``
    (what was refused, one of :data:`~data_access.rules.access.ACTIONS`) and
    ``reason`` (the refusal's message key) stored in the detail with the
    rest of ``detail``."""
    with engine.begin() as conn:
        _append(conn, actor, "refused", country, quarter, address, {**detail, "action": action, "reason": reason})


def _readable_by(actor: Actor) -> None:
    why = refusal(actor, "read_audit")
    if why is not None:
        raise AccessError(why)


def events(
    engine: Engine,
    actor: Actor,
    person: str | None = None,
    action: str | None = None,
    country: str | None = None,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
) -> pd.DataFrame:
    """The events, newest first, with the columns of :data:`COLUMNS`, for
    ``actor`` (who must be allowed ``read_audit``: administrators; else
    :class:`~data_access.rules.access.AccessError`). ``person`` matches the
    e-mail (any case), ``since``/``until`` bound ``at`` (a date covers that
    whole day; both inclusive). ``detail`` is the JSON text."""
    _readable_by(actor)
    t = AuditEvent.__table__
    q = select(*(t.c[c] for c in COLUMNS)).order_by(t.c.at.desc(), t.c.id.desc())
    if person:
        q = q.where(t.c.actor_email == person.strip().lower())
    if action:
        q = q.where(t.c.action == action)
    if country:
        q = q.where(t.c.country == country)
    if since is not None:
        q = q.where(t.c.at >= _moment(since))
    if until is not None:
        q = q.where(t.c.at < _moment(until + dt.timedelta(days=1)) if _is_date(until) else t.c.at <= _moment(until))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def people(engine: Engine, actor: Actor) -> list[str]:
    """The e-mails of everyone the trail names as acting, sorted (for a
    filter); ``actor`` must be allowed ``read_audit``."""
    _readable_by(actor)
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEvent.actor_email).distinct().order_by(AuditEvent.actor_email)).scalars())


def _is_date(value: dt.datetime | dt.date) -> bool:
    return not isinstance(value, dt.datetime)


def _moment(value: dt.datetime | dt.date) -> dt.datetime:
    """A date as its midnight UTC; a naive datetime as UTC."""
    if _is_date(value):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def retention_days(value: str | None = None) -> int | None:
    """The retention period in days from ``value`` (default:
    ``$DASHBOARD_AUDIT_DAYS``); None (keep everything) when unset or empty."""
    text = os.environ.get(AUDIT_DAYS_ENV) if value is None else value
    if text is None or not text.strip():
        return None
    days = int(text)
    if days < 1:
        raise ValueError(f"{AUDIT_DAYS_ENV} must be a whole number of days, at least 1 (got {text!r})")
    return days


def purge(engine: Engine, days: int | None = None) -> int:
    """Delete the events older than ``days`` (default: :func:`retention_days`;
    None keeps everything) and return how many were deleted. A purge that
    deletes something records one ``audit.purge`` event (by
    :data:`RETENTION`) in the same transaction: the trail shows that, when
    and how far it was cut."""
    keep = retention_days() if days is None else days
    if keep is None:
        return 0
    before = now() - dt.timedelta(days=keep)
    with engine.begin() as conn:
        deleted = conn.execute(delete(AuditEvent).where(AuditEvent.at < before)).rowcount
        if deleted:
            record(conn, RETENTION, "audit.purge", days=keep, deleted=deleted, before=before.isoformat())
    return deleted
