"""The Country profiles page through AppTest: the report's figures appear
exactly as the report gives them; derived shares equal the data layer's
(and a computation from the raw figures here); the comparison view with one
and with four countries; last known figures labelled with their quarter;
an empty profile explained; facilities linked to the findings page."""

from __future__ import annotations

import pytest

from components import formatting as fmt
from components import nav
from data_access import countries as country_queries
from data_access import db, queries, sample
from data_access.config import ENV_VAR
from data_access.importer import import_workbook
from data_access.rules import countries as rules
from tests.apptest_support import new_app, no_exception, plain, run
from tests.workbooks import ADMIN

PAGE = "pages/countries.py"
REPORT = "Achievements report 2019-2023"

# The report's figures, as the report prints them (shared/seed).
REPORT_FIGURES = {
    "IRQ": {"Prisoners": "73,715"},
    "KAZ": {
        "Prisoners": "35,228",
        "Female prisoners": "2,457",
        "Prisoners in pre-trial detention": "7,140",
        "Prisons": "808",
        "Pre-trial detention centres": "16",
        "Violent extremist prisoners": "673",
        "Foreign terrorist fighter (FTF) detainees": "approx. 50",
    },
    "KGZ": {
        "Prisoners": "7,569",
        "Female prisoners": "352",
        "Prisons": "28",
        "Violent extremist prisoners": "200",
        "Foreign terrorist fighter (FTF) detainees": "approx. 38",
    },
    "TJK": {
        "Prisoners": "12,491",
        "Female prisoners": "362",
        "Prisons": "19",
        "Violent extremist prisoners": "2,133",
        "Foreign terrorist fighter (FTF) detainees": "approx. 281",
    },
}
SHARE_LABELS = {
    "ve_per_100": "Violent extremist prisoners per 100 prisoners",
    "ftf_per_100": "FTF detainees per 100 prisoners",
    "female_share": "Share of women among prisoners",
    "pretrial_share": "Share of prisoners in pre-trial detention",
}
TILE_SHARES = {"ve_per_100": "VE per 100 prisoners", "ftf_per_100": "FTF per 100 prisoners"}


# --------------------------------------------------------------------------- helpers


def _open(query: dict | None = None):
    at = run(new_app(query))
    return run(at.switch_page(PAGE))


def _table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _key_figures(at):
    return _table(at, "Baseline").set_index("Indicator")


def _shares(at):
    return _table(at, "Computed from").set_index("Measure")


def _tiles(at) -> dict[str, str]:
    return {m.label: plain(m.value) for m in at.metric}


def _share_text(code: str, value, approximate: bool) -> str:
    """How the page must write a share (one decimal, two below 1; % for shares)."""
    if value is None:
        return "—"
    if rules.SHARE_BY_CODE[code].unit == rules.SHARE:
        text = fmt.percent(value, decimals=rules.decimals_for(value * 100))
    else:
        text = fmt.number(value, decimals=rules.decimals_for(value))
    return f"approx. {text}" if approximate else text


def _raw_shares(eng, quarter: str, country: str) -> dict[str, tuple[float | None, bool]]:
    """The shares computed here from the raw latest figures (independently of the rules module)."""
    ind = queries.latest_indicators(eng, [country], as_at=quarter).set_index("indicator")

    def get(code):
        return (float(ind.loc[code, "value"]), bool(ind.loc[code, "approximate"])) if code in ind.index else None

    out = {}
    for code, num, factor in (
        ("ve_per_100", "ve_prisoners", 100),
        ("ftf_per_100", "ftf_detainees", 100),
        ("female_share", "prisoners_female", 1),
        ("pretrial_share", "prisoners_pretrial", 1),
    ):
        n, d = get(num), get("prisoners_total")
        out[code] = (None, False) if n is None or d is None else (n[0] / d[0] * factor, n[1] or d[1])
    return out


@pytest.fixture
def eng(sample_url):
    yield db.connect(sample_url)


# --------------------------------------------------------------------------- the report's figures


@pytest.mark.parametrize("country", ["IRQ", "KAZ", "KGZ", "TJK"])
def test_the_reports_figures_appear_exactly_as_the_report_gives_them(eng, country):
    at = _open({"quarter": "2023-Q4"})
    at.segmented_control[0].set_value(country)
    run(at)
    assert at.query_params["country"] == country
    k = _key_figures(at)
    for indicator, text in REPORT_FIGURES[country].items():
        assert k.loc[indicator, "As at 2023-Q4"] == text, indicator
        assert k.loc[indicator, "Baseline"] == text, indicator
        assert k.loc[indicator, "Source"] == REPORT
        assert k.loc[indicator, "Baseline source"] == f"{REPORT} (2023-Q4)"
        assert k.loc[indicator, "Change since baseline"] == "—"
    # and every baseline figure shown is the data layer's
    base = country_queries.baselines(eng, [country])
    assert sorted(k["Baseline"]) == sorted(
        fmt.number(v, approx=a) for v, a in zip(base["value"], base["approximate"], strict=False)
    )
    tiles = _tiles(at)
    assert tiles["Prisoners"] == REPORT_FIGURES[country]["Prisoners"]
    if country == "TJK":
        assert tiles["Violent extremist prisoners"] == "2,133"
        assert tiles["FTF detainees"] == "approx. 281"


def test_the_baseline_stays_next_to_later_figures_with_their_source(eng):
    at = _open({"country": "KAZ"})  # the latest quarter: a later return replaced the figures
    k = _key_figures(at)
    assert k.loc["Prisons", "Baseline"] == "808"  # as the report gives it, although it looks high: not corrected
    assert "not corrected" in k.loc["Prisons", "Note"]
    latest = country_queries.key_figures(eng, "2026-Q3", ["KAZ"]).set_index("indicator").loc["prisoners_total"]
    assert k.loc["Prisoners", "As at 2026-Q3"] == fmt.number(latest["value"])
    assert k.loc["Prisoners", "Source"] == (
        f"{latest['source_file']} · uploaded {fmt.date(latest['source_at'])} by {latest['source_by']}"
    )
    assert k.loc["Prisoners", "Change since baseline"] == fmt.signed(latest["value"] - 35228)
    iraq = _open({"country": "Iraq"})  # a country name is accepted in the link too
    assert _key_figures(iraq).loc["Prisoners", "Baseline"] == "73,715"


# --------------------------------------------------------------------------- derived shares


@pytest.mark.parametrize(
    "quarter, country", [("2026-Q3", "TJK"), ("2024-Q2", "KAZ"), ("2025-Q1", "KGZ"), ("2023-Q4", "TJK")]
)
def test_derived_shares_equal_the_data_layer(eng, quarter, country):
    at = _open({"quarter": quarter, "country": country})
    shown = _shares(at)
    layer = country_queries.derived_shares(eng, quarter, [country]).set_index("share")
    raw = _raw_shares(eng, quarter, country)
    tiles = _tiles(at)
    for code, label in SHARE_LABELS.items():
        value = None if fmt.missing(layer.loc[code, "value"]) else float(layer.loc[code, "value"])
        approx = bool(layer.loc[code, "approximate"])
        # the data layer agrees with the raw figures ...
        if raw[code][0] is None:
            assert value is None
        else:
            assert value == pytest.approx(raw[code][0]) and approx == raw[code][1]
        # ... and the page shows the data layer's share
        assert shown.loc[label, "Value"] == _share_text(code, value, approx)
        if code in TILE_SHARES:
            assert tiles[TILE_SHARES[code]] == ("—" if value is None else _share_text(code, value, approx))
    if "ftf_per_100" in layer.index and layer.loc["ftf_per_100", "approximate"]:
        assert "Approximate because this figure is: FTF detainees" in shown.loc[SHARE_LABELS["ftf_per_100"], "Note"]


# --------------------------------------------------------------------------- comparison


def test_comparison_with_four_countries(eng):
    at = _open({"country": "compare", "quarter": "2025-Q2"})
    assert at.markdown[1].value == "#### Comparison of 4 countries"
    absolute = _table(at, "Tajikistan")
    assert list(absolute.columns) == ["Iraq", "Kazakhstan", "Kyrgyzstan", "Tajikistan"]
    per = next(d.value for d in at.dataframe if d.value.index.name == "Measure")
    comp = country_queries.comparison(eng, "2025-Q2")
    names = {"IRQ": "Iraq", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "TJK": "Tajikistan"}
    labels = {
        "prisoners_total": "Prisoners",
        "ve_prisoners": "Violent extremist prisoners",
        "ftf_detainees": "Foreign terrorist fighter (FTF) detainees",
        "prisons_total": "Prisons",
    }
    per_labels = {
        "ve_prisoners": "Violent extremist prisoners",
        "ftf_detainees": "FTF detainees",
        "prisoners_female": "Female prisoners",
    }
    for r in comp.itertuples():
        if r.indicator in labels:
            assert absolute.loc[labels[r.indicator], names[r.country]] == fmt.number(r.value, approx=r.approximate)
        if r.indicator in per_labels:
            assert per.loc[per_labels[r.indicator], names[r.country]] == _share_text(
                "ve_per_100", r.per_100, r.per_100_approximate
            )
    # Iraq reports no violent extremist prisoners: a dash, not a zero
    assert absolute.loc["Violent extremist prisoners", "Iraq"] == "—"
    # scale: Tajikistan has more violent extremist prisoners per 100 prisoners than anyone
    ve = comp[comp["indicator"] == "ve_prisoners"].set_index("country")["per_100"]
    assert ve.idxmax() == "TJK"
    assert len(at.get("vega_lite_chart")) == 4  # absolute, per 100, and two trends
    assert not any("Only one country" in i.value for i in at.info)


def test_comparison_with_one_country(eng):
    at = _open({"country": "compare", "countries": "KGZ"})
    assert at.markdown[1].value == "#### Comparison of 1 country"
    assert any("Only one country is selected" in i.value for i in at.info)
    absolute = _table(at, "Kyrgyzstan")
    assert list(absolute.columns) == ["Kyrgyzstan"]
    comp = country_queries.comparison(eng, "2026-Q3", ["KGZ"]).set_index("indicator")
    assert absolute.loc["Prisoners", "Kyrgyzstan"] == fmt.number(comp.loc["prisoners_total", "value"])
    per = next(d.value for d in at.dataframe if d.value.index.name == "Measure")
    assert per.loc["Violent extremist prisoners", "Kyrgyzstan"] == _share_text(
        "ve_per_100", comp.loc["ve_prisoners", "per_100"], False
    )
    # the view choice offers exactly the selected countries and the comparison
    assert [o.replace("⚖", "").strip() for o in at.segmented_control[0].options] == ["Kyrgyzstan", "Compare (1)"]


# --------------------------------------------------------------------------- no figures for the quarter


@pytest.fixture(scope="module")
def gappy_db(tmp_path_factory):
    """The report's baseline for Kazakhstan, Kyrgyzstan and Tajikistan (not
    Iraq) and Tajikistan's 2024-Q1 return only."""
    path = tmp_path_factory.mktemp("profiles") / "gappy.db"
    url = f"sqlite:///{path}"
    e = db.connect(url)
    for name, content in sample.baseline_workbooks():
        if "IRQ" not in name:
            assert import_workbook(e, sample.BASELINE_LOADER, content, name, kind="baseline").ok
    for p in sample.return_files():
        if p.stem == "TJK_2024-Q1":
            assert import_workbook(e, ADMIN, p.read_bytes(), p.name).ok
    db.dispose_all()
    return url


def test_last_known_figures_are_labelled_with_their_quarter(gappy_db, monkeypatch):
    monkeypatch.setenv(ENV_VAR, gappy_db)
    try:
        at = _open({"country": "KAZ"})
        assert at.markdown[0].value == "### Country profiles · 2024-Q1"
        assert at.warning and "shown are the last known figures, from 2023-Q4" in at.warning[0].value
        tiles = _tiles(at)
        assert tiles["Prisoners (2023-Q4)"] == "35,228"
        assert tiles["VE per 100 prisoners (2023-Q4)"] == _share_text("ve_per_100", 673 / 35228 * 100, False)
        k = _key_figures(at)
        assert set(k["Reported for"]) == {"2023-Q4"}
        # Tajikistan reported for the quarter: no warning
        at.segmented_control[0].set_value("TJK")
        run(at)
        assert not at.warning and "Figures as at the end of 2024-Q1" in at.caption[1].value
        # Iraq has reported nothing: the profile says what to do instead of showing empty tables
        at.segmented_control[0].set_value("IRQ")
        run(at)
        text = "\n".join(m.value for m in at.markdown)
        assert "No figures for Iraq yet" in text and not at.metric
        assert "python -m data_access template" in text  # how to send the first return
        assert "Programme context" not in text  # no texts loaded for Iraq here: no empty section either
        # the comparison says which countries' figures are older, and which have none
        at.segmented_control[0].set_value("compare")
        run(at)
        warnings = [w.value for w in at.warning]
        assert any("Kazakhstan (2023-Q4), Kyrgyzstan (2023-Q4)" in w for w in warnings)
        assert any("No figures at all up to 2024-Q1 from Iraq" in w for w in warnings)
        absolute = _table(at, "Kazakhstan")
        assert absolute.loc["Prisoners", "Kazakhstan"] == "35,228 (2023-Q4)"
        assert absolute.loc["Prisoners", "Iraq"] == "—"
    finally:
        db.dispose_all()


# --------------------------------------------------------------------------- facilities


@pytest.fixture
def findings_probe(tmp_path, monkeypatch):
    """The findings page, replaced by a probe (it is another engineer's page)."""
    page = tmp_path / "findings_probe.py"
    page.write_text(
        "import streamlit as st\nst.markdown('FINDINGS ' + st.query_params.get('facility', ''))\n", encoding="utf-8"
    )
    specs = [
        nav.PageSpec(p.key, str(page), p.group, p.icon, p.default) if p.key == "findings" else p for p in nav.PAGES
    ]
    monkeypatch.setattr(nav, "PAGES", specs)
    return str(page)


def test_facilities_pilot_first_with_open_findings_and_a_link_to_them(eng, findings_probe):
    at = _open({"country": "TJK", "quarter": "2025-Q3"})
    summary = queries.facility_findings_summary(eng, "2025-Q3", ["TJK"])
    links = [pl for pl in at.page_link if pl.proto.query_string.startswith("facility=")]
    assert [pl.proto.query_string for pl in links] == [f"facility={f}" for f in summary["facility_id"]]
    assert summary["pilot"].tolist()[:2] == [True, True] and not summary["pilot"].iloc[-1]
    assert all(pl.proto.page == "findings" for pl in links)
    first = summary.iloc[0]
    assert links[0].proto.label == f"See {first['findings']} finding{'s' if first['findings'] != 1 else ''}"
    text = [m.value for m in at.markdown]
    assert any(v.startswith(f"**{first['name']}** :blue-badge[Pilot]") for v in text)
    open_cell = f":orange-badge[{first['open']}]" if first["open"] else str(first["open"])
    assert open_cell in text


def test_every_chart_has_a_title_and_downloads(eng):
    at = _open({"country": "KGZ"})
    import json

    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    n_series = queries.indicator_history(eng, ["KGZ"], up_to="2026-Q3")["indicator"].nunique()
    assert len(specs) == n_series + 3  # every indicator, plus three activity charts
    for s in specs:
        assert s.get("title", {}).get("text")
    assert len(at.get("download_button")) == 4 * len(specs)
    no_exception(at)
