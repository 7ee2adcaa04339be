"""Rules of the country profiles, without a database: derived shares and
their "approx." mark, per 100 prisoners, baseline changes, last known
figures carried forward."""

from __future__ import annotations

import math

import pytest

from data_access.rules import countries as rules
from data_access.rules.countries import Figure

# Tajikistan in the 2019-2023 achievements report
TJK = {
    "prisoners_total": Figure(12491, False, "2023-Q4"),
    "prisoners_female": Figure(362, False, "2023-Q4"),
    "ve_prisoners": Figure(2133, False, "2023-Q4"),
    "ftf_detainees": Figure(281, True, "2023-Q4"),
}


def _share(code: str, figures=TJK) -> rules.Derived:
    return rules.derive(rules.SHARE_BY_CODE[code], figures)


def test_shares_are_computed_from_the_figures():
    ve = _share("ve_per_100")
    assert ve.value == pytest.approx(2133 / 12491 * 100)  # 17.08 per 100 prisoners
    assert round(ve.value, 1) == 17.1
    assert not ve.approximate and ve.approximate_inputs == () and ve.missing_inputs == ()
    assert ve.quarter == "2023-Q4" and not ve.mixed_quarters
    female = _share("female_share")
    assert female.value == pytest.approx(362 / 12491)  # a share, not per 100
    assert rules.SHARE_BY_CODE["female_share"].unit == rules.SHARE
    assert rules.SHARE_BY_CODE["ve_per_100"].unit == rules.PER_100


def test_a_share_of_an_approximate_figure_is_approximate_and_says_which():
    ftf = _share("ftf_per_100")
    assert ftf.value == pytest.approx(281 / 12491 * 100)
    assert ftf.approximate and ftf.approximate_inputs == ("ftf_detainees",)
    approx_total = dict(TJK, prisoners_total=Figure(12500, True, "2023-Q4"))
    ve = _share("ve_per_100", approx_total)
    assert ve.approximate and ve.approximate_inputs == ("prisoners_total",)
    both = _share("ftf_per_100", approx_total)
    assert both.approximate_inputs == ("ftf_detainees", "prisoners_total")


def test_a_share_with_a_missing_figure_or_no_prisoners_is_not_computed():
    pretrial = _share("pretrial_share")
    assert pretrial.value is None and pretrial.missing_inputs == ("prisoners_pretrial",)
    assert not pretrial.approximate
    nothing = rules.derive(rules.SHARE_BY_CODE["ve_per_100"], {})
    assert nothing.missing_inputs == ("ve_prisoners", "prisoners_total")
    zero = _share("ve_per_100", dict(TJK, prisoners_total=Figure(0, False, "2023-Q4")))
    assert zero.value is None and not zero.approximate
    nan = _share("ve_per_100", dict(TJK, ve_prisoners=Figure(float("nan"), False, "2023-Q4")))
    assert nan.value is None and nan.missing_inputs == ("ve_prisoners",)


def test_a_share_from_figures_of_different_quarters_carries_the_older_quarter():
    figures = dict(TJK, prisoners_total=Figure(12717, False, "2026-Q3"), ve_prisoners=Figure(2027, False, "2026-Q1"))
    ve = _share("ve_per_100", figures)
    assert ve.value == pytest.approx(2027 / 12717 * 100)
    assert ve.quarter == "2026-Q1" and ve.mixed_quarters
    assert rules.older_quarter("2026-Q3", None, "2025-Q4") == "2025-Q4"
    assert rules.older_quarter(None) is None


def test_derive_all_gives_every_share_in_order():
    assert [d.code for d in rules.derive_all(TJK)] == ["ve_per_100", "ftf_per_100", "female_share", "pretrial_share"]


def test_per_100_prisoners_only_for_figures_that_count_prisoners():
    assert rules.per_100(200, 7569) == pytest.approx(2.6423, abs=1e-4)
    assert rules.per_100(None, 7569) is None and rules.per_100(5, 0) is None
    ftf = rules.per_100_figure("ftf_detainees", TJK)
    assert ftf.value == pytest.approx(281 / 12491 * 100) and ftf.approximate
    assert rules.per_100_figure("prisons_total", TJK) is None
    assert rules.per_100_figure("repatriated_total", TJK) is None
    assert set(rules.PER_100_INDICATORS) <= set(rules.PROFILE_INDICATORS)


@pytest.mark.parametrize("value, decimals", [(17.08, 1), (1.0, 1), (0.99, 2), (0.14, 2), (None, 1), (math.nan, 1)])
def test_small_shares_get_two_decimals(value, decimals):
    assert rules.decimals_for(value) == decimals


def test_baseline_and_sources():
    assert rules.is_report("baseline") and not rules.is_report("return") and not rules.is_report(None)
    assert rules.change_since(12717, 12491) == 226
    assert rules.change_since(None, 12491) is None and rules.change_since(5, math.nan) is None


def test_last_known_figures_are_labelled_with_their_quarter():
    assert rules.is_carried_forward("2026-Q1", "2026-Q3")
    assert not rules.is_carried_forward("2026-Q3", "2026-Q3")
    assert not rules.is_carried_forward(None, "2026-Q3")
    assert rules.data_status("2026-Q3", "2026-Q3") == rules.CURRENT
    assert rules.data_status("2025-Q4", "2026-Q3") == rules.CARRIED
    assert rules.data_status(None, "2026-Q3") == rules.NONE
    assert rules.data_status(math.nan, "2026-Q3") == rules.NONE  # a missing value in a pandas column


def test_carry_forward_gives_the_figure_as_at_each_quarter():
    a, b = Figure(10, False, "2024-Q1"), Figure(12, True, "2024-Q3")
    got = rules.carry_forward({"2024-Q3": b, "2024-Q1": a}, ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2025-Q1"])
    assert got == {"2023-Q4": None, "2024-Q1": a, "2024-Q2": a, "2024-Q3": b, "2025-Q1": b}
    assert rules.carry_forward({}, ["2024-Q1"]) == {"2024-Q1": None}


def test_share_of_women_counts_only_activities_reporting_both_figures():
    assert rules.female_share(160, 535) == pytest.approx(0.299, abs=1e-3)
    assert rules.female_share(0, 0) is None and rules.female_share(None, 10) is None
