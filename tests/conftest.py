"""Shared fixtures, and the test tiers.

Tiers: every test carries the markers of what it needs, applied here in
``pytest_collection_modifyitems`` (see "test tiers" below) rather than in
each file, so that a new test lands in the right tier by what it uses:

* ``browser``: everything under ``tests/browser`` (the browser benchmarks'
  smoke runs in test_benchmarks.py carry the marker themselves);
* ``postgres``: every item parametrised on the PostgreSQL database (the
  ``db_url``/``engine`` fixtures here and the module-scoped databases of the
  query tests all take the parameter ``"postgresql"``);
* ``libreoffice``: every test whose body or fixtures call LibreOffice (the
  helpers of ``tests/workbooks.py``, the ``soffice_files`` fixture);
* ``slow``: the tests that would take the quick tier over 2 minutes on two
  cores (benchmark smoke runs, the whole sample or a generated programme,
  several processes, repeated page runs; measured with ``--durations`` and
  listed in ``SLOW``); a test may also carry ``@pytest.mark.slow`` itself
  (the CLI's end-to-end process runs do).

``make test`` (``-m "not browser and not postgres and not libreoffice and not
slow"``) runs the quick tier; plain ``python -m pytest`` runs every tier. A
missing tool (Chromium, LibreOffice, a reachable PostgreSQL) skips its tests
saying why, except under CI (``CI`` set), where it is a failure.

``engine`` is parametrised over SQLite and PostgreSQL: each test gets a fresh
database at the latest schema. PostgreSQL is the server on 127.0.0.1:5432
(user postgres, database test; override with DASHBOARD_TEST_PG_URL); each
test works in a schema of its own, dropped afterwards. When the server
cannot be reached the PostgreSQL half is skipped, saying so, except under CI
where an unreachable server is a failure.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import os
import re
import shutil
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from streamlit import config as st_config

from benchmarks import chromium
from data_access import db
from tests.workbooks import soffice

# The AppTest fixtures (sample_url, ...) are shared by every page test.
pytest_plugins = ["tests.apptest_support"]

PG_URL = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The app shows no error's internals (components/errors.py; client.showErrorDetails
# = "none"); the tests want them. A page's error goes on to Streamlit, which shows
# it in full: AppTest records it as an exception with its message, and the servers
# of the browser tests (benchmarks.serve.app_env) show it. test_errors.py checks
# what is shipped.
os.environ.setdefault("DASHBOARD_RAISE_ERRORS", "1")
st_config.set_option("client.showErrorDetails", "full")
ROOT = Path(__file__).resolve().parent.parent


def missing_tool(problem: str) -> NoReturn:
    """Skip the calling test because a tool it needs is missing, saying so;
    fail instead under CI, where every tier must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{problem}; under CI every tier must run")
    pytest.skip(problem)


@functools.cache
def _pg_problem() -> str | None:
    """Why PostgreSQL cannot be reached, or None (asked once, when a test
    first needs it: the quick tier never waits for an absent server)."""
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure to connect means unreachable
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite": a file in
    ``folder``; "postgresql": a schema of its own, dropped afterwards).
    Skips when PostgreSQL is unreachable, saying so; fails instead under CI
    (``missing_tool``)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    problem = _pg_problem()
    if problem:
        missing_tool(f"PostgreSQL at {PG_URL} is unreachable ({problem})")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        db.dispose_all()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_at_head(tmp_path_factory) -> Path:
    """An empty SQLite database at the latest schema, with its reference data,
    migrated once per session: ``engine`` starts each SQLite test from a copy
    instead of running every migration again."""
    path = tmp_path_factory.mktemp("schema") / "head.db"
    eng = db.connect(f"sqlite:///{path}")
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose_all()
    return path


@pytest.fixture
def engine(db_url, request):
    """The engine of ``db_url``, at the latest schema."""
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists():
            shutil.copy(request.getfixturevalue("sqlite_at_head"), path)
    eng = db.connect(db_url)
    yield eng
    db.dispose_all()


def _sample_key() -> str:
    """A fingerprint of what the sample database is built from: the sample's
    files, the data layer's code and migrations, and the libraries that read
    the workbooks and write the database."""
    digest = hashlib.sha256()
    for folder in ("sample_data", "data_access"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    for dist in ("python-calamine", "openpyxl", "pandas", "sqlalchemy", "alembic"):
        digest.update(f"{dist}=={importlib.metadata.version(dist)}".encode())
    return digest.hexdigest()[:20]


@pytest.fixture(scope="session")
def sample_sqlite(request, tmp_path_factory):
    """A SQLite database with the whole sample loaded once per session; tests
    that only read use a copy of it.

    Loading the sample takes 15-30 s. Outside CI the database is kept in
    pytest's cache (``.pytest_cache``) under a fingerprint of everything it is
    built from (``_sample_key``), so the next session copies it instead while
    nothing changed. Tests of the loading itself (integrity, first start, the
    CLI) load the sample from scratch."""
    from data_access.sample import load_sample

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    cache = getattr(request.config, "cache", None)
    kept = None
    if cache is not None and not os.environ.get("CI"):
        kept = cache.mkdir("sample-db") / f"{_sample_key()}.db"
        if kept.is_file():
            shutil.copy(kept, path)
            return path
    eng = db.connect(f"sqlite:///{path}")
    load_sample(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose_all()
    if kept is not None:
        for old in kept.parent.glob("*.db"):
            old.unlink(missing_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.partial")
        shutil.copy(path, partial)
        partial.replace(kept)  # atomic: another session never copies half a database
    return path


@pytest.fixture
def sample_engine(sample_sqlite, tmp_path):
    """A private copy of the sample database (SQLite)."""
    path = tmp_path / "sample.db"
    shutil.copy(sample_sqlite, path)
    eng = db.connect(f"sqlite:///{path}")
    yield eng
    db.dispose_all()


# --------------------------------------------------------------------------- test tiers

BROWSER_DIR = ROOT / "tests" / "browser"
# Names whose use in a test or one of its fixtures means LibreOffice runs.
LIBREOFFICE_NAMES = frozenset({"libreoffice_resave", "libreoffice_resave_many", "soffice", "SOFFICE", "soffice_files"})
# The tests that would make the quick tier take more than 2 minutes on two
# cores (measured with ``--durations``: 1.5-30 s each on busy cores), in
# groups: regular expressions searched in node ids. They name the test
# function rather than its file where they can (files get renamed). Every page
# keeps one run or more in the quick tier; so does every data-layer module.
SLOW: tuple[str, ...] = (
    # benchmark smoke runs: subprocesses, a generated programme, Chromium
    r"^tests/test_benchmarks\.py::",
    # the whole sample or a generated programme loaded and checked
    r"::test_the_sample_data_passes\[",
    r"::test_the_generated_programme_passes\[",
    r"::test_first_start_of_an_empty_database_loads_the_sample$",
    r"::test_every_count_agrees_with_the_history\[",
    # the parametrised variants of the integrity checks (one generated programme each;
    # every check keeps its single-case tests in the quick tier)
    r"::test_a_value_outside_its_reference_list\[",
    r"::test_a_reported_value_whose_upload_does_not_exist\[",
    r"::test_a_status_span_that_does_not_reach_the_next_update\[",
    r"::test_a_status_update_whose_entity_does_not_exist\[",
    # several processes at once
    r"::test_two_uploads_at_the_same_moment_are_applied_one_after_the_other\[",
    r"::test_a_reader_is_never_kept_waiting_by_an_import_in_another_process\[",
    # every export re-imported; the largest workbook allowed
    r"::test_every_export_of_a_quarter_re_imports_with_no_change\[",
    r"::test_50k_rows_are_read_whole$",
    # the longer page runs (AppTest): several reruns, every tab or every quarter of a page
    r"::test_changing_the_filters_rewrites_the_url$",
    r"::test_filters_survive_page_switches_and_stay_in_the_url$",
    r"::test_link_values_that_do_not_exist_are_ignored_with_a_notice$",
    r"::test_no_banner_when_only_the_report_baseline_is_loaded$",
    r"::test_a_facility_link_preselects_the_filter$",
    r"::test_a_findings_timeline_shows_every_status_change$",
    r"::test_every_tab_renders_with_its_charts$",
    r"::test_the_filters_narrow_every_figure$",
    r"::test_every_chart_on_the_page_is_valid_vega_lite\[pages/(map|countries|priorities|overview|findings|upload)\.py\]$",
    r"::test_comparison_with_four_countries$",
    r"::test_derived_shares_equal_the_data_layer\[",
    r"::test_every_chart_has_a_title_and_downloads$",
    r"::test_facilities_pilot_first_with_open_findings_and_a_link_to_them$",
    r"(?<!_rules)\.py::test_last_known_figures_are_labelled_with_their_quarter$",
    r"::test_the_baseline_stays_next_to_later_figures_with_their_source$",
    r"::test_the_static_map_is_a_geoshape_chart_that_exports$",
    r"::test_the_view_fits_the_selected_countries$",
    r"::test_colour_by_share_remediated$",
    r"::test_the_table_lists_the_same_facilities_with_the_same_filters$",
    r"::test_pilot_prisons_only_explains_when_there_is_none$",
    r"::test_a_facility_without_coordinates_is_listed_not_drawn$",
    r"::test_a_missing_return_raises_its_alert$",
    r"::test_the_figures_follow_the_filters$",
    r"::test_tracker_shows_received_returns_and_how_often_they_were_superseded$",
    r"::test_trend_charts_offer_downloads_and_agree_with_the_tiles$",
    r"::test_a_link_opens_one_priority_as_at_its_quarter$",
    r"::test_computed_status_at_the_edges_of_the_rule$",
    r"::test_narrative_thread_newest_first_each_narrative_once$",
    r"::test_statuses_and_progress_equal_the_data_layer\[",
    r"::test_programme_wide_counts_equal_the_data_layer$",
    r"::test_the_trend_has_one_point_per_quarter$",
    r"::test_a_superseded_upload_can_be_restored$",
    r"::test_history_lists_every_upload_with_its_fingerprint$",
    r"::test_the_preview_shows_what_the_commit_then_does$",
    # page runs repeated over quarters, countries or files (each page keeps single runs in the quick tier)
    r"::test_tiles_and_counts_equal_the_data_layer\[",
    r"::test_tiles_equal_the_data_layer\[",
    r"::test_what_changed_equals_the_data_layer\[",
    r"::test_alerts_list_overdue_serious_findings_and_off_track_priorities\[",
    r"::test_the_reports_figures_appear_exactly_as_the_report_gives_them\[",
    r"::test_the_deck_draws_each_facility_in_the_colour_of_its_worst_open_finding\[",
    r"::test_a_hostile_or_broken_file_gets_a_plain_refusal\[",
    # further page runs with several reruns each
    r"::test_a_link_to_an_unknown_facility_is_ignored$",
    r"::test_the_timeline_as_at_an_earlier_quarter_hides_what_came_later$",
    r"::test_filters_that_match_nothing_offer_to_clear_them$",
    r"::test_no_basemap_no_token_no_url$",
    r"::test_choosing_a_facility_shows_its_findings_and_links_to_them$",
    r"::test_a_country_without_facilities_explains_what_to_do$",
    r"::test_the_same_file_again_says_so_and_changes_nothing$",
    r"::test_a_return_replacing_another_names_the_one_it_supersedes$",
    r"::test_no_name_to_type_the_upload_is_signed_by_the_person$",
    r"::test_slipping_is_detected_over_quarters_not_stored_rows$",
    r"::test_a_copied_link_opens_the_same_view$",
    # imports of several returns in a row (the importer's rules keep their single imports in the quick tier)
    r"::test_status_history_gives_the_state_of_any_past_quarter\[",
    r"::test_a_status_moving_backwards_is_allowed_with_a_warning\[",
    r"::test_a_superseded_upload_can_be_restored_as_a_new_event\[",
    r"::test_a_row_absent_from_a_later_return_is_not_updated\[",
    r"::test_a_new_return_for_the_same_quarter_supersedes_the_old_one\[",
    r"::test_the_template_for_the_next_quarter_imported_as_it_is_keeps_every_state\[",
    r"::test_an_owner_filter_is_answered_from_the_history\[",
)


def _code_names(code: types.CodeType) -> set[str]:
    """The global and attribute names a function's code (and the code nested
    in it: comprehensions, inner functions) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _names_used(item: pytest.Item) -> set[str]:
    """The fixtures an item uses and the names its test function and those
    fixtures' functions refer to."""
    names = set(getattr(item, "fixturenames", ()))
    functions = [getattr(item, "function", None)]
    fixture_info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(fixture_info, "name2fixturedefs", {}).values():
        functions += [getattr(d, "func", None) for d in defs]
    for function in functions:
        code = getattr(inspect.unwrap(function), "__code__", None) if function else None
        if code is not None:
            names |= _code_names(code)
    return names


def _tiers(item: pytest.Item) -> set[str]:
    tiers = set()
    used = _names_used(item)
    if BROWSER_DIR in Path(item.path).parents:
        tiers.add("browser")
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        tiers.add("postgres")
    if used & LIBREOFFICE_NAMES:
        tiers.add("libreoffice")
    if any(re.search(pattern, item.nodeid) for pattern in SLOW):
        tiers.add("slow")
    return tiers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for tier in sorted(_tiers(item)):
            item.add_marker(tier)


def _soffice_missing() -> str | None:
    if soffice() is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test of the browser or LibreOffice tier needs its tool: skipped
    without it, saying so, or failed under CI (``missing_tool``), before any
    fixture is built."""
    for tier, problem in (("browser", chromium.missing), ("libreoffice", _soffice_missing)):
        if item.get_closest_marker(tier) is not None:
            why = problem()
            if why:
                missing_tool(why)
