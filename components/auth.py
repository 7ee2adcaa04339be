"""Who is using the app: sign-in, local mode, and the acting person.

``app.py`` calls :func:`gate` once per run, before any data is read. It
decides the acting person (an :class:`~data_access.rules.access.Actor`) and
stops the run with an explanation when nobody may see data:

* **Sign-in configured** (an ``[auth]`` section in ``.streamlit/secrets.toml``,
  or in the file ``--secrets.files`` names): Streamlit's OpenID Connect
  sign-in (``st.login``, ``st.user``, ``st.logout``; Authlib). The account
  (role and countries) is read from the database on every run, so a change
  made by an administrator shows on the next interaction. Signed in without
  an account: "no access yet" and a button that records an access request.
  The identity provider must send a verified ``email`` claim: accounts are
  keyed by e-mail. An expired or tampered sign-in cookie is ignored by
  Streamlit, so the person simply sees the sign-in screen again.
* **Local mode** (no ``[auth]``): the person at the machine is an
  administrator, provided the server listens on this computer only
  (``server.address`` is a loopback address, as ``.streamlit/config.toml``
  sets it); bound to any other address, the app shows no data, only how to
  configure sign-in.

The screens that stop the run (sign-in, no access, "configure sign-in") are
registered as the app's only page, under every page's address, so that the
sidebar lists nothing and a copied link to a page lands on them.

Everything else asks :func:`actor` for the acting person; what that person
may do is decided in ``data_access`` (:mod:`data_access.rules.access`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import urllib.request
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st
from streamlit import config as st_config

from data_access import access, audit
from data_access.rules.access import AccessError, Actor, is_loopback, local_actor, may, scope

from . import data
from .i18n import t

README = Path(__file__).resolve().parent.parent / "README.md"
README_SHARING = "README.md#sharing-it"
"""Where the README explains how to configure sign-in (named in the notices)."""
SHARING_HEADING = "## Sharing it"

PROVIDER_TIMEOUT = 5.0  # seconds: how long the sign-in button waits for the identity provider

_ACTOR = "_acting_person"
_SIGNED_IN = "_signed_in_recorded"
_REQUESTED = "_access_requested"
_LOGIN_PROBLEM = "_sign_in_problem"

_log = logging.getLogger(__name__)
_bootstrapped: set[str] = set()
_bootstrap_lock = threading.Lock()


def auth_settings() -> Mapping[str, Any]:
    """The ``[auth]`` section of the secrets (empty when there is none, or
    no secrets file at all)."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all, or one that cannot be read
        return {}
    return section if isinstance(section, Mapping) else {}


def sign_in_configured() -> bool:
    """Whether the secrets have an ``[auth]`` section (sign-in through an
    identity provider); otherwise the app runs in local mode."""
    return bool(auth_settings())


def server_address() -> str:
    """The address the server listens on (``server.address``; empty: every interface)."""
    return str(st_config.get_option("server.address") or "")


def client_address() -> str | None:
    """The address of the person's browser, where known (for the audit trail)."""
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) else None


NOBODY = Actor("", "", None)
"""The acting person when nobody may see anything (not signed in, or local
mode reachable from other computers)."""


def actor() -> Actor:
    """The acting person of this run, as decided by :func:`gate`. Outside
    the app shell (a page run on its own in a test), decided here."""
    found = st.session_state.get(_ACTOR)
    if isinstance(found, Actor):
        return found
    return _decide()


def _decide() -> Actor:
    if not sign_in_configured():
        return local_actor() if is_loopback(server_address()) else NOBODY
    user = st.user
    email = signed_in_email(user)
    if not user.get("is_logged_in") or not email:
        return NOBODY
    return access.actor_for(data.engine(), email, _display_name(user))


def signed_in_email(user: Mapping[str, Any]) -> str | None:
    """The e-mail the identity provider vouches for: its ``email`` claim,
    unless it says the address is not verified (``email_verified`` false)."""
    email = str(user.get("email") or "").strip()
    if not email or user.get("email_verified") in (False, "false", "False"):
        return None
    return email


def _display_name(user: Mapping[str, Any]) -> str | None:
    for key in ("name", "preferred_username", "given_name"):
        value = user.get(key)
        if value:
            return str(value)
    return None


def gate() -> Actor:
    """Decide the acting person of this run and store it for :func:`actor`;
    stop the run (after explaining) when nobody may see data."""
    st.session_state.pop(_ACTOR, None)
    if not sign_in_configured():
        if not is_loopback(server_address()):
            _stop(_configure_sign_in)
        person = local_actor()
        st.session_state[_ACTOR] = person
        return person
    _bootstrap_admins()
    user = st.user
    if not user.get("is_logged_in"):
        _stop(_sign_in_screen)
    if not signed_in_email(user):
        _stop(_no_email)
    person = _decide()
    if not st.session_state.get(_SIGNED_IN):
        audit.log(data.engine(), person, "sign_in", address=client_address(), role=person.role)
        st.session_state[_SIGNED_IN] = True
    if person.role is None:
        st.session_state[_ACTOR] = person  # for the sign-out button's audit event
        _stop(_no_access)
    st.session_state[_ACTOR] = person
    return person


def _bootstrap_admins() -> None:
    """Create the administrators listed in ``DASHBOARD_ADMINS`` (once per
    database and process): the first administrator of a shared deployment."""
    if not os.environ.get(access.ADMINS_ENV, "").strip():
        return
    url = data.database_url()
    if url in _bootstrapped:
        return
    with _bootstrap_lock:
        if url in _bootstrapped:
            return
        try:
            created = access.bootstrap_admins(data.engine())
            if created:
                _log.info("administrators created from %s: %s", access.ADMINS_ENV, ", ".join(created))
        except AccessError as exc:
            _log.error("%s: %s", access.ADMINS_ENV, exc)
        _bootstrapped.add(url)


def sidebar(person: Actor) -> None:
    """Who is signed in and the sign-out button; in local mode, the quiet
    banner that says anyone at this computer has full rights."""
    from .layout import escape

    with st.sidebar:
        if person.via == "local":
            st.caption(t("auth.local_banner"), help=t("auth.local_sidebar", name=person.name))
            if st.button(t("auth.sharing_link"), type="tertiary", icon=":material/group_add:", key="auth_sharing"):
                st.dialog(t("auth.sharing_title"), width="large")(_sharing_body)()
            return
        countries = scope(person)
        role = t(f"auth.role.{person.role}")
        if countries:
            role = t("auth.role_for", role=role, countries=", ".join(sorted(countries)))
        st.caption(t("auth.signed_in_as", name=escape(person.name or person.email), role=role))
        st.button(t("auth.sign_out"), icon=":material/logout:", on_click=sign_out, key="auth_sign_out")


def sign_out() -> None:
    """Record the sign-out and end the sign-in (Streamlit clears its cookie
    and, when the provider offers it, ends the provider's session too)."""
    person = actor()
    if person.email:
        audit.log(data.engine(), person, "sign_out", address=client_address())
    st.session_state.pop(_SIGNED_IN, None)
    st.logout()


def allowed(action: str, country: str | None = None) -> bool:
    """Whether the acting person may do ``action`` (for ``country``): for
    hiding what the rules forbid. The rules are enforced in ``data_access``."""
    return may(actor(), action, country)


# --------------------------------------------------------------------------- the README's "Sharing it"


@cache
def sharing_help() -> str:
    """The README's "Sharing it" section (without its heading), for showing
    inside the app: links to other files of the repository become plain
    text, as the app cannot open them."""
    try:
        text = README.read_text(encoding="utf-8")
    except OSError:
        return t("auth.sharing_missing", link=README_SHARING)
    lines = text.splitlines()
    try:
        start = lines.index(SHARING_HEADING) + 1
    except ValueError:
        return t("auth.sharing_missing", link=README_SHARING)
    body: list[str] = []
    fenced = False
    for line in lines[start:]:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,2} ", line):
            break
        body.append(line)
    section = "\n".join(body).strip()
    return re.sub(r"\[([^\]]+)\]\((?![a-z]+:)[^)]+\)", r"\1", section)


def _sharing_body() -> None:
    st.markdown(sharing_help())


# --------------------------------------------------------------------------- screens that stop the run


def _stop(screen: Callable[[], None]) -> NoReturn:
    """Show ``screen`` as the app's only page and end the run. The page is
    registered under the root and, hidden, under every page's address
    (nothing is listed in the sidebar, and a copied link lands here rather
    than on "page not found"); the pages' own scripts never run."""
    from .nav import PAGES

    pages = [st.Page(screen, title=t("app.title"), url_path="welcome", default=True)]
    pages += [st.Page(screen, title=t("app.title"), url_path=p.key, visibility="hidden") for p in PAGES]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _configure_sign_in() -> None:
    st.title(t("app.title"))
    st.error(t("auth.exposed.title", address=server_address() or "0.0.0.0"), icon=":material/lock:")
    st.markdown(t("auth.exposed.body", link=README_SHARING))
    with st.container(border=True):
        st.markdown(f"### {t('auth.sharing_title')}")
        st.markdown(sharing_help())


def _sign_in_screen() -> None:
    st.title(t("app.title"))
    st.markdown(t("auth.sign_in.body"))
    if st.button(t("auth.sign_in"), type="primary", icon=":material/login:", key="auth_sign_in"):
        st.session_state[_LOGIN_PROBLEM] = _sign_in()
    problem = st.session_state.get(_LOGIN_PROBLEM)
    if problem:
        st.error(problem, icon=":material/cloud_off:")


def _sign_in() -> str | None:
    """Send the browser to the identity provider; or, when that cannot work,
    what is wrong (shown on the sign-in screen instead of an error page)."""
    from streamlit.errors import StreamlitAuthError

    settings = auth_settings()
    metadata_url = str(settings.get("server_metadata_url") or "")
    if metadata_url:
        why = provider_problem(metadata_url)
        if why:
            _log.warning("sign-in: the identity provider at %s cannot be reached: %s", metadata_url, why)
            return t("auth.provider_unreachable", url=metadata_url, error=why)
    try:
        st.login()
    except StreamlitAuthError as exc:
        _log.error("sign-in is not configured correctly: %s", exc)
        return t("auth.misconfigured", error=" ".join(str(exc).split()))
    return None


def provider_problem(metadata_url: str, timeout: float = PROVIDER_TIMEOUT) -> str | None:
    """Why the identity provider's OpenID configuration at ``metadata_url``
    cannot be read (None when it can): checked before sending the browser
    there, so that an unreachable provider is a clear message on the
    sign-in screen rather than Streamlit's bare "Authentication error"."""
    if not metadata_url.startswith(("https://", "http://")):
        return f"not an http(s) address: {metadata_url}"
    try:
        with urllib.request.urlopen(metadata_url, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            document = json.loads(response.read(1_000_000))
    except Exception as exc:  # unreachable, refused, timed out, an HTTP error, not JSON
        reason = getattr(exc, "reason", None) or exc
        return f"{type(exc).__name__}: {reason}"
    if not isinstance(document, dict) or "authorization_endpoint" not in document:
        return "the answer is not an OpenID Connect configuration (no authorization_endpoint)"
    return None


def _no_email() -> None:
    st.title(t("app.title"))
    st.warning(t("auth.no_email"), icon=":material/lock_person:")
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=sign_out, key="auth_sign_out_no_email")


def _no_access() -> None:
    from .layout import escape

    person = actor()
    st.title(t("app.title"))
    st.warning(t("auth.no_access", email=escape(person.email)), icon=":material/lock_person:")
    if st.session_state.get(_REQUESTED):
        st.success(t("auth.requested"), icon=":material/check:")
    elif st.button(t("auth.request"), type="primary", icon=":material/how_to_reg:", key="auth_request"):
        try:
            access.request_access(data.engine(), person, client_address())
        except AccessError as exc:  # an address the identity provider sent but the rules refuse
            st.error(t(exc.message.key, **exc.message.params), icon=":material/error:")
        else:
            st.session_state[_REQUESTED] = True
            st.rerun()
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=sign_out, key="auth_sign_out_no_access")
