"""The pages of the app and how they are grouped.

A page is listed only when its file exists, so pages that are not built yet
are simply not shown; adding ``pages/<file>`` makes it appear. Titles come
from the translation catalogue (``nav.<key>``).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from data_access.rules.access import Actor, may

from .errors import guard
from .i18n import t

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the URL path
    file: str  # relative to the project root
    group: str  # "programme" | "data"
    icon: str
    default: bool = False
    needs: str = "read"  # the action (data_access.rules.access.ACTIONS) a person needs to see the page

    @property
    def path(self) -> Path:
        p = Path(self.file)
        return p if p.is_absolute() else ROOT / p


PAGES: list[PageSpec] = [
    PageSpec("overview", "pages/overview.py", "programme", ":material/dashboard:", default=True),
    PageSpec("countries", "pages/countries.py", "programme", ":material/flag:"),
    PageSpec("findings", "pages/findings.py", "programme", ":material/fact_check:"),
    PageSpec("priorities", "pages/priorities.py", "programme", ":material/flag_circle:"),
    PageSpec("map", "pages/map.py", "programme", ":material/map:"),
    PageSpec("upload", "pages/upload.py", "data", ":material/upload_file:", needs="upload"),
    PageSpec("upload_history", "pages/upload_history.py", "data", ":material/history:", needs="check"),
    PageSpec("access", "pages/access.py", "admin", ":material/manage_accounts:", needs="manage_users"),
    PageSpec("audit_trail", "pages/audit_trail.py", "admin", ":material/policy:", needs="read_audit"),
]
GROUPS = ("programme", "data", "admin")

_pages: dict[str, st.Page] = {}
_in_shell: ContextVar[bool] = ContextVar("in_app_shell", default=False)
_REROUTED = "_nav_rerouted"


def available(person: Actor | None = None) -> list[PageSpec]:
    """The pages that exist and, given a person, that they may see."""
    return [p for p in PAGES if p.path.is_file() and (person is None or may(person, p.needs))]


def navigation(person: Actor | None = None) -> st.Page:
    """Register the pages that exist and ``person`` may see (default: the
    acting person), grouped, and return the current one."""
    global _pages
    if person is None:
        from .auth import actor

        person = actor()
    specs = available(person)
    if not specs:  # nobody may see a page (signed out, no account, exposed without sign-in)
        from .auth import gate

        gate()  # says why, and stops the run
    sections: dict[str, list[st.Page]] = {}
    pages: dict[str, st.Page] = {}
    for spec in specs:
        page = st.Page(
            str(spec.path), title=t(f"nav.{spec.key}"), icon=spec.icon, url_path=spec.key, default=spec.default
        )
        pages[spec.key] = page
        sections.setdefault(t(f"nav.group.{spec.group}"), []).append(page)
    _pages = pages  # replaced in one step: another session's links never see a half-filled registry
    return st.navigation(sections, position="sidebar")


def uses_filters(page: st.Page) -> bool:
    """Whether the global filters (countries, quarter) apply to ``page``:
    not on the administration pages, which are about people, not data."""
    return not any(spec.group == "admin" and _pages.get(spec.key) is page for spec in PAGES)


def run(page: st.Page) -> None:
    """Run the current page inside the app shell: ``app.py`` calls this, not
    ``page.run()``. An unexpected error shows a short message with an
    incident reference and goes to the server's log (:func:`errors.guard`)."""
    token = _in_shell.set(True)
    try:
        with guard(f"the page {getattr(page, 'url_path', page)!r}"):
            page.run()
    finally:
        _in_shell.reset(token)


def ensure_shell() -> None:
    """Make sure the page runs inside the app shell.

    Streamlit treats a ``pages/`` folder next to the entry script as a
    legacy multipage app until ``st.navigation`` is first called in the
    process: on a server's very first run (e.g. someone opening a copied
    link to /findings right after a restart) it runs the page file on its
    own, without the shell (no filters, no database start-up). Pages call
    this (through ``filters.current()``, at the top of the page, not inside
    an ``st.fragment``). Outside the shell (``run`` was not called in this
    run) it calls ``st.navigation``, which by its documented behaviour makes
    the app ignore the ``pages/`` folder from then on, in every session, and
    restarts the run, now through ``app.py``. Page files are named after
    their URL paths (``pages/findings.py`` is ``/findings``) so that such a
    first request finds its page in both modes. Should the restart still not
    reach the shell (a page file run as the entry script), the page runs on
    its own rather than restarting forever."""
    if _in_shell.get():
        if _REROUTED in st.session_state:
            del st.session_state[_REROUTED]
        return
    if st.session_state.pop(_REROUTED, False):
        return
    st.session_state[_REROUTED] = True
    navigation()
    st.rerun()


def link(
    key: str,
    label: str | None = None,
    icon: str | None = None,
    query_params: dict[str, str] | None = None,
    help: str | None = None,
) -> bool:
    """A link to a page if it exists in this app; returns whether it was drawn.
    ``query_params`` are added to the target's URL (e.g. ``{"facility": id}``);
    the global filters travel with the session anyway."""
    page = _pages.get(key)
    if page is None:
        return False
    st.page_link(page, label=label or t(f"nav.{key}"), icon=icon, query_params=query_params or None, help=help)
    return True


def has(key: str) -> bool:
    return key in _pages
