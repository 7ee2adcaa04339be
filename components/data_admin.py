"""Reads and writes of the Access and Audit trail pages, for the acting person.

Nothing here is cached: accounts and the trail change under the pages'
feet (another administrator, the command line, a sign-in), and a change
must show on the next interaction. Every call passes the acting person
(:func:`components.auth.actor`) to ``data_access``, which enforces the
rules: a write that is refused or whose input is bad raises nothing here
but comes back as the text to show (the data layer wrote nothing).

:func:`purge_due` applies the retention setting (``DASHBOARD_AUDIT_DAYS``):
the app shell calls it once per run; it purges at most once a day per
database and process.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from data_access import access, audit
from data_access.messages import Message
from data_access.rules.access import AccessError, refusal

from . import auth, charts, i18n
from .data import database_url, engine
from .i18n import t
from .layout import message_text

PURGE_EVERY = 24 * 3600  # seconds between two purges of one database by one process
_purged: dict[str, float] = {}
_purge_lock = threading.Lock()
_log = logging.getLogger(__name__)


def text(message: Message) -> str:
    """A message of the data layer (a refusal, bad input) in the reader's
    language, for Markdown: its texts (an e-mail address, a name) escaped."""
    return message_text(message)


def refused(action: str) -> str | None:
    """Why the acting person may not ``action`` (e.g. ``manage_users``), in words; None when they may."""
    why = refusal(auth.actor(), action)
    return None if why is None else text(why)


# --------------------------------------------------------------------------- accounts


def users() -> pd.DataFrame:
    """The accounts (``data_access.access.USER_COLUMNS``), by e-mail."""
    return access.list_users(engine(), auth.actor())


def requests() -> pd.DataFrame:
    """The pending access requests, oldest first."""
    return access.access_requests(engine(), auth.actor())


def _address() -> str | None:
    """The browser's address for the audit trail, where known."""
    address = auth.client_address()
    return address if isinstance(address, str) else None  # AppTest's stand-in runtime gives a mock


def _attempt(change: Callable[[], None]) -> str | None:
    try:
        change()
    except AccessError as refused_change:
        return text(refused_change.message)
    return None


def add_user(email: str, role: str, countries: Iterable[str], name: str | None) -> str | None:
    """Create an account; None when done, else why not (nothing was written)."""
    return _attempt(lambda: access.add_user(engine(), auth.actor(), email, role, list(countries), name, _address()))


def set_role(email: str, role: str, countries: Iterable[str]) -> str | None:
    return _attempt(lambda: access.set_role(engine(), auth.actor(), email, role, list(countries), _address()))


def remove_user(email: str) -> str | None:
    return _attempt(lambda: access.remove_user(engine(), auth.actor(), email, _address()))


def dismiss_request(request_id: int) -> str | None:
    return _attempt(lambda: access.dismiss_request(engine(), auth.actor(), request_id, _address()))


# --------------------------------------------------------------------------- the audit trail


@dataclass(frozen=True)
class TrailFilter:
    """What the Audit trail page shows: None is "any"; dates are UTC days, both inclusive."""

    person: str | None = None
    action: str | None = None
    country: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def described(self) -> dict[str, str]:
        """The filters set, for the export's audit event and its "About" sheet."""
        return {k: str(v) for k, v in self.__dict__.items() if v is not None}


def trail(f: TrailFilter) -> pd.DataFrame:
    """The events (``data_access.audit.COLUMNS``) matching ``f``, newest first."""
    return audit.events(engine(), auth.actor(), f.person, f.action, f.country, f.since, f.until)


def people() -> list[str]:
    """Everyone the trail names as acting (for the person filter)."""
    return audit.people(engine(), auth.actor())


def retention() -> tuple[int | None, str | None]:
    """The retention in days (None: keep everything) and, when the setting
    is not a valid number, what is wrong with it (everything is then kept)."""
    try:
        return audit.retention_days(), None
    except ValueError as bad:
        return None, str(bad)


Format = Literal["csv", "xlsx"]


def trail_export(
    f: TrailFilter, fmt: Format, table: Callable[[pd.DataFrame], pd.DataFrame], title: str
) -> Callable[[], bytes]:
    """The deferred content of an export button: when clicked, the events
    matching ``f`` (read then, as ``table`` shapes them) as CSV or XLSX, the
    export recorded as one ``export`` audit event (what: "audit trail", the
    format, the filters, the number of rows). The person, the database, the
    browser's address and the language are those of the run that drew the
    button: the click is served outside it."""
    eng, person, address, language = engine(), auth.actor(), _address(), i18n.language()

    def content() -> bytes:
        def build() -> bytes:
            i18n.set_language(language)  # served outside any run: this context only
            shown = table(audit.events(eng, person, f.person, f.action, f.country, f.since, f.until))
            notes = [t("admin.audit.export_filters", filters=_filters_text(f))]
            data = charts.data_csv(shown) if fmt == "csv" else charts.data_xlsx(shown, title=title, notes=notes)
            audit.log(
                eng, person, "export", address=address, what="audit trail", format=fmt, filters=f.described(),
                rows=len(shown),
            )  # fmt: skip
            return data

        return contextvars.copy_context().run(build)

    return content


def _filters_text(f: TrailFilter) -> str:
    described = f.described()
    return "; ".join(f"{k}: {v}" for k, v in described.items()) if described else t("admin.audit.no_filters")


# --------------------------------------------------------------------------- retention


def purge_due(url: str | None = None, *, clock: Callable[[], float] = time.monotonic) -> int:
    """Apply the retention setting to the database at ``url`` (default: the
    configured one) unless this process did so less than :data:`PURGE_EVERY`
    seconds ago; return how many events were deleted. An invalid setting is
    logged and keeps everything."""
    url = url or database_url()
    now = clock()
    with _purge_lock:
        last = _purged.get(url)
        if last is not None and now - last < PURGE_EVERY:
            return 0
        _purged[url] = now
    try:
        return audit.purge(engine(url))
    except ValueError as bad:
        _log.error("audit retention not applied: %s", bad)
        return 0
