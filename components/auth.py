"""Who is using the app: sign-in, local mode, and the acting person.

``app.py`` calls :func:`gate` once per run, before any data is read. It
decides the acting person (an :class:`~data_access.rules.access.Actor`) and
stops the run with an explanation when nobody may see data:

* **Sign-in configured** (an ``[auth]`` section in ``.streamlit/secrets.toml``):
  Streamlit's OpenID Connect sign-in (``st.login``, ``st.user``,
  ``st.logout``). The account (role and countries) is read from the database
  on every run, so a change made by an administrator shows on the next
  interaction. Signed in without an account: "no access yet" and a button
  that records an access request.
* **Local mode** (no ``[auth]``): the person at the machine is an
  administrator, provided the server listens on this computer only
  (``server.address`` is a loopback address, as ``.streamlit/config.toml``
  sets it); bound to any other address, the app shows no data, only how to
  configure sign-in.

Everything else asks :func:`actor` for the acting person; what that person
may do is decided in ``data_access`` (:mod:`data_access.rules.access`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit import config as st_config

from data_access import access, audit
from data_access.rules.access import Actor, is_loopback, local_actor, may

from . import data
from .i18n import t
from .layout import escape

README_SHARING = "README.md#sharing-it"
"""Where the README explains how to configure sign-in (named in the notices)."""

_ACTOR = "_acting_person"
_SIGNED_IN = "_signed_in_recorded"
_REQUESTED = "_access_requested"


def sign_in_configured() -> bool:
    """Whether ``secrets.toml`` has an ``[auth]`` section (sign-in through
    an identity provider); otherwise the app runs in local mode."""
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all, or one that cannot be read
        return False


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


def actor() -> Actor:
    """The acting person of this run, as decided by :func:`gate`. Outside
    the app shell (a page run on its own in a test), decided here."""
    found = st.session_state.get(_ACTOR)
    if isinstance(found, Actor):
        return found
    return _decide()


def _decide() -> Actor:
    if not sign_in_configured():
        return local_actor()
    user = st.user
    if not user.get("is_logged_in") or not user.get("email"):
        return Actor("", "", None)
    return access.actor_for(data.engine(), str(user.get("email")), _display_name(user))


def _display_name(user: Any) -> str | None:
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
            _configure_sign_in()
            st.stop()
        person = local_actor()
        st.session_state[_ACTOR] = person
        return person
    if not st.user.get("is_logged_in"):
        _sign_in_screen()
        st.stop()
    person = _decide()
    if not st.session_state.get(_SIGNED_IN):
        audit.log(data.engine(), person, "sign_in", address=client_address(), role=person.role)
        st.session_state[_SIGNED_IN] = True
    if person.role is None:
        _no_access(person)
        st.stop()
    st.session_state[_ACTOR] = person
    return person


def sidebar(person: Actor) -> None:
    """Who is signed in and the sign-out button; in local mode, the quiet
    banner that says anyone at this computer has full rights."""
    with st.sidebar:
        if person.via == "local":
            st.caption(
                t("auth.local_banner", link=README_SHARING), help=t("auth.local_sidebar", name=escape(person.name))
            )
            return
        who = escape(person.name or person.email)  # from the identity provider: untrusted
        st.caption(t("auth.signed_in_as", name=who, role=t(f"auth.role.{person.role}")))
        st.button(t("auth.sign_out"), icon=":material/logout:", on_click=sign_out, key="auth_sign_out")


def sign_out() -> None:
    person = actor()
    if person.email:
        audit.log(data.engine(), person, "sign_out", address=client_address())
    st.session_state.pop(_SIGNED_IN, None)
    st.logout()


def allowed(action: str, country: str | None = None) -> bool:
    """Whether the acting person may do ``action`` (for ``country``): for
    hiding what the rules forbid. The rules are enforced in ``data_access``."""
    return may(actor(), action, country)


# --------------------------------------------------------------------------- screens that stop the run


def _configure_sign_in() -> None:
    st.title(t("app.title"))
    st.error(t("auth.exposed.title", address=server_address() or "0.0.0.0"), icon=":material/lock:")
    st.markdown(t("auth.exposed.body", link=README_SHARING))


def _sign_in_screen() -> None:
    st.title(t("app.title"))
    st.markdown(t("auth.sign_in.body"))
    if st.button(t("auth.sign_in"), type="primary", icon=":material/login:", key="auth_sign_in"):
        st.login()


def _no_access(person: Actor) -> None:
    st.title(t("app.title"))
    st.warning(t("auth.no_access", email=escape(person.email)), icon=":material/lock_person:")
    if st.session_state.get(_REQUESTED):
        st.success(t("auth.requested"), icon=":material/check:")
    elif st.button(t("auth.request"), type="primary", key="auth_request"):
        access.request_access(data.engine(), person, client_address())
        st.session_state[_REQUESTED] = True
        st.rerun()
    st.button(t("auth.sign_out"), icon=":material/logout:", on_click=sign_out, key="auth_sign_out_no_access")
