"""The pages of the app and how they are grouped.

A page is listed only when its file exists, so pages that are not built yet
are simply not shown; adding ``pages/<file>`` makes it appear. Titles come
from the translation catalogue (``nav.<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .i18n import t

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the URL path
    file: str  # relative to the project root
    group: str  # "programme" | "data"
    icon: str
    default: bool = False

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
    PageSpec("upload", "pages/upload.py", "data", ":material/upload_file:"),
    PageSpec("upload_history", "pages/upload_history.py", "data", ":material/history:"),
]
GROUPS = ("programme", "data")

_pages: dict[str, st.Page] = {}


def available() -> list[PageSpec]:
    return [p for p in PAGES if p.path.is_file()]


def navigation():
    """Register the pages that exist, grouped, and return the current one."""
    sections: dict[str, list] = {}
    _pages.clear()
    for spec in available():
        page = st.Page(
            str(spec.path), title=t(f"nav.{spec.key}"), icon=spec.icon, url_path=spec.key, default=spec.default
        )
        _pages[spec.key] = page
        sections.setdefault(t(f"nav.group.{spec.group}"), []).append(page)
    return st.navigation(sections, position="sidebar")


def ensure_shell() -> None:
    """Make sure the page runs inside the app shell.

    Streamlit treats a ``pages/`` folder next to the entry script as a
    legacy multipage app until ``st.navigation`` is first called in the
    process: on a server's very first run (e.g. someone opening a copied
    link to /overview right after a restart) it would run the page file on
    its own, without the shell (no filters, no database start-up). Pages
    call this (through ``filters.current()``): in that case it switches the
    legacy mode off and restarts the run through ``app.py``. Page files are
    named after their URL paths (``pages/findings.py`` is ``/findings``) so
    that such a first request finds its page in both modes."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
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
