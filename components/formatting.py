"""Number, percentage and date formatting, the same on every page.

Separators, the "approx." mark and month names come from the translation
catalogue, so a new language formats numbers its own way.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from .i18n import t


def missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _group(digits: str) -> str:
    sep = t("fmt.thousands_sep")
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def _plain(value: float, decimals: int) -> str:
    """Absolute value with thousands separators and the decimal separator."""
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    body = _group(whole)
    return body + (t("fmt.decimal_sep") + frac if frac else "")


def number(value: Any, *, approx: bool = False, decimals: int = 0) -> str:
    """``73715`` -> ``73,715``; with ``approx`` -> ``approx. 422``; None -> a dash."""
    if missing(value):
        return t("fmt.missing")
    v = float(value)
    text = ("-" if v < 0 and round(abs(v), decimals) != 0 else "") + _plain(v, decimals)
    return t("fmt.approx", value=text) if approx else text


def signed(delta: Any, *, decimals: int = 0) -> str:
    """A change with its sign: ``+1,563``, ``-12``, ``0``."""
    if missing(delta):
        return ""
    v = float(delta)
    if round(v, decimals) == 0:
        return _plain(0, decimals)
    return ("+" if v > 0 else "-") + _plain(v, decimals)


def percent(share: Any, *, decimals: int = 0) -> str:
    """A share (0..1) as a percentage: ``0.2754`` -> ``28%``."""
    if missing(share):
        return t("fmt.missing")
    return t("fmt.percent", value=_plain(float(share) * 100, decimals))


def points(delta_share: Any, *, decimals: int = 1) -> str:
    """A change of a share in percentage points: ``+1.5 pp``."""
    if missing(delta_share):
        return ""
    v = float(delta_share) * 100
    sign = "" if round(v, decimals) == 0 else ("+" if v > 0 else "-")
    return t("fmt.points", value=sign + _plain(v, decimals))


def _month(m: int) -> str:
    names = t("fmt.months").split(",")
    return names[m - 1].strip() if len(names) == 12 else str(m)


def _as_date(value: Any) -> dt.date | str:
    """A date (or datetime) from a date, a timestamp or an ISO string; a string
    that is not an ISO date comes back as it is, to be shown as it is."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def date(value: Any) -> str:
    """``2026-10-26`` -> ``26 Oct 2026``; a text that is not a date is shown as it is, None as a dash."""
    if missing(value):
        return t("fmt.missing")
    day = _as_date(value)
    if isinstance(day, str):
        return day
    return t("fmt.date", day=day.day, month=_month(day.month), year=day.year)


def short_date(value: Any) -> str:
    """``2026-10-26`` -> ``26 Oct`` (for dense grids); like ``date``, a text that
    is not a date is shown as it is, None as a dash."""
    if missing(value):
        return t("fmt.missing")
    day = _as_date(value)
    if isinstance(day, str):
        return day
    return t("fmt.short_date", day=day.day, month=_month(day.month))


def datetime(value: Any) -> str:
    """A timestamp to the minute: ``26 Nov 2026 19:37``."""
    if missing(value):
        return t("fmt.missing")
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return t("fmt.datetime", date=date(value), time=value.strftime("%H:%M"))
