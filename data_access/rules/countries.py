"""Rules of the country profiles, as plain functions: no database, no
Streamlit, so they are tested on their own.

- **Derived shares** are computed from the stored figures, never typed:
  violent extremist prisoners and FTF detainees per 100 prisoners, the
  share of women and the share in pre-trial detention. A share is
  approximate when any of its inputs is, and says which; when its inputs
  were reported for different quarters it carries the older quarter.
- **Per 100 prisoners**: the figures that count people held in prison are
  also given per 100 prisoners in the comparison, so that a large and a
  small prison system can be compared.
- **Baseline**: the first figure stored for an indicator (for the
  programme's four countries: the 2019-2023 achievements report, stored for
  2023-Q4). Its change to the figure as at the selected quarter is a plain
  difference; figures are never corrected, however doubtful they look.
- **Last known figures**: a figure reported for an earlier quarter than the
  selected one is shown with its own quarter (carried forward, not
  interpolated).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsFloat

from .normalise import is_missing
from .quarters import Quarter, parse_quarter
from .reference import INDICATOR_CODES

# The indicators of a profile, in display order (the contract's catalogue).
PROFILE_INDICATORS: tuple[str, ...] = INDICATOR_CODES
# The headline figures of a profile and of the comparison.
CORE_INDICATORS: tuple[str, ...] = (
    "prisoners_total",
    "prisoners_female",
    "prisoners_pretrial",
    "prisons_total",
    "pretrial_centres",
    "ve_prisoners",
    "ftf_detainees",
)
REPATRIATION_INDICATORS: tuple[str, ...] = (
    "repatriated_total",
    "repatriated_men",
    "repatriated_women",
    "repatriated_children",
)
PRISONERS = "prisoners_total"
# Figures that count people in prison: compared per 100 prisoners.
PER_100_INDICATORS: tuple[str, ...] = ("prisoners_female", "prisoners_pretrial", "ve_prisoners", "ftf_detainees")

PER_100, SHARE = "per_100", "share"

# The kind of upload whose figures are the report's (see data_access.sample).
REPORT_SOURCE_KIND = "baseline"


@dataclass(frozen=True)
class Figure:
    """A stored figure: its value, whether it is approximate and the quarter
    it was reported for."""

    value: float | None
    approximate: bool = False
    quarter: str | None = None

    @property
    def known(self) -> bool:
        return _number(self.value) is not None


@dataclass(frozen=True)
class ShareDef:
    code: str
    numerator: str
    denominator: str
    unit: str  # per_100 | share

    @property
    def factor(self) -> float:
        return 100.0 if self.unit == PER_100 else 1.0


SHARES: tuple[ShareDef, ...] = (
    ShareDef("ve_per_100", "ve_prisoners", PRISONERS, PER_100),
    ShareDef("ftf_per_100", "ftf_detainees", PRISONERS, PER_100),
    ShareDef("female_share", "prisoners_female", PRISONERS, SHARE),
    ShareDef("pretrial_share", "prisoners_pretrial", PRISONERS, SHARE),
)
SHARE_BY_CODE = {s.code: s for s in SHARES}


@dataclass(frozen=True)
class Derived:
    """A computed share: None when an input is missing or the base is zero."""

    code: str
    value: float | None
    approximate: bool
    approximate_inputs: tuple[str, ...]  # the inputs that are approximate
    missing_inputs: tuple[str, ...]  # the inputs that are not reported
    quarter: str | None  # the older of the inputs' quarters
    mixed_quarters: bool  # the inputs were reported for different quarters
    numerator: Figure | None = None
    denominator: Figure | None = None


def _number(v: object) -> float | None:
    """A figure as a float; None when it is missing (:func:`is_missing`) or
    not a number."""
    if is_missing(v) or not isinstance(v, (str, SupportsFloat)):
        return None
    try:
        n = float(v)
    except ValueError:
        return None
    return None if math.isnan(n) else n


def ratio(part: float | None, whole: float | None, factor: float = 1.0) -> float | None:
    """``part / whole * factor``; None when either is missing or the whole is zero."""
    p, w = _number(part), _number(whole)
    if p is None or w is None or w == 0:
        return None
    return p / w * factor


def per_100(part: float | None, prisoners: float | None) -> float | None:
    """How many per 100 prisoners."""
    return ratio(part, prisoners, 100.0)


def older_quarter(*quarters: str | None) -> str | None:
    qs = [q for q in (parse_quarter(x) for x in quarters if x) if q is not None]
    return str(min(qs)) if qs else None


def derive(share: ShareDef, figures: Mapping[str, Figure]) -> Derived:
    """One share from a country's figures (indicator code -> Figure)."""
    num, den = figures.get(share.numerator), figures.get(share.denominator)
    missing = tuple(code for code, f in ((share.numerator, num), (share.denominator, den)) if f is None or not f.known)
    approx = tuple(
        code
        for code, f in ((share.numerator, num), (share.denominator, den))
        if f is not None and f.known and f.approximate
    )
    if missing or num is None or den is None:
        return Derived(share.code, None, False, approx, missing, None, False, num, den)
    value = ratio(num.value, den.value, share.factor)
    quarters = {num.quarter, den.quarter} - {None}
    return Derived(
        share.code,
        value,
        bool(approx) and value is not None,
        approx,
        (),
        older_quarter(num.quarter, den.quarter),
        len(quarters) > 1,
        num,
        den,
    )


def derive_all(figures: Mapping[str, Figure], shares: Sequence[ShareDef] = SHARES) -> list[Derived]:
    return [derive(s, figures) for s in shares]


def per_100_figure(code: str, figures: Mapping[str, Figure]) -> Derived | None:
    """A figure per 100 prisoners (for the comparison); None for figures
    that do not count people in prison (prisons, repatriations)."""
    if code not in PER_100_INDICATORS:
        return None
    return derive(ShareDef(f"{code}_per_100", code, PRISONERS, PER_100), figures)


def decimals_for(value: float | None) -> int:
    """Decimals to show a share or a figure per 100 prisoners with: one, or
    two below 1 (so that 0.14 and 0.05 FTF detainees per 100 prisoners do
    not both read 0.1)."""
    n = _number(value)
    if n is None:
        return 1
    return 2 if abs(n) < 1 else 1


# --------------------------------------------------------------------------- baseline and quarters


def is_report(source_kind: str | None) -> bool:
    """Whether a figure comes from the achievements report (the baseline
    upload) rather than from a country's return."""
    return source_kind == REPORT_SOURCE_KIND


def change_since(value: float | None, baseline: float | None) -> float | None:
    v, b = _number(value), _number(baseline)
    if v is None or b is None:
        return None
    return v - b


def is_carried_forward(figure_quarter: str | None, selected: str | None) -> bool:
    """A figure reported for a quarter before the selected one: shown as the
    last known figure, labelled with its quarter."""
    a, b = parse_quarter(figure_quarter), parse_quarter(selected)
    return a is not None and b is not None and a < b


CURRENT, CARRIED, NONE = "current", "carried", "none"


def data_status(last_quarter: str | None, selected: str | None) -> str:
    """``current`` when the country reported figures for the selected
    quarter, ``carried`` when its last figures are from an earlier quarter,
    ``none`` when it has reported none up to the selected quarter."""
    if parse_quarter(last_quarter) is None:  # None, NaN or not a quarter
        return NONE
    return CARRIED if is_carried_forward(last_quarter, selected) else CURRENT


def carry_forward(points: Mapping[str, Figure], quarters: Iterable[str]) -> dict[str, Figure | None]:
    """The figure as at the end of each quarter: the latest point at or
    before it (with the quarter it was reported for), None before the first."""
    known = [(pq, f) for q, f in points.items() if (pq := parse_quarter(q)) is not None]
    ordered = sorted(known, key=lambda x: x[0])
    out: dict[str, Figure | None] = {}
    i, last = 0, None

    def when(q: str) -> Quarter:
        return parse_quarter(q) or Quarter(0, 1)  # not a quarter: before any figure

    for q in sorted(quarters, key=when):
        pq = when(q)
        while i < len(ordered) and ordered[i][0] <= pq:
            last = ordered[i][1]
            i += 1
        out[q] = last
    return out


# --------------------------------------------------------------------------- activities


def female_share(female: float | None, base: float | None) -> float | None:
    """Share of women among participants, over the activities that report
    both figures (``base`` = their participants)."""
    return ratio(female, base)
