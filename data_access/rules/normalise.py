"""Normalisation of headers and cell values, one column at a time.

Every parser takes a pandas Series of raw cell values (as read from the
workbook: None, str, int, float, bool, date, datetime) and returns the parsed
Series plus a list of ``(position, problem)`` pairs for the cells it could not
accept. Work is vectorised with pandas string and numeric operations; only the
rare oddities fall back to Python per value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import TypeGuard, TypeVar

import numpy as np
import pandas as pd

Problems = list[tuple[int, str]]
T = TypeVar("T")

_SEP = re.compile(r"[\s_\-]+")


def header_key(text: object) -> str:
    """``Progress %``, ``progress_pct`` and ``PROGRESS PCT`` give one key."""
    s = str(text).strip().lower().replace("%", " pct ")
    return _SEP.sub("_", s).strip("_")


def enum_key(text: object) -> str:
    """``in_progress``, ``In progress`` and ``in-progress`` give one key."""
    return _SEP.sub(" ", str(text).strip().lower()).strip()


def omap(s: pd.Series, func) -> pd.Series:
    """Apply ``func`` to each value, keeping None as None (``Series.map``
    turns None into NaN on object data)."""
    return pd.Series([func(v) for v in s], index=s.index, dtype=object)


def is_missing(value: object) -> bool:
    """The one rule for "no value here", in cells, rows and figures alike:
    None, NaN, pandas' ``NA`` and ``NaT``, and text that is empty or only
    spaces (a blank cell). Anything else is a value, zero and False
    included."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, str):
        return not value.strip()
    return False


def as_date(value: object) -> dt.date | None:
    """A stored or computed date as a ``datetime.date``: from a date, a
    datetime or pandas Timestamp, or ISO text (a time part is ignored);
    None when the value is missing or not a date."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _positions(mask: pd.Series | np.ndarray) -> list[int]:
    """The positions where a boolean mask is true."""
    return [int(i) for i in np.flatnonzero(np.asarray(mask))]


def has_value(value: T | None) -> TypeGuard[T]:
    """Not :func:`is_missing`; typed so that ``if has_value(x):`` knows x is set."""
    return not is_missing(value)


def missing_mask(s: pd.Series) -> pd.Series:
    """:func:`is_missing` for every value of a Series, vectorised."""
    as_text = s.map(lambda v: v.strip() if isinstance(v, str) else v)
    return as_text.isna() | as_text.eq("")


def text_or_none(value: object) -> str | None:
    """A value as trimmed text; None when it is missing (:func:`is_missing`)."""
    return None if is_missing(value) else str(value).strip()


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text, None for blanks. Numbers keep a plain spelling
    (``12.0`` becomes ``"12"``) so identifiers typed as numbers still match."""

    def one(v: object) -> str | None:
        if type(v) is str:
            v = v.strip()
            return v or None
        if is_missing(v):
            return None
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v).strip()

    return omap(s, one)


def text_problem(text: str, max_chars: int, what: str = "the text") -> str | None:
    """Why the database could not store ``text`` (a cell as :func:`clean_text`
    gives it), naming it ``what`` and the limit; None when it can: more than
    ``max_chars`` characters, or a NUL character (code 0, which a workbook
    can hold as ``_x0000_`` and PostgreSQL cannot store)."""
    if len(text) > max_chars:
        return f"{what} is {len(text):,} characters long; at most {max_chars:,} are accepted"
    if "\x00" in text:
        return f"{what} holds an invisible NUL character (code 0), which cannot be stored; retype the cell without it"
    return None


def parse_text(s: pd.Series, max_chars: int, what: str = "the text") -> tuple[pd.Series, Problems]:
    """Trimmed text (:func:`clean_text`), and the cells the database could
    not store (:func:`text_problem`)."""
    out = clean_text(s)
    problems: Problems = []
    for i, v in enumerate(out.tolist()):
        why = None if v is None else text_problem(v, max_chars, what)
        if why is not None:
            problems.append((i, why))
    return out, problems


_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def parse_number(
    s: pd.Series,
    *,
    whole: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> tuple[pd.Series, Problems]:
    """Numbers arrive as numbers or as text such as ``"73 715"`` (ordinary or
    non-breaking spaces) and ``"73,715"``. Returns floats (NaN for blanks)."""
    blank = missing_mask(s)
    is_bool = s.map(lambda v: isinstance(v, bool))
    native = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    values = pd.Series(np.nan, index=s.index, dtype="float64")
    values[native] = pd.to_numeric(s[native], errors="coerce")
    texts = s[~native & ~blank & ~is_bool].map(str).str.strip()
    if len(texts):
        squeezed = texts.str.replace(_SPACES, "", regex=True)
        grouped = squeezed.str.match(_GROUPED_COMMA)
        squeezed = squeezed.where(~grouped, squeezed.str.replace(",", "", regex=False))
        values[texts.index] = pd.to_numeric(squeezed, errors="coerce")
    problems: Problems = []
    bad = (~blank & values.isna()).to_numpy()
    accepted = "a whole number" if whole else "a number"
    for i in _positions(bad):
        raw = s.iloc[i]
        hint = " (use a point for decimals)" if isinstance(raw, str) and "," in raw else ""
        problems.append((i, f"{raw!r} is not a number; expected {accepted}{hint}"))
    ok = values.notna().to_numpy()
    if whole:
        frac = ok & (np.mod(values.fillna(0).to_numpy(), 1) != 0)
        problems += [
            (i, f"{values.iloc[i]:g} is not a whole number; counts must be whole numbers") for i in _positions(frac)
        ]
    if minimum is not None:
        low = ok & (values.fillna(minimum).to_numpy() < minimum)
        problems += [
            (i, f"{_figure(values.iloc[i])} is below the minimum of {_figure(minimum)}") for i in _positions(low)
        ]
    if maximum is not None:
        high = ok & (values.fillna(maximum).to_numpy() > maximum)
        problems += [
            (i, f"{_figure(values.iloc[i])} is above the maximum of {_figure(maximum)}") for i in _positions(high)
        ]
    return values, problems


def _figure(x: float) -> str:
    """A number as a message shows it: whole numbers in full with thousands
    separators (``2,147,483,647``), others as short as they go (``12.5``)."""
    return f"{int(x):,}" if math.isfinite(x) and float(x).is_integer() else f"{x:g}"


_EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
DATE_ACCEPTED = "a date cell, or text such as 2024-03-31, 31.03.2024 or 31/03/2024"


def parse_date(s: pd.Series) -> tuple[pd.Series, Problems]:
    """Dates arrive as date cells, Excel serial numbers, or text in ISO or
    day-first form. Returns ``datetime.date`` objects (None for blanks)."""
    out = pd.Series([None] * len(s), index=s.index, dtype=object)
    blank = missing_mask(s)
    is_dt = s.map(lambda v: isinstance(v, (dt.date, dt.datetime)))
    out[is_dt] = omap(s[is_dt], lambda v: v.date() if isinstance(v, dt.datetime) else v)
    is_num = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    if is_num.any():
        nums = s[is_num].astype(float)
        good = (nums >= 1) & (nums < 2958466)
        out[good[good].index] = omap(nums[good], lambda n: _EXCEL_EPOCH + dt.timedelta(days=int(n)))
    texts = s[~blank & ~is_dt & ~is_num].map(str).str.strip()
    if len(texts):
        parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
        # ISO text may carry a midnight time part, as some tools write it.
        iso = texts.str.replace(r"[ T]00:00(:00)?$", "", regex=True)
        for fmt in DATE_FORMATS:
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(iso[todo], format=fmt, errors="coerce")
        found = parsed.notna()
        out[found[found].index] = omap(parsed[found], lambda t: t.date())
    problems = [(i, f"{s.iloc[i]!r} is not a date; expected {DATE_ACCEPTED}") for i in _positions(~blank & out.isna())]
    return out, problems


def parse_enum(s: pd.Series, allowed: Iterable[str]) -> tuple[pd.Series, Problems]:
    allowed = tuple(allowed)
    keys = {enum_key(a): a for a in allowed}
    blank = missing_mask(s)
    memo: dict[object, str | None] = {}

    def one(v: object) -> str | None:
        try:
            return memo[v]
        except KeyError:
            memo[v] = out_v = None if is_missing(v) else keys.get(enum_key(v))
            return out_v
        except TypeError:  # unhashable
            return None if is_missing(v) else keys.get(enum_key(v))

    out = omap(s, one)
    listed = ", ".join(allowed)
    problems = [
        (i, f"{str(s.iloc[i]).strip()!r} is not an accepted value; use one of: {listed}")
        for i in _positions(~blank & out.isna())
    ]
    return out, problems


_YES = {"yes", "y", "true", "1", "x", "pilot"}
_NO = {"no", "n", "false", "0"}


def parse_yes_no(s: pd.Series) -> tuple[pd.Series, Problems]:
    def one(v: object) -> object:
        if is_missing(v):
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)) and v in (0, 1):
            return bool(v)
        k = enum_key(v)
        if k in _YES:
            return True
        if k in _NO:
            return False
        return "?"

    out = omap(s, one)
    bad = omap(out, lambda v: v == "?").astype(bool)
    problems = [(i, f"{s.iloc[i]!r} is not yes or no") for i in _positions(bad)]
    out[bad] = None
    return out, problems
