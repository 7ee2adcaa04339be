"""Reads on behalf of a person (data_access.scoped) on SQLite and PostgreSQL,
against hand-built returns of three countries: every read the pages make
(every reader of components/data*.py) gives a viewer limited to Kyrgyzstan
exactly what the query gives for Kyrgyzstan alone, and nothing of the other
countries; a finding, facility or priority of another country is "not
found"; a person whose scope holds no country gets nothing, never every
country."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from data_access import access, audit, db, maps, overview, priorities, queries, sample, scoped, uploads
from data_access import countries as country_queries
from data_access import findings as finding_queries
from data_access.importer import import_workbook
from data_access.rules.access import AccessError, Actor
from data_access.rules.scope import NO_ITEM, NOTHING
from tests.conftest import fresh_database
from tests.workbooks import (
    ACTIVITIES_HEADER,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    MILESTONES_HEADER,
    PRIORITIES_HEADER,
    return_workbook,
)
from tests.workbooks import ADMIN as LOADER

D = dt.date
Q1, Q2 = "2024-Q1", "2024-Q2"

# One facility, two findings, a priority with a milestone, an activity and two
# indicators per country; in Q2 a finding is remediated, the priority moves and the milestone is reached.
PLACES = {"KGZ": ("Bishkek", 42.87, 74.59), "IRQ": ("Baghdad", 33.31, 44.36), "TJK": ("Dushanbe", 38.56, 68.79)}


def _return(country: str, quarter: str) -> bytes:
    city, lat, lon = PLACES[country]
    fac = f"{country}-T-01"
    first = quarter == Q1
    findings = [
        [f"{country}-F1", fac, D(2024, 2, 1), "physical", "high", f"Gate of {city}", None,
         "open" if first else "remediated", D(2024, 3, 1), f"Engineer {city}", None],
        [f"{country}-F2", fac, D(2024, 2, 1), "procedural", "critical", f"Search at {city}", None,
         "open", D(2024, 5, 1), f"Regime {city}", None],
    ]  # fmt: skip
    sheets: dict[str, list[list[Any]]] = {
        "Findings": [FINDINGS_HEADER, *findings],
        "Priorities": [
            PRIORITIES_HEADER,
            [
                f"{country}-P1",
                f"Units of {city}",
                "intelligence",
                "on track" if first else "at risk",
                10 if first else 20,
                D(2025, 12, 31),
                f"Narrative of {city} {quarter}",
                None,
            ],
        ],  # fmt: skip
        "Milestones": [
            MILESTONES_HEADER,
            [f"{country}-P1", f"Unit of {city}", D(2024, 9, 30), "planned", None]
            if first
            else [f"{country}-P1", f"Unit of {city}", None, "done", D(2024, 5, 20)],
        ],
        "Indicators": [INDICATORS_HEADER, ["prisoners_total", 1000, "no", None], ["ve_prisoners", 50, None, None]],
        "Activities": [
            ACTIVITIES_HEADER,
            [
                f"{country}-A-{quarter}",
                D(2024, 2, 15) if first else D(2024, 5, 15),
                "training",
                f"Course in {city}",
                20,
                5,
                fac,
                None,
            ],
        ],  # fmt: skip
    }
    if first:
        sheets["Facilities"] = [FACILITIES_HEADER, [fac, f"Prison of {city}", "prison", city, lat, lon, "yes", None]]
    return return_workbook(country, quarter, **sheets)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def eng(request, tmp_path_factory):
    """The three countries' returns, imported once per database for the module (the tests only read)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("scoped")) as url:
        engine = db.connect(url)
        for country in PLACES:
            for quarter in (Q1, Q2):
                r = import_workbook(engine, LOADER, _return(country, quarter), f"{country}_{quarter}.xlsx")
                assert r.status == "applied", r.report()
        yield engine


def person(role: str | None, countries: tuple[str, ...] = ()) -> Actor:
    return Actor(f"{role}@example.org".lower(), "", role, frozenset(countries))


ADMIN = person("admin")
VIEWER_KGZ = person("viewer", ("KGZ",))
COORDINATOR_TJK = person("coordinator", ("TJK",))
NO_ACCOUNT = person(None)
ELSEWHERE = re.compile(r"IRQ|TJK|Iraq|Tajikistan|Baghdad|Dushanbe")

# Every query the pages read through components.data.reader, with arguments
# (None stands for "every country" where the query takes countries).
READS: dict[Callable[..., Any], tuple[Any, ...]] = {
    queries.facility_findings_summary: (Q2, None),
    queries.indicator_history: (None, Q2),
    queries.upload_history: (None,),
    country_queries.data_status: (Q2, None),
    country_queries.key_figures: (Q2, None),
    country_queries.derived_shares: (Q2, None),
    country_queries.comparison: (Q2, None),
    country_queries.share_series: ((Q1, Q2), None),
    country_queries.activity_by_quarter: (None, Q2),
    country_queries.activity_running_totals: (None, Q2),
    finding_queries.owners: (Q2, None),
    finding_queries.finding_count: (Q2, None),
    finding_queries.headline: (Q2, None),
    finding_queries.status_counts: (Q2, None, None, ("country", "severity")),
    finding_queries.burn_down: (Q1, Q2, None),
    finding_queries.weakest_spots: (Q2, None),
    finding_queries.ageing: (Q2, None),
    finding_queries.remediation_speed: (Q2, None, None, ("country",)),
    finding_queries.findings_list: (Q2, None),
    overview.headline: (Q2, None),
    overview.finding_change_counts: (Q2, None),
    overview.finding_changes: (Q2, None),
    overview.priority_changes: (Q2, None),
    overview.milestone_changes: (Q2, None),
    overview.overdue_findings: (Q2, None),
    overview.overdue_count: (Q2, None),
    overview.priorities_in_status: (Q2, None, ("at risk", "on track")),
    overview.returns_tracker: (Q1, Q2, None),
    overview.finding_trend: ((Q1, Q2), None),
    overview.priority_trend: ((Q1, Q2), None),
    priorities.priorities_assessed: (Q2, None),
    priorities.progress_trends: (Q1, Q2, None),
    priorities.status_counts: (Q2, None),
}
# Reads of one item: the arguments, with "{id}" where the item goes, and the item of each country.
ITEM_READS: dict[Callable[..., Any], tuple[tuple[Any, ...], str]] = {
    finding_queries.finding: (("{id}",), "{c}-F1"),
    finding_queries.finding_timeline: (("{id}", Q2), "{c}-F1"),
    maps.facility_finding_counts: ((Q2, "{id}"), "{c}-T-01"),
    maps.facility_open_findings: ((Q2, "{id}"), "{c}-T-01"),
    priorities.narrative_thread: (("{id}", Q2), "{c}-P1"),
    priorities.progress_path: (("{id}", Q2), "{c}-P1"),
    priorities.milestone_timeline: ((Q2, "{id}"), "{c}-P1"),
}
SAME_FOR_EVERYONE = (queries.quarters_with_data, sample.sample_loaded, sample.is_empty, scoped.country_names)
# Reads that take the acting person themselves and check it (tests/test_upload_access.py); the reader narrows
# their countries too.
SELF_CHECKED = (uploads.history,)


def _with_countries(query: Callable[..., Any], args: tuple[Any, ...], countries: Any) -> tuple[Any, ...]:
    names = list(scoped.plan(query).signature.parameters)[1:]
    return tuple(countries if name == "countries" else a for name, a in zip(names, args, strict=False))


def _item_args(query: Callable[..., Any], item: str) -> tuple[Any, ...]:
    template, _ = ITEM_READS[query]
    return tuple(item if a == "{id}" else a for a in template)


def _item_of(query: Callable[..., Any], country: str) -> str:
    return ITEM_READS[query][1].format(c=country)


def assert_same(a: Any, b: Any) -> None:
    """Equal results of any shape the queries return (frames, numbers, lists, tuples, dicts)."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    else:
        assert a == b


def _same(a: Any, b: Any) -> bool:
    try:
        assert_same(a, b)
    except AssertionError:
        return False
    return True


def text_of(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    if isinstance(value, (list, tuple)):
        return "\n".join(text_of(v) for v in value)
    return repr(value)


# --------------------------------------------------------------------------- every reader is covered


def test_every_reader_of_the_pages_is_scoped_and_tested_here():
    for area in ("", "_countries", "_findings", "_map", "_overview", "_priorities", "_upload"):
        importlib.import_module(f"components.data{area}")
    from components import data

    tested = set(READS) | set(ITEM_READS) | set(SAME_FOR_EVERYONE) | set(scoped.ROW_FILTERS) | set(SELF_CHECKED)
    readers = data.readers()
    assert readers and not [scoped.plan(q).name for q in readers if q not in tested]


def test_a_read_no_rule_covers_is_refused():
    def undecided(engine, quarter):
        return quarter

    with pytest.raises(TypeError, match="nothing says what this read may cover"):
        scoped.plan(undecided)


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize("query", list(READS), ids=lambda q: scoped.plan(q).name)
def test_a_viewer_limited_to_kgz_gets_exactly_kgz(eng, query):
    args = READS[query]
    mine = scoped.read(eng, VIEWER_KGZ, query, *args)
    assert_same(mine, query(eng, *_with_countries(query, args, ["KGZ"])))
    assert not ELSEWHERE.search(text_of(mine))
    # asking for other countries does not widen it
    asked = scoped.read(eng, VIEWER_KGZ, query, *_with_countries(query, args, ["IRQ", "KGZ", "TJK"]))
    assert_same(asked, mine)
    # the test can fail: everyone's read holds more
    everyone = scoped.read(eng, ADMIN, query, *args)
    assert_same(everyone, query(eng, *args))
    assert not _same(everyone, mine)


@pytest.mark.parametrize("query", list(READS), ids=lambda q: scoped.plan(q).name)
def test_no_country_in_scope_gives_nothing_never_everything(eng, query):
    """As a country with no data and no name at all (ZZZ) would: not every country."""
    args = READS[query]
    nothing = query(eng, *_with_countries(query, args, ["ZZZ"]))
    for who, asked in ((NO_ACCOUNT, None), (VIEWER_KGZ, ["IRQ"]), (COORDINATOR_TJK, ["KGZ", "IRQ"])):
        got = scoped.read(eng, who, query, *_with_countries(query, args, asked))
        assert_same(got, nothing)
        assert not re.search("KGZ|Kyrgyzstan|Bishkek", text_of(got)) and not ELSEWHERE.search(text_of(got))


def test_the_country_list_keeps_the_countries_in_scope(eng):
    assert list(scoped.read(eng, ADMIN, queries.countries)["code"]) == list(queries.countries(eng)["code"])
    assert list(scoped.read(eng, VIEWER_KGZ, queries.countries)["code"]) == ["KGZ"]
    assert list(scoped.read(eng, COORDINATOR_TJK, queries.countries)["code"]) == ["TJK"]
    assert scoped.read(eng, NO_ACCOUNT, queries.countries).empty


@pytest.mark.parametrize("query", SAME_FOR_EVERYONE, ids=lambda q: scoped.plan(q).name)
def test_reads_without_countries_are_the_same_for_everyone(eng, query):
    assert scoped.plan(query).unscoped
    assert_same(scoped.read(eng, VIEWER_KGZ, query), query(eng))
    assert_same(scoped.read(eng, NO_ACCOUNT, query), query(eng))


def test_nothing_is_a_list_that_matches_no_row(eng):
    assert finding_queries.finding_count(eng, Q2, NOTHING) == 0
    assert finding_queries.finding_count(eng, Q2, None) == 6  # not every country


# --------------------------------------------------------------------------- one item


@pytest.mark.parametrize("query", list(ITEM_READS), ids=lambda q: scoped.plan(q).name)
def test_an_item_outside_the_scope_is_not_found(eng, query):
    not_found = query(eng, *_item_args(query, "NO-SUCH-ID"))
    own, other = _item_of(query, "KGZ"), _item_of(query, "IRQ")
    # in scope: the item itself, which exists
    mine = scoped.read(eng, VIEWER_KGZ, query, *_item_args(query, own))
    assert_same(mine, query(eng, *_item_args(query, own)))
    assert not _same(mine, not_found)
    # outside: exactly what an unknown ID gives, also spelt in another case
    for who, item in ((VIEWER_KGZ, other), (VIEWER_KGZ, other.lower()), (COORDINATOR_TJK, own), (NO_ACCOUNT, own)):
        got = scoped.read(eng, who, query, *_item_args(query, item))
        assert_same(got, not_found)
    # people who see every country see it
    assert_same(scoped.read(eng, ADMIN, query, *_item_args(query, other)), query(eng, *_item_args(query, other)))
    # an ID that does not exist stays unknown for everyone
    assert_same(scoped.read(eng, VIEWER_KGZ, query, *_item_args(query, "NO-SUCH-ID")), not_found)


def test_withheld_names_the_country_of_an_item_outside_the_scope(eng):
    def lookup(kind: str, item: str):
        return scoped.countries_of(eng, kind, item)

    assert scoped.withheld(VIEWER_KGZ, "finding", "IRQ-F1", lookup) == "IRQ"
    assert scoped.withheld(VIEWER_KGZ, "finding", " irq-f1 ", lookup) == "IRQ"  # as the lookup accepts it
    assert scoped.withheld(VIEWER_KGZ, "facility", "TJK-T-01", lookup) == "TJK"
    assert scoped.withheld(VIEWER_KGZ, "priority", "IRQ-P1", lookup) == "IRQ"
    assert scoped.withheld(VIEWER_KGZ, "finding", "KGZ-F1", lookup) is None  # in scope
    assert scoped.withheld(VIEWER_KGZ, "finding", "NO-SUCH-ID", lookup) is None  # unknown
    assert scoped.withheld(ADMIN, "finding", "IRQ-F1", lookup) is None
    assert scoped.countries_of(eng, "finding", NO_ITEM) == ()


# --------------------------------------------------------------------------- exports


def test_an_export_is_recorded_once_with_what_format_and_filters(eng):
    filters = {"countries": ["KGZ"], "quarter": Q2, "severities": ["high"]}
    scoped.record_export(eng, VIEWER_KGZ, "Open findings by quarter", "png", filters, file_name="x.png")
    events = audit.events(eng, access.BOOTSTRAP, person=VIEWER_KGZ.email, action="export")
    assert len(events) == 1
    row = events.iloc[0]
    assert row["actor_email"] == VIEWER_KGZ.email and row["country"] is None
    assert json.loads(row["detail"]) == {
        "what": "Open findings by quarter",
        "format": "png",
        "filters": filters,
        "file_name": "x.png",
    }


def test_someone_without_an_account_cannot_export_and_the_refusal_is_recorded(eng):
    with pytest.raises(AccessError):
        scoped.record_export(eng, NO_ACCOUNT, "findings", "csv", {})
    assert audit.events(eng, access.BOOTSTRAP, person=NO_ACCOUNT.email, action="export").empty
    refused = audit.events(eng, access.BOOTSTRAP, person=NO_ACCOUNT.email, action="refused")
    assert len(refused) == 1 and '"attempted": "export"' in refused.iloc[0]["detail"]
