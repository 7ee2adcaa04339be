"""The Priorities page through AppTest.

- On the sample data, the statuses, progress, target dates and counts it
  shows equal those of ``data_access.queries`` for several quarters.
- On hand-made returns, the computed status at the edges of the rule,
  slipping detection (also over quarters with no stored update), the
  narrative thread (newest first, each text once) and "as at".
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from components import formatting as fmt
from components import i18n
from data_access import db, queries
from data_access.config import ENV_VAR
from data_access.importer import import_workbook
from data_access.priorities import FLAGS
from data_access.rules import priorities as rules
from tests.apptest_support import markdown_text, metrics, new_app, run
from tests.workbooks import ADMIN, MILESTONES_HEADER, PRIORITIES_HEADER, return_workbook

PAGE = "pages/priorities.py"
STATUS = {
    "not started": "Not started",
    "on track": "On track",
    "at risk": "At risk",
    "off track": "Off track",
    "completed": "Completed",
}
D = dt.date


def open_page(query: dict | None = None):
    at = run(new_app(query))
    return run(at.switch_page(PAGE))


def table(at) -> pd.DataFrame:
    """The table of all priorities, indexed by ID."""
    df = next(d.value for d in at.dataframe if "By the rule" in d.value.columns)
    return df.set_index("ID")


def thread(at) -> list[str]:
    """The entries of the narrative thread, top to bottom."""
    return [m.value for m in at.markdown if re.match(r"\*\*\d{4}-Q[1-4]\*\* · ", m.value)]


# --------------------------------------------------------------------------- sample data: equal to the data layer


@pytest.fixture
def engine_for(sample_url):
    return db.connect(sample_url)


@pytest.mark.parametrize("quarter, countries", [("2026-Q3", None), ("2025-Q1", None), ("2024-Q2", ["KGZ", "TJK"])])
def test_statuses_and_progress_equal_the_data_layer(engine_for, quarter, countries):
    query = {"quarter": quarter} | ({"countries": ",".join(countries)} if countries else {})
    at = open_page(query)
    assert at.markdown[0].value == f"### Priorities · {quarter}"
    shown = table(at)
    expected = queries.priorities_as_at(engine_for, quarter, countries).set_index("priority_id")
    names = queries.countries(engine_for).set_index("code")["name"]
    assert list(shown.index) == list(expected.index)
    for pid, row in expected.iterrows():
        got = shown.loc[pid]
        assert got["Reported"] == STATUS[row["status"]], pid
        assert float(got["Progress"]) == float(row["progress_pct"]), pid
        assert got["Country"] == names[row["country"]]
        assert got["Priority"] == row["title"]
        assert got["Target date"] == fmt.date(row["target_date"])
        assert got["Last update"] == row["last_update"]
        # the trend ends with the progress as at the quarter
        assert float(list(got["Trend"])[-1]) == float(row["progress_pct"])
    tiles = metrics(at)
    counts = expected["status"].value_counts()
    for status in ("on track", "at risk", "off track", "completed"):
        assert tiles[STATUS[status]][0] == str(int(counts.get(status, 0)))


def test_the_trend_has_one_point_per_quarter(engine_for):
    at = open_page({"quarter": "2025-Q1", "countries": "IRQ"})
    trend = list(table(at).loc["IRQ-P1", "Trend"])
    history = queries.priority_history(engine_for, ["IRQ-P1"], up_to="2025-Q1")
    assert len(trend) == 6  # 2023-Q4 .. 2025-Q1
    assert trend == [0, 5, 10, 15, 15, 15]
    assert len(history) == 6 and list(history["progress_pct"]) == trend


def test_a_link_opens_one_priority_as_at_its_quarter(engine_for):
    at = open_page({"quarter": "2025-Q4", "priority": "KGZ-P3"})
    box = at.selectbox(key="priorities_selected")
    assert box.value == "KGZ-P3"
    assert at.query_params["priority"] == "KGZ-P3"
    text = markdown_text(at)
    assert "#### KGZ-P3 · Regular review of dynamic security protocols, with expert exchanges" in text
    # the target date (30 Sep 2025) has passed by the end of 2025-Q4
    assert "Reported :red-badge[Off track] · by the rule :red-badge[Off track]" in text
    assert "The target date 30 Sep 2025 passed before 31 Dec 2025 at 65% progress" in text
    entries = thread(at)
    assert entries[0].startswith("**2025-Q4** · :red-badge[Off track] · 65% · worsened from :orange-badge[At risk]")
    ms = next(d.value for d in at.dataframe if "Done on" in d.value.columns)
    expected = queries.milestones_as_at(engine_for, "2025-Q4", priority_id="KGZ-P3")
    assert sorted(ms["Milestone"]) == sorted(expected["milestone"])
    assert dict(zip(ms["Milestone"], ms["Status"], strict=False)) == {
        m: s.capitalize() for m, s in zip(expected["milestone"], expected["status"], strict=False)
    }
    # picking another priority puts it in the address bar
    box.select("TJK-P2")
    run(at)
    assert at.query_params["priority"] == "TJK-P2"
    assert "#### TJK-P2 · " in markdown_text(at)


def test_programme_wide_counts_equal_the_data_layer(engine_for):
    at = open_page({"quarter": "2025-Q3"})
    per_country = next(d.value for d in at.dataframe if "Rule disagrees" in d.value.columns).set_index("Country")
    expected = queries.priorities_as_at(engine_for, "2025-Q3")
    names = queries.countries(engine_for).set_index("code")["name"]
    for code, rows in expected.groupby("country"):
        got = per_country.loc[names[code]]
        assert got["Priorities"] == len(rows)
        for status, label in STATUS.items():
            assert got[label] == int((rows["status"] == status).sum()), (code, status)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4  # progress and milestones of one priority; by country and by theme
    labels = sorted(b.label for b in at.get("download_button"))
    assert labels == sorted(["PNG", "SVG", "CSV", "XLSX"] * 4)


# --------------------------------------------------------------------------- hand-made returns


def prio(pid, status, progress, narrative=None, next_steps=None, title=None, target=None, theme="training"):
    return [pid, title, theme if title else None, status, progress, target, narrative, next_steps]


FAR = D(2027, 12, 31)
# All reported first in 2024-Q1: the line starts on 31 Mar 2024. Judged as at 2024-Q3 (30 Sep 2024, 183 days on).
HAND_RETURNS = {
    "2024-Q1": [
        prio("TJK-B1", "on track", 10, "b1", None, "Exactly 20 points below", D(2025, 4, 1)),  # 50 % by 30 Sep
        prio("TJK-B2", "on track", 10, "b2", None, "Just over 20 points below", D(2025, 4, 1)),
        prio("TJK-B3", "on track", 30, "b3", None, "Due on the quarter's last day", D(2024, 9, 30)),
        prio("TJK-B4", "on track", 30, "b4", None, "Due the day before", D(2024, 9, 29)),
        prio("TJK-B5", "on track", 50, "b5", None, "Completed after its target", D(2024, 6, 30)),
        prio("TJK-B6", "not started", 0, "b6", None, "Not started, far target", D(2027, 3, 31)),
        prio("TJK-S1", "on track", 40, "s1", None, "Stalled, nothing stored since", FAR),
        prio("TJK-S2", "on track", 50, "first", None, "Stalled, new narratives", FAR, "security"),
        prio("TJK-S3", "on track", 10, "Alpha", "Plan", "Worse than last quarter", FAR, "security"),
        prio("TJK-N1", "on track", 20, "n1", None, "No target date", None, "infrastructure"),
    ],
    "2024-Q2": [
        prio("TJK-B1", "on track", 20, "b1"),
        prio("TJK-B2", "on track", 20, "b2"),
        prio("TJK-B3", "on track", 60, "b3"),
        prio("TJK-B4", "on track", 60, "b4"),
        prio("TJK-B5", "completed", 100, "b5 done"),
        prio("TJK-S2", "on track", 50, "second"),
        prio("TJK-S3", "on track", 20, None, None),  # blank texts: "Alpha" and "Plan" carried forward
    ],
    "2024-Q3": [
        prio("TJK-B1", "on track", 30, "b1"),
        prio("TJK-B2", "on track", 29, "b2"),
        prio("TJK-B3", "on track", 80, "b3"),
        prio("TJK-B4", "on track", 80, "b4"),
        prio("TJK-S2", "on track", 50, "third"),
        prio("TJK-S3", "at risk", 25, "Beta", "Escalate"),
    ],
}
HAND_MILESTONES = [
    ["TJK-S3", "Kick-off", D(2024, 5, 31), "done", D(2024, 5, 20)],
    ["TJK-S3", "Pilot", D(2024, 8, 31), "planned", None],
    ["TJK-S3", "Old plan", D(2024, 7, 31), "dropped", None],
]


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("priorities") / "hand.db"
    url = f"sqlite:///{path}"
    eng = db.connect(url)
    for quarter, rows in HAND_RETURNS.items():
        sheets = {"Priorities": [PRIORITIES_HEADER, *rows]}
        if quarter == "2024-Q1":
            sheets["Milestones"] = [MILESTONES_HEADER, *HAND_MILESTONES]
        r = import_workbook(eng, ADMIN, return_workbook("TJK", quarter, **sheets), f"TJK_{quarter}.xlsx")
        assert r.status == "applied", r.report()
    db.dispose_all()
    return url


@pytest.fixture
def hand(hand_db, monkeypatch):
    monkeypatch.setenv(ENV_VAR, hand_db)
    yield hand_db
    db.dispose_all()


def test_computed_status_at_the_edges_of_the_rule(hand):
    at = open_page({"quarter": "2024-Q3"})
    shown = table(at)
    assert dict(zip(shown.index, zip(shown["Reported"], shown["By the rule"], strict=False), strict=False)) == {
        "TJK-B1": ("On track", "On track"),  # line at 50 %, progress 30: exactly 20 points below is not "more than"
        "TJK-B2": ("On track", "At risk"),  # progress 29: 21 points below
        "TJK-B3": ("On track", "On track"),  # target date = last day of the quarter: not passed; 80 vs 100
        "TJK-B4": ("On track", "Off track"),  # target date the day before: passed
        "TJK-B5": ("Completed", "Completed"),  # 100 % after the target date is completed
        "TJK-B6": ("Not started", "Not started"),  # 0 % while the line is at 16.7 %
        "TJK-S1": ("On track", "On track"),
        "TJK-S2": ("On track", "On track"),
        "TJK-S3": ("At risk", "On track"),  # 25 % where the line expects 13.4 %
        "TJK-N1": ("On track", "—"),  # no target date: no line, no computed status
    }
    checks = shown["Check"]
    assert checks["TJK-B2"] == "Rule: At risk" and checks["TJK-B4"] == "Rule: Off track"
    assert checks["TJK-B1"] == "" and checks["TJK-B3"] == "" and checks["TJK-B5"] == ""
    assert metrics(at)["Rule disagrees"][0] == "3"
    # the rule is on the page, with its threshold
    rule = next(c.value for c in at.caption if c.value.startswith("**The rule.**"))
    assert "progress more than 20 points below the line → At risk" in rule
    assert "target date passed → Off track" in rule
    # where they disagree, the page says so: the questions for the meeting
    text = markdown_text(at)
    assert (
        "**TJK-B2** Just over 20 points below · Tajikistan: reported :green-badge[On track], by the rule "
        ":orange-badge[At risk] (29% done where the line expects 50.0%)"
    ) in text
    assert (
        "**TJK-B4** Due the day before · Tajikistan: reported :green-badge[On track], by the rule "
        ":red-badge[Off track] (target date 29 Sep 2024 passed at 80%)"
    ) in text
    assert "**TJK-B1**" not in text and "**TJK-B3**" not in text
    # the same priorities, one quarter earlier: the line is at 25 % (91 of 366 days) and progress 20
    earlier = table(open_page({"quarter": "2024-Q2"}))
    assert earlier.loc["TJK-B1", "By the rule"] == "On track" and earlier.loc["TJK-B4", "By the rule"] == "On track"
    assert earlier.loc["TJK-B5", "Reported"] == "Completed"


def test_slipping_is_detected_over_quarters_not_stored_rows(hand):
    at = open_page({"quarter": "2024-Q3"})
    checks = table(at)["Check"]
    assert checks["TJK-S1"] == "Stalled since 2024-Q1"  # one stored update, three quarters at 40 %
    assert checks["TJK-S2"] == "Stalled since 2024-Q1"  # an update each quarter, but only the narrative moved
    assert checks["TJK-B6"] == "Stalled since 2024-Q1"  # still not started after two quarters
    assert checks["TJK-S3"] == "Rule: On track · Worse than 2024-Q2"
    assert checks["TJK-B5"] == ""  # completed in Q2 and unchanged since: done, not slipping
    assert checks["TJK-B1"] == ""  # 10, 20, 30
    assert checks["TJK-N1"] == "Stalled since 2024-Q1"
    assert metrics(at)["Slipping"] == ("5", "+5")
    text = markdown_text(at)
    assert (
        ":orange-badge[Slipping] **TJK-S1** Stalled, nothing stored since · Tajikistan: progress stuck at 40% "
        "since 2024-Q1."
    ) in text
    assert ":green-badge[On track] in 2024-Q2, :orange-badge[At risk] in 2024-Q3" in text
    # as at 2024-Q2 nothing has been unchanged for two quarters yet
    earlier = open_page({"quarter": "2024-Q2"})
    assert set(table(earlier)["Check"]) == {""}
    assert metrics(earlier)["Slipping"][0] == "0"
    assert "the rule agrees with every reported status and nothing is slipping" in "\n".join(
        s.value for s in earlier.success
    )


def test_narrative_thread_newest_first_each_narrative_once(hand):
    at = open_page({"quarter": "2024-Q3", "priority": "TJK-S3"})
    entries = thread(at)
    assert [e.split(" · ")[0] for e in entries] == ["**2024-Q3**", "**2024-Q2**", "**2024-Q1**"]
    assert entries[0] == (
        "**2024-Q3** · :orange-badge[At risk] · 25% · worsened from :green-badge[On track]  \n"
        "Beta  \n**Next steps:** Escalate"
    )
    assert entries[1] == "**2024-Q2** · :green-badge[On track] · 20%  \n_No new narrative._"  # "Alpha" carried
    assert entries[2] == "**2024-Q1** · :green-badge[On track] · 10%  \nAlpha  \n**Next steps:** Plan"
    assert sum(e.count("Alpha") for e in entries) == 1
    # milestones as at the quarter, with their dates
    ms = next(d.value for d in at.dataframe if "Done on" in d.value.columns)
    assert list(ms["Milestone"]) == ["Kick-off", "Old plan", "Pilot"]  # in the order they are due
    assert list(ms["Status"]) == ["Done", "Dropped", "Planned"]
    assert list(ms["Timing"]) == ["done on time", "—", "past due"]
    assert list(ms["Due"]) == ["31 May 2024", "31 Jul 2024", "31 Aug 2024"]
    assert list(ms["Done on"]) == ["20 May 2024", "—", "—"]
    # as at 2024-Q2 the thread ends there, and the status then is shown
    at.sidebar.selectbox[0].select("2024-Q2")
    run(at)
    assert [e.split(" · ")[0] for e in thread(at)] == ["**2024-Q2**", "**2024-Q1**"]
    assert "Reported :green-badge[On track]" in markdown_text(at)


def test_a_country_without_priorities_explains_what_to_do(hand):
    at = open_page({"quarter": "2024-Q3", "countries": "IRQ"})
    text = markdown_text(at)
    assert "#### No priorities reported" in text
    assert "No priority of Iraq had been reported by the end of 2024-Q3" in text
    assert not at.get("vega_lite_chart")


def test_a_priority_without_target_date_or_milestones(hand):
    at = open_page({"quarter": "2024-Q3", "priority": "TJK-N1"})
    text = markdown_text(at)
    assert "#### TJK-N1 · No target date" in text
    assert "Reported :green-badge[On track] · by the rule —" in text
    assert "No target date: the rule can only recognise completion, so no status is computed." in text
    assert "Slipping: progress stuck at 20% since 2024-Q1." in text
    assert any("No milestones reported for this priority by the end of 2024-Q3" in i.value for i in at.info)
    assert len(at.get("vega_lite_chart")) == 3  # its progress (no line to draw); the two programme-wide charts
    assert not any("TJK-N1" in m and "Rule disagrees" in m for m in text.splitlines())


def test_every_message_key_built_at_run_time_exists():
    en = i18n.catalogue("en")
    reasons = (
        rules.R_COMPLETED,
        rules.R_TARGET_PASSED,
        rules.R_BEHIND,
        rules.R_NOT_STARTED,
        rules.R_ON_PACE,
        rules.R_NO_TARGET,
        rules.R_NO_PROGRESS,
    )
    keys = [f"priorities.tile.{f}.help" for f in FLAGS] + ["priorities.tile.disagree", "priorities.tile.slipping"]
    keys += [f"priorities.reason{kind}.{r}" for kind in ("", "_short") for r in reasons]
    keys += [f"priorities.timing.{x}" for x in (rules.ON_TIME, rules.DONE_LATE, rules.PAST_DUE, rules.DUE)]
    assert [k for k in keys if k not in en] == []
