"""Quarter arithmetic. A quarter is written canonically as ``YYYY-Qn``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*-?\s*Q(?P<q>[1-4])$"),  # 2024-Q1, 2024Q1, 2024 Q1
    re.compile(r"^Q(?P<q>[1-4])\s*-?\s*(?P<y>\d{4})$"),  # Q1 2024, Q1-2024
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def index(self) -> int:
        """Monotonic number: consecutive quarters differ by one."""
        return self.year * 4 + self.q - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def shift(self, n: int) -> Quarter:
        return Quarter.from_index(self.index + n)

    def previous(self) -> Quarter:
        return self.shift(-1)

    def next(self) -> Quarter:
        return self.shift(1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def parse_quarter(text: object) -> Quarter | None:
    """Parse any accepted spelling (``2024-Q1``, ``2024Q1``, ``2024 Q1``,
    ``Q1 2024``, ``Q1-2024``; any case). Returns None when not a quarter."""
    if text is None:
        return None
    s = str(text).strip().upper()
    for pat in _PATTERNS:
        m = pat.match(s)
        if m:
            return Quarter(int(m.group("y")), int(m.group("q")))
    return None


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_range(first: Quarter | str, last: Quarter | str) -> list[Quarter]:
    a = first if isinstance(first, Quarter) else parse_quarter(first)
    b = last if isinstance(last, Quarter) else parse_quarter(last)
    if a is None or b is None:
        raise ValueError("not a quarter")
    return [Quarter.from_index(i) for i in range(a.index, b.index + 1)]


def canonical(text: object) -> str:
    """Canonical spelling, raising ValueError for anything else."""
    q = parse_quarter(text)
    if q is None:
        raise ValueError(f"{text!r} is not a quarter (expected e.g. 2024-Q1)")
    return str(q)
