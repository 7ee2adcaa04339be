"""From a raw workbook (a grid of cells per sheet) to a parsed quarterly
return: sheets matched, headers normalised, every cell parsed and checked on
its own and against the rest of the workbook.

Checks that need the database (is this facility known? what was last
quarter's figure?) live in :mod:`data_access.rules.checks` and take a plain
snapshot of the stored state, so both stay testable without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from . import reference as ref
from .issues import IssueList
from .normalise import (
    clean_text,
    enum_key,
    header_key,
    is_missing,
    missing_mask,
    omap,
    parse_date,
    parse_enum,
    parse_number,
    parse_text,
    parse_yes_no,
    text_problem,
)
from .quarters import Quarter, parse_quarter
from .sheets import ALWAYS, DATA_SHEETS, ID_MAX_CHARS, RETURN_FIELDS, TEXT_LIMITS, SheetSpec


class RawSheetLike(Protocol):
    name: str
    rows: list[list[Any]]


@dataclass(frozen=True)
class ReturnLimits:
    """The limits of one return: data rows per sheet, and the general limit
    on a text cell (``DASHBOARD_MAX_ROWS``, ``DASHBOARD_MAX_CELL_CHARS``)."""

    max_rows: int = 50_000
    max_cell_chars: int = 2_000

    def chars(self, stored: int | None) -> int:
        """The most characters a text cell may hold: the general limit, or
        what the database stores of its column (``stored``, from
        :data:`~data_access.rules.sheets.TEXT_LIMITS`) when that is less."""
        return self.max_cell_chars if stored is None else min(self.max_cell_chars, stored)


# Sheets the template adds for people (instructions, dropdown lists): ignored silently.
AUXILIARY_SHEETS = {"instructions", "lists"}


def column_letter(index0: int) -> str:
    letters = ""
    n = index0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class ParsedSheet:
    spec: SheetSpec
    title: str  # as written in the workbook
    frame: pd.DataFrame  # one row per data row: parsed columns + "_row" (Excel row number)
    letters: dict[str, str]  # column name -> column letter in the workbook

    def cell(self, column: str, position: int) -> str:
        """Excel reference of a column in the frame's row at ``position``."""
        row = int(self.frame["_row"].iloc[position])
        letter = self.letters.get(column)
        return f"{letter}{row}" if letter else f"row {row}"

    def has(self, column: str) -> bool:
        return column in self.letters

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (missing values as None), built once."""
        cached = self.__dict__.get("_records")
        if cached is None:
            cols = list(self.frame.columns)
            lists = [[None if is_missing(v) else v for v in self.frame[c].tolist()] for c in cols]
            cached = [dict(zip(cols, row, strict=False)) for row in zip(*lists, strict=False)] if cols else []
            self.__dict__["_records"] = cached
        return cached


@dataclass
class ParsedReturn:
    country: str | None = None
    quarter: Quarter | None = None
    prepared_by: str | None = None
    submitted_on: dt.date | None = None
    notes: str | None = None
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)
    issues: IssueList = field(default_factory=IssueList)
    return_sheet_title: str = "Return"
    field_cells: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> ParsedSheet | None:
        return self.sheets.get(name)


COUNTRY_LOOKUP: dict[str, str] = {}
for _c in ref.COUNTRIES:
    COUNTRY_LOOKUP[_c.code.lower()] = _c.code
    COUNTRY_LOOKUP[_c.name.lower()] = _c.code


def resolve_country(value: object, known: dict[str, str] | None = None) -> str | None:
    """ISO alpha-3 code or English short name, any case -> code."""
    if is_missing(value):
        return None
    lookup = known if known is not None else COUNTRY_LOOKUP
    return lookup.get(str(value).strip().lower())


def _header_row(rows: Sequence[Sequence[Any]]) -> int | None:
    for i, row in enumerate(rows):
        if any(not is_missing(v) for v in row):
            return i
    return None


def _match_columns(
    spec_names: Sequence[str], header: Sequence[Any], extra: Sequence[str] = ()
) -> tuple[dict[str, int], list[tuple[int, str]], list[tuple[int, str]]]:
    """Map column name -> index. Returns (mapping, unknown, duplicates)."""
    wanted = {header_key(n): n for n in (*spec_names, *extra)}
    # Accept "progress" for "progress_pct" and similar trailing-unit spellings.
    for n in spec_names:
        if n.endswith("_pct"):
            wanted.setdefault(header_key(n[:-4]), n)
    mapping: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str]] = []
    for idx, cell in enumerate(header):
        if is_missing(cell):
            continue
        name = wanted.get(header_key(cell))
        if name is None:
            unknown.append((idx, str(cell).strip()))
        elif name in mapping:
            duplicates.append((idx, str(cell).strip()))
        else:
            mapping[name] = idx
    return mapping, unknown, duplicates


def parse_return(
    raw_sheets: Sequence[RawSheetLike], limits: ReturnLimits = ReturnLimits(), countries: dict[str, str] | None = None
) -> ParsedReturn:
    """Parse every sheet; all problems are collected, none stops the others."""
    result = ParsedReturn()
    issues = result.issues
    by_key: dict[str, RawSheetLike] = {}
    for sheet in raw_sheets:
        key = header_key(sheet.name)
        if key == "return" or key in {header_key(s.name) for s in DATA_SHEETS}:
            if key in by_key:
                issues.error(sheet.name, "", f"a second sheet named like {by_key[key].name!r}; keep only one")
                continue
            by_key[key] = sheet
        elif key not in AUXILIARY_SHEETS:
            issues.warn(sheet.name, "", "this sheet is not part of the quarterly return and was ignored")

    ret = by_key.get("return")
    if ret is None:
        issues.error(
            "Return",
            "",
            "the workbook has no 'Return' sheet; add one with the fields country and quarter (use the template)",
        )
    else:
        _parse_return_sheet(ret, result, limits, countries)

    for spec in DATA_SHEETS:
        raw = by_key.get(header_key(spec.name))
        if raw is not None:
            parsed = _parse_data_sheet(raw, spec, result, limits, countries)
            if parsed is not None:
                result.sheets[spec.name] = parsed
    return result


def _parse_return_sheet(
    raw: RawSheetLike, result: ParsedReturn, limits: ReturnLimits, countries: dict[str, str] | None
) -> None:
    issues = result.issues
    result.return_sheet_title = raw.name
    rows = raw.rows
    h = _header_row(rows)
    if h is None:
        issues.error(
            raw.name,
            "",
            "the sheet is empty; it needs the columns 'field' and 'value' with at least country and quarter",
        )
        return
    mapping, _, _ = _match_columns(("field", "value"), rows[h])
    if "field" not in mapping or "value" not in mapping:
        missing = [n for n in ("field", "value") if n not in mapping]
        issues.error(
            raw.name, f"A{h + 1}", f"missing column(s) {', '.join(missing)}; the first row must be 'field' and 'value'"
        )
        return
    fc, vc = mapping["field"], mapping["value"]
    values: dict[str, tuple[Any, str]] = {}
    for r in range(h + 1, len(rows)):
        row = rows[r]
        f = row[fc] if fc < len(row) else None
        v = row[vc] if vc < len(row) else None
        if is_missing(f):
            continue
        key = header_key(f)
        cell = f"{column_letter(vc)}{r + 1}"
        if key not in RETURN_FIELDS:
            issues.warn(
                raw.name,
                f"{column_letter(fc)}{r + 1}",
                f"unknown field {str(f).strip()!r} was ignored; known fields: {', '.join(RETURN_FIELDS)}",
            )
            continue
        if key in values:
            issues.error(raw.name, f"{column_letter(fc)}{r + 1}", f"field {key!r} is given twice; keep one row")
            continue
        values[key] = (v, cell)
        result.field_cells[key] = cell
        if isinstance(v, str):
            why = text_problem(v.strip(), limits.chars(TEXT_LIMITS.get(("Return", key))), key)
            if why is not None:
                issues.error(raw.name, cell, why, v)

    country_raw, cell = values.get("country", (None, f"{column_letter(vc)}{h + 2}"))
    if is_missing(country_raw):
        issues.error(raw.name, cell, "country is required: give the ISO code (IRQ, KAZ, KGZ, TJK) or the English name")
    else:
        result.country = resolve_country(country_raw, countries)
        if result.country is None:
            known = sorted(set((countries or COUNTRY_LOOKUP).values()))
            issues.error(
                raw.name,
                cell,
                f"{str(country_raw).strip()!r} is not a programme country; use one of: "
                f"{', '.join(known)} (or the English name)",
                country_raw,
            )
    quarter_raw, cell = values.get("quarter", (None, f"{column_letter(vc)}{h + 3}"))
    if is_missing(quarter_raw):
        issues.error(raw.name, cell, "quarter is required, written like 2024-Q1")
    else:
        result.quarter = parse_quarter(quarter_raw)
        if result.quarter is None:
            issues.error(
                raw.name,
                cell,
                f"{str(quarter_raw).strip()!r} is not a quarter; write it like 2024-Q1 "
                "(also accepted: 2024Q1, 2024 Q1, Q1 2024, Q1-2024)",
                quarter_raw,
            )
    if "prepared_by" in values:
        result.prepared_by = clean_text(pd.Series([values["prepared_by"][0]], dtype=object)).iloc[0]
    if "notes" in values:
        result.notes = clean_text(pd.Series([values["notes"][0]], dtype=object)).iloc[0]
    if "submitted_on" in values:
        parsed, problems = parse_date(pd.Series([values["submitted_on"][0]], dtype=object))
        for _, msg in problems:
            issues.error(raw.name, values["submitted_on"][1], msg, values["submitted_on"][0])
        result.submitted_on = parsed.iloc[0]


def _parse_data_sheet(
    raw: RawSheetLike, spec: SheetSpec, result: ParsedReturn, limits: ReturnLimits, countries: dict[str, str] | None
) -> ParsedSheet | None:
    issues = result.issues
    rows = raw.rows
    h = _header_row(rows)
    if h is None:
        issues.warn(raw.name, "", "the sheet is empty and was ignored")
        return None
    header = rows[h]
    mapping, unknown, duplicates = _match_columns(spec.column_names, header, extra=("country", "quarter"))
    for idx, text in unknown:
        issues.warn(
            raw.name,
            f"{column_letter(idx)}{h + 1}",
            f"unknown column {text!r} was ignored; known columns: {', '.join(spec.column_names)}",
        )
    for idx, text in duplicates:
        issues.error(raw.name, f"{column_letter(idx)}{h + 1}", f"column {text!r} appears twice; keep one")
    missing = [c.name for c in spec.columns if c.required == ALWAYS and c.name not in mapping]
    if missing:
        issues.error(
            raw.name,
            f"A{h + 1}",
            f"missing required column(s): {', '.join(missing)}; the header row must name them (see the template)",
        )
        return None

    # Data rows: everything below the header that is not completely empty.
    body = rows[h + 1 :]
    width = max((len(r) for r in body), default=0)
    data_positions = [i for i, r in enumerate(body) if any(not is_missing(v) for v in r)]
    if len(data_positions) > limits.max_rows:
        issues.error(
            raw.name,
            "",
            f"the sheet has {len(data_positions):,} data rows; at most {limits.max_rows:,} "
            "are accepted in one return: split it",
        )
        return None
    cols = {
        name: [(body[i][idx] if idx < len(body[i]) else None) for i in data_positions] for name, idx in mapping.items()
    }
    del width
    frame = pd.DataFrame({name: pd.Series(vals, dtype=object) for name, vals in cols.items()})
    frame["_row"] = [h + 2 + i for i in data_positions]
    sheet = ParsedSheet(spec, raw.name, frame, {n: column_letter(i) for n, i in mapping.items()})
    if frame.empty:
        return sheet

    def report(column: str, problems: list[tuple[int, str]]) -> None:
        for pos, msg in problems:
            issues.error(raw.name, sheet.cell(column, int(pos)), msg, cols[column][int(pos)])

    for col in spec.columns:
        if col.name not in mapping:
            continue
        s = frame[col.name]
        if col.kind == "id":
            parsed, problems = parse_text(s, col.max_chars or ID_MAX_CHARS, f"the identifier {col.name}")
        elif col.kind == "text":
            parsed, problems = parse_text(s, limits.chars(col.max_chars), col.name)
        elif col.kind == "count":
            parsed, problems = parse_number(s, whole=True, minimum=0, maximum=col.maximum)
        elif col.kind == "number":
            parsed, problems = parse_number(s, minimum=0)
        elif col.kind == "percent":
            parsed, problems = parse_number(s, minimum=0, maximum=100)
        elif col.kind == "latitude":
            parsed, problems = parse_number(s, minimum=-90, maximum=90)
        elif col.kind == "longitude":
            parsed, problems = parse_number(s, minimum=-180, maximum=180)
        elif col.kind == "date":
            parsed, problems = parse_date(s)
        elif col.kind == "enum":
            parsed, problems = parse_enum(s, col.choices)
        elif col.kind == "yesno":
            parsed, problems = parse_yes_no(s)
        else:  # pragma: no cover - a spec mistake
            raise ValueError(col.kind)
        report(col.name, problems)
        frame[col.name] = parsed
        if col.required == ALWAYS:
            empty = missing_mask(s).to_numpy()
            for pos in empty.nonzero()[0]:
                accepted = f"; use one of: {', '.join(col.choices)}" if col.choices else ""
                issues.error(
                    raw.name,
                    sheet.cell(col.name, int(pos)),
                    f"{col.name} is required but the cell is empty (or holds a formula with no saved result){accepted}",
                )

    # Optional country/quarter columns (present in exports) must agree with the Return sheet.
    for extra in ("country", "quarter"):
        if extra not in mapping:
            continue
        texts = clean_text(frame[extra])
        for i, v in enumerate(texts):
            if v is None:
                continue
            if extra == "country":
                ok = result.country is None or resolve_country(v, countries) == result.country
                expected = result.country
            else:
                q = parse_quarter(v)
                ok = result.quarter is None or q == result.quarter
                expected = str(result.quarter)
            if not ok:
                issues.error(
                    raw.name,
                    sheet.cell(extra, i),
                    f"this row says {extra} {v!r} but the Return sheet "
                    f"says {expected}; a return holds one country and one quarter",
                    v,
                )
        frame[extra] = texts

    # Each row key at most once per workbook.
    key_cols = list(spec.key)
    keyed = frame[key_cols].copy()
    if "milestone" in key_cols:
        keyed["milestone"] = omap(keyed["milestone"], lambda v: None if v is None else enum_key(v))
    complete = keyed.notna().all(axis=1)
    dup = keyed[complete].duplicated(keep="first")
    if dup.any():
        first_at: dict[tuple[Any, ...], int] = {}
        keys = keyed[complete]  # the frame's index is the row position
        for pos, k in zip(keys.index.tolist(), keys.itertuples(index=False, name=None), strict=True):
            if k in first_at:
                what = " / ".join(str(frame.at[pos, c]) for c in key_cols)
                issues.error(
                    raw.name,
                    sheet.cell(key_cols[-1], pos),
                    f"{what} is listed twice (first at {raw.name}!{sheet.cell(key_cols[-1], first_at[k])}); "
                    "keep one row for it",
                    what,
                )
            else:
                first_at[k] = pos
    return sheet
