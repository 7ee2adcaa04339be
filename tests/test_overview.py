"""The Overview page through AppTest: the figures it shows equal those the
data layer computes for the sample data (worked out here independently
from ``data_access.queries``), for several quarters and country selections;
the filters change them; a missing return raises its alert; superseded
returns are counted in the tracker."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from components import formatting as fmt
from data_access import db, overview, queries, sample
from data_access.config import ENV_VAR
from data_access.importer import import_workbook
from data_access.rules.quarters import parse_quarter
from data_access.rules.status import TRAINING_ACTIVITY_TYPES
from tests import reference_queries
from tests.apptest_support import markdown_text, metrics, new_app, plain, run
from tests.workbooks import ADMIN, signed

LABELS = {
    "prisoners_total": "Prisoners",
    "ve_prisoners": "Violent extremist prisoners",
    "ftf_detainees": "FTF detainees",
    "open_findings": "Open findings",
    "overdue_findings": "Overdue findings",
    "open_critical": "Open critical findings",
    "priorities_on_track": "Priorities on track",
    "priorities_at_risk": "Priorities at risk",
    "priorities_off_track": "Priorities off track",
    "priorities_completed": "Priorities completed",
    "trained_women_share": "Women among trained",
}


# --------------------------------------------------------------------------- reading the page


def _tracker(at) -> pd.DataFrame:
    """The returns tracker grid: the table whose columns are quarters."""
    return next(
        d.value
        for d in at.dataframe
        if len(d.value.columns) and all(re.fullmatch(r"\d{4}-Q[1-4]", str(c)) for c in d.value.columns)
    )


def _tracker_details(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Times superseded" in d.value.columns)


# --------------------------------------------------------------------------- expected figures, independently


def _figures(eng, quarter: str, countries: list[str] | None) -> dict[str, tuple[float | None, bool]]:
    """metric -> (value, approximate), from data_access.queries only."""
    q = parse_quarter(quarter)
    out: dict[str, tuple[float | None, bool]] = {}
    ind = queries.latest_indicators(eng, countries, as_at=quarter)
    for code in ("prisoners_total", "ve_prisoners", "ftf_detainees"):
        rows = ind[ind["indicator"] == code]
        out[code] = (float(rows["value"].sum()) if len(rows) else None, bool(rows["approximate"].any()))
    fc = reference_queries.finding_counts(eng, quarter, countries, by=("severity",))
    out["open_findings"] = (int(fc["open"].sum()), False)
    out["overdue_findings"] = (int(fc["overdue"].sum()), False)
    out["open_critical"] = (int(fc.loc[fc["severity"] == "critical", "open"].sum()), False)
    status = queries.priorities_as_at(eng, quarter, countries)["status"].value_counts()
    for metric, st in (
        ("priorities_on_track", "on track"),
        ("priorities_at_risk", "at risk"),
        ("priorities_off_track", "off track"),
        ("priorities_completed", "completed"),
    ):
        out[metric] = (int(status.get(st, 0)), False)
    acts = queries.activities(eng, countries, up_to=quarter)
    if not acts.empty:
        dates = pd.to_datetime(acts["date"]).dt.date
        acts = acts[(dates >= q.start.replace(month=1)) & (dates <= q.end) & acts["type"].isin(TRAINING_ACTIVITY_TYPES)]
    out["trained"] = (int(acts["participants"].fillna(0).sum()) if not acts.empty else 0, False)
    both = acts.dropna(subset=["participants", "female_participants"]) if not acts.empty else acts
    base = both["participants"].sum() if not both.empty else 0
    out["trained_women_share"] = (float(both["female_participants"].sum() / base) if base else None, False)
    return out


def _expected_tiles(eng, quarter: str, countries: list[str] | None) -> dict[str, tuple[str, str | None]]:
    """label -> (value text, delta text) as the tiles must show them."""
    q = parse_quarter(quarter)
    p = q.previous()
    now = _figures(eng, quarter, countries)
    first = queries.quarters_with_data(eng)[0]
    before = _figures(eng, str(p), countries) if str(p) >= first else None
    out = {}
    for metric, (value, approx) in now.items():
        label = LABELS.get(metric) or f"People trained in {q.year}"
        text = fmt.percent(value) if metric == "trained_women_share" else fmt.number(value, approx=approx)
        prev = None if before is None else before[metric][0]
        if metric == "trained" and before is not None and p.year != q.year:
            prev = 0
        if metric == "trained_women_share" and p.year != q.year:
            prev = None
        if prev is None or value is None:
            delta = None
        elif round(value - prev, 6) == 0:
            delta = "0"
        elif metric == "trained_women_share":
            delta = fmt.points(value - prev)
        else:
            delta = fmt.signed(value - prev)
        out[label] = (text, delta)
    return out


@pytest.fixture
def engine_for(sample_url):
    eng = db.connect(sample_url)
    yield eng


# --------------------------------------------------------------------------- headline tiles


@pytest.mark.parametrize(
    "quarter, countries",
    [
        ("2026-Q3", None),
        ("2025-Q2", None),
        ("2026-Q1", ["KAZ", "KGZ"]),  # a first quarter: the year's training count starts again
        ("2024-Q1", ["IRQ"]),  # Iraq reports only prisoners and prisons
    ],
)
def test_tiles_equal_the_data_layer(engine_for, quarter, countries):
    query = {"quarter": quarter}
    if countries:
        query["countries"] = ",".join(countries)
    at = run(new_app(query))
    shown = metrics(at)
    expected = _expected_tiles(engine_for, quarter, countries)
    assert shown == expected
    # the data layer's own headline agrees with the independent computation
    h = overview.headline(engine_for, quarter, countries).set_index("metric")
    assert fmt.number(h.loc["prisoners_total", "value"]) == expected["Prisoners"][0]
    assert int(h.loc["open_findings", "value"]) == int(expected["Open findings"][0].replace(",", ""))


def test_the_figures_follow_the_filters(engine_for):
    at = run(new_app())
    everyone = metrics(at)
    at.sidebar.multiselect[0].set_value(["TJK"])
    run(at)
    tajikistan = metrics(at)
    assert tajikistan != everyone
    assert tajikistan == _expected_tiles(engine_for, "2026-Q3", ["TJK"])
    at.sidebar.selectbox[0].select("2024-Q3")
    run(at)
    assert metrics(at) == _expected_tiles(engine_for, "2024-Q3", ["TJK"])
    assert at.markdown[0].value == "### Overview · 2024-Q3"
    assert at.caption[0].value == "Tajikistan · changes compared with 2024-Q2"


def test_approximate_figures_are_marked(engine_for):
    at = run(new_app())
    ftf = next(m for m in at.metric if m.label == "FTF detainees")
    assert ftf.value.startswith(":small[approx.] ")  # the mark in small type, so the tile fits a projector
    assert plain(ftf.value) == fmt.number(_figures(engine_for, "2026-Q3", None)["ftf_detainees"][0], approx=True)


# --------------------------------------------------------------------------- what changed


def _transitions(eng, quarter: str, countries=None) -> dict[str, int]:
    """Counts of the changes between two quarters, from the as-at states."""
    p = str(parse_quarter(quarter).previous())
    fq = queries.findings_as_at(eng, quarter, countries).set_index("finding_id")["status"]
    fp = queries.findings_as_at(eng, p, countries).set_index("finding_id")["status"]
    raised = len(set(fq.index) - set(fp.index))
    common = fq.index.intersection(fp.index)

    def became(status: str) -> int:
        return int(((fq[common] == status) & (fp[common] != status)).sum())

    health = {"off track": 0, "at risk": 1, "on track": 2, "completed": 3}
    pq = queries.priorities_as_at(eng, quarter, countries).set_index("priority_id")["status"]
    pp = queries.priorities_as_at(eng, p, countries).set_index("priority_id")["status"]
    both = [i for i in pq.index.intersection(pp.index) if pq[i] in health and pp[i] in health]
    improved = sum(health[pq[i]] > health[pp[i]] for i in both)
    worsened = sum(health[pq[i]] < health[pp[i]] for i in both)
    key = ["priority_id", "milestone"]
    mq = queries.milestones_as_at(eng, quarter, countries).set_index(key)["status"]
    mp = queries.milestones_as_at(eng, p, countries).set_index(key)["status"]
    reached = sum(s == "done" and mp.get(k) != "done" for k, s in mq.items())
    late = sum(s == "late" and mp.get(k) != "late" for k, s in mq.items())
    return dict(
        raised=raised,
        remediated=became("remediated"),
        verified=became("verified"),
        improved=improved,
        worsened=worsened,
        reached=reached,
        late=late,
    )


@pytest.mark.parametrize("quarter", ["2026-Q3", "2025-Q2", "2024-Q3"])
def test_what_changed_equals_the_data_layer(engine_for, quarter):
    at = run(new_app({"quarter": quarter}))
    text = markdown_text(at)
    n = _transitions(engine_for, quarter)
    assert (
        f"**Findings:** **{n['raised']}** newly raised · **{n['remediated']}** remediated · "
        f"**{n['verified']}** verified"
    ) in text
    assert f"**Priorities:** **{n['improved']}** improved · **{n['worsened']}** worsened" in text
    assert f"**Milestones:** **{n['reached']}** reached · **{n['late']}** late" in text
    assert f"**Returns:** 4 of 4 received for {quarter}" in text
    summary = reference_queries.change_summary(engine_for, quarter).set_index(["area", "change"])["n"]
    assert summary[("finding", "verified")] == n["verified"]
    assert summary[("priority", "worsened")] == n["worsened"]


# --------------------------------------------------------------------------- alerts


@pytest.mark.parametrize("quarter", ["2026-Q3", "2025-Q1"])
def test_alerts_list_overdue_serious_findings_and_off_track_priorities(engine_for, quarter):
    at = run(new_app({"quarter": quarter}))
    text = markdown_text(at)
    f = queries.findings_as_at(engine_for, quarter)
    overdue = f[f["overdue"] & f["severity"].isin(["critical", "high"])]
    off = queries.priorities_as_at(engine_for, quarter)
    off = off[off["status"] == "off track"]
    if overdue.empty and off.empty:
        assert at.success and quarter in at.success[0].value
    if not overdue.empty:
        assert f":red-badge[{len(overdue)} overdue]" in text
        for fid in overdue["finding_id"]:
            assert fid in text
    for pid in off["priority_id"]:
        assert pid in text
    # every return of the sample arrived: no missing-return alert
    assert "Return missing" not in text


@pytest.fixture(scope="module")
def missing_return_db(tmp_path_factory):
    """Baseline plus the 2024-Q1 returns of Iraq, Kazakhstan and Kyrgyzstan:
    Tajikistan's 2024-Q1 return is missing."""
    path = tmp_path_factory.mktemp("missing") / "missing.db"
    url = f"sqlite:///{path}"
    eng = db.connect(url)
    for name, content in sample.baseline_workbooks():
        assert import_workbook(eng, sample.BASELINE_LOADER, content, name, kind="baseline").ok
    for p in sample.return_files():
        if p.stem in ("IRQ_2024-Q1", "KAZ_2024-Q1", "KGZ_2024-Q1"):
            assert import_workbook(eng, ADMIN, p.read_bytes(), p.name).ok
    db.dispose_all()
    return url


def test_a_missing_return_raises_its_alert(missing_return_db, monkeypatch):
    monkeypatch.setenv(ENV_VAR, missing_return_db)
    try:
        at = run(new_app())
        assert at.markdown[0].value == "### Overview · 2024-Q1"
        text = markdown_text(at)
        assert ":red-badge[Return missing] No return for 2024-Q1 from **Tajikistan**" in text
        assert "**Returns:** 3 of 4 received for 2024-Q1" in text
        grid = _tracker(at)
        assert grid.loc["Tajikistan", "2024-Q1"] == "✗ missing"
        assert grid.loc["Iraq", "2024-Q1"].startswith("✓")
        assert grid.loc["Tajikistan", "2023-Q4"] == "✓ baseline"
        # not an alert for a country outside the selection
        at.sidebar.multiselect[0].set_value(["IRQ", "KAZ"])
        run(at)
        assert "Return missing" not in markdown_text(at)
        # nor for the baseline quarter
        at.sidebar.multiselect[0].set_value([])
        at.sidebar.selectbox[0].select("2023-Q4")
        run(at)
        assert "Return missing" not in markdown_text(at)
    finally:
        db.dispose_all()


# --------------------------------------------------------------------------- returns tracker and charts


def _resubmit(eng, file_stem: str, notes: str) -> None:
    path = next(p for p in sample.return_files() if p.stem == file_stem)
    wb = load_workbook(path)
    ws = wb["Return"]
    for row in ws.iter_rows(min_row=2):
        if str(row[0].value).strip().lower() == "notes":
            row[1].value = notes
    buf = io.BytesIO()
    wb.save(buf)
    result = import_workbook(eng, signed("coordinator (corrected)"), buf.getvalue(), path.name)
    assert result.ok and result.status == "applied", result.report()


def test_tracker_shows_received_returns_and_how_often_they_were_superseded(engine_for):
    _resubmit(engine_for, "TJK_2026-Q3", "Corrected once.")
    _resubmit(engine_for, "TJK_2026-Q3", "Corrected twice.")
    at = run(new_app())
    grid = _tracker(at)
    assert list(grid.columns) == [
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert list(grid.index) == ["Iraq", "Kazakhstan", "Kyrgyzstan", "Tajikistan"]
    assert grid.loc["Tajikistan", "2026-Q3"] == "✓ 16 Oct ↻2"
    assert grid.loc["Iraq", "2026-Q3"] == "✓ 26 Oct"
    assert all(str(v).startswith("✓") for v in grid.to_numpy().ravel())
    details = _tracker_details(at)
    tjk = details[(details["Country"] == "Tajikistan") & (details["Quarter"] == "2026-Q3")].iloc[0]
    assert tjk["Times superseded"] == 2 and tjk["Uploaded by"] == "coordinator (corrected)"
    assert tjk["Prepared by"] == "Country coordinator, Tajikistan (illustrative)"
    assert tjk["Submitted on"] == "16 Oct 2026"


def test_trend_charts_offer_downloads_and_agree_with_the_tiles(engine_for):
    at = run(new_app({"quarter": "2025-Q3"}))
    charts_ = at.get("vega_lite_chart")
    assert len(charts_) == 2
    import json

    specs = [json.loads(c.proto.spec) for c in charts_]
    assert [s["title"]["text"] for s in specs] == ["Open findings by severity", "Priorities by status"]
    for s in specs:
        assert s["encoding"]["x"]["title"] and "(count)" in s["encoding"]["y"]["title"]  # axis titles with units
        assert s["encoding"]["color"]["title"]  # a legend with a title
    labels = sorted(b.label for b in at.get("download_button"))
    assert labels == sorted(["PNG", "SVG", "CSV", "XLSX"] * 2)
    trend = overview.finding_trend(engine_for, ["2025-Q3"])
    open_tile = next(m for m in at.metric if m.label == "Open findings")
    assert int(trend["open"].sum()) == int(open_tile.value)


def test_first_quarter_shows_no_change(engine_for):
    at = run(new_app({"quarter": "2023-Q4"}))
    assert all(m.delta in (None, "") for m in at.metric)
    assert "first quarter with data" in at.caption[0].value
