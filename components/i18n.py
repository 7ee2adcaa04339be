"""One translation function for all user-facing text.

Pages and components never hold display text: they call ``t(<key>, ...)``
and the text comes from a catalogue, ``components/locales/<lang>.py``, a
module with a ``MESSAGES`` dict. English (``en``) is complete; another
language is added by dropping in ``locales/<code>.py`` (keys it lacks fall
back to English) and setting ``DASHBOARD_LANGUAGE=<code>``. No page changes.

Messages use ``str.format`` placeholders: ``t("overview.title_as_at", quarter="2026-Q3")``.
Plurals: ``tn(<key>, n)`` picks ``<key>.one`` when n == 1, else ``<key>.other``.
Enumerated values (statuses, severities, ...) are looked up under their kind:
``label("priority_status", "on track")``.

A message naming a placeholder the caller does not pass never shows its raw
template (``{quarter}``): in development and tests (``DASHBOARD_STRICT_MESSAGES=1``,
on by default under pytest) ``t`` raises a ``MessageError`` (a ``KeyError``)
naming the key and the placeholder; in production the placeholder is shown
as the "missing" dash and the mistake is logged. ``tests/test_i18n.py``
checks every catalogue message and every ``t()``/``tn()`` call with a
literal key against each other.

The language is chosen per session: ``set_language`` keeps it in
``st.session_state`` inside a Streamlit run and in a context variable
elsewhere, so one user's choice never changes another's.
"""

from __future__ import annotations

import contextvars
import importlib
import itertools
import logging
import os
import re
import threading
from functools import cache
from typing import Any

LANG_ENV = "DASHBOARD_LANGUAGE"
STRICT_ENV = "DASHBOARD_STRICT_MESSAGES"
DEFAULT_LANGUAGE = "en"

_SESSION_KEY = "_dashboard_language"
_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("dashboard_language", default=None)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_log = logging.getLogger(__name__)


class MessageError(KeyError):
    """A message cannot be filled in: it names a placeholder the caller did
    not pass, or it is not a valid ``str.format`` template."""

    def __init__(self, key: str, placeholder: str, problem: str = "was not passed") -> None:
        super().__init__(f"message {key!r}: placeholder {{{placeholder}}} {problem}")
        self.key = key
        self.placeholder = placeholder

    def __str__(self) -> str:  # KeyError would quote the whole text
        return str(self.args[0])


def strict() -> bool:
    """Whether a message that cannot be filled in raises (development, tests)
    rather than being shown with a dash and logged (production).
    ``DASHBOARD_STRICT_MESSAGES`` decides; unset, it is on under pytest."""
    value = os.environ.get(STRICT_ENV)
    if value is not None:
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return "PYTEST_CURRENT_TEST" in os.environ


class _SessionCache(threading.local):
    """The language chosen in the session a script thread serves, read from
    the session state once per script run context rather than on every call
    (``t`` runs thousands of times a page and a session-state read costs
    several times the rest). ``set_language`` in any session moves
    ``_generation`` on, so every thread reads its session again."""

    ctx: object | None = None
    generation = -1
    chosen: str | None = None


_session_cache = _SessionCache()
_generations = itertools.count()
_generation = next(_generations)


def _script_run() -> object | None:
    """The current Streamlit script run, or None outside one (there
    ``st.session_state`` is one mock shared by everybody)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True)


def set_language(code: str | None) -> None:
    """Choose the language of this session (tests, or a future language
    picker); None: back to the environment's. Inside a Streamlit run it is
    kept in the session state, elsewhere in a context variable (per thread
    or task): never for the whole process."""
    global _generation
    ctx = _script_run()
    if ctx is None:
        _language.set(code)
        return
    import streamlit as st

    if code is None:
        st.session_state.pop(_SESSION_KEY, None)
    else:
        st.session_state[_SESSION_KEY] = code
    _generation = next(_generations)


def _chosen() -> str | None:
    ctx = _script_run()
    if ctx is None:
        return _language.get()
    cached = _session_cache
    if cached.ctx is not ctx or cached.generation != _generation:
        import streamlit as st

        cached.ctx, cached.generation, cached.chosen = ctx, _generation, st.session_state.get(_SESSION_KEY)
    return cached.chosen


def language() -> str:
    """The language of this session: the one set by ``set_language``, else
    ``DASHBOARD_LANGUAGE``, else English."""
    return _chosen() or os.environ.get(LANG_ENV) or DEFAULT_LANGUAGE


@cache
def catalogue(code: str) -> dict[str, str]:
    """The messages of a language; an unknown language is an empty catalogue."""
    if not code.replace("_", "").isalnum():
        return {}
    try:
        module = importlib.import_module(f"components.locales.{code}")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "MESSAGES", {}))


def has(key: str) -> bool:
    return key in catalogue(language()) or key in catalogue(DEFAULT_LANGUAGE)


def _missing_mark() -> str:
    return catalogue(language()).get("fmt.missing") or catalogue(DEFAULT_LANGUAGE).get("fmt.missing", "—")


_reported: set[tuple[str, str]] = set()


def _wrong(error: MessageError) -> str:
    """What a placeholder that cannot be filled becomes: an error in strict
    mode, else the "missing" dash (and one log line per key and placeholder)."""
    if strict():
        raise error
    if (error.key, error.placeholder) not in _reported:
        _reported.add((error.key, error.placeholder))
        _log.error("%s", error)
    return _missing_mark()


class _Params(dict[str, Any]):
    def __init__(self, key: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.key = key

    def __missing__(self, name: str) -> Any:
        return _wrong(MessageError(self.key, name))


def fill(key: str, text: str, params: dict[str, Any]) -> str:
    """``text`` (the message of ``key``) with its placeholders filled from
    ``params``; parameters the message does not use are ignored."""
    if "{" not in text and "}" not in text:
        return text
    try:
        try:
            return text.format(**params)
        except KeyError:  # again, naming the placeholder: raises when strict, else a dash
            return text.format_map(_Params(key, params))
    except MessageError:
        raise
    except (ValueError, IndexError, AttributeError, TypeError) as error:
        # not a valid template (a lone brace, a positional "{}", a bad format spec)
        field = _PLACEHOLDER.search(text)
        name = field.group(0)[1:-1] if field else ""
        mark = _wrong(MessageError(key, name, f"cannot be filled in ({error})"))
        return _PLACEHOLDER.sub(mark, text).replace("{", "").replace("}", "")


def t(key: str, /, **params: Any) -> str:
    """The text for ``key`` in the current language (English when missing,
    the key itself when English lacks it too), formatted with ``params``."""
    text = catalogue(language()).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return fill(key, text, params)


def tn(key: str, n: int | float, /, **params: Any) -> str:
    """Plural-aware ``t``: ``key.one`` for exactly one, else ``key.other``.
    ``n`` is passed on as ``{n}`` (whole numbers with thousands separators:
    ``10,286``) unless given explicitly."""
    if "n" not in params:
        from .formatting import number  # formatting uses this module's t()

        params["n"] = number(n) if isinstance(n, int) or float(n).is_integer() else n
    return t(f"{key}.one" if n == 1 else f"{key}.other", **params)


def label(kind: str, value: Any) -> str:
    """Display text of an enumerated value (e.g. a status); the value itself
    when the catalogue has no entry."""
    if value is None:
        return t("common.none")
    key = f"{kind}.{value}"
    return t(key) if has(key) else str(value)
