"""components/formatting.py: dates, including texts that are not dates."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from components import formatting as fmt


@pytest.mark.parametrize("value", ["not a date", "2026-13-45", "", "Q3 2026"])
def test_a_text_that_is_not_a_date_is_shown_as_it_is_by_both_date_formats(value):
    assert fmt.date(value) == value
    assert fmt.short_date(value) == value  # before: short_date raised ValueError


@pytest.mark.parametrize(
    ("value", "long", "short"),
    [
        ("2026-10-26", "26 Oct 2026", "26 Oct"),
        ("2024-01-05T10:30:00", "5 Jan 2024", "5 Jan"),
        (dt.date(2025, 3, 1), "1 Mar 2025", "1 Mar"),
        (dt.datetime(2025, 12, 31, 23, 59), "31 Dec 2025", "31 Dec"),
        (pd.Timestamp("2026-07-04 08:00"), "4 Jul 2026", "4 Jul"),
        (None, "—", "—"),
        (pd.NaT, "—", "—"),
        (float("nan"), "—", "—"),
    ],
)
def test_date_and_short_date_agree(value, long, short):
    assert fmt.date(value) == long
    assert fmt.short_date(value) == short


def test_no_module_shadows_the_format_built_in():
    """``components/format.py`` is now ``components/formatting.py``; nothing imports the old name."""
    root = Path(__file__).resolve().parent.parent
    assert not (root / "components" / "format.py").exists()
    files = [
        root / "app.py",
        *(p for folder in ("components", "pages", "tests", "benchmarks") for p in (root / folder).rglob("*.py")),
    ]
    assert len(files) > 40
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = {f"{node.module or ''}.{a.name}".lstrip(".") for a in node.names} | {node.module or ""}
                assert not names & {"components.format", "format"}, path
            elif isinstance(node, ast.Import):
                assert "components.format" not in {a.name for a in node.names}, path
