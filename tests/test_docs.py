"""The documents against the code, so that they cannot drift apart.

- docs/quarterly-return.md names every sheet, column, required mark,
  accepted value, indicator and limit exactly as the importer's own tables
  define them (``rules/sheets.py``, ``rules/reference.py``, ``workbook.Limits``);
  the spellings it promises are accepted.
- docs/cli.md's usage section is the parser's ``--help``, generated.
- Every link between the documents resolves inside the repository, and the
  commands the README and CONTRIBUTING name exist.
- The README's "Sharing it": each identity provider's secrets example is a
  complete ``[auth]`` section, and the roles table names the pages each role
  gains as the rules give them.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from data_access.__main__ import CLI_DOC, USAGE_BEGIN, USAGE_END, _commands, _parser, usage_markdown, with_usage
from data_access.export import UPLOAD_COLUMNS
from data_access.importer import EXIT_CODES
from data_access.rules import normalise
from data_access.rules import reference as ref
from data_access.rules.memory import CHILD_BYTES_PER_FILE_BYTE, IMPORTS_AT_ONCE, child_memory_bytes
from data_access.rules.quarters import Quarter, parse_quarter
from data_access.rules.returns import AUXILIARY_SHEETS, ReturnLimits
from data_access.rules.sheets import (
    ALWAYS,
    DATA_SHEETS,
    DATASETS,
    ID_MAX_CHARS,
    NEW,
    RETURN_FIELDS,
    TEXT_LIMITS,
    WHOLE_MAX,
)
from data_access.workbook import Limits

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "docs" / "quarterly-return.md"
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").glob("*.md")])


def contract() -> str:
    return CONTRACT.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under ``heading`` (a whole heading line) up to the next heading of its level or above."""
    lines = text.splitlines()
    matches = [i for i, line in enumerate(lines) if line.strip() == heading]
    assert len(matches) == 1, f"{heading!r} is not a heading of the document (exactly once)"
    level = len(heading) - len(heading.lstrip("#"))
    body = []
    for line in lines[matches[0] + 1 :]:
        m = re.match(r"^(#+) ", line)
        if m and len(m.group(1)) <= level:
            break
        body.append(line)
    return "\n".join(body)


def tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table in ``text``: its body rows as lists of cells (header and rule left out)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if current is None:
                current = []  # the header row
                found.append(current)
            elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        else:
            current = None
    return found


def sheet_section(name: str) -> str:
    heading = "### `Return` (required)" if name == "Return" else f"### `{name}`"
    return section(contract(), heading)


def column_rows(name: str) -> dict[str, tuple[str, str]]:
    """The first table of a sheet's section: column -> (required mark, meaning)."""
    rows = {}
    for first, meaning, *_ in tables(sheet_section(name))[0]:
        m = re.fullmatch(r"`(\w+)`(?: \((R[^)]*)\))?", first)
        assert m, f"{name}: cannot read the column cell {first!r}"
        assert m.group(1) not in rows, f"{name}: {m.group(1)} is listed twice"
        rows[m.group(1)] = (m.group(2) or "", meaning)
    return rows


# --------------------------------------------------------------------------- the quarterly return


def test_the_readme_links_to_the_contract_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/quarterly-return.md)" in readme
    assert "shared/spec" not in readme


def test_the_contract_has_a_section_for_every_sheet_in_the_code():
    sheets = re.findall(r"^### `(\w+)`", section(contract(), "## Sheets"), flags=re.M)
    assert sheets == ["Return", *(s.name for s in DATA_SHEETS)]


def test_every_sheet_lists_the_codes_columns_in_order_with_their_required_marks():
    for spec in DATA_SHEETS:
        rows = column_rows(spec.name)
        assert list(rows) == spec.column_names, spec.name
        for col in spec.columns:
            mark = rows[col.name][0]
            if col.required == ALWAYS:
                assert mark == "R", f"{spec.name}.{col.name} is always required: mark it (R), not {mark!r}"
            elif col.required == NEW:
                what = {"Facilities": "facility", "Findings": "finding", "Priorities": "priority"}[spec.name]
                assert mark == f"R for a new {what}", f"{spec.name}.{col.name}: {mark!r}"
            else:
                assert mark == "", f"{spec.name}.{col.name} is optional but marked {mark!r}"


def test_the_return_sheet_lists_its_fields_with_country_and_quarter_required():
    rows = column_rows("Return")
    assert list(rows) == list(RETURN_FIELDS)
    assert {f for f, (mark, _) in rows.items() if mark} == {"country", "quarter"}


def test_every_enumerated_column_lists_exactly_the_accepted_values_in_order():
    for spec in DATA_SHEETS:
        rows = column_rows(spec.name)
        for col in spec.columns:
            meaning = rows[col.name][1]
            if col.kind == "enum":
                listed = ", ".join(col.choices)
                assert re.search(re.escape(listed) + r"(?!,)", meaning), (
                    f"{spec.name}.{col.name} accepts {listed}; the contract says: {meaning}"
                )
            elif col.kind == "yesno":
                assert meaning.startswith("yes/no"), f"{spec.name}.{col.name}: {meaning}"


def test_numbers_in_the_column_tables_match_the_parsers_ranges():
    rows = {name: column_rows(name) for name in ("Facilities", "Priorities", "Indicators", "Activities")}
    assert "-90 to 90" in rows["Facilities"]["latitude"][1]
    assert "-180 to 180" in rows["Facilities"]["longitude"][1]
    assert "0 to 100" in rows["Priorities"]["progress_pct"][1]
    for sheet, column in [
        ("Indicators", "value"),
        ("Activities", "participants"),
        ("Activities", "female_participants"),
    ]:
        spec = next(s for s in DATA_SHEETS if s.name == sheet)
        assert spec.column(column).kind == "count"
        assert "non-negative whole number" in rows[sheet][column][1], f"{sheet}.{column}"


def test_the_indicator_catalogue_is_the_codes():
    catalogue = tables(sheet_section("Indicators"))[1]
    assert [(code.strip("`"), label) for code, label in catalogue] == [(i.code, i.label) for i in ref.INDICATORS]
    assert all(i.is_count for i in ref.INDICATORS)  # the contract says every indicator is a count


def test_the_indicator_checks_name_every_bound_and_the_warning_threshold():
    text = sheet_section("Indicators")
    for part, whole in ref.INDICATOR_BOUNDS:
        assert f"`{part}`" in text and f"`{whole}`" in text, (part, whole)
    for part in ref.REPATRIATION_PARTS:
        assert f"`{part}`" in text, part
    assert f"more than {ref.INDICATOR_CHANGE_WARNING:.0%}".replace("%", " %") in text


def test_the_status_lifecycle_and_the_open_statuses_are_the_codes():
    text = sheet_section("Findings")
    ranks = sorted(set(ref.FINDING_STATUS_RANK.values()))
    steps = [" or ".join(s for s, r in ref.FINDING_STATUS_RANK.items() if r == rank) for rank in ranks]
    assert " → ".join(steps) in text
    assert f"open while its status is {' or '.join(ref.OPEN_FINDING_STATUSES)}" in text


def test_the_limits_and_their_environment_variables_are_the_codes():
    limits, table = Limits(), tables(section(contract(), "## Safety of uploaded files"))[0]
    rows = {what: (value, variable.strip("`")) for what, value, variable in table}
    configurable = {
        "file size": (f"{limits.max_bytes / 1_000_000:g} MB ({limits.max_bytes:,} bytes)", "DASHBOARD_MAX_FILE_MB"),
        "data rows per sheet": (f"{limits.max_rows:,}", "DASHBOARD_MAX_ROWS"),
        "characters per text cell": (f"{limits.max_cell_chars:,}", "DASHBOARD_MAX_CELL_CHARS"),
    }
    for what, expected in configurable.items():
        assert rows[what] == expected, what
    # ... which are the variables Limits.from_env reads, and nothing else
    assert set(re.findall(r'"(DASHBOARD_\w+)"', inspect.getsource(Limits.from_env))) == {
        v for _, v in configurable.values()
    }
    fixed = {
        "characters per identifier": f"{ID_MAX_CHARS}",
        "uncompressed size of the workbook (declared)": f"{limits.max_uncompressed // 1_000_000} MB",
        "compression ratio of a part larger than 1 MB": f"{limits.max_ratio} to 1",
        "parts in the zip": f"{limits.max_members:,}",
        "cells read, from A1 to the last used cell, all sheets": f"{limits.max_grid_cells:,}",
        "reading time": f"{limits.timeout_s:g} s",
        "memory of the reading process": (
            f"{child_memory_bytes(0, limits.max_grid_cells, limits.memory_bytes) / 1e9:.2f} GB plus "
            f"{CHILD_BYTES_PER_FILE_BYTE} bytes per byte of the file "
            f"({child_memory_bytes(9_900_000, limits.max_grid_cells, limits.memory_bytes) / 1e9:.2f} GB for a "
            f"9.9 MB file), at most {limits.memory_bytes / 1_000_000_000:g} GB"
        ),
        "workbooks read and checked at once by one server": (
            f"{IMPORTS_AT_ONCE} (the others wait, and the page shows their place in the queue)"
        ),
    }
    for what, expected in fixed.items():
        assert rows[what] == (expected, "(fixed)"), what
    assert set(rows) == set(configurable) | set(fixed)
    # The parser's own defaults agree with the reader's.
    assert (ReturnLimits().max_rows, ReturnLimits().max_cell_chars) == (limits.max_rows, limits.max_cell_chars)


def test_what_the_database_stores_is_the_codes_table_of_limits():
    text = section(contract(), "## What the database stores")
    rows = tables(text)[0]
    listed = {(sheet.strip("`"), column.strip("`")): limit for sheet, column, limit in rows}
    assert listed == {key: f"{chars:,}" for key, chars in TEXT_LIMITS.items()}
    assert len(rows) == len(listed)  # each once
    assert f"at most {Limits().max_cell_chars:,} characters" in " ".join(text.split())
    assert f"**Identifiers** hold at most {ID_MAX_CHARS} characters" in text
    counts = re.search(r"\*\*Whole numbers\*\* \((.*?)\) are at\s+most ([\d,]+)\.", text, flags=re.S)
    assert counts, "the limit of a whole number is not stated"
    named, maximum = counts.groups()
    assert set(re.findall(r"`(\w+)`", named)) == {c.name for s in DATA_SHEETS for c in s.columns if c.kind == "count"}
    assert {c.maximum for s in DATA_SHEETS for c in s.columns if c.kind == "count"} == {WHOLE_MAX}
    assert maximum == f"{WHOLE_MAX:,}"


def test_the_environment_variables_change_the_limits(monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_FILE_MB", "2.5")
    monkeypatch.setenv("DASHBOARD_MAX_ROWS", "10")
    monkeypatch.setenv("DASHBOARD_MAX_CELL_CHARS", "30")
    limits = Limits.from_env()
    assert (limits.max_bytes, limits.max_rows, limits.max_cell_chars) == (2_500_000, 10, 30)


def test_the_spellings_the_contract_promises_are_accepted():
    text = contract()
    quarters = section(text, "## Quarters and countries")
    spellings = re.findall(r"`((?:Q1|2024)[^`]*)`", quarters)
    assert len(spellings) == 5, spellings
    assert all(parse_quarter(s) == Quarter(2024, 1) for s in spellings), spellings
    for pattern in ("YYYY-Qn", "YYYYQn", "YYYY Qn", "Qn YYYY", "Qn-YYYY"):
        assert f"`{pattern}`" in quarters
    for country in ref.COUNTRIES:
        assert f"`{country.code}` {country.name}" in quarters

    rules = section(text, "## General rules")
    yes_no = re.search(r"accept (.*?) for yes and\s+(.*?) for no", rules, flags=re.S)
    assert yes_no, "the yes/no spellings are not listed"
    yes, no = (re.findall(r"`(\w+)`", group) for group in yes_no.groups())
    assert set(yes) == normalise._YES and set(no) == normalise._NO
    parsed, problems = normalise.parse_yes_no(pd.Series(yes + no, dtype=object))
    assert not problems and parsed.tolist() == [True] * len(yes) + [False] * len(no)

    dates = ["2024-03-31", "2024-03-31 00:00:00", "31.03.2024", "31/03/2024"]
    assert all(f"`{d}`" in rules for d in dates)
    parsed, problems = normalise.parse_date(pd.Series(dates, dtype=object))
    assert not problems and set(parsed) == {dt.date(2024, 3, 31)}

    numbers = ["73 715", "73,715", "1\u00a0234"]
    parsed, problems = normalise.parse_number(pd.Series(numbers, dtype=object), whole=True)
    assert not problems and parsed.tolist() == [73715, 73715, 1234]

    for spelling in ("in_progress", "In progress", "in-progress"):
        assert f"`{spelling}`" in rules
        parsed, problems = normalise.parse_enum(pd.Series([spelling], dtype=object), ref.FINDING_STATUSES)
        assert parsed.tolist() == ["in progress"], spelling
    for header in ("Progress %", "progress_pct", "PROGRESS PCT"):
        assert f"`{header}`" in rules and normalise.header_key(header) == "progress_pct"


def test_the_sheets_ignored_silently_are_the_codes():
    rules = section(contract(), "## General rules")
    for name in AUXILIARY_SHEETS:
        assert f"`{name.capitalize()}`" in rules


def test_every_lower_case_name_in_backticks_is_one_the_code_knows():
    known = {c.name for s in DATA_SHEETS for c in s.columns} | set(RETURN_FIELDS) | set(ref.INDICATOR_CODES)
    known |= {v for s in DATA_SHEETS for c in s.columns for v in c.choices} | normalise._YES | normalise._NO
    known |= {"field", "value", "country", "quarter", "baseline", "pct", "in_progress"}
    names = set(re.findall(r"`([a-z][a-z0-9_]*)`", contract()))
    assert names - known == set(), "names the code does not know"


# --------------------------------------------------------------------------- the command line


def test_the_usage_in_docs_cli_md_is_generated_from_the_parser():
    doc = CLI_DOC.read_text(encoding="utf-8")
    assert doc == with_usage(doc), "docs/cli.md is out of date: run python docs/generate_cli.py"


def test_regenerating_replaces_only_the_usage_section():
    stale = f"# intro\n\n{USAGE_BEGIN}\n\nusage: an old option\n\n{USAGE_END}\n\nmore\n"
    fresh = with_usage(stale)
    assert "an old option" not in fresh and usage_markdown() in fresh
    assert fresh.startswith(f"# intro\n\n{USAGE_BEGIN}\n") and fresh.endswith(f"{USAGE_END}\n\nmore\n")
    with pytest.raises(ValueError):
        with_usage("no markers here")


def test_the_generated_usage_has_every_command_and_option():
    usage = usage_markdown()
    commands = _commands(_parser())
    assert set(commands) == {"import", "restore", "export", "template", "load-sample", "users"}
    assert set(_commands(commands["users"])) == {"add", "list", "set-role", "remove"}
    every = {**commands, **{f"users {a}": p for a, p in _commands(commands["users"]).items()}}
    for name, parser in every.items():
        assert f"### `python -m data_access {name}`" in usage
        for action in parser._actions:
            for option in action.option_strings:
                assert option in usage, f"{name} {option}"


def test_docs_cli_md_lists_the_datasets_the_upload_columns_and_the_exit_codes():
    doc = CLI_DOC.read_text(encoding="utf-8")
    prose = " ".join(doc.split())
    assert ", ".join(f"`{d}`" for d in DATASETS) in prose
    assert all(f"`{c}`" in prose for c in UPLOAD_COLUMNS)
    listed = re.search(r"`uploads` lists each upload: (.*?)\.", prose)
    assert listed and re.findall(r"`(\w+)`", listed.group(1)) == UPLOAD_COLUMNS
    codes = {int(code) for code in re.findall(r"^\| (\d) \|", section(doc, "## import"), flags=re.M)}
    assert codes == set(EXIT_CODES.values())


# --------------------------------------------------------------------------- links and commands


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(document):
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        path = (document.parent / path_part).resolve() if path_part else document
        assert path.exists(), f"{target}: no such file"
        assert path == ROOT or ROOT in path.parents, f"{target}: outside the repository"
        if anchor:
            assert anchor in _anchors(path), f"{target}: no such heading"


def test_the_commands_the_readme_and_contributing_name_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt && streamlit run app.py" in readme
    assert "python -m pytest" in readme
    for text in (readme, contributing):
        for target in re.findall(r"\bmake ([a-z][\w-]*)", text):
            assert target in targets, f"make {target} is not a target of the Makefile"
    assert {"test", "lint"} <= set(re.findall(r"\bmake ([a-z][\w-]*)", readme))
    for script in re.findall(r"python (\S+\.py)", readme + contributing):
        assert (ROOT / script).is_file(), script


def test_contributing_explains_every_test_marker():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = {m.split(":")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", section(contributing, "## Tests"), flags=re.M))
    assert documented == markers


# --------------------------------------------------------------------------- README: sharing it


def test_the_readmes_sign_in_examples_are_complete_auth_sections():
    """Each provider's example in "Sharing it" is valid TOML with every key
    ``st.login`` needs (``streamlit.auth_util.validate_auth_credentials``)."""
    sharing = section((ROOT / "README.md").read_text(encoding="utf-8"), "## Sharing it")
    examples = re.findall(r"^### ([^\n]+)\n(.*?)(?=^### |\Z)", sharing, flags=re.M | re.S)
    assert [name for name, _ in examples] == ["Microsoft Entra ID", "Keycloak", "A local test provider"]
    for name, text in examples:
        blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
        assert len(blocks) == 1, f"{name}: one secrets.toml example"
        auth = tomllib.loads(blocks[0])["auth"]
        required = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
        assert required <= set(auth), f"{name}: missing {sorted(required - set(auth))}"
        assert auth["redirect_uri"].endswith("/oauth2callback"), name
        assert auth["server_metadata_url"].endswith("/.well-known/openid-configuration"), name


def test_the_readmes_roles_table_names_the_pages_each_role_gains():
    """The pages column of the roles table names, for each role, the pages
    that role is the first to see (by the rules: the least role of the
    action each page needs), as the sidebar titles them."""
    from components.i18n import t
    from components.nav import PAGES
    from data_access.rules.access import NEEDS, ROLES

    sharing = section((ROOT / "README.md").read_text(encoding="utf-8"), "## Sharing it")
    rows = {re.sub(r"[*_]", "", cells[0]): cells[1] for cells in tables(sharing)[0]}
    assert list(rows) == [*ROLES, "no account"]
    for i, role in enumerate(ROLES):
        for title in (t(f"nav.{p.key}") for p in PAGES if NEEDS[p.needs] == role):
            assert title in rows[role], f"{role}: the table does not name the page {title}"
        for title in (t(f"nav.{p.key}") for p in PAGES if NEEDS[p.needs] in ROLES[i + 1 :]):
            assert title not in rows[role], f"{role}: {title} is a page of a higher role"
