"""Queries of the Audit findings page (``data_access.findings``) on SQLite and
PostgreSQL, against a hand-built history with known answers, and against
the existing queries of ``data_access.queries`` they must agree with."""

from __future__ import annotations

import datetime as dt
import statistics

import pandas as pd
import pytest

from data_access import db, queries
from data_access import findings as F
from data_access.findings import FindingFilter
from data_access.importer import import_workbook
from data_access.rules import findings as rules
from data_access.rules.quarters import parse_quarter, quarter_of
from tests import reference_queries
from tests.conftest import fresh_database
from tests.workbooks import ADMIN, DUSHANBE, FACILITIES_HEADER, FINDINGS_HEADER, KHUJAND, return_workbook

D = dt.date
ASTANA = ["KAZ-T-01", "Test prison Astana", "prison", "Astana", 51.17, 71.43, "yes", None]
REGIME, ENGINEER = "Head of regime", "Chief engineer"


def row(fid, facility, domain, severity, status, due, owner=REGIME, note=None, audit=D(2024, 2, 1), title=None):
    return [fid, facility, audit, domain, severity, title or f"Finding {fid}", None, status, due, owner, note]


# The story (quarters not listed for a finding carry its state forward):
#   F1 T-01 physical high:      Q1 open (due 30 Jun, Head of regime) -> Q2 in progress, owner Chief engineer
#                               -> Q3 remediated -> Q4 verified
#   F2 T-01 procedural critical: Q1 open, due 30 Jun 2024 (the last day of Q2); never changes
#   F5 T-01 procedural high:     Q1 open, due 29 Jun 2024 -> Q4 in progress
#   F3 T-02 dynamic low:         raised in Q2 (audit 15 Apr) in progress, due 30 Sep -> Q3 remediated
#   F4 T-02 physical medium:     Q1 open, due 31 Dec -> Q3 risk accepted
#   K1 KAZ other high:           Q1 open, due 31 Mar 2024 (the last day of Q1); never changes
TJK_RETURNS = {
    "2024-Q1": [
        row("F1", "TJK-T-01", "physical", "high", "open", D(2024, 6, 30), note="Raised"),
        row(
            "F2",
            "TJK-T-01",
            "procedural",
            "critical",
            "open",
            D(2024, 6, 30),
            title="No vehicle search area at the main gate",
        ),
        row("F5", "TJK-T-01", "procedural", "high", "open", D(2024, 6, 29)),
        row("F4", "TJK-T-02", "physical", "medium", "open", D(2024, 12, 31)),
    ],
    "2024-Q2": [
        row(
            "F1",
            "TJK-T-01",
            "physical",
            "high",
            "in progress",
            D(2024, 6, 30),
            owner=ENGINEER,
            note="Contractor chosen",
        ),
        row("F3", "TJK-T-02", "dynamic", "low", "in progress", D(2024, 9, 30), audit=D(2024, 4, 15)),
    ],
    "2024-Q3": [
        row("F1", "TJK-T-01", "physical", "high", "remediated", D(2024, 6, 30), owner=ENGINEER),
        row("F3", "TJK-T-02", "dynamic", "low", "remediated", D(2024, 9, 30), audit=D(2024, 4, 15)),
        row("F4", "TJK-T-02", "physical", "medium", "risk accepted", D(2024, 12, 31)),
    ],
    "2024-Q4": [
        row("F1", "TJK-T-01", "physical", "high", "verified", D(2024, 6, 30), owner=ENGINEER),
        row("F5", "TJK-T-01", "procedural", "high", "in progress", D(2024, 6, 29)),
    ],
}
KAZ_RETURNS = {"2024-Q1": [row("K1", "KAZ-T-01", "other", "high", "open", D(2024, 3, 31))]}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def history(request, tmp_path_factory):
    """The story above imported once per database for the module (the tests only read)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("findings")) as url:
        engine = db.connect(url)
        for country, returns, facilities in (("TJK", TJK_RETURNS, [DUSHANBE, KHUJAND]), ("KAZ", KAZ_RETURNS, [ASTANA])):
            for i, (quarter, rows) in enumerate(returns.items()):
                sheets = {"Findings": [FINDINGS_HEADER, *rows]}
                if i == 0:
                    sheets["Facilities"] = [FACILITIES_HEADER, *facilities]
                r = import_workbook(
                    engine, ADMIN, return_workbook(country, quarter, **sheets), f"{country}_{quarter}.xlsx"
                )
                assert r.status == "applied", r.report()
        yield engine


QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")


# --------------------------------------------------------------------------- counts and the overdue rule


def test_overdue_at_the_quarter_boundary(history):
    def overdue(quarter):
        df = F.findings_list(history, quarter, flt=FindingFilter(overdue_only=True), limit=None)[0]
        return dict(zip(df["finding_id"], df["days_overdue"], strict=False))

    assert overdue("2024-Q1") == {}  # K1 is due on 31 Mar, the quarter's last day
    assert overdue("2024-Q2") == {"K1": 91, "F5": 1}  # F2 and F1 are due on 30 Jun: not yet
    assert overdue("2024-Q3") == {"K1": 183, "F5": 93, "F2": 92}  # F1 was remediated in time for Q3's end
    assert overdue("2024-Q4") == {"K1": 275, "F5": 185, "F2": 184}  # in progress is still open
    for quarter in QUARTERS:  # the same rule as the existing queries
        expected = queries.findings_as_at(history, quarter)
        assert set(overdue(quarter)) == set(expected.loc[expected["overdue"], "finding_id"])


def test_the_timelines_overdue_rule_agrees_with_the_sql_one(history):
    """The timeline applies the overdue rule in Python (rules.is_overdue), quarter by
    quarter; it must say what sql.overdue says in SQL."""
    for quarter in (*QUARTERS, "2025-Q1"):
        state = queries.findings_as_at(history, quarter)
        for r in state.itertuples():
            rows, _ = F.finding_timeline(history, r.finding_id, quarter)
            expected = rules.is_overdue(r.status, r.due_date, parse_quarter(quarter))
            assert rows[-1].overdue == r.overdue == expected, (quarter, r.finding_id)


def test_status_counts_agree_with_finding_counts(history):
    for quarter in QUARTERS:
        for by in ((), ("country",), ("facility_id", "domain"), ("severity",)):
            mine = F.status_counts(history, quarter, by=by)
            theirs = reference_queries.finding_counts(history, quarter, by=(*by, "status"))
            key = [*by, "status"]
            assert sorted(zip(*[mine[k] for k in key], mine["findings"], mine["overdue"], strict=False)) == sorted(
                zip(*[theirs[k] for k in key], theirs["findings"], theirs["overdue"], strict=False)
            ), (quarter, by)
    by_facility = F.status_counts(history, "2024-Q1", by=("facility_id",))
    assert set(by_facility["facility"]) == {"Test prison Dushanbe", "Test prison Khujand", "Test prison Astana"}


@pytest.mark.parametrize(
    "flt, quarter, expected",
    [
        (FindingFilter(facilities=("TJK-T-02",)), "2024-Q3", {"F3", "F4"}),
        (FindingFilter(domains=("procedural", "other")), "2024-Q1", {"F2", "F5", "K1"}),
        (FindingFilter(severities=("high",)), "2024-Q2", {"F1", "F5", "K1"}),
        (FindingFilter(statuses=("in progress",)), "2024-Q2", {"F1", "F3"}),
        (FindingFilter(statuses=("in progress",)), "2024-Q4", {"F5"}),
        (FindingFilter(owners=(ENGINEER,)), "2024-Q1", set()),  # F1's owner changed in Q2
        (FindingFilter(owners=(ENGINEER,)), "2024-Q2", {"F1"}),
        (FindingFilter(overdue_only=True, severities=("critical",)), "2024-Q3", {"F2"}),
        (FindingFilter(facilities=("TJK-T-01",), statuses=("open",), overdue_only=True), "2024-Q2", {"F5"}),
    ],
)
def test_filters_apply_in_sql_to_the_state_as_at_the_quarter(history, flt, quarter, expected):
    df, total = F.findings_list(history, quarter, flt=flt, limit=None)
    assert set(df["finding_id"]) == expected and total == len(expected)
    assert F.finding_count(history, quarter, flt=flt) == len(expected)
    counts = F.status_counts(history, quarter, flt=flt)
    assert int(counts["findings"].sum()) == len(expected)
    # the same selection made by hand from the existing as-at query
    s = queries.findings_as_at(history, quarter)
    for column, values in (
        ("facility_id", flt.facilities),
        ("domain", flt.domains),
        ("severity", flt.severities),
        ("status", flt.statuses),
        ("owner", flt.owners),
    ):
        if values:
            s = s[s[column].isin(values)]
    if flt.overdue_only:
        s = s[s["overdue"]]
    assert set(s["finding_id"]) == expected


def test_countries_limit_everything(history):
    assert F.finding_count(history, "2024-Q4", ["KAZ"]) == 1
    assert F.owners(history, "2024-Q2", ["TJK"]) == [ENGINEER, REGIME]
    assert F.owners(history, "2024-Q1") == [REGIME]
    df = F.headline(history, "2024-Q2", ["KAZ"]).set_index("metric")
    assert df.loc["open", "value"] == 1 and df.loc["overdue", "value"] == 1 and df.loc["overdue", "previous"] == 0


def test_headline_tiles(history):
    h = F.headline(history, "2024-Q4").set_index("metric")
    assert list(h.index) == list(F.HEADLINE_METRICS)
    assert {m: h.loc[m, "value"] for m in rules.TILE_STATUSES} == {
        "open": 2,
        "in progress": 1,
        "remediated": 1,
        "verified": 1,
        "risk accepted": 1,
    }
    assert {m: h.loc[m, "previous"] for m in rules.TILE_STATUSES} == {
        "open": 3,
        "in progress": 0,
        "remediated": 2,
        "verified": 0,
        "risk accepted": 1,
    }
    assert h.loc["overdue", "value"] == 3
    assert h.loc["median_days_to_remediate", "value"] == (168 + 242) / 2
    first = F.headline(history, "2024-Q1").set_index("metric")
    assert first.loc["median_days_to_remediate", "value"] is None and first.loc["open", "previous"] == 0


# --------------------------------------------------------------------------- burn-down


def test_burn_down_rebuilds_each_quarter_and_agrees_with_the_status_spans(history):
    bd = F.burn_down(history, "2024-Q1", "2025-Q1")
    spans = queries.finding_status_by_quarter(history, "2024-Q1", "2025-Q1", by=("severity",))
    spans = spans[spans["status"].isin(("open", "in progress"))].groupby(["quarter", "severity"])["findings"].sum()
    assert dict(zip(zip(bd["quarter"], bd["severity"], strict=False), bd["open"], strict=False)) == spans.to_dict()
    per_quarter = bd.groupby("quarter")[["open", "overdue"]].sum()
    assert per_quarter["open"].to_dict() == {"2024-Q1": 5, "2024-Q2": 6, "2024-Q3": 3, "2024-Q4": 3, "2025-Q1": 3}
    for quarter in QUARTERS:
        assert (
            per_quarter.loc[quarter, "overdue"] == reference_queries.finding_counts(history, quarter)["overdue"].sum()
        )
    assert per_quarter.loc["2025-Q1", "overdue"] == 3  # nothing reported: the Q4 state carries on


def test_burn_down_filters_use_each_quarters_state(history):
    mine = F.burn_down(history, "2024-Q1", "2024-Q4", flt=FindingFilter(owners=(ENGINEER,)))
    assert list(zip(mine["quarter"], mine["severity"], mine["open"], strict=False)) == [("2024-Q2", "high", 1)]
    late = F.burn_down(history, "2024-Q1", "2024-Q4", flt=FindingFilter(overdue_only=True))
    assert late.groupby("quarter")["open"].sum().to_dict() == {"2024-Q2": 2, "2024-Q3": 3, "2024-Q4": 3}
    assert (late["open"] == late["overdue"]).all()
    t02 = F.burn_down(history, "2024-Q1", "2024-Q4", ["TJK"], FindingFilter(facilities=("TJK-T-02",)))
    assert t02.groupby("quarter")["open"].sum().to_dict() == {"2024-Q1": 1, "2024-Q2": 2}


# --------------------------------------------------------------------------- ageing


def test_ageing_bands_as_at_the_quarters_end(history):
    ag = F.ageing(history, "2024-Q3")
    got = {(r.measure, r.band, r.severity): r.findings for r in ag.itertuples()}
    # open at 30 Sep 2024: F2, F5 (audit 1 Feb: 242 days), K1 (242 days)
    assert got == {
        ("age", "age_181_365", "critical"): 1,
        ("age", "age_181_365", "high"): 2,
        ("past_due", "late_91_180", "critical"): 1,  # F2: 92 days
        ("past_due", "late_91_180", "high"): 1,  # F5: 93 days
        ("past_due", "late_181_365", "high"): 1,
    }  # K1: 183 days
    early = F.ageing(history, "2024-Q1")
    assert set(early["measure"]) == {"age"} and early["findings"].sum() == 5
    assert set(early["band"]) == {"age_0_90"}  # 59 days after the audit
    assert F.ageing(history, "2024-Q1", flt=FindingFilter(statuses=("verified",))).empty


# --------------------------------------------------------------------------- remediation speed


def test_remediation_speed_counts_to_the_end_of_the_reporting_quarter(history):
    s = F.remediation_speed(history, "2024-Q4").iloc[0]
    assert (s["findings"], s["remediated"], s["verified"]) == (6, 2, 1)
    assert s["median_days_to_remediated"] == (242 + 168) / 2  # F1: 1 Feb -> 30 Sep; F3: 15 Apr -> 30 Sep
    assert s["median_days_to_verified"] == 334  # F1: 1 Feb -> 31 Dec
    # due before 31 Dec 2024: F1, F2, F5, F3, K1 (F4 is due on the last day, and risk accepted)
    assert (s["due"], s["on_time"]) == (5, 1)  # only F3 was reported remediated in its due quarter
    assert s["on_time_share"] == pytest.approx(0.2)
    # agrees with the existing per-finding query
    times = reference_queries.remediation_times(history, "2024-Q4")
    assert s["median_days_to_remediated"] == statistics.median(times["days_to_remediated"].dropna())
    assert s["median_days_to_verified"] == statistics.median(times["days_to_verified"].dropna())
    # and the share's SQL agrees with the rule, applied finding by finding
    state = queries.findings_as_at(history, "2024-Q4").merge(times[["finding_id", "remediated_by"]], on="finding_id")
    end = D(2024, 12, 31)
    due = state[
        [
            d is not None and pd.notna(d) and pd.Timestamp(d).date() < end and st != "risk accepted"
            for d, st in zip(state["due_date"], state["status"], strict=False)
        ]
    ]
    on_time = [
        rules.remediated_on_time(quarter_of(r) if r is not None and pd.notna(r) else None, d)
        for r, d in zip(due["remediated_by"], due["due_date"], strict=False)
    ]
    assert (len(due), sum(on_time)) == (s["due"], s["on_time"])


def test_remediation_speed_by_group_and_as_at_an_earlier_quarter(history):
    by_country = F.remediation_speed(history, "2024-Q4", by=("country",)).set_index("country")
    assert by_country.loc["KAZ", "remediated"] == 0 and pd.isna(by_country.loc["KAZ", "median_days_to_remediated"])
    assert (by_country.loc["TJK", "due"], by_country.loc["TJK", "on_time"]) == (4, 1)
    by_domain = F.remediation_speed(history, "2024-Q4", by=("domain",)).set_index("domain")
    assert by_domain.loc["physical", "median_days_to_remediated"] == 242
    assert by_domain.loc["dynamic", "median_days_to_remediated"] == 168
    flow = F.remediation_speed(history, "2024-Q4", by=("remediated_quarter",))
    assert list(zip(flow["remediated_quarter"], flow["remediated"], strict=False)) == [("2024-Q3", 2)]
    before = F.remediation_speed(history, "2024-Q2").iloc[0]
    assert before["remediated"] == 0 and pd.isna(before["median_days_to_remediated"])
    none = F.remediation_speed(history, "2024-Q4", flt=FindingFilter(facilities=("nowhere",))).iloc[0]
    assert none["findings"] == 0 and pd.isna(none["on_time_share"])


# --------------------------------------------------------------------------- facility x domain


def test_facility_by_domain_with_the_worst_open_severity(history):
    fd = F.facility_domain(history, "2024-Q3")
    got = {(r.facility_id, r.domain): (r.open, r.overdue, r.worst_open_severity) for r in fd.itertuples()}
    assert got == {
        ("KAZ-T-01", "other"): (1, 1, "high"),
        ("TJK-T-01", "physical"): (0, 0, None),
        ("TJK-T-01", "procedural"): (2, 2, "critical"),
        ("TJK-T-02", "dynamic"): (0, 0, None),
        ("TJK-T-02", "physical"): (0, 0, None),
    }
    summary = queries.facility_findings_summary(history, "2024-Q3").set_index("facility_id")
    for fid, g in fd.groupby("facility_id"):
        assert g["open"].sum() == summary.loc[fid, "open"] and g["overdue"].sum() == summary.loc[fid, "overdue"]


# --------------------------------------------------------------------------- the findings table


def test_findings_list_sorts_searches_and_pages_in_sql(history):
    everything, total = F.findings_list(history, "2024-Q3", sort="days_overdue", limit=None)
    assert total == 6 and list(everything["finding_id"][:3]) == ["K1", "F5", "F2"]
    by_severity = F.findings_list(history, "2024-Q3", limit=None)[0]
    assert by_severity["severity"].iloc[0] == "critical" and by_severity["severity"].iloc[-1] == "low"
    page, total = F.findings_list(history, "2024-Q3", sort="finding_id", limit=2, offset=2)
    assert total == 6 and list(page["finding_id"]) == ["F3", "F4"]
    backwards = F.findings_list(history, "2024-Q3", sort="finding_id", descending=True, limit=1)[0]
    assert list(backwards["finding_id"]) == ["K1"]
    gate, n = F.findings_list(history, "2024-Q3", search="  GATE ", limit=None)
    assert n == 1 and list(gate["finding_id"]) == ["F2"]
    assert F.findings_list(history, "2024-Q3", search="khujand", limit=None)[1] == 2  # facility name
    assert F.findings_list(history, "2024-Q3", search=ENGINEER.lower(), limit=None)[1] == 1  # owner
    assert F.findings_list(history, "2024-Q3", search="100%", limit=None)[1] == 0  # % is literal
    assert F.findings_list(history, "2024-Q3", search="F_", limit=None)[1] == 0  # and so is _
    with pytest.raises(ValueError):
        F.findings_list(history, "2024-Q3", sort="title")


# --------------------------------------------------------------------------- one finding


def test_a_findings_timeline_has_every_status_change(history):
    rows, later = F.finding_timeline(history, "F1", "2024-Q4")
    assert later == 0
    assert rules.status_changes(rows) == [
        (None, "open", "2024-Q1"),
        ("open", "in progress", "2024-Q2"),
        ("in progress", "remediated", "2024-Q3"),
        ("remediated", "verified", "2024-Q4"),
    ]
    assert rows[1].changes == (rules.STATUS, rules.OWNER, rules.NOTE) and rows[1].owner == ENGINEER
    assert rows[0].source["file_name"] == "TJK_2024-Q1.xlsx"
    early, later = F.finding_timeline(history, "F1", "2024-Q2")
    assert [r.status for r in early] == ["open", "in progress"] and later == 2
    carried, _ = F.finding_timeline(history, "F2", "2024-Q4")
    assert [r.reported for r in carried] == [True, False, False, False]
    assert [r.overdue for r in carried] == [False, False, True, True]
    assert F.finding_timeline(history, "F3", "2024-Q1") == ([], 2)


def test_a_finding_is_found_by_its_id_whatever_the_case(history):
    assert F.finding(history, " f2 ")["title"] == "No vehicle search area at the main gate"
    assert F.finding(history, "F2")["facility"] == "Test prison Dushanbe"
    assert F.finding(history, "nothing") is None and F.finding(history, "") is None
