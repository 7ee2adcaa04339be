"""Page furniture shared by every page: header, the sample-data banner,
empty states, compact lists and table heights."""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from data_access.messages import GROUPED, Message
from data_access.rules.text import plain

from . import data, nav
from .i18n import t

_JOINER = "\u2060"  # WORD JOINER: invisible, and no part of a word, a host or a shortcode
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # every ASCII punctuation character, all escapable in Markdown
_WWW = re.compile("www(?=\\.)", re.IGNORECASE)
_INERT = re.compile(r"[A-Za-z0-9 ]*")  # nothing to escape: the common case, checked first

ROW_PX = 35  # one row of st.dataframe, the header row too
BORDER_PX = 3  # the table's frame


def page_header(title: str, subtitle: str | None = None) -> None:
    st.markdown(f"### {title}")
    if subtitle:
        st.caption(subtitle)


def sample_banner() -> None:
    """While sample returns are loaded, say that figures beyond the report's
    baseline are illustrative."""
    if data.sample_loaded():
        st.info(t("banner.sample"), icon=":material/science:")


def empty_state(title: str, body: str, steps: Iterable[str] = (), links: Iterable[str] = ()) -> None:
    """Guidance instead of an empty page: what is missing and what to do."""
    with st.container(border=True):
        st.markdown(f"#### {title}")
        st.markdown(body)
        steps = list(steps)
        if steps:
            st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(steps, start=1)))
        for key in links:
            nav.link(key)


def no_data() -> None:
    """The empty database: nothing has been imported yet."""
    steps = [t("empty.step_template"), t("empty.step_upload"), t("empty.step_cli")]
    if data.sample_enabled():
        steps.append(t("empty.step_sample_restart"))
    else:
        steps.append(t("empty.step_sample"))
    empty_state(t("empty.title"), t("empty.body"), steps, links=["upload"])


def bullet_list(lines: list[str], *, limit: int | None = None, more_key: str = "common.and_more") -> None:
    """Markdown bullets; beyond ``limit`` lines the rest go in an expander."""
    if not lines:
        return
    shown = lines if limit is None else lines[:limit]
    st.markdown("\n".join(f"- {line}" for line in shown))
    rest = [] if limit is None else lines[limit:]
    if rest:
        with st.expander(t(more_key, n=len(rest))):
            st.markdown("\n".join(f"- {line}" for line in rest))


def escape(text: object) -> str:
    """Untrusted text (from a workbook, a file name, a person's name, the
    address) made inert for anything Streamlit renders as Markdown:
    ``st.markdown``, captions, alerts, toasts, and the labels and ``help``
    tooltips of tabs, expanders, tiles and widgets. THE one function for it.

    The value is made plain first (:func:`data_access.rules.text.plain`: one
    line, no invisible or bidirectional characters, at most ``MAX_CHARS``).
    Then every ASCII punctuation character is escaped with a backslash, so no
    Markdown construct (link, image, emphasis, heading, list, table, code,
    math, HTML, entity) and no Streamlit directive (``:red[...]``,
    ``:material/...:``) can start; and a word joiner (U+2060, invisible) goes
    after every ``:`` and ``@`` and between ``www`` and its dot, so neither
    the autolinks of GitHub-flavoured Markdown (``www.x``, ``http://x``,
    ``name@host``) nor emoji shortcodes (``:smile:``), which are found in the
    text after the escapes are read, match. Shown, it reads as the value."""
    s = plain(text)
    if _INERT.fullmatch(s):
        return s
    s = _WWW.sub(r"\g<0>" + _JOINER, s)
    s = s.replace(":", ":" + _JOINER).replace("@", "@" + _JOINER)
    return _PUNCTUATION.sub(r"\\\g<0>", s)


def table_height(n_rows: int, max_rows: int | None = None) -> int:
    """The height in pixels at which ``st.dataframe`` shows its header and
    ``n_rows`` rows without scrolling; with ``max_rows``, at most that many
    rows (the table scrolls beyond)."""
    shown = n_rows if max_rows is None else min(n_rows, max_rows)
    return ROW_PX * (shown + 1) + BORDER_PX


def message_text(message: Message) -> str:
    """A message of the data layer (a refusal, bad input, the importer's
    progress or result) in the reader's language, for Markdown: its texts
    (an e-mail address, a name, a file name) escaped, its counts grouped."""
    from .formatting import number

    params = {k: number(v) if k in GROUPED and isinstance(v, int) else v for k, v in message.params.items()}
    return t(message.key, **{k: escape(v) if isinstance(v, str) else v for k, v in params.items()})
