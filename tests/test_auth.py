"""Sign-in and local mode (components/auth.py) in AppTest: who the acting
person is, what each screen that stops the run shows, and what is recorded.
The real OpenID Connect flow, the cookie and the server's address are
tested in Chromium (tests/browser/test_sign_in_browser.py)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from streamlit.testing.v1.util import patch_config_options

from components import auth
from data_access import access, audit, db
from data_access.models import AccessRequest
from data_access.rules.access import Actor
from tests.apptest_support import ROOT, new_app, run

SETUP = Actor("setup@example.org", "Test set-up", "admin", via="cli")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def auth_section(metadata_url: str | None = None) -> dict[str, str]:
    return {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "apptest-cookie-secret-0123456789",
        "client_id": "steering-dashboard",
        "client_secret": "test",
        "server_metadata_url": metadata_url or f"http://127.0.0.1:{closed_port()}/.well-known/openid-configuration",
    }


def signed_in(email: str | None, **claims):
    """The app with sign-in configured, for a person signed in as ``email``
    (None: signed out)."""
    at = new_app()
    at.secrets["auth"] = auth_section()
    at.user = {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email, **claims}
    return at


def sidebar_captions(at) -> list[str]:
    return [c.value for c in at.sidebar.caption]


# --------------------------------------------------------------------------- local mode


def test_local_mode_on_this_computer_is_the_administrator_with_a_quiet_banner(sample_url):
    at = run(new_app())
    assert at.metric, "the dashboard shows its figures"
    assert any(c.startswith("Local mode: anyone using this computer has full rights") for c in sidebar_captions(at))
    assert [b.label for b in at.sidebar.button] == ["How to share it"]  # no sign-out in local mode


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.20", "::"])
def test_local_mode_on_another_address_shows_no_data_only_how_to_configure_sign_in(sample_url, address):
    with patch_config_options({"server.address": address}):
        at = run(new_app())
    assert not at.metric and not at.dataframe
    assert at.error[0].value.startswith(f"This server listens on {address or '0.0.0.0'} without sign-in")
    text = "\n".join(m.value for m in at.markdown)
    assert "### Microsoft Entra ID" in text and "### Keycloak" in text  # the README's section, in the app


# --------------------------------------------------------------------------- sign-in configured


def test_signed_out_sees_only_the_sign_in_screen(sample_url):
    at = run(signed_in(None))
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.sidebar.caption


def test_an_unreachable_provider_is_explained_on_the_sign_in_screen(sample_url):
    at = run(signed_in(None))
    run(at.button(key="auth_sign_in").click())
    assert at.error[0].value.startswith("Sign-in is not available right now: the identity provider does not answer")
    assert not at.metric


def test_a_viewer_sees_the_dashboard_and_their_name_and_signing_in_is_recorded_once(sample_url):
    engine = db.connect(sample_url)
    access.add_user(engine, SETUP, "vera@example.org", "viewer", ["TJK", "KGZ"])
    at = run(signed_in("Vera@Example.org", name="Vera Viewer"))
    assert at.metric
    assert "Signed in as **Vera Viewer** (viewer: KGZ, TJK)" in sidebar_captions(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    run(at)  # the next interaction
    events = audit.events(engine, access.BOOTSTRAP, person="vera@example.org", action="sign_in")
    assert len(events) == 1 and events.iloc[0]["via"] == "app"


def test_a_name_from_the_provider_is_shown_as_text_not_markup(sample_url):
    access.add_user(db.connect(sample_url), SETUP, "max@example.org", "manager")
    at = run(signed_in("max@example.org", name="**Boss** [click](https://evil.example)"))
    caption = next(c for c in sidebar_captions(at) if c.startswith("Signed in as"))
    assert "\\*\\*Boss\\*\\* \\[click\\](https\\://evil.example)" in caption


def test_someone_without_an_account_can_request_access_once(sample_url):
    engine = db.connect(sample_url)
    at = run(signed_in("nina@example.org", name="Nina Newcomer"))
    assert at.warning[0].value == "Signed in as nina@example.org, but you have no access yet."
    assert not at.metric
    run(at.button(key="auth_request").click())
    assert at.success[0].value.startswith("Your request is recorded.")
    assert not [b for b in at.button if b.label == "Request access"]
    with engine.connect() as conn:
        rows = conn.execute(select(AccessRequest.email, AccessRequest.name, AccessRequest.status)).all()
    assert [tuple(r) for r in rows] == [("nina@example.org", "Nina Newcomer", "pending")]
    assert len(audit.events(engine, access.BOOTSTRAP, person="nina@example.org", action="access.request")) == 1


def test_an_e_mail_the_provider_does_not_vouch_for_gives_no_access(sample_url):
    access.add_user(db.connect(sample_url), SETUP, "uma@example.org", "admin")
    at = run(signed_in("uma@example.org", email_verified=False))
    assert "did not send a verified e-mail address" in at.warning[0].value
    assert not at.metric
    assert [b.label for b in at.button] == ["Sign out"]


def test_signed_in_without_an_e_mail_claim_gives_no_access(sample_url):
    at = run(signed_in(None))
    at.user = {"is_logged_in": True, "name": "Anonymous", "sub": "1234"}
    run(at)
    assert "did not send a verified e-mail address" in at.warning[0].value
    assert not at.metric


def test_dashboard_admins_creates_the_first_administrator(sample_url, monkeypatch):
    monkeypatch.setenv(access.ADMINS_ENV, "boss@example.org")
    at = run(signed_in("boss@example.org", name="The Boss"))
    assert "Signed in as **The Boss** (administrator)" in sidebar_captions(at)
    users = access.list_users(db.connect(sample_url), SETUP)
    assert users[["email", "role", "created_by"]].values.tolist() == [["boss@example.org", "admin", access.ADMINS_ENV]]


def test_sign_out_is_recorded_and_ends_the_sign_in(sample_url):
    engine = db.connect(sample_url)
    access.add_user(engine, SETUP, "ada@example.org", "admin")
    at = run(signed_in("ada@example.org"))
    run(at.sidebar.button(key="auth_sign_out").click())
    assert [b.label for b in at.button] == ["Sign in"]  # AppTest's logout: the rest of the run is signed out
    assert len(audit.events(engine, access.BOOTSTRAP, person="ada@example.org", action="sign_out")) == 1


# --------------------------------------------------------------------------- the pieces


@contextmanager
def serving(body: bytes) -> Iterator[str]:
    """A local HTTP server answering every GET with ``body``; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/openid-configuration"
    finally:
        server.shutdown()
        server.server_close()


def test_provider_problem_says_why_the_provider_cannot_be_used():
    config = {"issuer": "x", "authorization_endpoint": "http://127.0.0.1/authorize"}
    with serving(json.dumps(config).encode()) as url:
        assert auth.provider_problem(url) is None
    with serving(b'{"hello": "world"}') as url:
        assert "not an OpenID Connect configuration" in (auth.provider_problem(url) or "")
    with serving(b"<html>a login page</html>") as url:
        assert "JSONDecodeError" in (auth.provider_problem(url) or "")
    assert "Connection refused" in (auth.provider_problem(f"http://127.0.0.1:{closed_port()}/x") or "")
    assert "not an http(s) address" in (auth.provider_problem("file:///etc/passwd") or "")


def test_the_in_app_help_is_the_readmes_sharing_section():
    text = auth.sharing_help()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] in readme and "### Microsoft Entra ID" in text and "[auth]" in text
    assert "## Quarterly returns" not in text  # ends where the section ends
    assert "](docs/" not in text and "docs/database.md" in text  # links to files of the repository become text


def test_signed_in_email_needs_a_verified_address():
    assert auth.signed_in_email({"email": " a@example.org "}) == "a@example.org"
    assert auth.signed_in_email({"email": "a@example.org", "email_verified": True}) == "a@example.org"
    assert auth.signed_in_email({"email": "a@example.org", "email_verified": False}) is None
    assert auth.signed_in_email({"email": "a@example.org", "email_verified": "false"}) is None
    assert auth.signed_in_email({"preferred_username": "a@example.org"}) is None
