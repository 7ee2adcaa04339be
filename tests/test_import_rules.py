"""Every rule of the quarterly-return contract, one test each, with real
workbooks, on SQLite and PostgreSQL.

Read top to bottom, this file is the contract: general rules, identity of a
return, quarters and countries, then each sheet's checks.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from components.locales import en
from data_access import queries
from data_access.export import export_dataset
from data_access.importer import import_workbook
from data_access.messages import ENGLISH
from data_access.rules.normalise import is_missing, missing_mask, text_or_none
from tests.workbooks import (
    ACTIVITIES_HEADER,
    ADMIN,
    DUSHANBE,
    FACILITIES_HEADER,
    FINDINGS_HEADER,
    INDICATORS_HEADER,
    KHUJAND,
    MILESTONES_HEADER,
    PRIORITIES_HEADER,
    build,
    return_sheet,
    return_workbook,
)

D = dt.date
PROGRESS_STEPS = ("file", "sheets", "stored", "changes")  # as far as a dry run goes


def finding(fid="TJK-F-01", facility="TJK-T-01", status="open", due=D(2024, 6, 30), **kw):
    row = dict(
        finding_id=fid,
        facility_id=facility,
        audit_date=D(2024, 2, 1),
        domain="physical",
        severity="high",
        title="Perimeter lighting insufficient",
        recommendation="Install lighting",
        status=status,
        due_date=due,
        owner="Deputy director, security",
        status_note=None,
    )
    row.update(kw)
    return [row[c] for c in FINDINGS_HEADER]


def full_return(country="TJK", quarter="2024-Q1", **overrides):
    sheets = dict(
        Indicators=[
            INDICATORS_HEADER,
            ["prisoners_total", 12500, "no", None],
            ["ve_prisoners", 2140, None, None],
            ["ftf_detainees", 280, "yes", "approx."],
        ],
        Facilities=[FACILITIES_HEADER, DUSHANBE, KHUJAND],
        Findings=[FINDINGS_HEADER, finding(), finding("TJK-F-02", "TJK-T-02", severity="low", domain="dynamic")],
        Priorities=[
            PRIORITIES_HEADER,
            [
                "TJK-P-01",
                "Prison intelligence units",
                "intelligence",
                "on track",
                10,
                D(2025, 12, 31),
                "Terms of reference drafted",
                "Recruit analysts",
            ],
        ],
        Milestones=[MILESTONES_HEADER, ["TJK-P-01", "Pilot unit set up", D(2024, 9, 30), "planned", None]],
        Activities=[
            ACTIVITIES_HEADER,
            [f"TJK-A-{quarter}", D(2024, 2, 15), "training", "Dynamic security course", 24, 6, "TJK-T-01", None],
        ],
    )
    sheets.update(overrides)
    sheets = {k: v for k, v in sheets.items() if v is not None}
    return return_workbook(country, quarter, **sheets)


def run(engine, data, name="return.xlsx", **kw):
    return import_workbook(engine, ADMIN, data, name, **kw)


def places(result):
    return {e.place for e in result.errors}


def snapshot(engine):
    """Everything the database holds, as exported: to prove nothing changed."""
    out = {}
    for ds in ("indicators", "facilities", "findings", "priorities", "milestones", "activities"):
        out[ds] = export_dataset(engine, ds).csv()
    out["uploads"] = queries.upload_history(engine)[["id", "status", "sha256"]].to_csv()
    return out


# --------------------------------------------------------------------------- a valid return


def test_a_valid_return_is_applied_and_counted(engine):
    r = run(engine, full_return())
    assert r.status == "applied", r.report()
    assert r.exit_code == 0
    assert r.counts["Findings"]["added"] == 2
    assert r.counts["Indicators"]["added"] == 3
    f = queries.findings_as_at(engine, "2024-Q1")
    assert set(f["finding_id"]) == {"TJK-F-01", "TJK-F-02"}
    ind = queries.latest_indicators(engine, ["TJK"])
    assert ind.set_index("indicator").loc["ftf_detainees", "approximate"]


# --------------------------------------------------------------------------- general rules


def test_sheet_names_match_case_insensitively_with_spaces_ignored(engine):
    data = build(
        {
            " RETURN ": return_sheet(),
            "  findings": [FINDINGS_HEADER, finding()],
            "FACILITIES ": [FACILITIES_HEADER, DUSHANBE],
        }
    )
    r = run(engine, data)
    assert r.status == "applied", r.report()
    assert r.counts["Findings"]["added"] == 1


def test_unknown_sheets_are_ignored_with_a_warning(engine):
    data = build(
        {"Return": return_sheet(), "Facilities": [FACILITIES_HEADER, DUSHANBE], "My notes": [["anything"], [1]]}
    )
    r = run(engine, data)
    assert r.status == "applied"
    assert any(w.sheet == "My notes" and "ignored" in w.message for w in r.warnings)


def test_hidden_sheets_are_read_like_visible_ones(engine):
    data = return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE], hidden=("Facilities",))
    r = run(engine, data)
    assert r.counts["Facilities"]["added"] == 1


def test_header_is_the_first_non_empty_row_and_empty_rows_are_skipped(engine):
    rows = [[None], [None, None], FACILITIES_HEADER, [None] * 8, DUSHANBE, [None, "  "], KHUJAND]
    r = run(engine, return_workbook(Facilities=rows))
    assert r.status == "applied", r.report()
    assert r.counts["Facilities"]["added"] == 2


def test_header_names_are_matched_loosely(engine):
    header = ["Priority ID", "TITLE", "theme", "Status", "Progress %", "target-date", "Narrative", "next steps"]
    r = run(engine, return_workbook(Priorities=[header, ["TJK-P-09", "A", None, "On Track", 40, None, None, None]]))
    assert r.status == "applied", r.report()
    assert queries.priorities_as_at(engine, "2024-Q1")["progress_pct"].tolist() == [40]


@pytest.mark.parametrize("spelling", ["Progress %", "progress_pct", "PROGRESS PCT", "progress-pct"])
def test_progress_column_spellings_are_one_column(engine, spelling):
    header = ["priority_id", "title", "status", spelling]
    r = run(engine, return_workbook(Priorities=[header, ["TJK-P-09", "A", "on track", 55]]))
    assert r.status == "applied", r.report()
    assert queries.priorities_as_at(engine, "2024-Q1")["progress_pct"].tolist() == [55]


def test_unknown_columns_warn_and_missing_required_columns_are_errors(engine):
    header = ["facility_id", "name", "colour"]
    r = run(
        engine,
        return_workbook(
            Facilities=[header, ["TJK-T-01", "X", "blue"]], Findings=[["finding_id", "facility_id"], ["F", "TJK-T-01"]]
        ),
    )
    assert r.status == "rejected"
    assert any(w.place == "Facilities!C1" and "colour" in w.message for w in r.warnings)
    assert any(e.place == "Findings!A1" and "status" in e.message for e in r.errors)


def test_text_is_trimmed(engine):
    r = run(
        engine,
        return_workbook(
            Facilities=[
                FACILITIES_HEADER,
                ["  TJK-T-01 ", "  Trimmed  ", " PRISON ", " Dushanbe ", 38.56, 68.79, " Yes ", None],
            ]
        ),
    )
    assert r.status == "applied", r.report()
    f = queries.facilities(engine, ["TJK"]).iloc[0]
    assert (f["facility_id"], f["name"], f["type"], f["city"], f["pilot"]) == (
        "TJK-T-01",
        "Trimmed",
        "prison",
        "Dushanbe",
        True,
    )


MISSING = [None, float("nan"), pd.NA, pd.NaT, "", "   ", "\t"]
PRESENT = [0, 0.0, False, "0", "x", " x ", D(2024, 1, 1)]


def test_one_rule_for_a_missing_value():
    """Blank cells, None, NaN and pandas' NA and NaT are missing, everywhere:
    zero, False and any text are values."""
    assert all(is_missing(v) for v in MISSING)
    assert not any(is_missing(v) for v in PRESENT)
    values = pd.Series([*MISSING, *PRESENT], dtype=object)
    assert missing_mask(values).tolist() == [is_missing(v) for v in values]
    assert [text_or_none(v) for v in [*MISSING, " x ", 12]] == [None] * len(MISSING) + ["x", "12"]


@pytest.mark.parametrize("text", ["12 491", "12,491", "12\u00a0491", " 12491 ", "12491"])
def test_numbers_may_arrive_as_text(engine, text):
    r = run(engine, return_workbook(Indicators=[INDICATORS_HEADER, ["prisoners_total", text, None, None]]))
    assert r.status == "applied", r.report()
    assert queries.latest_indicators(engine, ["TJK"])["value"].tolist() == [12491]


def test_text_that_is_not_a_number_is_an_error_naming_its_cell(engine):
    r = run(
        engine,
        return_workbook(
            Indicators=[
                INDICATORS_HEADER,
                ["prisoners_total", "about 12k", None, None],
                ["ve_prisoners", 12.5, None, None],
            ]
        ),
    )
    assert r.status == "rejected"
    assert places(r) == {"Indicators!B2", "Indicators!B3"}
    assert any("not a number" in e.message for e in r.errors)
    assert any("whole number" in e.message for e in r.errors)


@pytest.mark.parametrize(
    "value", [D(2024, 3, 31), dt.datetime(2024, 3, 31, 0, 0), 45382, "2024-03-31", "31.03.2024", "31/03/2024"]
)
def test_dates_in_every_accepted_form(engine, value):
    rows = [ACTIVITIES_HEADER, ["TJK-A-09", value, "workshop", "Review", 10, 3, None, None]]
    r = run(engine, return_workbook(Activities=rows))
    assert r.status == "applied", r.report()
    assert queries.activities(engine, ["TJK"])["date"].tolist() == [D(2024, 3, 31)]


@pytest.mark.parametrize("value", ["March 2024", "2024/31/03", "31-03-2024", "yesterday"])
def test_other_date_forms_are_errors(engine, value):
    rows = [ACTIVITIES_HEADER, ["TJK-A-09", value, "workshop", "Review", 10, 3, None, None]]
    r = run(engine, return_workbook(Activities=rows))
    assert r.status == "rejected"
    assert places(r) == {"Activities!B2"}
    assert "2024-03-31" in r.errors[0].message  # says what is accepted


@pytest.mark.parametrize("spelling", ["in_progress", "In progress", "in-progress", "  IN PROGRESS "])
def test_enumerated_values_are_matched_loosely(engine, spelling):
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE], Findings=[FINDINGS_HEADER, finding(status=spelling)]),
    )
    assert r.status == "applied", r.report()
    assert queries.findings_as_at(engine, "2024-Q1")["status"].tolist() == ["in progress"]


def test_an_unknown_enumerated_value_lists_the_accepted_ones(engine):
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE], Findings=[FINDINGS_HEADER, finding(status="fixed")]),
    )
    assert places(r) == {"Findings!H2"}
    assert "open, in progress, remediated, verified, risk accepted" in r.errors[0].message


def test_a_formula_without_cached_value_in_a_required_field_is_an_error(engine):
    # openpyxl writes formulas without computing them: no cached value.
    row = finding()
    row[FINDINGS_HEADER.index("status")] = '=IF(1=1,"open","closed")'
    r = run(engine, return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE], Findings=[FINDINGS_HEADER, row]))
    assert r.status == "rejected"
    assert places(r) == {"Findings!H2"}


def test_all_errors_are_reported_at_once_and_nothing_is_written(engine):
    run(engine, full_return())
    before = snapshot(engine)
    bad = full_return(
        quarter="2024-Q2",
        Indicators=[INDICATORS_HEADER, ["prisoners_total", -5, None, None], ["nonsense", 1, None, None]],
        Findings=[FINDINGS_HEADER, finding(status="done"), finding("TJK-F-03", facility="NOPE")],
        Activities=[ACTIVITIES_HEADER, ["TJK-A-02", "soon", "training", "X", 5, 9, None, None]],
    )
    r = run(engine, bad)
    assert r.status == "rejected" and r.exit_code == 1
    assert {"Indicators!B2", "Indicators!A3", "Findings!H2", "Findings!B3", "Activities!B2", "Activities!F2"} <= places(
        r
    )
    assert snapshot(engine) == before


def test_text_longer_than_the_limit_is_an_error(engine):
    r = run(engine, return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE[:7] + ["x" * 2001]]))
    assert places(r) == {"Facilities!H2"}
    assert "2,000" in r.errors[0].message


def test_identifiers_longer_than_40_characters_are_errors(engine):
    r = run(engine, return_workbook(Facilities=[FACILITIES_HEADER, ["F" * 41] + DUSHANBE[1:]]))
    assert places(r) == {"Facilities!A2"}


def test_too_many_rows_is_an_error(engine):
    from data_access.workbook import Limits

    rows = [ACTIVITIES_HEADER] + [[f"A{i}", D(2024, 2, 1), "training", "t", 1, 0, None, None] for i in range(11)]
    r = run(engine, return_workbook(Activities=rows), limits=Limits(max_rows=10))
    assert r.status == "rejected"
    assert "11 data rows" in r.errors[0].message


# --------------------------------------------------------------------------- identity, superseding, re-upload


def test_uploading_the_same_file_again_changes_nothing_and_says_so(engine):
    data = full_return()
    first = run(engine, data)
    before = snapshot(engine)
    again = run(engine, data, name="renamed.xlsx")
    assert again.status == "identical" and again.exit_code == 0
    assert again.message.key == "import.result.identical" and again.message.params["id"] == first.upload_id
    assert "identical" in str(again.message) and f"#{first.upload_id}" in str(again.message)
    assert snapshot(engine) == before


def test_progress_and_result_are_message_keys_with_english_for_the_command_line(engine):
    said = []
    r = run(engine, full_return(), dry_run=True, progress=lambda fraction, message: said.append((fraction, message)))
    assert [m.key for _, m in said] == [f"import.progress.{step}" for step in PROGRESS_STEPS]
    assert [f for f, _ in said] == sorted(f for f, _ in said) and 0 < said[0][0] < said[-1][0] < 1
    assert str(said[2][1]) == "Checking against the stored data"
    assert r.message.key == "import.result.dry_run" and r.message.params["country"] == "TJK"
    assert str(r.message).startswith("Dry run: the workbook is valid") and str(r.message) in r.report()


def test_the_app_shows_every_message_of_the_data_layer_in_the_same_english():
    shown = en.MESSAGES  # the app's English catalogue
    assert {k: shown.get(k) for k in ENGLISH} == ENGLISH


def test_a_new_return_for_the_same_quarter_supersedes_the_old_one(engine):
    first = run(engine, full_return())
    second = run(
        engine,
        full_return(
            Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, None, None]],
            Findings=[FINDINGS_HEADER, finding(status="in progress")],
            Activities=[ACTIVITIES_HEADER, ["TJK-A-05", D(2024, 3, 1), "workshop", "W", 10, 5, None, None]],
        ),
    )
    assert second.status == "applied", second.report()
    assert second.supersedes["id"] == first.upload_id
    ind = queries.latest_indicators(engine, ["TJK"]).set_index("indicator")["value"]
    assert ind.to_dict() == {"prisoners_total": 12600}  # the quarter's figures replaced, not merged
    f = queries.findings_as_at(engine, "2024-Q1").set_index("finding_id")["status"].to_dict()
    assert f == {"TJK-F-01": "in progress"}  # TJK-F-02 had no status before this quarter
    assert queries.activities(engine, ["TJK"])["activity_id"].tolist() == ["TJK-A-05"]
    h = queries.upload_history(engine).set_index("id")
    assert h.loc[first.upload_id, "status"] == "superseded"
    assert h.loc[first.upload_id, "superseded_by_id"] == second.upload_id
    assert h.loc[second.upload_id, "status"] == "current"


def test_a_superseded_upload_can_be_restored_as_a_new_event(engine):
    from data_access.importer import restore_upload

    first = run(engine, full_return())
    run(engine, full_return(Indicators=[INDICATORS_HEADER, ["prisoners_total", 12600, None, None]]))
    restored = restore_upload(engine, ADMIN, first.upload_id)
    assert restored.status == "applied", restored.report()
    ind = queries.latest_indicators(engine, ["TJK"]).set_index("indicator")["value"]
    assert ind["prisoners_total"] == 12500 and ind["ve_prisoners"] == 2140
    h = queries.upload_history(engine)
    assert len(h) == 3  # history kept: nothing rewritten
    assert h.iloc[0]["restored_from_id"] == first.upload_id


def test_a_row_absent_from_a_later_return_is_not_updated(engine):
    run(engine, full_return())
    r = run(
        engine,
        full_return(quarter="2024-Q2", Facilities=None, Findings=[FINDINGS_HEADER, finding(status="remediated")]),
    )
    assert r.status == "applied", r.report()
    f = queries.findings_as_at(engine, "2024-Q2").set_index("finding_id")["status"].to_dict()
    assert f == {"TJK-F-01": "remediated", "TJK-F-02": "open"}  # F-02 carried, never deleted
    assert len(queries.facilities(engine, ["TJK"])) == 2


def test_status_history_gives_the_state_of_any_past_quarter(engine):
    run(engine, full_return())
    run(engine, full_return(quarter="2024-Q2", Findings=[FINDINGS_HEADER, finding(status="in progress")]))
    run(
        engine,
        full_return(
            quarter="2024-Q3", Findings=[FINDINGS_HEADER, finding(status="remediated", status_note="Lights fitted")]
        ),
    )
    at = {
        q: queries.findings_as_at(engine, q).set_index("finding_id").loc["TJK-F-01", "status"]
        for q in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")
    }
    assert at == {"2024-Q1": "open", "2024-Q2": "in progress", "2024-Q3": "remediated", "2024-Q4": "remediated"}
    h = queries.finding_history(engine, "TJK-F-01")
    assert h["quarter"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert h["status_note"].tolist()[-1] == "Lights fitted"


# --------------------------------------------------------------------------- quarters and countries


@pytest.mark.parametrize("spelling", ["2024-Q2", "2024Q2", "2024 Q2", "Q2 2024", "Q2-2024", "q2 2024"])
def test_quarter_spellings(engine, spelling):
    r = run(engine, return_workbook("TJK", spelling, Facilities=[FACILITIES_HEADER, DUSHANBE]))
    assert r.status == "applied", r.report()
    assert r.quarter == "2024-Q2"


@pytest.mark.parametrize("spelling", ["TJK", "tjk", "Tajikistan", " TAJIKISTAN "])
def test_country_by_code_or_english_name(engine, spelling):
    r = run(engine, return_workbook(spelling, "2024-Q1", Facilities=[FACILITIES_HEADER, DUSHANBE]))
    assert r.status == "applied", r.report()
    assert r.country == "TJK"


def test_unknown_country_and_bad_quarter_name_their_cells(engine):
    r = run(engine, return_workbook("Atlantis", "2024-Q5"))
    assert places(r) == {"Return!B2", "Return!B3"}
    assert "IRQ" in r.errors[0].message and "2024-Q1" in r.errors[1].message


def test_a_workbook_without_return_sheet_is_rejected(engine):
    r = run(engine, build({"Facilities": [FACILITIES_HEADER, DUSHANBE]}))
    assert r.status == "rejected"
    assert "Return" in r.errors[0].message


# --------------------------------------------------------------------------- Indicators


def test_parts_cannot_exceed_their_totals(engine):
    rows = [
        INDICATORS_HEADER,
        ["prisoners_total", 1000, None, None],
        ["prisoners_female", 1001, None, None],
        ["prisoners_pretrial", 1200, None, None],
        ["ve_prisoners", 1000, None, None],
        ["prisons_total", 10, None, None],
        ["pretrial_centres", 11, None, None],
    ]
    r = run(engine, return_workbook(Indicators=rows))
    assert places(r) == {"Indicators!B3", "Indicators!B4", "Indicators!B7"}


def test_repatriation_parts_sum_to_no_more_than_the_total(engine):
    rows = [
        INDICATORS_HEADER,
        ["repatriated_total", 654, None, None],
        ["repatriated_men", 37, None, None],
        ["repatriated_women", 164, None, None],
        ["repatriated_children", 454, None, None],
    ]
    r = run(engine, return_workbook("KAZ", "2024-Q1", Indicators=rows))
    assert r.status == "rejected"
    assert "655" in r.errors[0].message


def test_a_check_with_a_figure_missing_from_the_workbook_uses_the_latest_stored_one(engine):
    run(engine, return_workbook(Indicators=[INDICATORS_HEADER, ["prisoners_total", 1000, None, None]]))
    r = run(
        engine, return_workbook(quarter="2024-Q2", Indicators=[INDICATORS_HEADER, ["ve_prisoners", 1500, None, None]])
    )
    assert places(r) == {"Indicators!B2"}
    assert "latest stored" in r.errors[0].message


def test_a_change_of_more_than_half_is_a_warning_not_an_error(engine):
    run(engine, return_workbook(Indicators=[INDICATORS_HEADER, ["prisoners_total", 1000, None, None]]))
    r = run(
        engine,
        return_workbook(quarter="2024-Q2", Indicators=[INDICATORS_HEADER, ["prisoners_total", 1600, None, None]]),
    )
    assert r.status == "applied"
    assert [w.place for w in r.warnings] == ["Indicators!B2"]
    assert "+60%" in r.warnings[0].message


def test_each_indicator_at_most_once(engine):
    rows = [INDICATORS_HEADER, ["prisoners_total", 1000, None, None], ["Prisoners_Total", 1001, None, None]]
    r = run(engine, return_workbook(Indicators=rows))
    assert places(r) == {"Indicators!A3"}
    assert "twice" in r.errors[0].message


def test_indicator_values_are_non_negative_whole_numbers(engine):
    rows = [INDICATORS_HEADER, ["prisoners_total", -1, None, None], ["ve_prisoners", 3.5, None, None]]
    r = run(engine, return_workbook(Indicators=rows))
    assert places(r) == {"Indicators!B2", "Indicators!B3"}


# --------------------------------------------------------------------------- Facilities


def test_coordinates_must_lie_in_the_country(engine):
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, ["TJK-X", "X", "prison", "Paris", 48.85, 2.35, "no", None]]),
    )
    assert places(r) == {"Facilities!E2"}
    assert "outside TJK" in r.errors[0].message


def test_swapped_coordinates_are_named_as_such(engine):
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, ["TJK-X", "X", "prison", "Dushanbe", 68.79, 38.56, "no", None]]),
    )
    assert "swapped" in r.errors[0].message


def test_a_new_facility_needs_a_name_an_existing_one_does_not(engine):
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, ["TJK-NEW", None, "prison", None, None, None, None, None]]),
    )
    assert places(r) == {"Facilities!B2"}
    run(engine, return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE]))
    r = run(
        engine,
        return_workbook(
            quarter="2024-Q2",
            Facilities=[FACILITIES_HEADER, ["TJK-T-01", None, None, None, None, None, None, "Renovated"]],
        ),
    )
    assert r.status == "applied", r.report()
    f = queries.facilities(engine, ["TJK"]).iloc[0]
    assert (f["name"], f["notes"]) == ("Test prison Dushanbe", "Renovated")


# --------------------------------------------------------------------------- Findings


def test_due_date_not_before_audit_date(engine):
    r = run(
        engine,
        return_workbook(
            Facilities=[FACILITIES_HEADER, DUSHANBE], Findings=[FINDINGS_HEADER, finding(due=D(2024, 1, 1))]
        ),
    )
    assert places(r) == {"Findings!I2"}


def test_the_facility_must_belong_to_the_return_country(engine):
    run(
        engine,
        return_workbook(
            "KGZ",
            "2024-Q1",
            Facilities=[
                FACILITIES_HEADER,
                ["KGZ-T-01", "Bishkek test", "prison", "Bishkek", 42.87, 74.59, "yes", None],
            ],
        ),
    )
    r = run(engine, return_workbook(Findings=[FINDINGS_HEADER, finding(facility="KGZ-T-01")]))
    assert places(r) == {"Findings!B2"}
    assert "belongs to KGZ" in r.errors[0].message


def test_new_findings_need_their_description_existing_ones_only_a_status(engine):
    short = ["finding_id", "facility_id", "status"]
    r = run(
        engine,
        return_workbook(Facilities=[FACILITIES_HEADER, DUSHANBE], Findings=[short, ["TJK-F-01", "TJK-T-01", "open"]]),
    )
    assert r.status == "rejected"
    assert {e.message.split(" is required")[0] for e in r.errors} == {"audit_date", "domain", "severity", "title"}
    run(engine, full_return())
    r = run(engine, return_workbook(quarter="2024-Q2", Findings=[short, ["TJK-F-01", "TJK-T-01", "in progress"]]))
    assert r.status == "applied", r.report()


def test_each_finding_at_most_once(engine):
    r = run(
        engine,
        return_workbook(
            Facilities=[FACILITIES_HEADER, DUSHANBE],
            Findings=[FINDINGS_HEADER, finding(), finding(status="in progress")],
        ),
    )
    assert places(r) == {"Findings!A3"}
    assert "Findings!A2" in r.errors[0].message


def test_a_status_moving_backwards_is_allowed_with_a_warning(engine):
    run(engine, full_return())
    run(engine, full_return(quarter="2024-Q2", Findings=[FINDINGS_HEADER, finding(status="verified")]))
    r = run(engine, full_return(quarter="2024-Q3", Findings=[FINDINGS_HEADER, finding(status="open")]))
    assert r.status == "applied"
    assert any(w.place == "Findings!H2" and "moves back" in w.message for w in r.warnings)


# --------------------------------------------------------------------------- Priorities and milestones


def test_completed_below_100_and_falling_progress_are_warnings(engine):
    run(engine, full_return())
    rows = [PRIORITIES_HEADER, ["TJK-P-01", None, None, "completed", 5, None, None, None]]
    r = run(engine, full_return(quarter="2024-Q2", Priorities=rows))
    assert r.status == "applied"
    messages = " | ".join(w.message for w in r.warnings if w.place == "Priorities!E2")
    assert "completed" in messages and "falls from 10" in messages


def test_progress_must_be_between_0_and_100(engine):
    rows = [PRIORITIES_HEADER, ["TJK-P-01", "T", None, "on track", 120, None, None, None]]
    r = run(engine, return_workbook(Priorities=rows))
    assert places(r) == {"Priorities!E2"}


def test_milestones_need_a_known_priority_and_a_completion_date_when_done(engine):
    rows = [
        MILESTONES_HEADER,
        ["TJK-P-77", "Something", None, "planned", None],
        ["TJK-P-01", "Done thing", None, "done", None],
    ]
    r = run(engine, full_return(Milestones=rows))
    assert places(r) == {"Milestones!A2", "Milestones!E3"}


def test_milestones_are_identified_by_priority_and_name(engine):
    run(engine, full_return())
    rows = [MILESTONES_HEADER, ["TJK-P-01", "  pilot UNIT set up ", None, "done", D(2024, 5, 2)]]
    r = run(engine, full_return(quarter="2024-Q2", Milestones=rows))
    assert r.counts["Milestones"] == {"added": 0, "updated": 1, "unchanged": 0, "removed": 0}
    m = queries.milestones_as_at(engine, "2024-Q2")
    assert m[["milestone", "status", "due_date"]].values.tolist() == [["Pilot unit set up", "done", D(2024, 9, 30)]]


# --------------------------------------------------------------------------- Activities


def test_female_participants_cannot_exceed_participants(engine):
    rows = [ACTIVITIES_HEADER, ["TJK-A-09", D(2024, 2, 1), "training", "T", 10, 11, None, None]]
    r = run(engine, return_workbook(Activities=rows))
    assert places(r) == {"Activities!F2"}


def test_activity_ids_belong_to_one_return(engine):
    run(engine, full_return())
    again = [ACTIVITIES_HEADER, ["TJK-A-2024-Q1", D(2024, 5, 1), "training", "Repeat", 5, 1, None, None]]
    r = run(engine, full_return(quarter="2024-Q2", Activities=again))
    assert places(r) == {"Activities!A2"}
    assert "2024-Q1" in r.errors[0].message


# --------------------------------------------------------------------------- written by LibreOffice Calc


def test_a_return_saved_by_libreoffice_imports_like_the_original(engine):
    from tests.workbooks import libreoffice_resave

    r = run(engine, libreoffice_resave(full_return()), name="calc.xlsx")
    assert r.status == "applied", r.report()
    assert r.counts["Findings"]["added"] == 2
    f = queries.findings_as_at(engine, "2024-Q1").set_index("finding_id")
    assert f.loc["TJK-F-01", "due_date"] == D(2024, 6, 30)
    assert queries.latest_indicators(engine, ["TJK"]).set_index("indicator").loc["prisoners_total", "value"] == 12500


def test_errors_in_a_libreoffice_workbook_are_named_by_cell(engine):
    from tests.workbooks import libreoffice_resave

    bad = full_return(
        Indicators=[INDICATORS_HEADER, ["prisoners_total", "12 5OO", None, None]],
        Findings=[FINDINGS_HEADER, finding(status="closed"), finding("TJK-F-02", due=D(2023, 1, 1))],
    )
    r = run(engine, libreoffice_resave(bad), name="calc.xlsx")
    assert r.status == "rejected"
    assert places(r) == {"Indicators!B2", "Findings!H2", "Findings!I3"}


def test_limits_can_be_configured_by_environment(engine, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_CELL_CHARS", "10")
    r = run(
        engine,
        return_workbook(
            Facilities=[
                FACILITIES_HEADER,
                ["TJK-T-01", "Short", "prison", "Dushanbe", 38.5, 68.7, "yes", "eleven chars"],
            ]
        ),
    )
    assert places(r) == {"Facilities!H2"}
    assert "at most 10" in r.errors[0].message
    monkeypatch.setenv("DASHBOARD_MAX_FILE_MB", "0.001")
    r = run(engine, full_return())
    assert r.status == "unreadable" and r.exit_code == 2
