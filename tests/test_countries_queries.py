"""Queries of the Country profiles page on SQLite and PostgreSQL, over a
hand-built history with known answers:

- Tajikistan: the report's baseline (2023-Q4), a 2024-Q1 return, no 2024-Q2
  return, a 2024-Q3 return that reports prisoners only;
- Kyrgyzstan: the baseline only;
- Iraq and Kazakhstan: nothing.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_access import countries, queries
from data_access.importer import import_workbook
from tests.workbooks import ACTIVITIES_HEADER, INDICATORS_HEADER, return_workbook, signed

D = dt.date
REPORT = "Programme baseline (achievements report 2019-2023)"


def _import(engine, country, quarter, kind="return", user="coordinator", **sheets):
    r = import_workbook(
        engine, signed(user), return_workbook(country, quarter, **sheets), f"{country}_{quarter}.xlsx", kind=kind
    )
    assert r.status == "applied", r.report()


@pytest.fixture
def history(engine):
    _import(
        engine,
        "TJK",
        "2023-Q4",
        kind="baseline",
        user=REPORT,
        Indicators=[
            INDICATORS_HEADER,
            ["prisoners_total", 12491, "no", None],
            ["prisoners_female", 362, "no", None],
            ["ve_prisoners", 2133, "no", "As in the report."],
            ["ftf_detainees", 281, "yes", None],
        ],
        Activities=[
            ACTIVITIES_HEADER,
            ["TJK-B1", D(2021, 7, 1), "training", "Baseline training", 100, None, None, None],
            ["TJK-B2", D(2023, 7, 1), "equipment", "Baseline equipment", None, None, None, None],
        ],
    )
    _import(
        engine,
        "KGZ",
        "2023-Q4",
        kind="baseline",
        user=REPORT,
        Indicators=[
            INDICATORS_HEADER,
            ["prisoners_total", 7569, "no", None],
            ["ve_prisoners", 200, "no", None],
            ["ftf_detainees", 38, "yes", None],
            ["prisons_total", 28, "no", None],
        ],
    )
    _import(
        engine,
        "TJK",
        "2024-Q1",
        Indicators=[
            INDICATORS_HEADER,
            ["prisoners_total", 12600, "no", None],
            ["prisoners_female", 370, "no", None],
            ["ve_prisoners", 2100, "no", None],
            ["ftf_detainees", 290, "yes", "Estimate."],
        ],
        Activities=[
            ACTIVITIES_HEADER,
            ["TJK-A1", D(2024, 2, 1), "training", "T1", 40, 10, None, None],
            ["TJK-A2", D(2024, 3, 1), "workshop", "W1", 20, None, None, None],
        ],
    )
    _import(
        engine,
        "TJK",
        "2024-Q3",
        Indicators=[INDICATORS_HEADER, ["prisoners_total", 12700, "no", None]],
        Activities=[ACTIVITIES_HEADER, ["TJK-A3", D(2024, 8, 1), "training", "T2", 30, 15, None, None]],
    )
    return engine


def test_key_figures_next_to_the_baseline(history):
    k = countries.key_figures(history, "2024-Q1", ["TJK"]).set_index("indicator")
    assert list(k.index) == ["prisoners_total", "prisoners_female", "ve_prisoners", "ftf_detainees"]
    p = k.loc["prisoners_total"]
    assert (p["value"], p["quarter"], p["carried"], p["source_kind"], p["source_by"]) == (
        12600,
        "2024-Q1",
        False,
        "return",
        "coordinator",
    )
    assert p["source_file"] == "TJK_2024-Q1.xlsx" and not p["from_report"]
    assert (p["baseline_value"], p["baseline_quarter"], p["baseline_source_by"]) == (12491, "2023-Q4", REPORT)
    assert p["baseline_from_report"] and p["change_since_baseline"] == 109
    assert (p["previous_value"], p["previous_quarter"]) == (12491, "2023-Q4")
    f = k.loc["ftf_detainees"]
    assert f["approximate"] and f["baseline_approximate"] and f["note"] == "Estimate."
    # as at the baseline quarter: the report's figures, no change to speak of
    b = countries.key_figures(history, "2023-Q4", ["TJK"]).set_index("indicator")
    assert b.loc["ve_prisoners", "value"] == 2133 and b.loc["ve_prisoners", "from_report"]
    assert b.loc["ve_prisoners", "note"] == "As in the report."
    assert pd.isna(b.loc["ve_prisoners", "change_since_baseline"])
    assert pd.isna(b.loc["ve_prisoners", "previous_value"])


def test_a_quarter_without_a_return_shows_the_last_known_figures_with_their_quarter(history):
    k = countries.key_figures(history, "2024-Q2", ["TJK"]).set_index("indicator")
    assert set(k["quarter"]) == {"2024-Q1"} and k["carried"].all()
    assert k.loc["ve_prisoners", "value"] == 2100
    # 2024-Q3 reports prisoners only: the others are carried from 2024-Q1
    k3 = countries.key_figures(history, "2024-Q3", ["TJK"]).set_index("indicator")
    assert k3.loc["prisoners_total", "quarter"] == "2024-Q3" and not k3.loc["prisoners_total", "carried"]
    assert k3.loc["ve_prisoners", "quarter"] == "2024-Q1" and k3.loc["ve_prisoners", "carried"]
    s = countries.data_status(history, "2024-Q2").set_index("country")
    assert list(s.index) == ["IRQ", "KAZ", "KGZ", "TJK"]  # every country, ordered by name
    assert (s.loc["TJK", "status"], s.loc["TJK", "last_quarter"]) == ("carried", "2024-Q1")
    assert (s.loc["TJK", "upload_file"], s.loc["TJK", "upload_kind"]) == ("TJK_2024-Q1.xlsx", "return")
    assert (s.loc["KGZ", "status"], s.loc["KGZ", "upload_kind"]) == ("carried", "baseline")
    assert s.loc["IRQ", "status"] == "none" and pd.isna(s.loc["IRQ", "last_quarter"])
    assert countries.data_status(history, "2024-Q3", ["TJK"]).iloc[0]["status"] == "current"


def test_derived_shares_follow_the_rules(history):
    d = countries.derived_shares(history, "2024-Q1", ["TJK"]).set_index("share")
    assert d.loc["ve_per_100", "value"] == pytest.approx(2100 / 12600 * 100)
    assert not d.loc["ve_per_100", "approximate"]
    assert d.loc["ftf_per_100", "value"] == pytest.approx(290 / 12600 * 100)
    assert d.loc["ftf_per_100", "approximate"] and d.loc["ftf_per_100", "approximate_inputs"] == "ftf_detainees"
    assert d.loc["female_share", "value"] == pytest.approx(370 / 12600)
    assert pd.isna(d.loc["pretrial_share", "value"])
    assert d.loc["pretrial_share", "missing_inputs"] == "prisoners_pretrial"
    # figures of different quarters: the share carries the older one
    d3 = countries.derived_shares(history, "2024-Q3", ["TJK"]).set_index("share")
    assert d3.loc["ve_per_100", "value"] == pytest.approx(2100 / 12700 * 100)
    assert d3.loc["ve_per_100", "mixed_quarters"] and d3.loc["ve_per_100", "quarter"] == "2024-Q1"
    assert d3.loc["ve_per_100", "carried"]
    assert (d3.loc["ve_per_100", "numerator_value"], d3.loc["ve_per_100", "denominator_value"]) == (2100, 12700)
    # countries without figures are left out
    assert set(countries.derived_shares(history, "2024-Q1")["country"]) == {"KGZ", "TJK"}


def test_comparison_absolute_and_per_100_prisoners(history):
    c = countries.comparison(history, "2024-Q2", ["TJK", "KGZ"]).set_index(["country", "indicator"])
    assert c.loc[("KGZ", "ve_prisoners"), "value"] == 200
    assert c.loc[("KGZ", "ve_prisoners"), "per_100"] == pytest.approx(200 / 7569 * 100)
    assert c.loc[("TJK", "ve_prisoners"), "per_100"] == pytest.approx(2100 / 12600 * 100)
    assert c.loc[("TJK", "ftf_detainees"), "per_100_approximate"]
    assert pd.isna(c.loc[("KGZ", "prisons_total"), "per_100"])  # prisons are not counted per prisoner
    assert pd.isna(c.loc[("KGZ", "prisoners_total"), "per_100"])
    assert c.loc[("TJK", "ve_prisoners"), "carried"] and c.loc[("TJK", "ve_prisoners"), "quarter"] == "2024-Q1"
    one = countries.comparison(history, "2024-Q2", ["KGZ"])
    assert set(one["country"]) == {"KGZ"} and len(one) == 4
    assert countries.comparison(history, "2024-Q2", ["IRQ"]).empty


def test_share_series_carries_figures_forward(history):
    s = countries.share_series(history, ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"], ["TJK"])
    ve = s[s["share"] == "ve_per_100"].set_index("quarter")["value"]
    assert ve.to_dict() == pytest.approx(
        {
            "2023-Q4": 2133 / 12491 * 100,
            "2024-Q1": 2100 / 12600 * 100,
            "2024-Q2": 2100 / 12600 * 100,
            "2024-Q3": 2100 / 12700 * 100,
        }
    )
    mixed = s[s["share"] == "ve_per_100"].set_index("quarter")["mixed_quarters"]
    assert not mixed["2024-Q2"] and mixed["2024-Q3"]
    assert s[s["share"] == "ftf_per_100"]["approximate"].all()
    assert countries.share_series(history, [], ["TJK"]).empty
    assert countries.share_series(history, ["2023-Q3"], ["TJK"]).empty  # before the first figures


def test_activities_by_quarter_with_running_totals(history):
    a = countries.activity_by_quarter(history, ["TJK"], up_to="2024-Q3")
    rows = {(r.quarter, r.type): r for r in a.itertuples()}
    assert rows[("2023-Q4", "training")].from_report and rows[("2023-Q4", "training")].participants == 100
    assert rows[("2023-Q4", "equipment")].participants == 0
    w = rows[("2024-Q1", "workshop")]
    assert (w.participants, w.female_participants, w.share_base, w.from_report) == (20, 0, 0, False)
    assert pd.isna(w.female_share)  # no activity reports women: no share
    assert rows[("2024-Q1", "training")].female_share == pytest.approx(10 / 40)
    r = countries.activity_running_totals(history, ["TJK"], up_to="2024-Q3").set_index("quarter")
    assert list(r.index) == ["2023-Q4", "2024-Q1", "2024-Q3"]
    assert r["participants"].tolist() == [100, 60, 30]
    assert r["cumulative_participants"].tolist() == [100, 160, 190]
    assert r["cumulative_activities"].tolist() == [2, 4, 5]
    assert r["cumulative_female_participants"].tolist() == [0, 10, 25]
    assert r.loc["2024-Q3", "cumulative_female_share"] == pytest.approx(25 / (40 + 30))
    assert pd.isna(r.loc["2023-Q4", "female_share"])
    early = countries.activity_running_totals(history, ["TJK"], up_to="2024-Q1")
    assert early["cumulative_participants"].tolist() == [100, 160]


def test_baselines_are_the_first_figures(history):
    b = countries.baselines(history, ["TJK", "KGZ"]).set_index(["country", "indicator"])
    assert b.loc[("TJK", "ve_prisoners"), "value"] == 2133 and b.loc[("TJK", "ve_prisoners"), "quarter"] == "2023-Q4"
    assert b.loc[("KGZ", "ftf_detainees"), "approximate"]
    assert set(b["source_kind"]) == {"baseline"}
    assert countries.baselines(history, ["TJK"], up_to="2023-Q3").empty
    s = queries.indicator_history(history, ["TJK"], up_to="2024-Q3")
    pt = s[s["indicator"] == "prisoners_total"]
    assert pt["quarter"].tolist() == ["2023-Q4", "2024-Q1", "2024-Q3"]
    assert pt["source_file"].tolist() == ["TJK_2023-Q4.xlsx", "TJK_2024-Q1.xlsx", "TJK_2024-Q3.xlsx"]
