"""People for the AppTest suites of the admin pages: sign-in simulated the
way Streamlit's AppTest documents it (``at.secrets["auth"]`` and
``at.user``), accounts created as ``DASHBOARD_ADMINS`` would."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from data_access import access, audit

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x",
    "client_id": "x",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",  # never fetched
}

ADMIN = "boss@example.org"
MANAGER = "mgr@example.org"
COORDINATOR = "tj@example.org"
VIEWER = "viewer@example.org"


def signed_in(at: AppTest, email: str, name: str | None = None) -> AppTest:
    """``at`` as a person signed in through the identity provider."""
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": email, "name": name or email.split("@")[0].title()}
    return at


def account(engine: Engine, email: str, role: str, countries: Iterable[str] = (), name: str | None = None) -> None:
    access.add_user(engine, access.BOOTSTRAP, email, role, list(countries), name=name)


def fresh_trail(engine: Engine) -> None:
    """Start the test's audit trail empty: without the entries of the sample
    data's load (one per file), which the copied database holds."""
    from sqlalchemy import delete

    from data_access.models import AuditEvent

    with engine.begin() as conn:
        conn.execute(delete(AuditEvent))


def staff(engine: Engine) -> None:
    """One person of each role: an administrator, a manager, a coordinator for TJK, a viewer for KGZ."""
    account(engine, ADMIN, "admin", name="Boss")
    account(engine, MANAGER, "manager", name="Manager")
    account(engine, COORDINATOR, "coordinator", ["TJK"], name="Coordinator")
    account(engine, VIEWER, "viewer", ["KGZ"], name="Viewer")


def trail(engine: Engine, **filters) -> pd.DataFrame:
    """The audit trail, newest first, read as an administrator."""
    return audit.events(engine, access.BOOTSTRAP, **filters)


def actions(engine: Engine, *, leave_out: Iterable[str] = ("sign_in",)) -> list[str]:
    """The actions of the trail, oldest first, without sign-ins (recorded once per session)."""
    skipped = set(leave_out)
    return [a for a in trail(engine)["action"][::-1] if a not in skipped]
