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
"""

from __future__ import annotations

import importlib
import os
from functools import cache
from typing import Any

LANG_ENV = "DASHBOARD_LANGUAGE"
DEFAULT_LANGUAGE = "en"

_override: str | None = None


def set_language(code: str | None) -> None:
    """Force a language (tests, or a future language picker); None: back to the environment."""
    global _override
    _override = code


def language() -> str:
    return _override or os.environ.get(LANG_ENV) or DEFAULT_LANGUAGE


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


def t(key: str, /, **params: Any) -> str:
    """The text for ``key`` in the current language (English when missing,
    the key itself when English lacks it too), formatted with ``params``."""
    text = catalogue(language()).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


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
