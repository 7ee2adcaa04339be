"""The Audit findings page through AppTest, against the sample data: the
figures it shows equal those worked out here from the existing queries of
``data_access.queries`` for several quarters; a facility link preselects the
filter; the filters narrow everything; a finding's timeline shows every
status change of its history; empty states guide; no tab raises."""

from __future__ import annotations

import re
import statistics

import pytest

from components import formatting as fmt
from data_access import db, queries
from data_access.rules.quarters import parse_quarter
from tests import reference_queries
from tests.apptest_support import markdown_text, metrics, new_app, run

PAGE = "pages/findings.py"
TAB_KEY = "findings_tab"
TABS = {
    "progress": "Burn-down and weakest spots",
    "breakdown": "Status breakdown",
    "speed": "Ageing and speed",
    "list": "Findings and timelines",
}
STATUS_TILES = {
    "open": "Open",
    "in progress": "In progress",
    "remediated": "Remediated",
    "verified": "Verified",
    "risk accepted": "Risk accepted",
}


def _open(query: dict | None = None):
    at = run(new_app(query))
    return run(at.switch_page(PAGE))


def _tab(at, name: str):
    at.session_state[TAB_KEY] = TABS[name]
    return run(at)


def _table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture
def eng(sample_url):
    return db.connect(sample_url)


# --------------------------------------------------------------------------- expected figures, independently


def _figures(eng, quarter: str, countries=None, facility: str | None = None) -> dict[str, float | None]:
    """tile -> value, from data_access.queries only."""
    if facility:
        state = queries.findings_as_at(eng, quarter, countries, facility_id=facility)
        counts = state["status"].value_counts()
        out = {label: int(counts.get(status, 0)) for status, label in STATUS_TILES.items()}
        out["Overdue"] = int(state["overdue"].sum())
        times = reference_queries.remediation_times(eng, quarter, countries)
        times = times[times["facility_id"] == facility]
    else:
        fc = reference_queries.finding_counts(eng, quarter, countries, by=("status",)).set_index("status")
        out = {label: int(fc["findings"].get(status, 0)) for status, label in STATUS_TILES.items()}
        out["Overdue"] = int(fc["overdue"].sum())
        times = reference_queries.remediation_times(eng, quarter, countries)
    days = times["days_to_remediated"].dropna()
    out["Median days to remediate"] = round(statistics.median(days)) if len(days) else None
    return out


def _expected_tiles(eng, quarter: str, countries=None, facility=None) -> dict[str, tuple[str, str | None]]:
    now = _figures(eng, quarter, countries, facility)
    previous = str(parse_quarter(quarter).previous())
    before = _figures(eng, previous, countries, facility) if previous in queries.quarters_with_data(eng) else None
    out = {}
    for label, value in now.items():
        prev = None if before is None else before[label]
        if prev is None or value is None:
            delta = None
        elif value == prev:
            delta = "0"
        else:
            delta = fmt.signed(value - prev)
        out[label] = (fmt.number(value), delta)
    return out


# --------------------------------------------------------------------------- tiles and counts


@pytest.mark.parametrize(
    "quarter, countries",
    [
        ("2026-Q3", None),
        ("2025-Q2", None),
        ("2024-Q3", ["KGZ", "TJK"]),
    ],
)
def test_tiles_and_counts_equal_the_data_layer(eng, quarter, countries):
    query = {"quarter": quarter} | ({"countries": ",".join(countries)} if countries else {})
    at = _open(query)
    assert at.markdown[0].value == f"### Audit findings · {quarter}"
    assert metrics(at) == _expected_tiles(eng, quarter, countries)
    total = len(queries.findings_as_at(eng, quarter, countries))
    assert f"**{fmt.number(total)}** findings raised by the end of {quarter}." in markdown_text(at)
    # the findings table counts the same findings
    _tab(at, "list")
    shown = min(total, 50)
    assert f"Findings **1-{shown}** of **{fmt.number(total)}**" in markdown_text(at)
    table = _table(at, "Severity")
    assert len(table) == shown  # one page, never the whole list
    assert not at.exception


def test_a_facility_link_preselects_the_filter(eng):
    at = _open({"facility": "TJK-DUS-01", "quarter": "2025-Q2"})
    facility = next(m for m in at.multiselect if m.label == "Facility")
    assert facility.value == ["TJK-DUS-01"]
    assert metrics(at) == _expected_tiles(eng, "2025-Q2", facility="TJK-DUS-01")
    n = len(queries.findings_as_at(eng, "2025-Q2", facility_id="TJK-DUS-01"))
    assert f"**{n}** of 120 findings raised by the end of 2025-Q2 match the filters." in markdown_text(at)
    assert at.query_params["facility"] == "TJK-DUS-01"
    # clearing the filter shows every finding again and takes the facility out of the address
    next(b for b in at.button if b.label == "Clear the filters").click()
    run(at)
    assert next(m for m in at.multiselect if m.label == "Facility").value == []
    assert "**120** findings raised by the end of 2025-Q2." in markdown_text(at)
    assert "facility" not in at.query_params


def test_a_link_to_an_unknown_facility_is_ignored(eng):
    at = _open({"facility": "NOWHERE-01"})
    assert next(m for m in at.multiselect if m.label == "Facility").value == []
    assert metrics(at) == _expected_tiles(eng, "2026-Q3")


def test_the_filters_narrow_every_figure(eng):
    at = _open({"quarter": "2025-Q2"})
    next(m for m in at.multiselect if m.label == "Severity").set_value(["high", "critical"])
    at.toggle(key="findings_overdue").set_value(True)
    run(at)
    state = queries.findings_as_at(eng, "2025-Q2")
    chosen = state[state["severity"].isin(["high", "critical"]) & state["overdue"]]
    assert len(chosen) > 0
    assert f"**{len(chosen)}** of 120 findings" in markdown_text(at)
    tiles = metrics(at)
    assert tiles["Overdue"][0] == str(len(chosen))
    assert tiles["Open"][0] == str((chosen["status"] == "open").sum())
    assert tiles["Verified"][0] == "0"
    _tab(at, "list")
    assert set(_table(at, "Severity")["Finding"]) == set(chosen["finding_id"])


# --------------------------------------------------------------------------- the timeline


def _story_finding(eng) -> str:
    """The sample finding whose status changed most often."""
    best, most = None, -1
    for fid in queries.findings_as_at(eng, "2026-Q3")["finding_id"]:
        statuses = list(queries.finding_history(eng, fid)["status"])
        changes = sum(a != b for a, b in zip(statuses, statuses[1:], strict=False))
        if changes > most:
            best, most = fid, changes
    assert most >= 3
    return best


def test_a_findings_timeline_shows_every_status_change(eng):
    fid = _story_finding(eng)
    history = queries.finding_history(eng, fid)
    at = _tab(_open(), "list")
    at.text_input(key="findings_finding_id").input(fid)
    run(at)
    text = markdown_text(at)
    title = queries.findings_as_at(eng, "2026-Q3").set_index("finding_id").loc[fid, "title"]
    assert f"#### {fid} · " in text and title.split()[0] in text
    timeline = _table(at, "What changed")
    changes = dict(zip(timeline["Quarter"], timeline["What changed"], strict=False))
    statuses = dict(zip(timeline["Quarter"], timeline["Status"], strict=False))
    names = {
        "open": "Open",
        "in progress": "In progress",
        "remediated": "Remediated",
        "verified": "Verified",
        "risk accepted": "Risk accepted",
    }
    previous = None
    for r in history.itertuples():
        assert statuses[r.quarter] == names[r.status]
        if previous is None:
            assert changes[r.quarter].startswith(f"Raised as {names[r.status]}")
        elif r.status != previous:
            assert f"Status {names[previous]} → {names[r.status]}" in changes[r.quarter], r.quarter
        previous = r.status
    # every quarter from the first report to the selected one is a row
    first = parse_quarter(history["quarter"].iloc[0])
    assert len(timeline) == parse_quarter("2026-Q3").index - first.index + 1
    assert at.query_params["finding"] == fid


def test_the_timeline_as_at_an_earlier_quarter_hides_what_came_later(eng):
    fid = _story_finding(eng)
    history = queries.finding_history(eng, fid)
    cut = history["quarter"].iloc[1]
    later = int((history["quarter"] > cut).sum())
    at = _open({"quarter": cut, "finding": fid})  # a link to a finding opens its timeline
    assert at.text_input(key="findings_finding_id").value == fid
    timeline = _table(at, "What changed")
    first = parse_quarter(history["quarter"].iloc[0])
    span = [str(first.shift(i)) for i in range(parse_quarter(cut).index - first.index + 1)]
    assert list(timeline["Quarter"]) == span[::-1]  # newest first, nothing after the selected quarter
    assert any(f"{later} later change" in c.value for c in at.caption)


def test_an_unknown_finding_id_says_so():
    at = _tab(_open(), "list")
    at.text_input(key="findings_finding_id").input("NO-SUCH-F99")
    run(at)
    assert any("No finding has the ID" in w.value for w in at.warning)


# --------------------------------------------------------------------------- every tab, empty states


def test_every_tab_renders_with_its_charts():
    at = _open({"quarter": "2025-Q2"})
    expected_charts = {"progress": 1, "breakdown": 2, "speed": 5}
    for name, n in expected_charts.items():
        _tab(at, name)
        assert len(at.get("vega_lite_chart")) == n, name
    _tab(at, "progress")
    weakest = _table(at, "All domains")
    assert "Overdue" in weakest.columns and len(weakest) > 0
    _tab(at, "breakdown")
    at.segmented_control(key="findings_per").set_value("facility_id")
    run(at)
    assert len(at.get("vega_lite_chart")) == 2


def test_a_quarter_without_findings_explains_what_to_do():
    at = _open({"quarter": "2023-Q4"})  # the report's baseline: no audit finding reported yet
    text = markdown_text(at)
    assert "#### No audit findings for All countries as at 2023-Q4" in text
    assert not at.metric


def test_filters_that_match_nothing_offer_to_clear_them():
    at = _open({"quarter": "2024-Q1"})
    next(m for m in at.multiselect if m.label == "Status").set_value(["risk accepted"])
    run(at)
    assert "#### No finding matches the filters" in markdown_text(at)
    next(b for b in at.button if b.label == "Clear the filters").click()
    run(at)
    assert re.search(r"\*\*\d+\*\* findings raised by the end of 2024-Q1\.", markdown_text(at))


def test_every_text_key_the_page_builds_at_run_time_exists():
    from components import i18n
    from data_access.findings import HEADLINE_METRICS
    from data_access.rules import findings as rules
    from data_access.rules.reference import FINDING_DOMAINS

    en = i18n.catalogue("en")
    keys = [
        *(f"findings.tile.{m}" for m in HEADLINE_METRICS),
        *(f"findings.tile.{m}.help" for m in HEADLINE_METRICS),
        *(f"findings.band.{b.key}" for b in (*rules.AGE_BANDS, *rules.PAST_DUE_BANDS)),
        *(f"findings.list.sort.{k}" for k in rules.SORT_KEYS),
        *(
            f"findings.list.col.{c}"
            for c in (
                "finding_id",
                "severity",
                "status",
                "due_date",
                "days_overdue",
                "facility",
                "domain",
                "owner",
                "title",
                "audit_date",
                "status_quarter",
                "country",
            )
        ),
        *(f"findings.breakdown.col.{d}" for d in ("domain", "severity")),
        *(f"findings.speed.col.{k}" for k in ("country", "domain")),
        *(
            f"{p}.{k}"
            for p in ("findings.age", "findings.late")
            for k in ("title", "subtitle", "none", "axis.band", "axis.findings")
        ),
        *(f"finding_domain.{d}" for d in FINDING_DOMAINS),
    ]
    assert [k for k in keys if k not in en] == []
